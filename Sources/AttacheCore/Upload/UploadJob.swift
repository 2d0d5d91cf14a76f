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

    public init(file: LocalFile, item: ItemReference, plan: UploadPlan, itemTitle: String? = nil) {
        self.file = file
        self.item = item
        self.plan = plan
        self.itemTitle = itemTitle
    }

    /// Plans `file` for `item` with `rangeLength`: the path by the request it would send.
    /// - Throws: ``InputFileError`` for a file over 150 MiB; ``UploadPlan/Refusal`` for one
    ///   whose name alone makes its `POST` too large.
    public init(
        file: LocalFile, item: ItemReference, rangeLength: Int64 = AttachmentLimits.defaultRangeLength, itemTitle: String? = nil, contentId: String? = nil
    ) throws {
        let plan: UploadPlan
        do {
            plan = try UploadPlan.forFile(size: file.size, name: file.name, contentType: file.contentType, rangeLength: rangeLength, contentId: contentId)
        } catch {
            if case .tooLarge(let size) = error { throw InputFileError(.tooLarge(size), path: file.path) }
            throw error
        }
        self.init(file: file, item: item, plan: plan, itemTitle: itemTitle)
        self.contentId = contentId
    }
}

extension UploadJob {
    /// The job for the file as it is now (its size and time checked again, its path planned
    /// anew), for a transfer started over: a file that changed goes as it now is.
    /// - Throws: ``InputFileError`` for a file that is gone, unreadable or now too large.
    func checkedAgain() throws(InputFileError) -> UploadJob {
        let file = try LocalFile.inspect(self.file.path)
        let rangeLength: Int64 = if case .uploadSession(let length) = plan { length } else { AttachmentLimits.defaultRangeLength }
        do {
            return try UploadJob(file: file, item: item, rangeLength: rangeLength, itemTitle: itemTitle, contentId: contentId)
        } catch let error as InputFileError {
            throw error
        } catch {
            throw InputFileError(.unreadable, path: file.path, detail: "\(error)")
        }
    }
}
