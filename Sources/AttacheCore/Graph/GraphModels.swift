import Foundation

/// A message or an event, with the fields attache lists and shows.
public struct OutlookItem: Hashable, Sendable, Codable, Identifiable {
    public var id: String
    public var kind: ItemKind
    public var subject: String?
    public var createdDateTime: String?
    public var lastModifiedDateTime: String?
    public var receivedDateTime: String?
    public var isDraft: Bool?
    public var hasAttachments: Bool?
    public var start: DateTimeTimeZone?
    public var end: DateTimeTimeZone?
    public var location: String?
    /// Present when the list was asked to expand attachments.
    public var attachments: [AttachmentInfo]?
    /// Who it is from: a message's sender, an event's organizer.
    public var from: EmailAddress?
    /// A message's recipients, to, cc and bcc together; `nil` when the server did not say.
    public var recipients: [EmailAddress]?

    public init(
        id: String, kind: ItemKind, subject: String? = nil, createdDateTime: String? = nil,
        lastModifiedDateTime: String? = nil, receivedDateTime: String? = nil, isDraft: Bool? = nil,
        hasAttachments: Bool? = nil, start: DateTimeTimeZone? = nil, end: DateTimeTimeZone? = nil,
        location: String? = nil, attachments: [AttachmentInfo]? = nil, from: EmailAddress? = nil, recipients: [EmailAddress]? = nil
    ) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.createdDateTime = createdDateTime
        self.lastModifiedDateTime = lastModifiedDateTime
        self.receivedDateTime = receivedDateTime
        self.isDraft = isDraft
        self.hasAttachments = hasAttachments
        self.start = start
        self.end = end
        self.location = location
        self.attachments = attachments
        self.from = from
        self.recipients = recipients
    }

    public var reference: ItemReference { ItemReference(kind: kind, id: id) }

    /// The date a list shows: an event's start, else when the message was received or made.
    public var displayDate: Date? {
        if let start, let date = start.date { return date }
        return (receivedDateTime ?? createdDateTime ?? lastModifiedDateTime).flatMap(GraphDate.parse)
    }
}

/// Graph's `dateTimeTimeZone`: a local time and the zone it is in.
public struct DateTimeTimeZone: Hashable, Sendable, Codable {
    public var dateTime: String
    public var timeZone: String

    public init(dateTime: String, timeZone: String) {
        self.dateTime = dateTime
        self.timeZone = timeZone
    }

    /// The instant, when the zone is UTC (what attache asks Graph for).
    public var date: Date? {
        guard timeZone.uppercased() == "UTC" || timeZone.isEmpty else { return GraphDate.parse(dateTime) }
        return GraphDate.parse(dateTime.hasSuffix("Z") ? dateTime : dateTime + "Z")
    }
}

/// A file attachment's metadata, as `GET …/attachments/{id}?$select=…` returns it.
public struct AttachmentInfo: Hashable, Sendable, Codable, Identifiable {
    public var id: String
    public var name: String?
    public var contentType: String?
    /// The size Graph reports. It is not the file's byte count on real Outlook (it counts
    /// the item's storage), so never compare it with the file's size for equality.
    public var size: Int64?
    public var isInline: Bool?
    public var lastModifiedDateTime: String?
    public var odataType: String?

    public init(
        id: String, name: String? = nil, contentType: String? = nil, size: Int64? = nil,
        isInline: Bool? = nil, lastModifiedDateTime: String? = nil, odataType: String? = nil
    ) {
        self.id = id
        self.name = name
        self.contentType = contentType
        self.size = size
        self.isInline = isInline
        self.lastModifiedDateTime = lastModifiedDateTime
        self.odataType = odataType
    }

    enum CodingKeys: String, CodingKey {
        case id, name, contentType, size, isInline, lastModifiedDateTime
        case odataType = "@odata.type"
    }

    /// The metadata properties attache asks for: never `contentBytes`.
    public static let metadataSelect = ["lastModifiedDateTime", "name", "contentType", "size", "isInline"]

    /// When it was last modified (for an attachment, made), or the distant past when unknown.
    var modified: Date { lastModifiedDateTime.flatMap(GraphDate.parse) ?? .distantPast }
}

/// What `createUploadSession` returns.
public struct UploadSession: Sendable, Hashable {
    /// The pre-authenticated URL the ranges go to. A secret: never print it.
    public var uploadURL: UploadURL
    public var expirationDateTime: String?
    public var nextExpectedRanges: ExpectedRanges

    public init(uploadURL: UploadURL, expirationDateTime: String?, nextExpectedRanges: ExpectedRanges) {
        self.uploadURL = uploadURL
        self.expirationDateTime = expirationDateTime
        self.nextExpectedRanges = nextExpectedRanges
    }
}

/// The state an upload session reports after a `PUT` or on a `GET`.
public struct UploadSessionStatus: Sendable, Hashable {
    public var expirationDateTime: String?
    public var nextExpectedRanges: ExpectedRanges
}

/// The answer to one ranged `PUT`.
public enum RangeReply: Sendable, Hashable {
    /// 200: the range was taken; the session expects these bytes next.
    case accepted(UploadSessionStatus)
    /// 201: the file is complete. The id comes from `Location`, when it can be read.
    case completed(attachmentID: String?)
}
