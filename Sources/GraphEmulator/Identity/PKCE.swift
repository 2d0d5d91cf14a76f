import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636) with `S256`, the only method the emulator takes.
enum PKCE {
    /// `BASE64URL(SHA256(ASCII(code_verifier)))`, without padding.
    static func challenge(for verifier: String) -> String {
        EmulatorIDs.base64URL(Array(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// Whether `text` can be an S256 challenge: 43 characters of base64url (32 bytes).
    static func isWellFormedChallenge(_ text: String) -> Bool {
        text.utf8.count == 43 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
