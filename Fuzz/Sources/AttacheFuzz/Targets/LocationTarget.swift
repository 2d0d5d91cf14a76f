@testable import AttacheCore

/// The `Location` of the final `PUT`'s 201, which names the attachment:
/// `…/Messages('…')/Attachments('AAMk…=')` (Outlook), `…/attachments('…')` (the emulator)
/// or `…/attachments/{id}` (Graph's own paths).
///
/// Input: the header's value; and, read as an attachment id, the headers a server would
/// write for it, which must give that id back.
enum LocationTarget {
    static let prefixes = [
        "https://outlook.office.com/api/v2.0/Users('00000000-0000-0000-0000-000000000001@00000000-0000-0000-0000-000000000002')/Messages('AAMkADI5AAA=')/",
        "http://127.0.0.1:8080/v1.0/users('demo@attache.test')/events('AAMkADAAA=')/",
    ]

    static func run(_ input: FuzzInput) {
        let text = input.text
        if let id = AttachmentLocation.attachmentID(from: text) {
            expect(!id.isEmpty, "\(text): an empty id")
            // The query is not part of the path the id is read from.
            if !text.contains("?") {
                expect(AttachmentLocation.attachmentID(from: text + "?a=b") == id, "\(text): a query changes the id")
            }
        }
        roundTrip(id: text)
    }

    /// Every way a server may write the id must read back as the id.
    static func roundTrip(id: String) {
        guard !id.isEmpty else { return }
        // OData doubles a quote inside a key; a URL escapes what is not unreserved.
        let quoted = id.replacingOccurrences(of: "'", with: "''")
        let escaped = quoted.percentEncoded()
        for prefix in prefixes {
            for written in [prefix + "Attachments('\(escaped)')", prefix + "attachments('\(escaped)')", prefix + "attachments/" + id.percentEncoded()] {
                let read = AttachmentLocation.attachmentID(from: written)
                expect(read == id, "\(written) reads as \(read.map { "\"\($0)\"" } ?? "nothing"), not \"\(id)\"")
            }
            // Unescaped, as Outlook writes its base64 ids: every character that cannot end
            // the path (no `/`, `?`, `%`) comes back as it was.
            if !id.contains(where: { "/?%".contains($0) }) {
                let written = prefix + "Attachments('\(quoted)')"
                let read = AttachmentLocation.attachmentID(from: written)
                expect(read == id, "\(written) reads as \(read.map { "\"\($0)\"" } ?? "nothing"), not \"\(id)\"")
            }
        }
    }
}
