/// One attendee of an event: who, how they are invited, and what they answered.
public struct Attendee: Hashable, Sendable, Codable {
    /// `required`, `optional` or `resource`.
    public var type: String?
    /// `none`, `organizer`, `accepted`, `tentativelyAccepted`, `declined` or `notResponded`.
    public var response: String?
    public var emailAddress: EmailAddress

    public init(emailAddress: EmailAddress, type: String? = nil, response: String? = nil) {
        self.emailAddress = emailAddress
        self.type = type
        self.response = response
    }

    public var name: String? { emailAddress.name }
    public var address: String? { emailAddress.address }

    /// The answer in a few words: `accepted`, `tentative`, `declined`, `no answer`.
    public var responseText: String {
        switch response {
        case "accepted": "accepted"
        case "tentativelyAccepted": "tentative"
        case "declined": "declined"
        case "organizer": "organizer"
        default: "no answer"
        }
    }
}

/// An attendee as Graph writes one.
struct WireAttendee: Decodable {
    struct Status: Decodable {
        var response: String?
    }

    var type: String?
    var status: Status?
    var emailAddress: EmailAddress?

    var attendee: Attendee {
        Attendee(emailAddress: emailAddress ?? EmailAddress(name: nil, address: nil), type: type, response: status?.response)
    }
}
