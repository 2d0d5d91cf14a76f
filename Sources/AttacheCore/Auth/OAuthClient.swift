import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The Microsoft identity platform's OAuth 2.0 endpoints, as a public client uses them: the
/// device authorization grant, the authorization code grant with PKCE, and refresh.
///
/// Forms go as `application/x-www-form-urlencoded`, with no secret. Nothing it logs holds a
/// code or a token.
public struct OAuthClient: Sendable {
    public let settings: SignInSettings
    let http: HTTPClient
    let logger: Logger
    /// The wall clock that codes and tokens expire by; tests move it.
    let now: @Sendable () -> Date
    /// How long one request may take, head to last byte.
    public var requestTimeout: Duration = .seconds(30)

    public init(settings: SignInSettings, http: HTTPClient, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.http = http
        self.logger = logger
        self.now = now
    }

    // MARK: Device code

    /// What the user is shown, and what the client polls with.
    public struct DeviceCode: Sendable, Hashable {
        public var userCode: String
        public var deviceCode: String
        public var verificationURI: String
        public var expiresAt: Date
        /// Seconds between polls, as the platform asks.
        public var interval: Int
        /// The platform's own sentence for the user.
        public var message: String?
    }

    /// `POST {authority}/{tenant}/oauth2/v2.0/devicecode` with `client_id` and `scope`.
    public func requestDeviceCode() async throws(SignInError) -> DeviceCode {
        let reply: DeviceCodeReply = try await post(settings.deviceCodeURL, ["client_id": settings.clientID, "scope": settings.scope])
        return try reply.deviceCode(now: now())
    }

    /// The longest a device code is taken to live, whatever the reply says: Microsoft's
    /// live 15 minutes, and a code is typed by a person.
    static let longestCodeLifetime = 3600
    /// The longest wait between polls: a person is waiting for the result.
    static let longestPollInterval = 60
    /// The longest an access token is taken to live: Microsoft's live about an hour (up to
    /// 28 hours with continuous access evaluation).
    static let longestTokenLifetime = 86_400 * 2

    /// `interval` (or `interval + 5` after `slow_down`) as a number of seconds attache waits.
    static func pollInterval(_ seconds: Int) -> Int {
        min(max(1, seconds), longestPollInterval)
    }

    /// Polls the token endpoint every `interval` seconds (five more after each `slow_down`,
    /// as RFC 8628 asks) until the user approves, declines, or the code expires.
    ///
    /// - Parameter sleep: waits between polls; tests and the screen pass their own.
    /// Stops once the code has expired, whatever the platform goes on saying.
    public func pollDeviceCode(
        _ code: DeviceCode, sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) async throws(SignInError) -> TokenSet {
        var interval = Self.pollInterval(code.interval)
        let expired = SignInError(.expired, message: "the code \(code.userCode.terminalSafe) expired before the sign-in was approved")
        while true {
            // Bounded by the code's life (at most an hour): no wait overflows, none outlives it.
            let left = code.expiresAt.timeIntervalSince(now())
            guard left > 0 else { throw expired }
            do {
                try await sleep(min(.seconds(interval), .milliseconds(Int64((min(left, Double(Self.longestCodeLifetime)) * 1000).rounded(.up)))))
            } catch {
                throw SignInError(.refused, message: "the sign-in was stopped")
            }
            guard now() < code.expiresAt else { throw expired }
            do {
                return try await requestTokens([
                    "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": settings.clientID,
                    "device_code": code.deviceCode,
                ])
            } catch let error where error.error == "authorization_pending" {
                logger.debug("sign-in pending")
                continue
            } catch let error where error.error == "slow_down" {
                interval = Self.pollInterval(interval + 5)
                logger.debug("sign-in polled too fast", metadata: ["interval": "\(interval)"])
                continue
            }
        }
    }

    // MARK: Authorization code with PKCE

    /// The address that opens the sign-in page; it comes back to `redirectURI` with a code.
    public func authorizeURL(redirectURI: String, state: String, pkce: PKCE) -> String {
        settings.authorizeURL + "?" + Self.form([
            "client_id": settings.clientID, "response_type": "code", "redirect_uri": redirectURI, "response_mode": "query",
            "scope": settings.scope, "state": state, "code_challenge": pkce.challenge, "code_challenge_method": "S256",
        ])
    }

    /// Trades the code the redirect brought for tokens, proving it is the same client with
    /// the PKCE verifier.
    public func redeem(code: String, redirectURI: String, pkce: PKCE) async throws(SignInError) -> TokenSet {
        try await requestTokens([
            "grant_type": "authorization_code", "client_id": settings.clientID, "code": code, "redirect_uri": redirectURI,
            "code_verifier": pkce.verifier, "scope": settings.scope,
        ])
    }

    // MARK: Refresh

    /// New tokens for a refresh token; the reply's refresh token replaces the old one.
    public func refresh(_ refreshToken: String) async throws(SignInError) -> TokenSet {
        var tokens = try await requestTokens([
            "grant_type": "refresh_token", "client_id": settings.clientID, "refresh_token": refreshToken, "scope": settings.scope,
        ])
        // A reply without one leaves the old one valid.
        if tokens.refreshToken == nil { tokens.refreshToken = refreshToken }
        return tokens
    }

    // MARK: The wire

    func requestTokens(_ fields: [String: String]) async throws(SignInError) -> TokenSet {
        let reply: TokenReply = try await post(settings.tokenURL, fields)
        return try reply.tokens(defaultScopes: settings.scopes, now: now())
    }

    func post<Reply: Decodable>(_ url: String, _ fields: [String: String]) async throws(SignInError) -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "attache/\(AttacheVersion.current)")
        request.body = .bytes(ByteBuffer(string: Self.form(fields)))
        let status: Int
        let body: ByteBuffer
        do {
            // The deadline covers the body too: the HTTP client's own ends with the head.
            let deadline = ContinuousClock.now + requestTimeout
            let response = try await http.execute(request, deadline: .now() + .milliseconds(requestTimeout.milliseconds), logger: GraphClient.httpClientLogger)
            status = Int(response.status.code)
            body = try await GraphClient.collect(response.body, upTo: 1 << 20, by: deadline, limit: requestTimeout, operation: "reach the identity platform")
        } catch {
            let reason = GraphClient.transportError(error, operation: "reach the identity platform")
            throw SignInError(.unreachable, message: "could not reach \(GraphClient.origin(of: url)): \((reason as? GraphError)?.message ?? "\(reason)")")
        }
        let data = Data(buffer: body)
        guard (200..<300).contains(status) else {
            let reply = try? JSONDecoder().decode(OAuthErrorReply.self, from: data)
            throw SignInError.fromReply(error: reply?.error, description: reply?.error_description, status: status)
        }
        do {
            return try JSONDecoder().decode(Reply.self, from: data)
        } catch {
            throw SignInError(.malformedReply, message: "the identity platform's reply could not be read (\(GraphClient.describe(decodingError: error)))")
        }
    }

    /// `a=1&b=two%20words`, every reserved character escaped.
    static func form(_ fields: [String: String]) -> String {
        fields.sorted { $0.key < $1.key }.map { "\(escape($0.key))=\(escape($0.value))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.percentEncoded()
    }
}

/// An error reply of the token or devicecode endpoint.
struct OAuthErrorReply: Decodable {
    var error: String?
    var error_description: String?
}

/// The few claims attache reads from an ID token's payload. The token came straight from
/// the identity platform over TLS, so its signature is not what tells whom to trust.
struct IDTokenClaims: Decodable {
    var preferredUsername: String?
    var name: String?
    var tenantID: String?

    enum CodingKeys: String, CodingKey {
        case preferredUsername = "preferred_username"
        case name
        case tenantID = "tid"
    }

    init?(jwt: String) {
        let parts = jwt.split(separator: ".")
        guard parts.count >= 2 else { return nil }
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        guard let data = Data(base64Encoded: payload), let claims = try? JSONDecoder().decode(IDTokenClaims.self, from: data) else { return nil }
        self = claims
    }
}
