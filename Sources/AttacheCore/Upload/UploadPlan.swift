/// How one file reaches its item: which endpoint, and in what ranges.
public enum UploadPlan: Hashable, Sendable {
    /// One `POST …/attachments` with the bytes in base64.
    case singleRequest
    /// `createUploadSession`, then ranged `PUT`s of `rangeLength` bytes (the last may be shorter).
    case uploadSession(rangeLength: Int64)

    /// Picks the path by size, as the protocol prescribes.
    /// - Throws: ``UploadPlan/Refusal`` for files over 150 MiB, and for a range length that is
    ///   not a positive multiple of 320 KiB under 4 MiB.
    public static func forFile(
        size: Int64,
        rangeLength: Int64 = AttachmentLimits.defaultRangeLength
    ) throws(Refusal) -> UploadPlan {
        try validate(rangeLength: rangeLength)
        guard size >= 0 else { throw .negativeSize(size) }
        guard size <= AttachmentLimits.maximumFileSize else { throw .tooLarge(size: size) }
        if size < AttachmentLimits.uploadSessionThreshold { return .singleRequest }
        return .uploadSession(rangeLength: rangeLength)
    }

    /// Checks a range length: a positive multiple of 320 KiB, under 4 MiB.
    public static func validate(rangeLength: Int64) throws(Refusal) {
        guard rangeLength > 0,
            rangeLength % AttachmentLimits.rangeGranularity == 0,
            rangeLength < AttachmentLimits.maximumRangeLength
        else { throw .badRangeLength(rangeLength) }
    }

    /// Short name for output: `post` or `session`.
    public var method: String {
        switch self {
        case .singleRequest: "post"
        case .uploadSession: "session"
        }
    }

    /// Why a file cannot be planned.
    public enum Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        case tooLarge(size: Int64)
        case negativeSize(Int64)
        case badRangeLength(Int64)

        public var description: String {
            switch self {
            case .tooLarge(let size):
                "it is \(ByteCount(size)) (\(size) bytes) and Outlook takes at most 150 MiB (\(AttachmentLimits.maximumFileSize) bytes) per attachment"
            case .negativeSize(let size):
                "its size (\(size)) is negative"
            case .badRangeLength(let length):
                "a range of \(length) bytes is not a multiple of 327680 (320 KiB) under 4 MiB; try 3932160 (3.75 MiB)"
            }
        }
    }
}
