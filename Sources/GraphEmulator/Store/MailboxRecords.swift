import Foundation
import GRDB

/// A mailbox owner. Paths name users by object id, `id@tenant` (as upload URLs do) or UPN.
struct UserRow: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "user"
    var id: String
    var tenantID: String
    var userPrincipalName: String
    var displayName: String

    /// `id@tenant`, the form upload URLs carry.
    var qualifiedID: String { "\(id)@\(tenantID)" }
}

/// A message or an event.
struct ItemRow: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "item"
    var id: String
    var ownerID: String
    var kind: String
    var subject: String
    var bodyContent: String
    var createdAt: Date
    var modifiedAt: Date
    var receivedAt: Date?
    var isDraft: Bool
    var startAt: Date?
    var endAt: Date?
    var location: String?
    var recipients: String?

    var itemKind: ItemKind { ItemKind(rawValue: kind) ?? .message }
}

/// A file attachment; its bytes live in a file under the data directory.
struct AttachmentRow: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "attachment"
    var id: String
    var itemID: String
    var name: String
    var contentType: String
    var size: Int64
    var isInline: Bool
    var modifiedAt: Date
    var blobName: String
    /// An inline attachment's `contentId`, which an HTML body names as `cid:…`.
    var contentId: String? = nil
}

/// An open upload session: what was declared, how far it has got, and the hash of its
/// `authtoken` (the token itself is never stored).
struct SessionRow: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "uploadSession"
    var id: String
    var itemID: String
    var ownerID: String
    var kind: String
    var name: String
    var contentType: String?
    var isInline: Bool
    var size: Int64
    var tokenHash: String
    var createdAt: Date
    var expiresAt: Date
    var received: Int64
    /// The `contentId` the attachment it becomes will carry.
    var contentId: String? = nil

    var itemKind: ItemKind { ItemKind(rawValue: kind) ?? .message }
}
