import Foundation

extension OAuthClient {
    /// What the devicecode endpoint answers (RFC 8628 §3.2). A type of its own, apart from
    /// the request, so that what a server may send can be read without a server: the fuzz
    /// targets in `Fuzz/` feed it any bytes.
    struct DeviceCodeReply: Decodable {
        var user_code: String
        var device_code: String
        var verification_uri: String
        var expires_in: Int
        var interval: Int?
        var message: String?

        /// The code to show and poll with, as of `now`, its lifetime and interval bounded.
        func deviceCode(now: Date) throws(SignInError) -> DeviceCode {
            guard expires_in > 0 else {
                throw SignInError(.expired, message: "the identity platform gave a sign-in code that had already expired (expires_in \(expires_in))")
            }
            return DeviceCode(
                userCode: user_code, deviceCode: device_code, verificationURI: verification_uri,
                expiresAt: now.addingTimeInterval(TimeInterval(min(expires_in, OAuthClient.longestCodeLifetime))),
                interval: OAuthClient.pollInterval(interval ?? 5), message: message)
        }
    }

    /// What the token endpoint answers to any grant (RFC 6749 §5.1), with the claims of the
    /// ID token when it sends one.
    struct TokenReply: Decodable {
        var access_token: String
        var token_type: String?
        var refresh_token: String?
        var expires_in: Int?
        var scope: String?
        var id_token: String?

        /// The tokens, as of `now`; `defaultScopes` when the reply names none.
        func tokens(defaultScopes: [String], now: Date) throws(SignInError) -> TokenSet {
            // Only a bearer token can be sent as one: a PoP or MAC token would be misused.
            guard let type = token_type, type.lowercased() == "bearer" else {
                let named = token_type.map { "a token of type '\($0.terminalSafe)'" } ?? "a token without a token_type"
                throw SignInError(.malformedReply, message: "the identity platform issued \(named); attache uses Bearer tokens only")
            }
            do {
                try UnusableTokenError.check(access_token, from: "the identity platform's reply")
                if let refresh = refresh_token { try UnusableTokenError.check(refresh, from: "the identity platform's reply (its refresh token)") }
            } catch {
                throw SignInError(.malformedReply, message: error.description)
            }
            let claims = id_token.flatMap(IDTokenClaims.init(jwt:))
            // A lifetime from the reply, bounded: a negative one or 2^63 is no time to compute with.
            let lifetime = min(max(0, expires_in ?? 3600), OAuthClient.longestTokenLifetime)
            return TokenSet(
                accessToken: access_token, refreshToken: refresh_token,
                expiresAt: now.addingTimeInterval(TimeInterval(lifetime)),
                scopes: scope.map { $0.split(separator: " ").map(String.init) } ?? defaultScopes,
                username: claims?.preferredUsername, displayName: claims?.name, tenantID: claims?.tenantID)
        }
    }
}
