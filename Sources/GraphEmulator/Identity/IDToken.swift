import Foundation

/// The `id_token` of a token reply: a JWT whose payload names the user (`preferred_username`,
/// `name`, `oid`, `tid`) with the claims of Entra's v2.0 tokens, in their order. Its
/// signature is not a real one: clients read the payload of a token that came over their
/// own TLS connection (MSAL decodes it without checking, by design), and the emulator has
/// no keys to publish.
enum IDToken {
    static func make(user: UserRow, clientID: String, issuerOrigin: String, nonce: String?, lifetime: TimeInterval, now: Date) -> String {
        let issued = Int64(now.timeIntervalSince1970)
        var claims: [(String, JSONValue)] = [
            ("aud", .string(clientID)),
            ("iss", .string("\(issuerOrigin)/\(user.tenantID)/v2.0")),
            ("iat", .int(issued)),
            ("nbf", .int(issued)),
            ("exp", .int(issued + Int64(max(lifetime, 1).rounded(.up)))),
            // Opaque to clients: Entra's internal session data, present in every token.
            ("aio", .string(EmulatorIDs.base64URL(Array(EmulatorIDs.randomHex(bytes: 24).utf8)))),
            ("name", .string(user.displayName)),
        ]
        if let nonce { claims.append(("nonce", .string(nonce))) }
        claims += [
            ("oid", .string(user.id)),
            ("preferred_username", .string(user.userPrincipalName)),
            ("rh", .string("0.A" + EmulatorIDs.base64URL(Array(EmulatorIDs.randomHex(bytes: 16).utf8)) + ".")),
            // Pairwise, as Entra's: the same user has another `sub` in another app.
            ("sub", .string(EmulatorIDs.base64URL(Array(IdentityStore.hash(user.id + clientID).utf8.prefix(32))))),
            ("tid", .string(user.tenantID)),
            ("uti", .string(EmulatorIDs.base64URL(Array(EmulatorIDs.randomHex(bytes: 8).utf8)))),
            ("ver", .string("2.0")),
        ]
        let header = JSONValue.object([("typ", .string("JWT")), ("alg", .string("RS256")), ("kid", .string("attache-emulator"))])
        let signingInput = segment(header) + "." + segment(.object(claims))
        // A stand-in for a signature: the right shape, no key behind it.
        let signature = EmulatorIDs.base64URL(Array(IdentityStore.hash(signingInput).utf8.prefix(64)))
        return signingInput + "." + signature
    }

    private static func segment(_ value: JSONValue) -> String {
        EmulatorIDs.base64URL(Array(value.serialized().utf8))
    }
}
