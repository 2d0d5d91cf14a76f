@testable import AttacheCore

/// What must hold of any upload URL attache prints: the query, where Outlook puts the
/// session's `authtoken`, never shows, nor the session's key.
enum URLInvariants {
    static func checkRedaction(of url: String) {
        let redacted = UploadURL.redact(url)
        expect(UploadURL(url).description == redacted && UploadURL(url).debugDescription == redacted, "\(url) prints unredacted")
        // Nothing after the first `?` shows: any other query gives the same text.
        if let query = url.firstIndex(of: "?") {
            let other = url[..<query] + "?authtoken=other"
            expect(UploadURL.redact(String(other)) == redacted, "\(url): its query shows in \(redacted)")
            expect(redacted.hasSuffix("?<redacted>"), "\(url) is printed \(redacted)")
        }
        // The key in `AttachmentSessions('…')` shows as `…`.
        let path = url.firstIndex(of: "?").map { String(url[..<$0]) } ?? url
        if let open = path.range(of: "AttachmentSessions(", options: .caseInsensitive), path[open.upperBound...].contains(")") {
            expect(redacted.contains(path[open.lowerBound..<open.upperBound] + "…)"), "\(url): its session key shows in \(redacted)")
        }
        // Printing twice changes nothing more.
        expect(UploadURL.redact(redacted) == redacted, "\(url): \(redacted) redacts further")
    }
}
