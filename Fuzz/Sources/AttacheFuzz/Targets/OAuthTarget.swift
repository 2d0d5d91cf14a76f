import Foundation
@testable import AttacheCore

/// The identity platform's replies: the devicecode endpoint's, the token endpoint's (with
/// the claims of its ID token) and their error replies; and what attache makes of them.
///
/// Input: a reply's JSON body. Each reader takes it, as each would if the server sent it
/// there; the input is also tried as an ID token, and as the claims inside one.
enum OAuthTarget {
    static func run(_ input: FuzzInput) {
        let body = Data(input.bytes)
        // A reply attache refuses (a code already expired, a token not of the bearer kind)
        // is a SignInError, thrown; one it takes must hold.
        if let reply = try? JSONDecoder().decode(OAuthClient.DeviceCodeReply.self, from: body),
            let code = try? reply.deviceCode(now: Fixtures.now)
        {
            checkDeviceCode(code)
        }
        if let reply = try? JSONDecoder().decode(OAuthClient.TokenReply.self, from: body),
            let tokens = try? reply.tokens(defaultScopes: SignInSettings.defaultScopes, now: Fixtures.now)
        {
            checkTokens(tokens)
        }
        if let reply = try? JSONDecoder().decode(OAuthErrorReply.self, from: body) {
            for status in [400, 401, 500] { checkRefusal(reply, status: status) }
        }
        _ = IDTokenClaims(jwt: input.text)
        checkClaims(payload: input.bytes)
    }

    static func checkDeviceCode(_ code: OAuthClient.DeviceCode) {
        expect(code.interval >= 1, "polls every \(code.interval) s")
        expect(code.expiresAt > Fixtures.now, "a code taken is one that has not expired")
        // What `attache login` shows.
        _ = GraphDate.formatMinute(code.expiresAt)
        // The first wait between polls is one `Task.sleep` can take: it counts nanoseconds
        // from the machine's boot in an Int64, and traps past about 2^33 seconds.
        let asked = Shared<Duration?>(nil)
        let client = Fixtures.oauth
        _ = Blocking.run {
            try? await client.pollDeviceCode(code) { wait in
                asked.set(wait)
                throw CancellationError()  // stop before any request
            }
        }
        let wait = asked.value
        expect(wait != nil, "pollDeviceCode asked for no wait before its first poll")
        if let wait { expect(wait > .zero && wait < .seconds(1 << 32), "the first poll waits \(wait)") }
    }

    static func checkTokens(_ tokens: TokenSet) {
        // What the log and the token store see: never the tokens, whatever they are.
        var other = tokens
        other.accessToken = "other"
        other.refreshToken = tokens.refreshToken.map { _ in "other" }
        expect(tokens.description == other.description, "the tokens show in \(tokens.description)")
        expect(tokens.debugDescription == other.debugDescription, "the tokens show in the debug description")
        _ = tokens.isFresh(for: 300, now: Fixtures.now)
        // The token store keeps them as JSON and must get the same back.
        let stored = try? JSONEncoder().encode(tokens)
        let restored = stored.flatMap { try? JSONDecoder().decode(TokenSet.self, from: $0) }
        expect(restored == tokens, "the token set does not survive the token store")
    }

    static func checkRefusal(_ reply: OAuthErrorReply, status: Int) {
        let error = SignInError.fromReply(error: reply.error, description: reply.error_description, status: status)
        expect(!error.message.contains(where: \.isNewline), "the message \(error.message.debugDescription) spans lines")
        if let aadsts = error.aadsts {
            expect(reply.error_description?.contains(aadsts) == true && aadsts.hasPrefix("AADSTS"), "AADSTS code \(aadsts)")
        }
        _ = error.description
    }

    /// The input as an ID token's payload: read through `IDTokenClaims(jwt:)` it gives what
    /// JSON gives, whatever padding its base64url needs.
    static func checkClaims(payload: [UInt8]) {
        let base64url = Data(payload).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let direct = try? JSONDecoder().decode(IDTokenClaims.self, from: Data(payload))
        let viaToken = IDTokenClaims(jwt: "eyJhbGciOiJub25lIn0.\(base64url).c2ln")
        expect(viaToken?.preferredUsername == direct?.preferredUsername && viaToken?.name == direct?.name
            && viaToken?.tenantID == direct?.tenantID && (viaToken == nil) == (direct == nil),
            "the claims read through the token differ from the payload's")
    }
}
