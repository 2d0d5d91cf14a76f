import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636), S256: a random verifier kept by the client and
/// its SHA-256 sent with the sign-in, so a code caught on its way back is of no use alone.
public struct PKCE: Hashable, Sendable {
    /// 43 characters of base64url: 32 random bytes.
    public let verifier: String
    /// `BASE64URL(SHA256(verifier))`, without padding.
    public let challenge: String

    public init() {
        var generator = SystemRandomNumberGenerator()
        self.init(verifier: Self.base64URL(Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })))
    }

    public init(verifier: String) {
        self.verifier = verifier
        self.challenge = Self.base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// A random `state`, to match the redirect with the sign-in that asked for it.
    public static func randomState() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL(Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
