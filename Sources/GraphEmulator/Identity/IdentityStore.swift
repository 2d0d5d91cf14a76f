import Clocks
import Foundation
import HTTPTypes
import Synchronization

/// The identity endpoints' state, in memory behind one lock: device codes, authorization
/// codes, refresh and access tokens (each kept only as a SHA-256), the counters, and what
/// `authorize` does next. Every rule of a grant is checked and applied here in one step, so
/// two requests racing for one code cannot both win it.
///
/// In memory: a restarted emulator forgets its sign-ins, and a client signs in again.
final class IdentityStore: Sendable {
    /// What Graph makes of a bearer token.
    enum AccessCheck: Sendable {
        case valid(UserRow, scopes: Set<String>)
        case expired
        case unknown
    }

    private struct State {
        var deviceCodes: [String: DeviceCodeGrant] = [:]
        var authorizationCodes: [String: AuthorizationCodeGrant] = [:]
        var refreshTokens: [String: RefreshTokenRecord] = [:]
        var accessTokens: [String: AccessTokenRecord] = [:]
        var stats = IdentityStats()
        var authorizeDecision: IdentityConfiguration.AuthorizeDecision
    }

    /// Polls this much sooner than the interval still count as on time: clocks are not exact.
    static func pollingSlack(_ interval: TimeInterval) -> TimeInterval { max(0.1, interval * 0.1) }
    /// RFC 8628 §3.5: after `slow_down` the client waits this much longer, from then on.
    static let slowDownStep: TimeInterval = 5
    /// How long spent codes and expired tokens are remembered, so late use gets the right error.
    static let memory: TimeInterval = 86_400

    let configuration: IdentityConfiguration
    private let state: Mutex<State>

    /// Whose dates codes and tokens are issued and checked by; a test moves a manual one.
    let clock: AttacheClock

    init(configuration: IdentityConfiguration, clock: AttacheClock = .live) {
        self.clock = clock
        self.configuration = configuration
        state = Mutex(State(authorizeDecision: configuration.authorizeDecision))
    }

    static func hash(_ secret: String) -> String { GraphResponder.sha256Hex(secret) }

    // MARK: Counters and settings

    var stats: IdentityStats { state.withLock { $0.stats } }

    func count(_ change: (inout IdentityStats) -> Void) {
        state.withLock { change(&$0.stats) }
    }

    var authorizeDecision: IdentityConfiguration.AuthorizeDecision {
        get { state.withLock { $0.authorizeDecision } }
        set { state.withLock { $0.authorizeDecision = newValue } }
    }

    // MARK: Device codes

    /// Starts a device authorization; returns the device code (only the client sees it) and the user code.
    func issueDeviceCode(clientID: String, tenant: String, scopes: ScopeSet, now: Date? = nil) -> (deviceCode: String, userCode: String) {
        let now = now ?? clock.date
        let deviceCode = "DAQABIQEAAAD" + EmulatorIDs.randomBase64URL(bytes: 48)
        return state.withLock { state in
            Self.forgetOld(&state, now: now)
            var userCode: String
            repeat { userCode = Self.randomUserCode() } while state.deviceCodes.values.contains { $0.userCode == userCode }
            state.deviceCodes[Self.hash(deviceCode)] = DeviceCodeGrant(
                deviceCodeHash: Self.hash(deviceCode), userCode: userCode, clientID: clientID, tenant: tenant, scopes: scopes,
                issuedAt: now, expiresAt: now.addingTimeInterval(configuration.deviceCodeLifetime.timeInterval),
                interval: configuration.deviceCodeInterval.timeInterval)
            return (deviceCode, userCode)
        }
    }

    /// One poll of the token endpoint with a device code: tokens once the user approved,
    /// else the error RFC 8628 says (`authorization_pending`, `slow_down`, …).
    func poll(deviceCode: String, clientID: String, tenant: String, now: Date? = nil) throws(IdentityError) -> IssuedTokens {
        let now = now ?? clock.date
        return try state.withLock { (state: inout State) throws(IdentityError) -> IssuedTokens in
            let key = Self.hash(deviceCode)
            guard var grant = state.deviceCodes[key] else { throw IdentityError.badVerificationCode }
            guard grant.clientID == clientID else { throw IdentityError.grantForOtherClient }
            guard grant.tenant == tenant else { throw IdentityError.grantForOtherTenant }
            if case .redeemed = grant.status { throw IdentityError.deviceCodeRedeemed }
            guard now < grant.expiresAt else { throw IdentityError.deviceCodeExpired }
            grant.polls += 1
            defer { state.deviceCodes[key] = grant }
            if let last = grant.lastPollAt {
                let gap = now.timeIntervalSince(last)
                grant.shortestGap = min(grant.shortestGap ?? gap, gap)
                grant.lastPollAt = now
                if grant.interval > 0, gap < grant.interval - Self.pollingSlack(grant.interval) {
                    grant.slowDowns += 1
                    grant.interval += Self.slowDownStep
                    throw IdentityError.slowDown(interval: Int(grant.interval.rounded(.up)))
                }
            }
            grant.lastPollAt = now
            switch grant.status {
            case .pending, .redeemed:
                throw IdentityError.authorizationPending
            case .declined:
                throw IdentityError.authorizationDeclined
            case .approved(let user):
                grant.status = .redeemed
                return Self.issue(
                    &state, configuration: configuration, user: user, clientID: clientID, tenant: tenant, grantScopes: grant.scopes,
                    accessScopes: grant.scopes.graph, family: nil, signedInAt: now, now: now)
            }
        }
    }

    /// The device authorization a user code names, as it stands.
    func deviceCode(userCode: String) -> DeviceCodeGrant? {
        let wanted = Self.normalizedUserCode(userCode)
        return state.withLock { state in state.deviceCodes.values.first { $0.userCode == wanted } }
    }

    /// The user approves (as `user`) or declines the request `userCode` names.
    func decide(userCode: String, approveAs user: UserRow?, now: Date? = nil) throws(IdentityError) {
        let now = now ?? clock.date
        let wanted = Self.normalizedUserCode(userCode)
        return try state.withLock { (state: inout State) throws(IdentityError) in
            guard let key = state.deviceCodes.first(where: { $0.value.userCode == wanted })?.key, var grant = state.deviceCodes[key] else {
                throw IdentityError.badVerificationCode
            }
            guard now < grant.expiresAt else { throw IdentityError.deviceCodeExpired }
            guard case .pending = grant.status else {
                throw IdentityError(.conflict, "invalid_request", 90120, "The request was already authorized or declined.")
            }
            grant.status = user.map { .approved($0) } ?? .declined
            state.deviceCodes[key] = grant
        }
    }

    /// Every device authorization still remembered, oldest first.
    func deviceCodes() -> [DeviceCodeGrant] {
        state.withLock { $0.deviceCodes.values.sorted { $0.issuedAt < $1.issuedAt } }
    }

    // MARK: Authorization codes

    /// Hands out a code for a sign-in `authorize` approved.
    func issueAuthorizationCode(
        clientID: String, tenant: String, redirectURI: String, scopes: ScopeSet, codeChallenge: String, nonce: String?, user: UserRow,
        now: Date? = nil
    ) -> String {
        let now = now ?? clock.date
        let code = "0.AQ" + EmulatorIDs.randomBase64URL(bytes: 64)
        state.withLock { state in
            Self.forgetOld(&state, now: now)
            state.authorizationCodes[Self.hash(code)] = AuthorizationCodeGrant(
                codeHash: Self.hash(code), clientID: clientID, tenant: tenant, redirectURI: redirectURI, scopes: scopes,
                codeChallenge: codeChallenge, nonce: nonce, user: user,
                expiresAt: now.addingTimeInterval(configuration.authorizationCodeLifetime.timeInterval))
        }
        return code
    }

    /// Redeems a code, once, with the verifier of its challenge; returns the tokens and the
    /// `nonce` the sign-in asked to have in its ID token.
    func redeem(
        code: String, clientID: String, tenant: String, redirectURI: String?, codeVerifier: String?, now: Date? = nil
    ) throws(IdentityError) -> (IssuedTokens, nonce: String?) {
        let now = now ?? clock.date
        return try state.withLock { (state: inout State) throws(IdentityError) -> (IssuedTokens, nonce: String?) in
            let key = Self.hash(code)
            guard var grant = state.authorizationCodes[key] else {
                throw IdentityError(.badRequest, "invalid_grant", 9_002_313, "Invalid request. Request is malformed or invalid. The code is not one this server issued.")
            }
            guard !grant.redeemed else { throw IdentityError.codeRedeemed }
            guard now < grant.expiresAt else { throw IdentityError.codeExpired }
            guard grant.clientID == clientID else { throw IdentityError.grantForOtherClient }
            guard grant.tenant == tenant else { throw IdentityError.codeForOtherTenant }
            guard let redirectURI else { throw IdentityError.missing("redirect_uri") }
            guard redirectURI == grant.redirectURI else { throw IdentityError.redirectMismatch(redirectURI) }
            guard let codeVerifier else { throw IdentityError.missing("code_verifier") }
            guard PKCE.challenge(for: codeVerifier) == grant.codeChallenge else { throw IdentityError.verifierMismatch }
            grant.redeemed = true
            state.authorizationCodes[key] = grant
            let tokens = Self.issue(
                &state, configuration: configuration, user: grant.user, clientID: clientID, tenant: tenant, grantScopes: grant.scopes,
                accessScopes: grant.scopes.graph, family: nil, signedInAt: now, now: now)
            return (tokens, grant.nonce)
        }
    }

    // MARK: Refresh tokens

    /// Redeems a refresh token: new tokens, a new refresh token among them, and the old one retired.
    func refresh(
        token: String, client: IdentityConfiguration.Client, tenant: String, requested: ScopeSet?, now: Date? = nil
    ) throws(IdentityError) -> IssuedTokens {
        let now = now ?? clock.date
        return try state.withLock { (state: inout State) throws(IdentityError) -> IssuedTokens in
            let key = Self.hash(token)
            guard var record = state.refreshTokens[key] else {
                throw IdentityError(
                    .badRequest, "invalid_grant", 9_002_313, "Invalid request. Request is malformed or invalid. The refresh token is not one this server issued.")
            }
            guard record.clientID == client.id else { throw IdentityError.grantForOtherClient }
            guard record.tenant == tenant else { throw IdentityError.grantForOtherTenant }
            switch record.state {
            case .live: break
            case .rotated: throw IdentityError.refreshRotated
            case .revoked(let at): throw IdentityError.refreshRevoked(issued: record.issuedAt, validFrom: at)
            }
            let idle = configuration.refreshTokenIdleLifetime
            guard now.timeIntervalSince(record.issuedAt) < idle.timeInterval else {
                throw IdentityError.refreshIdle(issued: record.issuedAt, idle: idle)
            }
            if let requested, !record.scopes.covers(requested) { throw IdentityError.notConsented(client: client) }
            record.state = .rotated
            state.refreshTokens[key] = record
            var tokens = Self.issue(
                &state, configuration: configuration, user: record.user, clientID: client.id, tenant: tenant, grantScopes: record.scopes,
                accessScopes: requested.map { $0.graph.isEmpty ? record.scopes.graph : $0.graph } ?? record.scopes.graph,
                family: record.family, signedInAt: record.signedInAt, now: now)
            tokens.scopes.email = requested?.email ?? record.scopes.email
            // A refresh that asks for `openid` gets an id_token, as a sign-in that did.
            tokens.scopes.openID = requested?.openID ?? record.scopes.openID
            return tokens
        }
    }

    /// Refresh tokens, oldest first; only the live ones unless `all`.
    func refreshTokens(all: Bool = false) -> [RefreshTokenRecord] {
        state.withLock { state in
            state.refreshTokens.values.filter { all || $0.state == .live }.sorted { $0.issuedAt < $1.issuedAt }
        }
    }

    /// Revokes every live refresh token of a user; returns how many. Access tokens already
    /// handed out stay valid until they expire, as at Microsoft.
    func revokeRefreshTokens(userID: String, now: Date? = nil) -> Int {
        let now = now ?? clock.date
        return state.withLock { state in
            var revoked = 0
            for (key, record) in state.refreshTokens where record.user.id == userID && record.state == .live {
                state.refreshTokens[key]?.state = .revoked(at: now)
                revoked += 1
            }
            return revoked
        }
    }

    // MARK: Access tokens

    /// Whether Graph takes `token`, and as whom. Counts the expired ones Graph refuses.
    func check(accessToken token: String, now: Date? = nil) -> AccessCheck {
        let now = now ?? clock.date
        return state.withLock { state in
            guard let record = state.accessTokens[Self.hash(token)] else { return .unknown }
            guard now < record.expiresAt else {
                state.stats.expiredTokenRejections += 1
                return .expired
            }
            return .valid(record.user, scopes: record.scopes)
        }
    }

    /// Makes a user's access tokens expire now; returns how many were still valid.
    func expireAccessTokens(userID: String, now: Date? = nil) -> Int {
        let now = now ?? clock.date
        return state.withLock { state in
            var expired = 0
            for (key, record) in state.accessTokens where record.user.id == userID && record.expiresAt > now {
                state.accessTokens[key]?.expiresAt = now
                expired += 1
            }
            return expired
        }
    }

    /// How many access tokens Graph would take now, and how many it would refuse as expired.
    func accessTokenCounts(now: Date? = nil) -> (valid: Int, expired: Int) {
        let now = now ?? clock.date
        return state.withLock { state in
            let valid = state.accessTokens.values.filter { $0.expiresAt > now }.count
            return (valid, state.accessTokens.count - valid)
        }
    }

    // MARK: Issuing

    private static func issue(
        _ state: inout State, configuration: IdentityConfiguration, user: UserRow, clientID: String, tenant: String, grantScopes: ScopeSet,
        accessScopes: Set<String>, family: String?, signedInAt: Date, now: Date
    ) -> IssuedTokens {
        forgetOld(&state, now: now)
        let family = family ?? EmulatorIDs.requestID()
        let lifetime = configuration.accessTokenLifetime.timeInterval
        let accessToken = "eW1." + EmulatorIDs.randomBase64URL(bytes: 32)
        state.accessTokens[hash(accessToken)] = AccessTokenRecord(
            user: user, scopes: accessScopes, clientID: clientID, family: family, expiresAt: now.addingTimeInterval(lifetime))
        var refreshToken: String?
        if grantScopes.offlineAccess {
            let token = "1.AQ" + EmulatorIDs.randomBase64URL(bytes: 48)
            state.refreshTokens[hash(token)] = RefreshTokenRecord(
                hash: hash(token), family: family, user: user, clientID: clientID, tenant: tenant, scopes: grantScopes,
                signedInAt: signedInAt, issuedAt: now)
            refreshToken = token
        }
        state.stats.tokensIssued += 1
        return IssuedTokens(
            accessToken: accessToken, refreshToken: refreshToken, expiresIn: max(1, Int(lifetime.rounded(.up))),
            scopes: ScopeSet(graph: accessScopes, offlineAccess: grantScopes.offlineAccess, email: grantScopes.email, openID: grantScopes.openID), user: user,
            clientID: clientID)
    }

    /// Drops codes and tokens long past any use, so a long-running emulator does not grow.
    private static func forgetOld(_ state: inout State, now: Date) {
        let horizon = now.addingTimeInterval(-memory)
        state.deviceCodes = state.deviceCodes.filter { $0.value.expiresAt > horizon }
        state.authorizationCodes = state.authorizationCodes.filter { $0.value.expiresAt > horizon }
        state.accessTokens = state.accessTokens.filter { $0.value.expiresAt > horizon }
        state.refreshTokens = state.refreshTokens.filter { $0.value.state == .live || $0.value.issuedAt > horizon }
    }

    // MARK: User codes

    /// Nine characters a person can read out and type: no 0/O, no 1/I.
    static func randomUserCode() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<9).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// A user code as typed: any case, spaces and dashes ignored.
    static func normalizedUserCode(_ text: String) -> String {
        text.uppercased().filter { $0 != " " && $0 != "-" }
    }
}
