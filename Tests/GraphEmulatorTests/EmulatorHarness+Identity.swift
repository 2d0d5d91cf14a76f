import AsyncHTTPClient
import Crypto
import Foundation
import GraphEmulator
import NIOCore
import NIOHTTP1
import Testing

/// Requests to the emulator's identity origin, as a public client (and its user) makes them.
extension EmulatorHarness {
    static let clientID = IdentityConfiguration.defaultClientID
    static let scopes = "openid profile offline_access Mail.ReadWrite Calendars.ReadWrite Mail.Send User.Read"
    static let redirectURI = "http://127.0.0.1:53682/"

    /// A client that reports redirects instead of following them: `authorize` answers 302
    /// to a loopback port nothing listens on.
    static let noRedirects = HTTPClient(configuration: .init(redirectConfiguration: .disallow))

    var identity: String { emulator.identityOrigin }

    /// `POST {identity}{path}` with a form body.
    func form(_ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws -> Reply {
        let body = fields.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        return try await send(
            .POST, identity + path, headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers, body: Data(body.utf8))
    }

    func deviceCode(tenant: String = "organizations", scope: String = scopes, clientID: String = clientID) async throws -> Reply {
        try await form("/\(tenant)/oauth2/v2.0/devicecode", [("client_id", clientID), ("scope", scope)])
    }

    func pollDeviceCode(_ deviceCode: String, tenant: String = "organizations", clientID: String = clientID) async throws -> Reply {
        try await form(
            "/\(tenant)/oauth2/v2.0/token",
            [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("client_id", clientID), ("device_code", deviceCode)])
    }

    func refresh(_ refreshToken: String, tenant: String = "organizations", scope: String? = nil) async throws -> Reply {
        try await form(
            "/\(tenant)/oauth2/v2.0/token",
            [("grant_type", "refresh_token"), ("client_id", Self.clientID), ("refresh_token", refreshToken)]
                + (scope.map { [("scope", $0)] } ?? []))
    }

    /// `POST /_emulator/…` (or another method) on the identity origin, with the demo token.
    func identityControl(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> Reply {
        var headers = [("Authorization", "Bearer \(Self.demoToken)")]
        if json != nil { headers.append(("Content-Type", "application/json")) }
        return try await send(method, identity + "/_emulator/" + path, headers: headers, body: json.map { Data($0.utf8) })
    }

    func identityStats() async throws -> [String: Any] {
        try await identityControl(.GET, "identity/stats").json
    }

    func deviceCodes() async throws -> [[String: Any]] {
        try #require(try await identityControl(.GET, "identity/device-codes").json["value"] as? [[String: Any]])
    }

    func liveRefreshTokens() async throws -> [[String: Any]] {
        try #require(try await identityControl(.GET, "identity/refresh-tokens").json["value"] as? [[String: Any]])
    }

    /// `GET …/authorize` without following the redirect.
    func authorize(tenant: String = "organizations", _ parameters: [(String, String)]) async throws -> Reply {
        let query = parameters.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: "\(identity)/\(tenant)/oauth2/v2.0/authorize?\(query)")
        request.method = .GET
        let response = try await Self.noRedirects.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1024 * 1024)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(buffer: bytes))
    }

    /// The parameters of a PKCE sign-in with `verifier`'s challenge.
    static func authorizeParameters(verifier: String, state: String = "st-1", redirect: String = redirectURI, scope: String = scopes)
        -> [(String, String)]
    {
        [
            ("client_id", clientID), ("response_type", "code"), ("redirect_uri", redirect), ("scope", scope), ("state", state),
            ("code_challenge", challenge(for: verifier)), ("code_challenge_method", "S256"),
        ]
    }

    func redeem(
        code: String, verifier: String?, redirect: String = redirectURI, tenant: String = "organizations", extra: [(String, String)] = []
    ) async throws -> Reply {
        try await form(
            "/\(tenant)/oauth2/v2.0/token",
            [("grant_type", "authorization_code"), ("client_id", Self.clientID), ("code", code), ("redirect_uri", redirect)]
                + (verifier.map { [("code_verifier", $0)] } ?? []) + extra)
    }

    /// Signs in through the browser flow, as the demo user unless told otherwise; returns the token reply.
    func signIn(tenant: String = "organizations", scope: String = scopes) async throws -> [String: Any] {
        let verifier = Self.newVerifier()
        let redirected = try await authorize(tenant: tenant, Self.authorizeParameters(verifier: verifier, scope: scope))
        #expect(redirected.status == 302, "\(redirected.text)")
        let code = try #require(try redirected.redirectItems()["code"])
        let reply = try await redeem(code: code, verifier: verifier, tenant: tenant)
        #expect(reply.status == 200, "\(reply.text)")
        return reply.json
    }

    // MARK: Helpers

    static func newVerifier() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL(Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    static func challenge(for verifier: String) -> String {
        base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"))!
    }

    /// The query of a redirect's `Location`, decoded.
    static func queryItems(of location: String) -> [String: String] {
        var items: [String: String] = [:]
        for item in URLComponents(string: location)?.queryItems ?? [] { items[item.name] = item.value ?? "" }
        return items
    }

    /// The payload of a JWT, without checking its signature (as attache reads an id_token).
    static func jwtPayload(_ token: String) throws -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        try #require(parts.count == 3)
        var text = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        let data = try #require(Data(base64Encoded: text))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension EmulatorHarness.Reply {
    /// `error` of an identity error reply.
    var oauthError: String? { json["error"] as? String }
    /// The AADSTS numbers of an identity error reply.
    var errorCodes: [Int] { json["error_codes"] as? [Int] ?? [] }
    var errorDescription: String { json["error_description"] as? String ?? "" }

    /// The query of the `Location` this reply redirects to.
    func redirectItems() throws -> [String: String] {
        EmulatorHarness.queryItems(of: try #require(headers.first(name: "Location")))
    }
}
