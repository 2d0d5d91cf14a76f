/// An action on an item that attache refuses before asking the server, because the item is
/// not in a state it applies to: what the item is, why, and what to do instead.
public struct ItemActionError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// Only a draft can be sent; this message was sent or received.
        case notADraft
        /// The event has no attendees, so an update would notify no one.
        case noAttendees
        /// The signed-in user does not organize the event: only the organizer's update
        /// reaches the attendees.
        case notOrganizer
    }

    public var kind: Kind
    public var item: ItemReference
    /// The item's subject, when known, for the message.
    public var subject: String?

    public init(_ kind: Kind, item: ItemReference, subject: String? = nil) {
        self.kind = kind
        self.item = item
        self.subject = subject
    }

    /// `"Subject" (message AAMk…)`, or the reference alone.
    var itemName: String {
        guard let subject, !subject.isEmpty else { return "\(item)" }
        return "\"\(subject.terminalSafe)\" (\(item))"
    }

    public var description: String {
        switch kind {
        case .notADraft:
            "\(itemName) is not a draft: only drafts can be sent; reply to it or forward it in Outlook instead"
        case .noAttendees:
            "\(itemName) has no attendees, so there is no one to send an update to"
        case .notOrganizer:
            "\(itemName) is organized by someone else: only the organizer's changes go to the attendees; ask them to send the update"
        }
    }
}
