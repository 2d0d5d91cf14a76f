/// The two kinds of Outlook item an attachment can go on.
public enum ItemKind: String, Hashable, Sendable, Codable, CaseIterable {
    case message
    case event

    /// The navigation property under `/me`: `messages` or `events`.
    public var collection: String {
        switch self {
        case .message: "messages"
        case .event: "events"
        }
    }

    /// The permission that writing attachments to this kind of item needs.
    public var writeScope: String {
        switch self {
        case .message: "Mail.ReadWrite"
        case .event: "Calendars.ReadWrite"
        }
    }
}

/// One Outlook item, by kind and id: the target of an upload.
public struct ItemReference: Hashable, Sendable, Codable, CustomStringConvertible {
    public var kind: ItemKind
    public var id: String

    public init(kind: ItemKind, id: String) {
        self.kind = kind
        self.id = id
    }

    public static func message(_ id: String) -> ItemReference { ItemReference(kind: .message, id: id) }
    public static func event(_ id: String) -> ItemReference { ItemReference(kind: .event, id: id) }

    /// `message AAMk…` with the id shortened, for messages meant for people.
    public var description: String {
        "\(kind.rawValue) \(Self.abbreviate(id))"
    }

    /// Ids run to 150 characters on real Graph: keep the start and the end.
    static func abbreviate(_ id: String) -> String {
        guard id.count > 24 else { return id }
        return "\(id.prefix(12))…\(id.suffix(8))"
    }
}
