import Foundation
import GRDB

/// One transfer as the journal keeps it: enough to resume it after a crash, cancel it from
/// another process, or tell the user what became of it.
public struct TransferRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord, Identifiable {
    public static let databaseTableName = "transfer"

    public enum State: String, Codable, Hashable, Sendable, CaseIterable {
        case queued, uploading, interrupted, done, failed, cancelled

        /// Still has a future: it can be resumed or cancelled.
        public var isUnfinished: Bool {
            self == .queued || self == .uploading || self == .interrupted
        }
    }

    public var id: String
    public var createdAt: Date
    public var updatedAt: Date
    public var filePath: String
    public var fileName: String
    public var fileSize: Int64
    public var fileModified: Double
    /// SHA-256 of the size and the first and last 64 KiB: notices a file replaced before a resume.
    public var fingerprint: String
    /// The Graph root the transfer went to, or `embedded` for the built-in emulator.
    public var graphBase: String
    public var itemKind: ItemKind
    public var itemID: String
    /// `post` or `session`.
    public var method: String
    public var rangeLength: Int64
    /// The session's pre-authenticated URL. A secret: the journal file is 0600.
    public var uploadURL: UploadURL?
    public var sessionExpires: String?
    /// When the session (or the POST) began, on this machine's clock: shown, never compared
    /// with Graph's times.
    public var sessionStartedAt: Date?
    /// The earliest Graph's own clock can have read when the session (or the POST) began.
    public var serverStartedAt: Date?
    /// The attachments of the file's name that the item held before the session began: a
    /// lost final reply must never be taken to have made one of them.
    public var priorAttachmentIDs: [String]?
    public var confirmedBytes: Int64
    public var state: State
    public var lastError: String?
    /// The code of the failure that ended it: Graph's own, or ``UploadError/Kind``'s.
    public var errorCode: String?
    /// The attachment's id; for a file shared from OneDrive (`method` `link`), its drive item's.
    public var attachmentID: String?
    /// For a file shared from OneDrive: the folder, conflict behaviour, link type and scope,
    /// and why it went as a link.
    public var shareFolder: String?
    public var shareConflict: String?
    public var linkType: String?
    public var linkScope: String?
    public var shareReason: String?
    /// The link, once made; it is in the item's body once the row is done.
    public var linkURL: String?
    /// The file's name on OneDrive (it may have been renamed there).
    public var driveItemName: String?
    /// Attached inline under this content id (`cid:` in an HTML body); `nil` for an ordinary attachment.
    public var contentId: String?

    public var item: ItemReference { ItemReference(kind: itemKind, id: itemID) }

    /// Where the file goes on OneDrive, for a transfer of `method` `link`.
    public var share: DriveShare? {
        guard method == UploadPlan.driveSession(fragmentLength: 0).method else { return nil }
        return DriveShare(
            folder: shareFolder ?? DriveShare.defaultFolder,
            conflictBehavior: shareConflict.flatMap(DriveShare.ConflictBehavior.init(rawValue:)) ?? .rename,
            linkType: linkType.flatMap(DriveShare.LinkType.init(rawValue:)) ?? .view,
            linkScope: linkScope.flatMap(DriveShare.LinkScope.init(rawValue:)) ?? .organization,
            reason: shareReason.flatMap(ShareReason.init(rawValue:)))
    }

    /// The link a finished share put in the item.
    public var sharedLink: SharedLink? {
        guard let linkURL, let share, let attachmentID else { return nil }
        return SharedLink(webURL: linkURL, type: share.linkType, scope: share.linkScope, driveItemID: attachmentID, driveItemName: driveItemName ?? fileName)
    }

    public var localFile: LocalFile {
        LocalFile(path: filePath, name: fileName, size: fileSize, modified: fileModified)
    }
}
