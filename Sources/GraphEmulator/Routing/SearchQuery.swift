import Foundation

/// A `$search` of messages, as Outlook takes it: `"words"` in double quotes (a bare word is
/// taken too), each word to be found in the subject, the body or the sender's name or
/// address, without regard to case or accents.
struct SearchQuery: Hashable, Sendable {
    /// The words, folded (see ``BodyText/folded(_:)``).
    var terms: [String]

    /// `nil` when the value is empty or its quotes do not close.
    init?(_ raw: String) {
        var text = Substring(raw.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("\"") {
            guard text.count >= 2, text.hasSuffix("\"") else { return nil }
            text = text.dropFirst().dropLast()
            // Inside the quotes, \" is a quote and \\ a backslash.
            var unescaped = ""
            var escaping = false
            for character in text {
                if escaping {
                    unescaped.append(character)
                    escaping = false
                } else if character == "\\" {
                    escaping = true
                } else {
                    unescaped.append(character)
                }
            }
            text = Substring(unescaped)
        }
        terms = text.split(whereSeparator: { $0.isWhitespace }).map { BodyText.folded(String($0)) }
        if terms.isEmpty { return nil }
    }

    /// Whether every word is in one of `fields`.
    func matches(_ fields: [String]) -> Bool {
        let haystack = fields.map(BodyText.folded)
        return terms.allSatisfy { term in haystack.contains { $0.contains(term) } }
    }
}

/// The one `$filter` the emulator evaluates: `contains(subject,'text')` (quotes in the text
/// doubled, as OData writes them), matched without regard to case as Exchange does.
struct SubjectFilter: Hashable, Sendable {
    var text: String

    /// `nil` for any other filter.
    init?(_ raw: String) {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        guard lower.hasPrefix("contains("), trimmed.hasSuffix(")") else { return nil }
        let inner = trimmed.dropFirst("contains(".count).dropLast()
        guard let comma = inner.firstIndex(of: ",") else { return nil }
        guard inner[..<comma].trimmingCharacters(in: .whitespaces).lowercased() == "subject" else { return nil }
        let literal = inner[inner.index(after: comma)...].trimmingCharacters(in: .whitespaces)
        guard literal.count >= 2, literal.hasPrefix("'"), literal.hasSuffix("'") else { return nil }
        let body = literal.dropFirst().dropLast()
        // A lone quote inside ends the literal early: not a filter the emulator reads.
        guard body.replacingOccurrences(of: "''", with: "").contains("'") == false else { return nil }
        text = body.replacingOccurrences(of: "''", with: "'")
    }

    func matches(_ subject: String) -> Bool {
        text.isEmpty || subject.range(of: text, options: [.caseInsensitive]) != nil
    }
}
