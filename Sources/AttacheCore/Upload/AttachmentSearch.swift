import Foundation

/// How to recognise the attachment an upload made when the reply that named it was lost:
/// the same name, a size at least the file's (Graph counts more than the bytes), made no
/// earlier than the upload began *on Graph's clock*, and not one of those the item already
/// held. A single `POST`'s file is small, so its candidate is read back and must hash like
/// the file; a session's file may be 150 MiB, so the item's attachments are listed before
/// its final range goes instead.
///
/// The local clock decides nothing: off by a minute, it once took an older attachment of
/// the same name for this one, or missed this one and attached the file twice.
public struct AttachmentSearch: Hashable, Sendable {
    /// The attachment's name: the file's.
    public var name: String
    /// The file's byte count; Graph reports a size at least this.
    public var minimumSize: Int64
    /// The ids of the attachments of that name the item held before the upload began;
    /// `nil` when they could not be listed.
    public var excluded: Set<String>?
    /// The earliest Graph's clock can have read when the upload's first request went;
    /// `nil` when no reply has given Graph's time.
    public var createdSince: Date?
    /// The SHA-256 a candidate's `$value` must have, for files small enough to read back.
    public var sha256: String?
    /// When the upload's first request went, on this machine's monotonic clock: with no
    /// ``createdSince`` yet, Graph's time is bounded from it once the search's own reply
    /// has told it (the lost reply may have been the first from Graph).
    public var startedAt: ContinuousClock.Instant?

    public init(name: String, minimumSize: Int64, excluded: Set<String>? = nil, createdSince: Date? = nil, sha256: String? = nil) {
        self.name = name
        self.minimumSize = minimumSize
        self.excluded = excluded
        self.createdSince = createdSince
        self.sha256 = sha256
    }

    /// Graph may write times to the second: one second of slack keeps a time rounded down
    /// from seeming earlier than the start. What was there before is excluded by id.
    static let roundingSlack: TimeInterval = 1

    /// Whether `info` can be this upload's attachment, before any read back.
    public func admits(_ info: AttachmentInfo) -> Bool {
        guard info.name == name, (info.size ?? 0) >= minimumSize else { return false }
        if let excluded, excluded.contains(info.id) { return false }
        if let createdSince {
            guard let modified = info.lastModifiedDateTime.flatMap(GraphDate.parse) else { return false }
            return modified >= createdSince.addingTimeInterval(-Self.roundingSlack)
        }
        // Neither what was there nor Graph's time is known: nothing can be told apart.
        return excluded != nil
    }
}

extension TransferRecord {
    /// The search for this transfer's attachment, from what its run recorded. Rows written
    /// before Graph's clock was kept know only the local start: for them, as before, a
    /// time five seconds earlier.
    public func attachmentSearch(sha256: String? = nil) -> AttachmentSearch {
        var search = AttachmentSearch(
            name: fileName, minimumSize: fileSize, excluded: priorAttachmentIDs.map(Set.init), createdSince: serverStartedAt, sha256: sha256)
        if search.excluded == nil, search.createdSince == nil {
            search.createdSince = (sessionStartedAt ?? createdAt).addingTimeInterval(-5)
        }
        return search
    }
}
