/// The sizes Outlook's attachment endpoints live by.
public enum AttachmentLimits {
    /// The largest request body Graph takes, as it counts it: 4 MiB of JSON, base64 and all.
    /// A `POST …/attachments` over it gets 413, whatever the file's size (msgraph-sdk-java
    /// #52 measured 3,145,611 bytes of file as the most that fit beside its envelope).
    public static let maximumRequestBody: Int64 = 4 * 1024 * 1024
    /// The smallest file Graph opens an upload session for (2 MiB, measured in
    /// msgraph-sdk-java #52; the docs' "3 MB" is advice, not the limit). Under it:
    /// `ErrorAttachmentSizeShouldNotBeLessThanMinimumSize`.
    public static let minimumSessionSize: Int64 = 2 * 1024 * 1024
    /// The largest file an upload session takes.
    public static let maximumFileSize: Int64 = 150 * 1024 * 1024
    /// Ranges other than the last must be a multiple of this.
    public static let rangeGranularity: Int64 = 320 * 1024
    /// A range must stay under this many bytes.
    public static let maximumRangeLength: Int64 = 4 * 1024 * 1024
    /// 12 × 320 KiB = 3.75 MiB: the largest multiple of the granularity under the cap.
    public static let defaultRangeLength: Int64 = 12 * rangeGranularity
}
