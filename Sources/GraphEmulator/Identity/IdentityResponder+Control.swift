import Foundation
import HTTPTypes
import Hummingbird

extension IdentityResponder {
    /// The identity origin's test API, under `/_emulator/`. All but `health` need a bearer
    /// token Graph takes (the configured ones, or one this origin issued):
    ///
    /// - `GET /_emulator/health` → `{"status":"ok"}`;
    /// - `GET /_emulator/identity/stats` → counters (token requests by grant type, polls,
    ///   `slow_down`s, refreshes, errors by name) and live token counts;
    /// - `GET /_emulator/identity/device-codes` → every device authorization: user code,
    ///   status, polls, `slow_down`s, the interval now required, the shortest gap between polls;
    /// - `POST /_emulator/identity/device-codes/{userCode}/approve[?user=UPN]` and
    ///   `…/decline` → 204: the user acts, as on the device login page;
    /// - `GET /_emulator/identity/refresh-tokens[?all=true]` → the live refresh tokens (all,
    ///   with rotated and revoked ones, if asked) by SHA-256, never the tokens;
    /// - `POST /_emulator/identity/users/{user}/revokeSignInSessions` → `{"revoked": n}`:
    ///   the user's refresh tokens stop working (AADSTS50173), as Graph's action of that name;
    /// - `POST /_emulator/identity/users/{user}/expireAccessTokens` → `{"expired": n}`: Graph
    ///   refuses the user's access tokens from now on, as expired;
    /// - `GET` / `PUT /_emulator/identity/authorize` with `{"decision":"approve","user":"UPN"}`
    ///   or `{"decision":"deny"}` → what `authorize` does from now on.
    func control(_ request: Request, path: [String]) async throws -> Response {
        if path == ["health"], request.method == .get {
            return json(.object([("status", .string("ok"))]))
        }
        try authorizeControl(request)
        switch (path, request.method) {
        case (["identity", "stats"], .get):
            var value = store.stats.json
            let (valid, expired) = store.accessTokenCounts()
            if case .object(var pairs) = value {
                pairs += [
                    ("liveRefreshTokens", .int(Int64(store.refreshTokens().count))),
                    ("validAccessTokens", .int(Int64(valid))),
                    ("expiredAccessTokens", .int(Int64(expired))),
                ]
                value = .object(pairs)
            }
            return json(value)
        case (["identity", "device-codes"], .get):
            return json(.object([("value", .array(store.deviceCodes().map(Self.render)))]))
        case (let parts, .post) where parts.count == 4 && parts[0] == "identity" && parts[1] == "device-codes" && ["approve", "decline"].contains(parts[3]):
            guard let grant = store.deviceCode(userCode: parts[2]) else { throw IdentityError.badVerificationCode.with(status: .notFound) }
            let user = try FormBody(request.uri.query ?? "")["user"]
            try decide(grant, approve: parts[3] == "approve", as: user)
            return Response(status: .noContent)
        case (["identity", "refresh-tokens"], .get):
            let all = try FormBody(request.uri.query ?? "")["all"] == "true"
            return json(.object([("value", .array(store.refreshTokens(all: all).map(Self.render)))]))
        case (let parts, .post) where parts.count == 4 && parts[0] == "identity" && parts[1] == "users" && parts[3] == "revokeSignInSessions":
            let user = try directory.user(parts[2], signingInThrough: "common")
            return json(.object([("revoked", .int(Int64(store.revokeRefreshTokens(userID: user.id))))]))
        case (let parts, .post) where parts.count == 4 && parts[0] == "identity" && parts[1] == "users" && parts[3] == "expireAccessTokens":
            let user = try directory.user(parts[2], signingInThrough: "common")
            return json(.object([("expired", .int(Int64(store.expireAccessTokens(userID: user.id))))]))
        case (["identity", "authorize"], .get):
            return json(Self.render(store.authorizeDecision))
        case (["identity", "authorize"], .put):
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let fields = JSONValue.parse(Data(body.readableBytesView)), let decision = fields["decision"]?.stringValue,
                ["approve", "deny"].contains(decision)
            else {
                throw GraphErrorResponse.badRequest("Send {\"decision\": \"approve\", \"user\": \"UPN\"} or {\"decision\": \"deny\"}.")
            }
            if decision == "approve", let user = fields["user"]?.stringValue {
                _ = try directory.user(user, signingInThrough: "common")
            }
            store.authorizeDecision = decision == "deny" ? .deny : .approve(user: fields["user"]?.stringValue)
            return Response(status: .noContent)
        default:
            throw GraphErrorResponse(.notFound, "BadRequest", "No such emulator endpoint.")
        }
    }

    /// The control routes take the bearer tokens Graph takes.
    private func authorizeControl(_ request: Request) throws {
        let token = request.headers[.authorization].flatMap { header -> String? in
            let parts = header.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : nil
        }
        guard let token else { throw GraphErrorResponse(.unauthorized, "InvalidAuthenticationToken", "Access token is empty.") }
        if grantTable.grants[token] != nil { return }
        guard case .valid = store.check(accessToken: token) else {
            throw GraphErrorResponse(.unauthorized, "InvalidAuthenticationToken", "Access token validation failure.")
        }
    }

    private static func render(_ grant: DeviceCodeGrant) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("userCode", .string(grant.userCode)),
            ("status", .string(grant.statusName)),
            ("clientId", .string(grant.clientID)),
            ("tenant", .string(grant.tenant)),
            ("scope", .string(grant.scopes.replyText)),
            ("issuedDateTime", .string(GraphTimestamp.ticks(grant.issuedAt))),
            ("expirationDateTime", .string(GraphTimestamp.ticks(grant.expiresAt))),
            ("intervalSeconds", .int(Int64(grant.interval.rounded(.up)))),
            ("polls", .int(Int64(grant.polls))),
            ("slowDowns", .int(Int64(grant.slowDowns))),
            ("shortestGapMilliseconds", grant.shortestGap.map { .int(Int64(($0 * 1000).rounded())) } ?? .null),
        ]
        if case .approved(let user) = grant.status { pairs.append(("user", .string(user.userPrincipalName))) }
        return .object(pairs)
    }

    private static func render(_ record: RefreshTokenRecord) -> JSONValue {
        let state: String
        switch record.state {
        case .live: state = "live"
        case .rotated: state = "rotated"
        case .revoked: state = "revoked"
        }
        return .object([
            ("sha256", .string(record.hash)),
            ("family", .string(record.family)),
            ("user", .string(record.user.userPrincipalName)),
            ("clientId", .string(record.clientID)),
            ("tenant", .string(record.tenant)),
            ("scope", .string(record.scopes.replyText)),
            ("issuedDateTime", .string(GraphTimestamp.ticks(record.issuedAt))),
            ("state", .string(state)),
        ])
    }

    private static func render(_ decision: IdentityConfiguration.AuthorizeDecision) -> JSONValue {
        switch decision {
        case .deny: .object([("decision", .string("deny"))])
        case .approve(let user): .object([("decision", .string("approve")), ("user", user.map { .string($0) } ?? .null)])
        }
    }
}
