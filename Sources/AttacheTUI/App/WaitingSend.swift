import AttacheCore

/// A send the user asked for while files were on their way to the item: a draft to send,
/// or an event whose attendees get an update, once the files being watched have landed.
public struct WaitingSend: Hashable, Sendable {
    public enum Action: Hashable, Sendable {
        case sendDraft(subject: String)
        case notifyAttendees(title: String)
    }

    public var item: ItemReference
    public var action: Action
    /// The transfers to the item that were under way, or were queued while it waited: one
    /// of them that ends without its attachment gives the send up.
    public var watching: Set<TransferID>

    public init(item: ItemReference, action: Action, watching: Set<TransferID>) {
        self.item = item
        self.action = action
        self.watching = watching
    }

    /// The draft's subject or the event's title.
    public var title: String {
        switch action {
        case .sendDraft(let subject): subject
        case .notifyAttendees(let title): title
        }
    }
}
