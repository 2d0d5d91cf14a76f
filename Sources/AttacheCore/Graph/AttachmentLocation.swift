import Foundation

/// Reads the attachment id out of the `Location` header of the final `PUT`:
/// `…/Messages('AAMk…=')/Attachments('AAMk…BEgAQ…=')` → `AAMk…BEgAQ…=`.
public enum AttachmentLocation {
    public static func attachmentID(from location: String) -> String? {
        var path = Substring(location)
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        guard let lastSlash = path.lastIndex(of: "/") else { return nil }
        let segment = path[path.index(after: lastSlash)...]
        let lower = segment.lowercased()
        if lower.hasPrefix("attachments("), segment.hasSuffix(")") {
            var key = segment.dropFirst("attachments(".count).dropLast()
            if key.hasPrefix("'"), key.hasSuffix("'"), key.count >= 2 {
                key = key.dropFirst().dropLast()
            }
            // OData doubles a quote inside a key.
            let id = percentDecode(String(key)).replacingOccurrences(of: "''", with: "'")
            return id.isEmpty ? nil : id
        }
        // `…/attachments/{id}` as Graph itself writes paths.
        let beforeSlash = path[..<lastSlash]
        if beforeSlash.lowercased().hasSuffix("/attachments"), !segment.isEmpty {
            return percentDecode(String(segment))
        }
        return nil
    }

    static func percentDecode(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
