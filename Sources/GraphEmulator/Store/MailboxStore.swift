import Crypto
import Foundation
import GRDB
import Logging

/// The emulator's mailbox: users, items, attachments and upload sessions in SQLite (one
/// `DatabasePool` per data directory, WAL, so several processes may share it), attachment
/// bytes and partial uploads in files beside it.
final class MailboxStore: Sendable {
    let database: DatabasePool
    let dataDirectory: String
    private let logger: Logger

    init(dataDirectory: String, logger: Logger) throws {
        self.dataDirectory = dataDirectory
        self.logger = logger
        let fileManager = FileManager.default
        for sub in ["", "blobs", "sessions"] {
            try fileManager.createDirectory(
                atPath: (dataDirectory as NSString).appendingPathComponent(sub), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "emulator.store"
        database = try DatabasePool(path: (dataDirectory as NSString).appendingPathComponent("mailbox.sqlite"), configuration: configuration)
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: mailbox") { db in
            try db.create(table: UserRow.databaseTableName) { t in
                t.primaryKey("id", .text)
                t.column("tenantID", .text).notNull()
                t.column("userPrincipalName", .text).notNull().unique()
                t.column("displayName", .text).notNull()
            }
            try db.create(table: ItemRow.databaseTableName) { t in
                t.primaryKey("id", .text)
                t.column("ownerID", .text).notNull().indexed().references(UserRow.databaseTableName, onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("bodyContent", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("modifiedAt", .datetime).notNull()
                t.column("receivedAt", .datetime)
                t.column("isDraft", .boolean).notNull()
                t.column("startAt", .datetime)
                t.column("endAt", .datetime)
                t.column("location", .text)
                t.column("recipients", .text)
            }
            try db.create(table: AttachmentRow.databaseTableName) { t in
                t.primaryKey("id", .text)
                t.column("itemID", .text).notNull().indexed().references(ItemRow.databaseTableName, onDelete: .cascade)
                t.column("name", .text).notNull()
                t.column("contentType", .text).notNull()
                t.column("size", .integer).notNull()
                t.column("isInline", .boolean).notNull()
                t.column("modifiedAt", .datetime).notNull()
                t.column("blobName", .text).notNull()
            }
            try db.create(table: SessionRow.databaseTableName) { t in
                t.primaryKey("id", .text)
                t.column("itemID", .text).notNull().indexed().references(ItemRow.databaseTableName, onDelete: .cascade)
                t.column("ownerID", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("name", .text).notNull()
                t.column("contentType", .text)
                t.column("isInline", .boolean).notNull()
                t.column("size", .integer).notNull()
                t.column("tokenHash", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("received", .integer).notNull()
            }
        }
        migrator.registerMigration("v2: contentId") { db in
            try db.alter(table: AttachmentRow.databaseTableName) { t in t.add(column: "contentId", .text) }
            try db.alter(table: SessionRow.databaseTableName) { t in t.add(column: "contentId", .text) }
        }
        return migrator
    }

    // MARK: Files

    func blobPath(_ name: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("blobs/\(name)")
    }

    func partPath(sessionID: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("sessions/\(Self.fileSafe(sessionID)).part")
    }

    static func fileSafe(_ id: String) -> String {
        SHA256.hash(data: Data(id.utf8)).prefix(16).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    // MARK: Users

    func userCount() async throws -> Int {
        try await database.read { db in try UserRow.fetchCount(db) }
    }

    func insert(user: UserRow) async throws {
        try await database.write { db in try user.upsert(db) }
    }

    /// The user a path names: object id, `id@tenant`, or UPN, in any case.
    func user(matching key: String) async throws -> UserRow? {
        let lower = key.lowercased()
        return try await database.read { db in
            try UserRow.fetchAll(db).first { user in
                user.id.lowercased() == lower || user.qualifiedID.lowercased() == lower || user.userPrincipalName.lowercased() == lower
            }
        }
    }

    func users() async throws -> [UserRow] {
        try await database.read { db in try UserRow.order(Column("userPrincipalName")).fetchAll(db) }
    }

    func user(id: String) async throws -> UserRow? {
        try await database.read { db in try UserRow.fetchOne(db, key: id) }
    }

    // MARK: Items

    func insert(item: ItemRow) async throws {
        try await database.write { db in try item.upsert(db) }
    }

    /// A page of items, newest message first or earliest event first, and the total.
    func items(owner: String, kind: ItemKind, skip: Int, top: Int) async throws -> (rows: [ItemRow], total: Int) {
        try await database.read { db in
            let request = ItemRow.filter(Column("ownerID") == owner && Column("kind") == kind.rawValue)
            return (try Self.ordered(request, kind).limit(top, offset: skip).fetchAll(db), try request.fetchCount(db))
        }
    }

    /// Every item of a kind in a mailbox, in list order: for searches and filters, which a
    /// mailbox of an emulator's size affords.
    func allItems(owner: String, kind: ItemKind) async throws -> [ItemRow] {
        try await database.read { db in
            try Self.ordered(ItemRow.filter(Column("ownerID") == owner && Column("kind") == kind.rawValue), kind).fetchAll(db)
        }
    }

    /// Outlook's order: messages by `receivedDateTime`, newest first; events by start.
    private static func ordered(_ request: QueryInterfaceRequest<ItemRow>, _ kind: ItemKind) -> QueryInterfaceRequest<ItemRow> {
        kind == .event
            ? request.order(Column("startAt"), Column("id"))
            : request.order(Column("receivedAt").desc, Column("createdAt").desc, Column("id"))
    }

    /// Sends a draft as Exchange does: the message moves to Sent Items, which makes it a new
    /// item with a new id (the old one is gone), no longer a draft, sent at `date`. Its
    /// attachments go with it; upload sessions still open on the draft are dropped.
    func send(_ draft: ItemRow, newID: String, at date: Date) async throws -> ItemRow {
        var sent = draft
        sent.id = newID
        sent.isDraft = false
        sent.createdAt = date
        sent.modifiedAt = date
        sent.receivedAt = date
        let dropped = try await database.write { [sent] db -> [String] in
            try sent.insert(db)
            try db.execute(sql: "UPDATE attachment SET itemID = ? WHERE itemID = ?", arguments: [newID, draft.id])
            let sessions = try String.fetchAll(db, sql: "SELECT id FROM uploadSession WHERE itemID = ?", arguments: [draft.id])
            _ = try ItemRow.deleteOne(db, key: draft.id)
            return sessions
        }
        for id in dropped { try? FileManager.default.removeItem(atPath: partPath(sessionID: id)) }
        return sent
    }

    /// Deletes an item with its attachments (their bytes too) and its open upload sessions.
    func delete(item: ItemRow) async throws {
        let (blobs, sessions) = try await database.write { db -> ([String], [String]) in
            let blobs = try String.fetchAll(db, sql: "SELECT blobName FROM attachment WHERE itemID = ?", arguments: [item.id])
            let sessions = try String.fetchAll(db, sql: "SELECT id FROM uploadSession WHERE itemID = ?", arguments: [item.id])
            _ = try ItemRow.deleteOne(db, key: item.id)
            return (blobs, sessions)
        }
        for blob in blobs { try? FileManager.default.removeItem(atPath: blobPath(blob)) }
        for id in sessions { try? FileManager.default.removeItem(atPath: partPath(sessionID: id)) }
    }

    func item(id: String, owner: String, kind: ItemKind) async throws -> ItemRow? {
        try await database.read { db in
            try ItemRow.filter(Column("id") == id && Column("ownerID") == owner && Column("kind") == kind.rawValue).fetchOne(db)
        }
    }

    // MARK: Attachments

    func attachments(itemID: String) async throws -> [AttachmentRow] {
        try await database.read { db in
            try AttachmentRow.filter(Column("itemID") == itemID).order(Column("modifiedAt"), Column("id")).fetchAll(db)
        }
    }

    func attachmentCounts(itemIDs: [String]) async throws -> [String: Int] {
        try await database.read { db in
            var counts: [String: Int] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT itemID, COUNT(*) AS n FROM attachment WHERE itemID IN (\(itemIDs.map { _ in "?" }.joined(separator: ","))) GROUP BY itemID",
                arguments: StatementArguments(itemIDs))
            for row in rows { counts[row["itemID"]] = row["n"] }
            return counts
        }
    }

    func attachment(id: String, itemID: String) async throws -> AttachmentRow? {
        try await database.read { db in
            try AttachmentRow.filter(Column("id") == id && Column("itemID") == itemID).fetchOne(db)
        }
    }

    /// Records an attachment whose bytes are already at `blobPath(row.blobName)`, and
    /// stamps the item as modified.
    func insert(attachment row: AttachmentRow) async throws {
        try await database.write { db in
            try row.insert(db)
            try db.execute(sql: "UPDATE item SET modifiedAt = ? WHERE id = ?", arguments: [row.modifiedAt, row.itemID])
        }
    }

    func deleteAttachment(_ row: AttachmentRow) async throws {
        _ = try await database.write { db in try row.delete(db) }
        try? FileManager.default.removeItem(atPath: blobPath(row.blobName))
    }

    // MARK: Sessions

    func insert(session: SessionRow) async throws {
        try await database.write { db in try session.insert(db) }
        _ = FileManager.default.createFile(atPath: partPath(sessionID: session.id), contents: nil, attributes: [.posixPermissions: 0o600])
    }

    func session(id: String) async throws -> SessionRow? {
        try await database.read { db in try SessionRow.fetchOne(db, key: id) }
    }

    func openSessions() async throws -> [SessionRow] {
        try await database.read { db in try SessionRow.order(Column("createdAt")).fetchAll(db) }
    }

    func setReceived(_ received: Int64, sessionID: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE uploadSession SET received = ? WHERE id = ?", arguments: [received, sessionID])
        }
    }

    func setExpiry(_ date: Date, sessionID: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE uploadSession SET expiresAt = ? WHERE id = ?", arguments: [date, sessionID])
        }
    }

    /// Gives the session another token, so its upload URL answers 401 from now on.
    func setTokenHash(_ hash: String, sessionID: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE uploadSession SET tokenHash = ? WHERE id = ?", arguments: [hash, sessionID])
        }
    }

    /// Turns a complete session into an attachment: the partial file becomes its blob, in one transaction.
    func complete(session: SessionRow, attachment: AttachmentRow) async throws {
        try FileManager.default.moveItem(atPath: partPath(sessionID: session.id), toPath: blobPath(attachment.blobName))
        try await database.write { db in
            _ = try session.delete(db)
            try attachment.insert(db)
            try db.execute(sql: "UPDATE item SET modifiedAt = ? WHERE id = ?", arguments: [attachment.modifiedAt, attachment.itemID])
        }
    }

    /// Drops a session and the bytes it held.
    func deleteSession(id: String) async throws {
        _ = try await database.write { db in try SessionRow.deleteOne(db, key: id) }
        try? FileManager.default.removeItem(atPath: partPath(sessionID: id))
    }

    /// Drops sessions past their expiry; returns how many.
    @discardableResult
    func sweepExpiredSessions(now: Date = Date()) async throws -> Int {
        let expired = try await database.read { db in
            try SessionRow.filter(Column("expiresAt") <= now).fetchAll(db)
        }
        for session in expired { try await deleteSession(id: session.id) }
        return expired.count
    }
}
