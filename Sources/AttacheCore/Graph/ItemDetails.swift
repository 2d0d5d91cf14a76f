/// Everything attache shows of one message or event beyond its row in a list: who sent it
/// and to whom, or who organizes it and who attends, and its body as text.
public struct ItemDetails: Hashable, Sendable {
    /// The item, as a list shows it.
    public var item: OutlookItem
    /// A message's sender.
    public var from: EmailAddress?
    public var to: [EmailAddress]
    public var cc: [EmailAddress]
    /// An event's organizer.
    public var organizer: EmailAddress?
    public var attendees: [Attendee]
    /// The body as plain text (asked for as text; stripped of HTML here when the server
    /// answered with HTML anyway).
    public var body: String
    /// Where Outlook on the web opens the item.
    public var webLink: String?

    public init(
        item: OutlookItem, from: EmailAddress? = nil, to: [EmailAddress] = [], cc: [EmailAddress] = [], organizer: EmailAddress? = nil,
        attendees: [Attendee] = [], body: String = "", webLink: String? = nil
    ) {
        self.item = item
        self.from = from
        self.to = to
        self.cc = cc
        self.organizer = organizer
        self.attendees = attendees
        self.body = body
        self.webLink = webLink
    }
}
