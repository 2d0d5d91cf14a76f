/// A token that must not be sent: it holds a byte that is not a visible ASCII character.
///
/// A token is one header value; a carriage return, a line feed or any other control byte in
/// it would make the request invalid (and HTTP libraries then print the header, token and
/// all, in their error). The realistic case is a token file with Windows line endings read
/// with `ATTACHE_TOKEN=$(cat token.txt)`, which keeps the `\r`. The message names where the
/// token came from and what is wrong with it, never the token.
public struct UnusableTokenError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, with no part of the token in it.
    public enum Flaw: Hashable, Sendable {
        case empty
        /// A carriage return as its last character: a file with Windows line endings.
        case trailingCarriageReturn
        /// A control character (C0, DEL or C1) at this offset.
        case controlCharacter(UInt32, offset: Int)
        /// A space or a tab at this offset.
        case whitespace(offset: Int)
        /// A character outside ASCII at this offset.
        case nonASCII(offset: Int)
    }

    /// Where the token came from: `ATTACHE_TOKEN`, `--token`, `the token file tokens.txt`,
    /// `the identity platform's reply`.
    public var source: String
    public var flaw: Flaw

    public init(source: String, flaw: Flaw) {
        self.source = source
        self.flaw = flaw
    }

    /// Throws when `token` cannot go in an `Authorization` header as it is.
    public static func check(_ token: String, from source: String) throws(UnusableTokenError) {
        if let flaw = flaw(in: token) { throw UnusableTokenError(source: source, flaw: flaw) }
    }

    /// What is wrong with `token`, or `nil` when it is all visible ASCII (`!` to `~`).
    public static func flaw(in token: String) -> Flaw? {
        let scalars = Array(token.unicodeScalars)
        guard !scalars.isEmpty else { return .empty }
        if scalars.last == "\r", scalars.dropLast().allSatisfy({ (0x21...0x7E).contains($0.value) }) {
            return .trailingCarriageReturn
        }
        for (offset, scalar) in scalars.enumerated() {
            switch scalar.value {
            case 0x21...0x7E: continue
            case 0x20, 0x09: return .whitespace(offset: offset)
            case 0x00...0x1F, 0x7F, 0x80...0x9F: return .controlCharacter(scalar.value, offset: offset)
            default: return .nonASCII(offset: offset)
            }
        }
        return nil
    }

    public var description: String {
        let what: String
        switch flaw {
        case .empty:
            what = "is empty"
        case .trailingCarriageReturn:
            what = "ends in a carriage return (a file saved with Windows line endings?)"
        case .controlCharacter(let value, let offset):
            what = "holds a control character (\(Self.hex(value))) at character \(offset + 1)"
        case .whitespace(let offset):
            what = "holds a space at character \(offset + 1)"
        case .nonASCII(let offset):
            what = "holds a character that is not ASCII at character \(offset + 1)"
        }
        return "the token from \(source) \(what); a token is visible ASCII only, so it was not sent"
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 2 - digits.count)) + digits
    }
}
