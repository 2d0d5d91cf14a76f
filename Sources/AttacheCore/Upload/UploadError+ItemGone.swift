import Foundation

extension UploadError {
    /// The error for an upload whose message went away part-way: Outlook moves a draft that is
    /// sent to Sent Items under a new id, so its id, and every upload session on it, then
    /// answer 404. Said as what most likely happened, since the message left without the file.
    ///
    /// - Parameters:
    ///   - began: whether any range of the file had been sent to the item.
    ///   - confirmed: bytes of the file the server had taken before the item went.
    func itemGoneMidUpload(began: Bool, confirmed: Int64, fileSize: Int64) -> UploadError {
        guard kind == .itemNotFound, let item, item.kind == .message, began || confirmed > 0 else { return self }
        var error = self
        let held = ByteCount(min(confirmed, fileSize)).description(rounding: .down)
        error.reason = Self.itemGoneReason + " (at \(held) of \(ByteCount(fileSize))): "
            + "a sent draft moves to Sent Items under a new id, so if it was sent, it left without this file"
        return error
    }

    /// How the reason of ``itemGoneMidUpload(began:confirmed:fileSize:)`` begins.
    public static let itemGoneReason = "the message was sent or deleted elsewhere while the file was uploading"
}
