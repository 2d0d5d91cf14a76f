/// How one file reaches its item: which endpoint, and in what ranges.
public enum UploadPlan: Hashable, Sendable {
    /// One `POST …/attachments` with the bytes in base64.
    case singleRequest
    /// `createUploadSession`, then ranged `PUT`s of `rangeLength` bytes (the last may be shorter).
    case uploadSession(rangeLength: Int64)
    /// To the sender's OneDrive (``DriveShare``): its `createUploadSession`, then fragments
    /// of `fragmentLength` bytes by OneDrive's rules, then a sharing link.
    case driveSession(fragmentLength: Int64)

    /// OneDrive's fragments: a multiple of 320 KiB, under 60 MiB.
    public static let maximumFragmentLength: Int64 = 60 * 1024 * 1024
    /// 10 MiB, in Microsoft's advised 5–10 MiB: a fragment lost on a slow link costs little,
    /// and on a fast one the round trips between fragments are few.
    public static let defaultFragmentLength: Int64 = 32 * AttachmentLimits.rangeGranularity

    /// Checks a OneDrive fragment length: a positive multiple of 320 KiB, under 60 MiB.
    public static func validate(fragmentLength: Int64) throws(Refusal) {
        guard fragmentLength > 0, fragmentLength % AttachmentLimits.rangeGranularity == 0, fragmentLength < maximumFragmentLength else {
            throw .badFragmentLength(fragmentLength)
        }
    }

    /// The bytes each ranged `PUT` carries; `nil` for a single `POST`.
    public var rangeLength: Int64? {
        switch self {
        case .singleRequest: nil
        case .uploadSession(let length): length
        case .driveSession(let length): length
        }
    }

    /// Whether the file goes to OneDrive.
    public var isDrive: Bool {
        if case .driveSession = self { return true }
        return false
    }

    /// Picks the path by the request it would send, as Graph counts it: one `POST` when its
    /// JSON body (the file in base64, and the envelope with the name and content type) fits
    /// Graph's 4 MiB; else an upload session, which Graph opens from 2 MiB. Not by a file
    /// size alone: the docs' "under 3 MB" lets through files whose body is over the limit.
    ///
    /// - Parameter contentType: what the `POST` would declare; by default, from the name.
    /// - Throws: ``UploadPlan/Refusal`` for files over 150 MiB, for one whose `POST` would
    ///   be too large yet which is too small for a session (a name of a megabyte), and for
    ///   a range length that is not a positive multiple of 320 KiB under 4 MiB.
    public static func forFile(
        size: Int64,
        name: String,
        contentType: String? = nil,
        rangeLength: Int64 = AttachmentLimits.defaultRangeLength,
        contentId: String? = nil
    ) throws(Refusal) -> UploadPlan {
        try validate(rangeLength: rangeLength)
        guard size >= 0 else { throw .negativeSize(size) }
        guard size <= AttachmentLimits.maximumFileSize else { throw .tooLarge(size: size) }
        let body = AttachmentPostBody(name: name, contentType: contentType ?? ContentType.forFileName(name), contentId: contentId).length(ofFileSize: size)
        if body <= AttachmentLimits.maximumRequestBody { return .singleRequest }
        guard size >= AttachmentLimits.minimumSessionSize else { throw .requestTooLarge(bodyBytes: body) }
        return .uploadSession(rangeLength: rangeLength)
    }

    /// Checks a range length: a positive multiple of 320 KiB, under 4 MiB.
    public static func validate(rangeLength: Int64) throws(Refusal) {
        guard rangeLength > 0,
            rangeLength % AttachmentLimits.rangeGranularity == 0,
            rangeLength < AttachmentLimits.maximumRangeLength
        else { throw .badRangeLength(rangeLength) }
    }

    /// Short name for output: `post`, `session` or `link`.
    public var method: String {
        switch self {
        case .singleRequest: "post"
        case .uploadSession: "session"
        case .driveSession: "link"
        }
    }

    /// Why a file cannot be planned.
    public enum Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        case tooLarge(size: Int64)
        /// Its `POST` would carry more than Graph takes, and it is under a session's minimum.
        case requestTooLarge(bodyBytes: Int64)
        case negativeSize(Int64)
        case badRangeLength(Int64)
        case badFragmentLength(Int64)

        public var description: String {
            switch self {
            case .tooLarge(let size):
                "it is \(ByteCount(size)) (\(size) bytes) and Outlook takes at most 150 MiB (\(AttachmentLimits.maximumFileSize) bytes) per attachment"
            case .requestTooLarge(let bytes):
                "its name makes the request \(bytes) bytes, over the \(AttachmentLimits.maximumRequestBody) Graph takes, and it is too small for an upload session: give it a shorter name"
            case .negativeSize(let size):
                "its size (\(size)) is negative"
            case .badRangeLength(let length):
                "a range of \(length) bytes is not a multiple of 327680 (320 KiB) under 4 MiB; try 3932160 (3.75 MiB)"
            case .badFragmentLength(let length):
                "a OneDrive fragment of \(length) bytes is not a multiple of 327680 (320 KiB) under 60 MiB; try 10485760 (10 MiB)"
            }
        }
    }
}
