import Foundation
import Testing

@testable import GraphEmulator

/// The identity store's rules on a clock of the test's own: the pace of device code polls,
/// and when codes and tokens expire, exactly, whatever the load on the machine.
@Suite("Identity grants on a fixed clock")
struct IdentityStoreTests {
    static let user = UserRow(id: "u-1", tenantID: "t-1", userPrincipalName: "demo@attache.test", displayName: "Demo User")
    static let client = IdentityConfiguration.Client.graphCommandLineTools
    static let t0 = Date(timeIntervalSince1970: 2_000_000_000)
    static let scopes = ScopeSet(graph: ["Mail.ReadWrite", "User.Read"], offlineAccess: true)

    static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    static func error(_ body: () throws(IdentityError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return error.error
        }
    }

    @Test func devicePollsKeepToTheIntervalPlusFiveAfterEachSlowDown() throws {
        let store = IdentityStore(configuration: IdentityConfiguration(deviceCodeLifetime: .seconds(900), deviceCodeInterval: .seconds(5)))
        let (deviceCode, userCode) = store.issueDeviceCode(clientID: Self.client.id, tenant: "organizations", scopes: Self.scopes, now: Self.t0)
        func poll(_ at: TimeInterval) -> String? {
            Self.error { () throws(IdentityError) in _ = try store.poll(deviceCode: deviceCode, clientID: Self.client.id, tenant: "organizations", now: Self.at(at)) }
        }
        #expect(poll(0.5) == "authorization_pending")  // the first poll is never early
        #expect(poll(5.0) == "authorization_pending")  // 4.5 s: within the 10 % allowed
        #expect(poll(6.0) == "slow_down")  // 1 s: too soon; 10 s from now on
        #expect(poll(14.0) == "slow_down")  // 8 s < 10 s - 1 s; 15 s from now on
        #expect(poll(30.0) == "authorization_pending")  // 16 s
        let grant = try #require(store.deviceCode(userCode: userCode))
        #expect(grant.interval == 15)
        #expect(grant.slowDowns == 2)
        #expect(grant.polls == 5)
        #expect(grant.shortestGap == 1)

        try store.decide(userCode: userCode.lowercased(), approveAs: Self.user, now: Self.at(31))
        #expect(poll(35.0) == "slow_down")  // approved, but still too soon: 20 s from now on
        let tokens = try store.poll(deviceCode: deviceCode, clientID: Self.client.id, tenant: "organizations", now: Self.at(55))
        #expect(tokens.user == Self.user)
        #expect(tokens.refreshToken != nil)
        #expect(poll(100) == "invalid_grant")  // spent
    }

    @Test func devicePollsThroughAnotherTenantOrClientAreRefused() {
        let store = IdentityStore(configuration: IdentityConfiguration(deviceCodeInterval: .zero))
        let (deviceCode, _) = store.issueDeviceCode(clientID: Self.client.id, tenant: "organizations", scopes: Self.scopes, now: Self.t0)
        #expect(Self.error { () throws(IdentityError) in _ = try store.poll(deviceCode: deviceCode, clientID: Self.client.id, tenant: "common", now: Self.t0) } == "invalid_grant")
        #expect(Self.error { () throws(IdentityError) in _ = try store.poll(deviceCode: deviceCode, clientID: "other", tenant: "organizations", now: Self.t0) } == "invalid_grant")
        #expect(Self.error { () throws(IdentityError) in _ = try store.poll(deviceCode: "nope", clientID: Self.client.id, tenant: "organizations", now: Self.t0) } == "bad_verification_code")
    }

    @Test func deviceCodesExpireAtTheirLifetime() throws {
        let store = IdentityStore(configuration: IdentityConfiguration(deviceCodeLifetime: .seconds(60), deviceCodeInterval: .zero))
        let (deviceCode, userCode) = store.issueDeviceCode(clientID: Self.client.id, tenant: "organizations", scopes: Self.scopes, now: Self.t0)
        #expect(Self.error { () throws(IdentityError) in try store.decide(userCode: userCode, approveAs: Self.user, now: Self.at(60)) } == "expired_token")
        #expect(Self.error { () throws(IdentityError) in _ = try store.poll(deviceCode: deviceCode, clientID: Self.client.id, tenant: "organizations", now: Self.at(59.9)) } == "authorization_pending")
        #expect(Self.error { () throws(IdentityError) in _ = try store.poll(deviceCode: deviceCode, clientID: Self.client.id, tenant: "organizations", now: Self.at(60)) } == "expired_token")
    }

    @Test func accessTokensExpireAtTheirLifetime() throws {
        let store = IdentityStore(configuration: IdentityConfiguration(accessTokenLifetime: .seconds(2), deviceCodeInterval: .zero))
        let (deviceCode, userCode) = store.issueDeviceCode(clientID: Self.client.id, tenant: "organizations", scopes: Self.scopes, now: Self.t0)
        try store.decide(userCode: userCode, approveAs: Self.user, now: Self.t0)
        let tokens = try store.poll(deviceCode: deviceCode, clientID: Self.client.id, tenant: "organizations", now: Self.t0)
        #expect(tokens.expiresIn == 2)
        guard case .valid(let user, let scopes) = store.check(accessToken: tokens.accessToken, now: Self.at(1.9)) else {
            Issue.record("a token within its lifetime was refused")
            return
        }
        #expect(user == Self.user)
        #expect(scopes == ["Mail.ReadWrite", "User.Read"])
        guard case .expired = store.check(accessToken: tokens.accessToken, now: Self.at(2)) else {
            Issue.record("a token past its lifetime was taken")
            return
        }
        guard case .unknown = store.check(accessToken: "eW1.other", now: Self.t0) else {
            Issue.record("an unknown token was taken")
            return
        }
        #expect(store.stats.expiredTokenRejections == 1)
    }

    @Test func refreshTokensRotateAndGoStaleWhenIdle() throws {
        let store = IdentityStore(configuration: IdentityConfiguration(refreshTokenIdleLifetime: .seconds(100), deviceCodeInterval: .zero))
        let (deviceCode, userCode) = store.issueDeviceCode(clientID: Self.client.id, tenant: "organizations", scopes: Self.scopes, now: Self.t0)
        try store.decide(userCode: userCode, approveAs: Self.user, now: Self.t0)
        let first = try #require(try store.poll(deviceCode: deviceCode, clientID: Self.client.id, tenant: "organizations", now: Self.t0).refreshToken)
        // Each redemption restarts the idle clock: 99 s, then 99 s more, is fine.
        let second = try #require(try store.refresh(token: first, client: Self.client, tenant: "organizations", requested: nil, now: Self.at(99)).refreshToken)
        #expect(Self.error { () throws(IdentityError) in _ = try store.refresh(token: first, client: Self.client, tenant: "organizations", requested: nil, now: Self.at(100)) } == "invalid_grant")
        let third = try #require(try store.refresh(token: second, client: Self.client, tenant: "organizations", requested: nil, now: Self.at(198)).refreshToken)
        do {
            _ = try store.refresh(token: third, client: Self.client, tenant: "organizations", requested: nil, now: Self.at(298))
            Issue.record("an idle refresh token was taken")
        } catch {
            #expect(error.code == 700_082)
        }
        #expect(store.refreshTokens().count == 1)
        #expect(store.refreshTokens(all: true).count == 3)
    }

    @Test func authorizationCodesExpireAtTheirLifetime() throws {
        let store = IdentityStore(configuration: IdentityConfiguration(authorizationCodeLifetime: .seconds(600)))
        let verifier = "a-verifier-of-enough-length-for-rfc-7636-0123456789"
        let code = store.issueAuthorizationCode(
            clientID: Self.client.id, tenant: "organizations", redirectURI: "http://localhost:1/", scopes: Self.scopes,
            codeChallenge: PKCE.challenge(for: verifier), nonce: "n-1", user: Self.user, now: Self.t0)
        do {
            _ = try store.redeem(code: code, clientID: Self.client.id, tenant: "organizations", redirectURI: "http://localhost:1/", codeVerifier: verifier, now: Self.at(600))
            Issue.record("an expired code was taken")
        } catch {
            #expect(error.code == 70008)
        }
        let (tokens, nonce) = try store.redeem(
            code: code, clientID: Self.client.id, tenant: "organizations", redirectURI: "http://localhost:1/", codeVerifier: verifier, now: Self.at(599))
        #expect(nonce == "n-1")
        #expect(tokens.scopes.replyText == "Mail.ReadWrite User.Read profile openid")
    }

    @Test func pkceChallengesAreBase64URLOfSHA256() {
        // As Python's hashlib and base64.urlsafe_b64encode make it, padding stripped.
        #expect(PKCE.challenge(for: "dBjftJeZ4CVP-mJ92K9Gl1jRH1sXLHK5sl37ClYUlRM") == "Vuc0QBUH7HMjKiiNAtfcLbElTwC2ORd4RpmE8XY4awM")
        #expect(PKCE.isWellFormedChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
        #expect(!PKCE.isWellFormedChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c="))
        #expect(!PKCE.isWellFormedChallenge("short"))
    }

    @Test func scopesReadAsGraphChecksThem() throws {
        let scopes = try ScopeSet(parsing: "openid profile offline_access https://graph.microsoft.com/mail.readwrite USER.READ")
        #expect(scopes.graph == ["Mail.ReadWrite", "User.Read"])
        #expect(scopes.offlineAccess)
        #expect(try ScopeSet(parsing: "https://graph.microsoft.com/.default").graph == ScopeSet.registered)
        #expect(Self.error { () throws(IdentityError) in _ = try ScopeSet(parsing: "Sites.Read.All") } == "invalid_scope")
    }
}
