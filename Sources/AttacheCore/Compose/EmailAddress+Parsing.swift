import Foundation

/// A recipient typed on a command line or a prompt that is not an address.
public struct RecipientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was typed.
    public var text: String
    public var description: String {
        "'\(text.terminalSafe)' is not an address: give `name@example.com` or `Name <name@example.com>`"
    }
}

extension EmailAddress {
    /// `Inês Sousa <ines@contoso.com>` or `ines@contoso.com`; the address must have one `@`
    /// with text on both sides and a dot in its domain, and no spaces or brackets.
    public init(parsing text: String) throws(RecipientError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var name: String?
        var address = trimmed
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]).trimmingCharacters(in: .whitespaces)
            var shown = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            if shown.count >= 2, shown.hasPrefix("\""), shown.hasSuffix("\"") { shown = String(shown.dropFirst().dropLast()) }
            name = shown.isEmpty ? nil : shown
        }
        guard Self.isAddress(address) else { throw RecipientError(text: text) }
        self.init(name: name, address: address)
    }

    /// Every recipient in a comma-separated list (`a@x.com, B <b@y.org>`).
    public static func parseList(_ text: String) throws(RecipientError) -> [EmailAddress] {
        var found: [EmailAddress] = []
        for part in text.split(separator: ",") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
            found.append(try EmailAddress(parsing: String(part)))
        }
        return found
    }

    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        let forbidden = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "<>,;\"()[]\\")).union(.controlCharacters)
        return text.unicodeScalars.allSatisfy { !forbidden.contains($0) }
    }
}
