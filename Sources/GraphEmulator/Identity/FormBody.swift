import Foundation

/// The fields of an `application/x-www-form-urlencoded` body (or a query string): `+` is a
/// space, `%XX` a byte. A field given twice is refused, as RFC 6749 §3.1 asks.
struct FormBody: Sendable {
    private(set) var fields: [String: String] = [:]

    init(_ text: String) throws(IdentityError) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            guard fields[name] == nil else { throw IdentityError.malformed("The parameter '\(name)' is given more than once.") }
            fields[name] = value
        }
    }

    /// A field, `nil` when absent or empty (an empty field counts as not sent, as at Microsoft).
    subscript(_ name: String) -> String? {
        guard let value = fields[name], !value.isEmpty else { return nil }
        return value
    }

    /// A field that must be there.
    func required(_ name: String) throws(IdentityError) -> String {
        guard let value = self[name] else { throw IdentityError.missing(name) }
        return value
    }

    private static func decode(_ part: Substring) -> String {
        GraphRoute.percentDecode(part.replacingOccurrences(of: "+", with: " "))
    }

    /// `application/x-www-form-urlencoded` text of `pairs`, in their order.
    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// Percent-encodes all but RFC 3986's unreserved characters.
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}
