import Foundation

extension GraphResponder {
    /// The properties of a message that a draft takes on `POST /me/messages` and `PATCH`:
    /// `toRecipients`, `ccRecipients`, `bccRecipients`, `from` and `importance`, checked as
    /// Graph checks them. Returns whether any was given.
    static func applyMessageFields(_ body: JSONValue, to people: inout ItemPeople) throws -> Bool {
        var changed = false
        for (key, keyPath) in [("toRecipients", \ItemPeople.to), ("ccRecipients", \ItemPeople.cc)] {
            guard let value = body.value(forKeyIgnoringCase: key) else { continue }
            people[keyPath: keyPath] = try recipients(value, property: key)
            changed = true
        }
        if let value = body.value(forKeyIgnoringCase: "bccRecipients") {
            people.bcc = try recipients(value, property: "bccRecipients")
            changed = true
        }
        if let value = body.value(forKeyIgnoringCase: "from") {
            if case .null = value {
                people.from = nil
            } else {
                guard let person = try recipients(.array([value]), property: "from").first else {
                    throw GraphErrorResponse.badRequest("The property 'from' must be a recipient.")
                }
                people.from = person
            }
            changed = true
        }
        if let value = body.value(forKeyIgnoringCase: "importance") {
            guard let text = value.stringValue, ["low", "normal", "high"].contains(text.lowercased()) else {
                throw GraphErrorResponse.badRequest(
                    "Cannot convert the literal '\(value.stringValue ?? "?")' to the expected type 'microsoft.graph.importance'.", code: "RequestBodyRead")
            }
            people.importance = text.lowercased()
            changed = true
        }
        return changed
    }
}
