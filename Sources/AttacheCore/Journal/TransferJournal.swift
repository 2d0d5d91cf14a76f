import Foundation
import GRDB
import Logging

/// The journal file cannot be opened.
public struct JournalError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem)" }
}

/// The durable record of transfers, in SQLite (mode 0600) under the state directory.
///
/// Each step of an upload is written before the next one starts, so a process killed at
/// any instant leaves a row that says where the session stands.
public struct TransferJournal: Sendable {
    let database: DatabaseQueue
    private let logger: Logger
    /// Where it is, for messages: its path, or `memory`.
    public let location: String
    /// Where ``TransferClaim``s keep their lock files; `nil` for a journal in memory.
    private let claimsDirectory: String?

    /// Opens (or creates) the journal at `path`.
    public init(path: String, logger: Logger) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Create it 0600 before SQLite does, so it is never readable by others, even briefly;
        // and never through a symlink, which could point the journal (and its upload URLs)
        // anywhere.
        let fd = open(path, O_CREAT | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP { throw JournalError(path: path, problem: "it is a symbolic link; attache does not follow one there") }
            throw JournalError(path: path, problem: String(cString: strerror(code)))
        }
        fchmod(fd, 0o600)
        close(fd)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "attache.journal"
        // WAL with synchronous=NORMAL: a commit is one write(2) and no fsync, and it survives
        // a kill -9 all the same (only a power cut can lose the last commits, and a resume
        // asks the session anyway). The rollback journal cost four fsyncs per range.
        configuration.journalMode = .wal
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        self.database = try DatabaseQueue(path: path, configuration: configuration)
        self.logger = logger
        self.location = path
        self.claimsDirectory = (directory as NSString).appendingPathComponent("claims")
        try Self.migrator.migrate(database)
    }

    /// An in-memory journal, for tests and for runs that keep no state.
    public init(inMemoryWith logger: Logger) throws {
        self.database = try DatabaseQueue()
        self.logger = logger
        self.location = "memory"
        self.claimsDirectory = nil
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: transfers") { db in
            try db.create(table: TransferRecord.databaseTableName) { t in
                t.primaryKey("id", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.column("filePath", .text).notNull()
                t.column("fileName", .text).notNull()
                t.column("fileSize", .integer).notNull()
                t.column("fileModified", .double).notNull()
                t.column("fingerprint", .text).notNull()
                t.column("graphBase", .text).notNull()
                t.column("itemKind", .text).notNull()
                t.column("itemID", .text).notNull()
                t.column("method", .text).notNull()
                t.column("rangeLength", .integer).notNull()
                t.column("uploadURL", .text)
                t.column("sessionExpires", .text)
                t.column("sessionStartedAt", .datetime)
                t.column("confirmedBytes", .integer).notNull().defaults(to: 0)
                t.column("state", .text).notNull().indexed()
                t.column("lastError", .text)
                t.column("attachmentID", .text)
            }
        }
        migrator.registerMigration("v2: error codes") { db in
            try db.alter(table: TransferRecord.databaseTableName) { t in
                t.add(column: "errorCode", .text)
            }
        }
        migrator.registerMigration("v3: graph's clock and the attachments before") { db in
            try db.alter(table: TransferRecord.databaseTableName) { t in
                t.add(column: "serverStartedAt", .datetime)
                t.add(column: "priorAttachmentIDs", .text)
            }
        }
        migrator.registerMigration("v4: upload hosts") { db in
            try db.create(table: "uploadHost") { t in
                t.column("graphBase", .text).notNull()
                t.column("mailbox", .text).notNull()
                t.column("origin", .text).notNull()
                t.column("seenAt", .datetime).notNull()
                t.primaryKey(["graphBase", "mailbox"])
            }
        }
        migrator.registerMigration("v5: files shared from OneDrive") { db in
            try db.alter(table: TransferRecord.databaseTableName) { t in
                for column in ["shareFolder", "shareConflict", "linkType", "linkScope", "shareReason", "linkURL", "driveItemName"] {
                    t.add(column: column, .text)
                }
            }
        }
        migrator.registerMigration("v6: inline attachments") { db in
            try db.alter(table: TransferRecord.databaseTableName) { t in
                t.add(column: "contentId", .text)
            }
        }
        return migrator
    }

    /// Records a new transfer and returns it. Pass an `id` from ``newID()`` to claim the
    /// transfer before anyone can see its row.
    public func begin(
        id: String = TransferJournal.newID(), file: LocalFile, item: ItemReference, plan: UploadPlan, graphBase: String, fingerprint: String,
        share: DriveShare? = nil, contentId: String? = nil
    ) async throws -> TransferRecord {
        let now = Date()
        let rangeLength = plan.rangeLength ?? 0
        var record = TransferRecord(
            id: id, createdAt: now, updatedAt: now, filePath: file.path, fileName: file.name,
            fileSize: file.size, fileModified: file.modified, fingerprint: fingerprint, graphBase: graphBase,
            itemKind: item.kind, itemID: item.id, method: plan.method, rangeLength: rangeLength, uploadURL: nil,
            sessionExpires: nil, sessionStartedAt: nil, serverStartedAt: nil, priorAttachmentIDs: nil, confirmedBytes: 0, state: .queued, lastError: nil, errorCode: nil,
            attachmentID: nil)
        record.contentId = contentId
        if plan.isDrive, let share {
            record.shareFolder = share.folder
            record.shareConflict = share.conflictBehavior.rawValue
            record.linkType = share.linkType.rawValue
            record.linkScope = share.linkScope.rawValue
            record.shareReason = share.reason?.rawValue
        }
        let (database, row) = (self.database, record)
        do {
            // Apart from the calling task, as in `update`: a cancel decides what the upload
            // does next, not whether its row exists.
            try await Task { try await database.write { db in try row.insert(db) } }.value
        } catch {
            throw writeError(error)
        }
        return record
    }

    /// Applies `change` to the row `id` and stamps it.
    ///
    /// The write completes even when the calling task is cancelled (GRDB would refuse it):
    /// how a transfer stopped is exactly what a cancelled task needs to record.
    /// - Throws: ``JournalError`` saying why the row could not be written (a full disk).
    public func update(_ id: String, _ change: @escaping @Sendable (inout TransferRecord) -> Void) async throws {
        let database = self.database
        do {
            try await Task {
                try await database.write { db in
                    guard var record = try TransferRecord.fetchOne(db, key: id) else { return }
                    change(&record)
                    record.updatedAt = Date()
                    try record.update(db)
                }
            }.value
        } catch {
            throw writeError(error)
        }
    }

    /// A write that failed, in words: SQLite's message (`database or disk is full`), never
    /// the statement or its arguments, which hold upload URLs.
    private func writeError(_ error: any Error) -> JournalError {
        let problem = (error as? DatabaseError)?.message ?? "\(type(of: error))"
        return JournalError(path: location, problem: "cannot be written (\(problem))")
    }

    public func record(_ id: String) async throws -> TransferRecord? {
        try await database.read { db in try TransferRecord.fetchOne(db, key: id) }
    }

    /// Rows whose id starts with `prefix` (ids can be given shortened, like git's).
    public func records(matching prefix: String) async throws -> [TransferRecord] {
        try await database.read { db in
            try TransferRecord.filter(Column("id").like("\(prefix.replacingOccurrences(of: "%", with: ""))%")).fetchAll(db)
        }
    }

    /// Claims transfer `id` for this process, without waiting.
    ///
    /// - Throws: `POSIXError` when the claims directory cannot be written.
    public func claim(_ id: String) throws -> TransferClaim.Attempt {
        guard let claimsDirectory else { return .notNeeded }
        try FileManager.default.createDirectory(atPath: claimsDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return try TransferClaim.attempt(at: (claimsDirectory as NSString).appendingPathComponent("\(id).lock"))
    }

    /// Whether other processes can share this journal (it is a file, with claims beside it):
    /// only then can a transfer in it be another attache's.
    public var isShared: Bool { claimsDirectory != nil }

    /// The process running transfer `id`, or `nil` when none is: then the row's state is
    /// what a run that ended (or died) left behind.
    public func holder(of id: String) -> TransferClaim.Holder? {
        switch try? claim(id) {
        case .heldElsewhere(let holder):
            return holder
        case .claimed(let probe):
            probe.removeFile()  // held for this instant only: no file left behind
            return nil
        case .notNeeded, nil:
            return nil
        }
    }

    /// Transfers that can still be resumed or cancelled, oldest first.
    public func unfinished() async throws -> [TransferRecord] {
        try await database.read { db in
            try TransferRecord
                .filter(TransferRecord.State.allCases.filter(\.isUnfinished).map(\.rawValue).contains(Column("state")))
                .order(Column("createdAt"))
                .fetchAll(db)
        }
    }

    /// The most recent transfers, newest first.
    public func recent(limit: Int = 50) async throws -> [TransferRecord] {
        try await database.read { db in
            try TransferRecord.order(Column("createdAt").desc).limit(limit).fetchAll(db)
        }
    }

    /// `t` and 8 hex digits: short enough to type, unique enough for one user's journal.
    /// A fresh transfer id: `t` and eight hex digits.
    public static func newID() -> String {
        "t" + String(UInt32.random(in: 0...UInt32.max), radix: 16).leftPadded(to: 8)
    }
}
