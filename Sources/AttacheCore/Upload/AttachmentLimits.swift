/// The sizes Outlook's attachment endpoints live by.
public enum AttachmentLimits {
    /// Files under this size go in one `POST`; from this size on, through an upload session.
    public static let uploadSessionThreshold: Int64 = 3 * 1024 * 1024
    /// The largest file an upload session takes.
    public static let maximumFileSize: Int64 = 150 * 1024 * 1024
    /// Ranges other than the last must be a multiple of this.
    public static let rangeGranularity: Int64 = 320 * 1024
    /// A range must stay under this many bytes.
    public static let maximumRangeLength: Int64 = 4 * 1024 * 1024
    /// 12 × 320 KiB = 3.75 MiB: the largest multiple of the granularity under the cap.
    public static let defaultRangeLength: Int64 = 12 * rangeGranularity
}
