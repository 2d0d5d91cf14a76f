import Foundation

/// Takes secrets out of text that came from a server (an error's message or code, a reply
/// that is not JSON, an HTTP library's own error) before anyone can see it: a hostile or
/// careless upload host may repeat its upload URL, `authtoken` and all, in its error, and an
/// identity platform may repeat a token.
///
/// Two nets: the exact secrets attache knows it sent (the upload URL, the bearer token), and
/// the shapes secrets take (`authtoken=…` and other token parameters, `Bearer …`, JWTs,
/// `AttachmentSessions('…')`).
public enum Redaction {
    /// What stands in for a secret.
    public static let mark = "<redacted>"

    /// `text` with every known secret and every secret-shaped run replaced by ``mark``.
    public static func scrub(_ text: String, secrets: [String] = []) -> String {
        var result = text
        // Longest first, so that a URL goes whole before its query alone is found.
        for secret in secrets.filter({ $0.count >= 8 }).sorted(by: { $0.count > $1.count }) {
            result = result.replacingOccurrences(of: secret, with: mark)
        }
        result = result.replacing(
            /(?i)(authtoken|access_token|refresh_token|id_token|client_secret|device_code|code|token|sig|signature|key)(=|%3D)[^&\s"'<>,;)]+/
        ) { match in "\(match.1)\(match.2)\(mark)" }
        result = result.replacing(/(?i)\b(bearer)\s+[A-Za-z0-9\-._~+\/]+=*/) { match in "\(match.1) \(mark)" }
        result = result.replacing(/eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}(\.[A-Za-z0-9_\-]*)?/) { _ in mark }
        // No `(` inside: one session's key never swallows another's, so a second scrub finds
        // nothing more to do.
        result = result.replacing(/(?i)(AttachmentSessions\()'?[^)'\s(]+'?\)/) { match in "\(match.1)…)" }
        return result
    }

    /// The secrets of `url` worth looking for in a reply: the URL itself, its query, and
    /// each value in the query.
    public static func secrets(ofURL url: String) -> [String] {
        guard let query = url.firstIndex(of: "?") else { return [url] }
        let queryText = String(url[url.index(after: query)...])
        let values = queryText.split(separator: "&").compactMap { pair in pair.split(separator: "=", maxSplits: 1).dropFirst().first.map(String.init) }
        return [url, queryText] + values
    }
}
