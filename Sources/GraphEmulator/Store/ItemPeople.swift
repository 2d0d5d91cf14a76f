import Foundation

/// Who a message or an event concerns, and how its body is written: what an item holds
/// beyond its columns, kept as JSON in ``ItemRow/recipients`` (a column the first schema
/// already had, so stores made before this need no migration and read as "no one").
struct ItemPeople: Codable, Hashable, Sendable {
    /// A name and an address, as Graph's `emailAddress`.
    struct Person: Codable, Hashable, Sendable {
        var name: String
        var address: String
    }

    /// An event's attendee: who, `required` / `optional` / `resource`, and their answer
    /// (`none`, `accepted`, `tentativelyAccepted`, `declined`, `notResponded`).
    struct Attendee: Codable, Hashable, Sendable {
        var person: Person
        var type: String
        var response: String
    }

    /// A message's sender; `nil` means the mailbox's owner (drafts, and stores made before).
    var from: Person?
    var to: [Person] = []
    var cc: [Person] = []
    var attendees: [Attendee] = []
    /// A draft's bcc recipients (optional, so stores made before read as none).
    var bcc: [Person]?
    /// `low`, `normal` or `high`; `nil` is `normal`.
    var importance: String?
    /// `html` or `text`: how ``ItemRow/bodyContent`` is written.
    var bodyType: String = "text"

    var isHTML: Bool { bodyType.lowercased() == "html" }
}

extension ItemRow {
    /// The people and body type stored with the item; an empty set for items that have none.
    var people: ItemPeople {
        get {
            guard let recipients, let data = recipients.data(using: .utf8),
                let people = try? JSONDecoder().decode(ItemPeople.self, from: data)
            else { return ItemPeople() }
            return people
        }
        set {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            recipients = (try? encoder.encode(newValue)).map { String(decoding: $0, as: UTF8.self) }
        }
    }
}
