/// Messages or events: the emulator's own copy of the notion, so that it shares no code
/// with the client it tests.
enum ItemKind: String, Hashable, Sendable, CaseIterable {
    case message
    case event

    var collection: String {
        switch self {
        case .message: "messages"
        case .event: "events"
        }
    }

    /// `Messages` / `Events`, as the upload host writes them.
    var pascalCollection: String {
        switch self {
        case .message: "Messages"
        case .event: "Events"
        }
    }

    var readScopes: Set<String> {
        switch self {
        case .message: ["Mail.Read", "Mail.ReadWrite"]
        case .event: ["Calendars.Read", "Calendars.ReadWrite"]
        }
    }

    var writeScope: String {
        switch self {
        case .message: "Mail.ReadWrite"
        case .event: "Calendars.ReadWrite"
        }
    }
}
