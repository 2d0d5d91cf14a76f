/// Identifiers shaped like Outlook's: URL-safe base64 that starts `AAMkAD` and ends in `=`.
enum EmulatorIDs {
    static func item() -> String { "AAMkAD" + randomBase64URL(bytes: 18) + "AAA=" }
    static func attachment() -> String { "AAMkAD" + randomBase64URL(bytes: 12) + "BEgAQ" + randomBase64URL(bytes: 12) + "=" }
    static func session() -> String { "AAMkAD" + randomBase64URL(bytes: 15) + "=" }
    /// An unguessable session token: 256 random bits, dressed like the seed's JWT.
    static func authToken() -> String { "eyJhbGciOiJSUzI1NiIsImtpZCI6" + randomBase64URL(bytes: 32) }
    static func requestID() -> String {
        let hex = randomHex(bytes: 16)
        let chars = Array(hex)
        return "\(String(chars[0..<8]))-\(String(chars[8..<12]))-\(String(chars[12..<16]))-\(String(chars[16..<20]))-\(String(chars[20..<32]))"
    }

    static func randomBase64URL(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return base64URL(bytes)
    }

    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16).leftPadded(to: 2) }.joined()
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var out = ""
        var index = 0
        while index + 2 < bytes.count {
            let n = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            out.append(alphabet[n >> 18 & 63])
            out.append(alphabet[n >> 12 & 63])
            out.append(alphabet[n >> 6 & 63])
            out.append(alphabet[n & 63])
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = Int(bytes[index]) << 16
            out.append(alphabet[n >> 18 & 63])
            out.append(alphabet[n >> 12 & 63])
        } else if rest == 2 {
            let n = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8
            out.append(alphabet[n >> 18 & 63])
            out.append(alphabet[n >> 12 & 63])
            out.append(alphabet[n >> 6 & 63])
        }
        return out
    }
}
