import Foundation
import GRDB

extension TransferJournal {
    /// The upload host a mailbox's last session named (`https://outlook.office.com`), so the
    /// next upload can open its connection while `createUploadSession` is on its way. An
    /// origin only, never a URL: the path and its `authtoken` are not kept here.
    public func uploadOrigin(graphBase: String, mailbox: String) async -> String? {
        try? await database.read { db in
            try String.fetchOne(db, sql: "SELECT origin FROM uploadHost WHERE graphBase = ? AND mailbox = ?", arguments: [graphBase, mailbox])
        }
    }

    /// Remembers the upload host `origin` for the mailbox; a failure is of no consequence.
    public func remember(uploadOrigin origin: String, graphBase: String, mailbox: String) async {
        let database = self.database
        _ = try? await Task {
            try await database.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO uploadHost (graphBase, mailbox, origin, seenAt) VALUES (?, ?, ?, ?)",
                    arguments: [graphBase, mailbox, origin, Date()])
            }
        }.value
    }
}
