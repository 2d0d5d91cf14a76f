/// One file going to one item: what the uploader needs to do the work.
public struct UploadJob: Hashable, Sendable {
    public var file: LocalFile
    public var item: ItemReference
    public var plan: UploadPlan
    /// A subject or title to show beside the item id, when the caller knows it.
    public var itemTitle: String?
    /// Attached inline with this `contentId` (an image an HTML body names as `cid:…`), by a
    /// POST or an upload session alike; `nil` for an ordinary attachment.
    public var contentId: String?
    /// For a ``UploadPlan/driveSession(fragmentLength:)``: where on OneDrive, and the link.
    public var share: DriveShare?
    /// Where Outlook cannot take the file (over 150 MiB, past the message's maximum size, a
    /// shared mailbox's refusal of sessions), share it as this link instead; `nil` fails.
    public var linkFallback: DriveShare?

    public init(file: LocalFile, item: ItemReference, plan: UploadPlan, itemTitle: String? = nil, share: DriveShare? = nil, linkFallback: DriveShare? = nil) {
        self.file = file
        self.item = item
        self.plan = plan
        self.itemTitle = itemTitle
        self.share = plan.isDrive ? share ?? DriveShare() : nil
        self.linkFallback = linkFallback
    }

    /// Plans `file` for `item` with `rangeLength`: the path by the request it would send.
    /// With a `linkFallback`, a file over 150 MiB is planned as that link; with a `contentId`,
    /// it is attached inline (its POST counts the two properties).
    /// - Throws: ``InputFileError`` for a file over 150 MiB (with no fallback); ``UploadPlan/Refusal``
    ///   for one whose name alone makes its `POST` too large.
    public init(
        file: LocalFile, item: ItemReference, rangeLength: Int64 = AttachmentLimits.defaultRangeLength, itemTitle: String? = nil,
        linkFallback: DriveShare? = nil, contentId: String? = nil
    ) throws {
        let plan: UploadPlan
        do {
            plan = try UploadPlan.forFile(size: file.size, name: file.name, contentType: file.contentType, rangeLength: rangeLength, contentId: contentId)
        } catch {
            if case .tooLarge(let size) = error {
                guard var share = linkFallback else { throw InputFileError(.tooLarge(size), path: file.path) }
                share.reason = .overOutlooksLimit
                self = .sharing(file, to: item, as: share, itemTitle: itemTitle)
                return
            }
            throw error
        }
        self.init(file: file, item: item, plan: plan, itemTitle: itemTitle, linkFallback: linkFallback)
        self.contentId = contentId
    }

    /// `file` to OneDrive, shared as `share` in `item`'s body, in fragments of the share's length.
    public static func sharing(_ file: LocalFile, to item: ItemReference, as share: DriveShare, itemTitle: String? = nil) -> UploadJob {
        UploadJob(file: file, item: item, plan: .driveSession(fragmentLength: share.fragmentLength), itemTitle: itemTitle, share: share)
    }

    /// This job as its link fallback, for `reason`; `nil` when it has none (or is a link already).
    public func sharedInstead(because reason: ShareReason) -> UploadJob? {
        guard var share = linkFallback, !plan.isDrive, file.size > 0 else { return nil }
        share.reason = reason
        return .sharing(file, to: item, as: share, itemTitle: itemTitle)
    }
}

extension UploadJob {
    /// The job for the file as it is now (its size and time checked again, its path planned
    /// anew), for a transfer started over: a file that changed goes as it now is.
    /// - Throws: ``InputFileError`` for a file that is gone, unreadable or now too large.
    func checkedAgain() throws(InputFileError) -> UploadJob {
        let file = try LocalFile.inspect(self.file.path, upTo: DriveShare.largestFile(linking: plan.isDrive || linkFallback != nil))
        if plan.isDrive { return UploadJob(file: file, item: item, plan: plan, itemTitle: itemTitle, share: share) }
        let rangeLength: Int64 = if case .uploadSession(let length) = plan { length } else { AttachmentLimits.defaultRangeLength }
        do {
            return try UploadJob(file: file, item: item, rangeLength: rangeLength, itemTitle: itemTitle, linkFallback: linkFallback, contentId: contentId)
        } catch let error as InputFileError {
            throw error
        } catch {
            throw InputFileError(.unreadable, path: file.path, detail: "\(error)")
        }
    }
}
