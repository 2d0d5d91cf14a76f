import Foundation

/// The pre-authenticated upload URL of a session.
///
/// It carries its own `authtoken`, so it is a secret: `description` hides the query, and
/// no error or log line built by attache includes it. The bearer token is never sent to it.
public struct UploadURL: Hashable, Sendable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The full URL, token included. Use only to make requests.
    public let secretValue: String

    public init(_ secretValue: String) {
        self.secretValue = secretValue
    }

    /// The URL with its query and the session's key masked, safe to print.
    public var description: String {
        Self.redact(secretValue)
    }

    public var debugDescription: String { description }

    /// `scheme://host/…/AttachmentSessions('…')?authtoken=…` → `scheme://host/…/AttachmentSessions(…)?<redacted>`.
    public static func redact(_ url: String) -> String {
        var text = url
        if let query = text.firstIndex(of: "?") {
            text = String(text[..<query]) + "?<redacted>"
        }
        if let range = text.range(of: "AttachmentSessions(", options: .caseInsensitive),
            let close = text[range.upperBound...].firstIndex(of: ")")
        {
            text.replaceSubrange(range.upperBound..<close, with: "…")
        }
        return text
    }

    /// The same URL with its scheme, host and port replaced by `origin` (`http://127.0.0.1:8080`).
    /// Used when the embedded emulator comes back on a different port.
    public func rebased(onto origin: String) -> UploadURL {
        guard let schemeEnd = secretValue.range(of: "://") else { return self }
        let afterScheme = secretValue[schemeEnd.upperBound...]
        let pathStart = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let trimmedOrigin = origin.hasSuffix("/") ? String(origin.dropLast()) : origin
        return UploadURL(trimmedOrigin + afterScheme[pathStart...])
    }

    // Codable as a bare string, so the journal stores it as text.
    public init(from decoder: any Decoder) throws {
        self.secretValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(secretValue)
    }
}
