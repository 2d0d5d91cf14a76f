import Foundation

/// A person as Graph names one in `from`, `toRecipients`, `organizer` and `attendees`:
/// `{"emailAddress": {"name": …, "address": …}}` (this is the inner object).
public struct EmailAddress: Hashable, Sendable, Codable {
    public var name: String?
    public var address: String?

    public init(name: String?, address: String?) {
        self.name = name
        self.address = address
    }

    /// `Inês Sousa <ines@contoso.com>`, or whichever of the two there is.
    public var display: String {
        let name = name?.trimmingCharacters(in: .whitespaces).nonEmpty
        let address = address?.trimmingCharacters(in: .whitespaces).nonEmpty
        switch (name, address) {
        case (let name?, let address?) where name.caseInsensitiveCompare(address) != .orderedSame: return "\(name) <\(address)>"
        case (let name?, _): return name
        case (nil, let address?): return address
        case (nil, nil): return "(unknown)"
        }
    }
}

/// Graph's wrapper around an ``EmailAddress``: `{"emailAddress": {…}}`.
struct WireRecipient: Decodable {
    var emailAddress: EmailAddress?
}

extension String {
    /// `nil` when empty.
    var nonEmpty: String? { isEmpty ? nil : self }
}
