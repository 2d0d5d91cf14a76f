import Clocks
import Foundation
import GraphEmulator
import Testing

/// The identity origin over real HTTP on loopback: every path a client's sign-in, refresh
/// and sign-out takes, and what Graph then makes of the tokens.
@Suite("The emulator's identity endpoints")
struct IdentityEndpointTests {
    static func configuration(_ identity: IdentityConfiguration = IdentityConfiguration(), clock: ManualClock? = nil) -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration(identity: identity)
        if let clock { configuration.clock = clock.clock }
        return configuration
    }

    // MARK: Device code

    @Test func deviceCodeGoesFromPendingThroughSlowDownToTokensGraphTakes() async throws {
        let time = ManualClock()
        try await EmulatorHarness.with(
            Self.configuration(IdentityConfiguration(deviceCodeLifetime: .seconds(120), deviceCodeInterval: .seconds(5)), clock: time)
        ) { harness in
            #expect(harness.identity.hasPrefix("http://127.0.0.1:"))
            #expect(harness.identity != harness.origin)
            let started = try await harness.deviceCode()
            #expect(started.status == 200, "\(started.text)")
            #expect(started.headers.first(name: "Cache-Control")?.contains("no-store") == true)
            let userCode = try #require(started.json["user_code"] as? String)
            let deviceCode = try #require(started.json["device_code"] as? String)
            let verification = try #require(started.json["verification_uri"] as? String)
            #expect(verification == harness.identity + "/devicelogin")
            #expect(started.json["expires_in"] as? Int == 120)
            #expect(started.json["interval"] as? Int == 5)
            #expect(
                started.json["message"] as? String
                    == "To sign in, use a web browser to open the page \(verification) and enter the code \(userCode) to authenticate.")

            let pending = try await harness.pollDeviceCode(deviceCode)
            #expect(pending.status == 400)
            #expect(pending.oauthError == "authorization_pending")
            #expect(pending.errorCodes == [70016])
            #expect(pending.errorDescription.hasPrefix("AADSTS70016: "))
            #expect(pending.errorDescription.contains("Trace ID: \(pending.json["trace_id"] as? String ?? "-")"))
            #expect(pending.json["correlation_id"] is String)
            #expect(pending.json["timestamp"] is String)

            // 2 s later, inside the 5 s interval: slow down, and from now on wait 5 s more.
            time.advance(by: .seconds(2))
            let tooSoon = try await harness.pollDeviceCode(deviceCode)
            #expect(tooSoon.oauthError == "slow_down", "\(tooSoon.text)")
            let listed = try #require(try await harness.deviceCodes().first { $0["userCode"] as? String == userCode })
            #expect(listed["status"] as? String == "pending")
            #expect(listed["intervalSeconds"] as? Int == 10)
            #expect(listed["slowDowns"] as? Int == 1)
            #expect(listed["polls"] as? Int == 2)
            #expect(listed["shortestGapMilliseconds"] as? Int == 2000)

            let approved = try await harness.identityControl(.POST, "identity/device-codes/\(userCode)/approve")
            #expect(approved.status == 204, "\(approved.text)")
            // A client that adds the 5 s keeps to the pace and gets its tokens.
            time.advance(by: .seconds(10))
            let tokens = try await harness.pollDeviceCode(deviceCode)
            #expect(tokens.status == 200, "\(tokens.text)")
            #expect(tokens.json["token_type"] as? String == "Bearer")
            #expect(tokens.json["expires_in"] as? Int == 3600)
            #expect(tokens.json["ext_expires_in"] as? Int == 3600)
            #expect(tokens.json["scope"] as? String == "Calendars.ReadWrite Mail.ReadWrite Mail.Send User.Read profile openid")
            #expect(tokens.json["refresh_token"] is String)
            let claims = try EmulatorHarness.jwtPayload(try #require(tokens.json["id_token"] as? String))
            #expect(claims["preferred_username"] as? String == EmulatorConfiguration.demoUser)
            #expect(claims["name"] as? String == "Demo User")
            #expect(claims["aud"] as? String == EmulatorHarness.clientID)
            #expect(claims["tid"] is String && claims["oid"] is String)

            let access = try #require(tokens.json["access_token"] as? String)
            let me = try await harness.graph(.GET, "/me", token: access)
            #expect(me.status == 200)
            #expect(me.json["userPrincipalName"] as? String == EmulatorConfiguration.demoUser)
            #expect(me.json["id"] as? String == claims["oid"] as? String)
            #expect(try await harness.graph(.GET, "/me/messages", token: access).status == 200)

            // The device code is spent.
            let again = try await harness.pollDeviceCode(deviceCode)
            #expect(again.oauthError == "invalid_grant")

            let stats = try await harness.identityStats()
            #expect((stats["tokenRequests"] as? [String: Int])?["device_code"] == 4)
            #expect(stats["deviceCodePolls"] as? Int == 4)
            #expect(stats["pendingReplies"] as? Int == 1)
            #expect(stats["slowDownReplies"] as? Int == 1)
            #expect(stats["tokensIssued"] as? Int == 1)
            let after = try #require(try await harness.deviceCodes().first { $0["userCode"] as? String == userCode })
            #expect(after["status"] as? String == "redeemed")
        }
    }

    @Test func aPersonDeclinesOnTheDeviceLoginPage() async throws {
        try await EmulatorHarness.with(Self.configuration(IdentityConfiguration(deviceCodeInterval: .zero))) { harness in
            let started = try await harness.deviceCode(tenant: "attache.test")
            let userCode = try #require(started.json["user_code"] as? String)
            let deviceCode = try #require(started.json["device_code"] as? String)
            #expect(started.json["interval"] as? Int == 0)

            let page = try await harness.send(.GET, harness.identity + "/devicelogin")
            #expect(page.status == 200)
            #expect(page.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.text.contains("<form method=\"post\""))
            let wrong = try await harness.form("/devicelogin", [("code", "NOSUCHONE")])
            #expect(wrong.status == 400)
            #expect(wrong.text.contains("That code didn't work"))
            // As typed by a person: lower case, with a dash.
            let typed = String(userCode.lowercased().prefix(4)) + "-" + String(userCode.lowercased().dropFirst(4))
            let declined = try await harness.form("/devicelogin", [("code", typed), ("action", "decline")])
            #expect(declined.status == 200, "\(declined.text)")
            #expect(declined.text.contains("You have declined to sign in to the Microsoft Graph Command Line Tools application"))

            let refused = try await harness.pollDeviceCode(deviceCode, tenant: "attache.test")
            #expect(refused.status == 400)
            #expect(refused.oauthError == "authorization_declined")
            #expect(try await harness.pollDeviceCode(deviceCode, tenant: "attache.test").oauthError == "authorization_declined")
            // Decided once: neither the page nor the control route changes it.
            let late = try await harness.identityControl(.POST, "identity/device-codes/\(userCode)/approve")
            #expect(late.status == 409)
        }
    }

    @Test func aPersonApprovesOnTheDeviceLoginPageAsAnotherUser() async throws {
        let configuration = EmulatorConfiguration(fixtures: [.demo, .walkthrough], identity: IdentityConfiguration(deviceCodeInterval: .zero))
        try await EmulatorHarness.with(configuration) { harness in
            let started = try await harness.deviceCode(tenant: "attache.test")
            let userCode = try #require(started.json["user_code"] as? String)
            // Megan is not in the attache.test tenant: the page says so and nothing is decided.
            let outsider = try await harness.form("/devicelogin", [("code", userCode), ("user", "megan@walkthrough.test")])
            #expect(outsider.status == 400)
            #expect(outsider.text.contains("AADSTS50020"))
            let other = try await harness.deviceCode(tenant: "common")
            let otherCode = try #require(other.json["user_code"] as? String)
            let approved = try await harness.form("/devicelogin", [("code", otherCode), ("user", "megan@walkthrough.test")])
            #expect(approved.text.contains("You have signed in to the Microsoft Graph Command Line Tools application"))
            let tokens = try await harness.pollDeviceCode(try #require(other.json["device_code"] as? String), tenant: "common")
            let access = try #require(tokens.json["access_token"] as? String)
            let me = try await harness.graph(.GET, "/me", token: access)
            #expect(me.json["userPrincipalName"] as? String == "megan@walkthrough.test")
            // Megan's token does not open the demo user's mailbox.
            #expect(try await harness.graph(.GET, "/users/\(EmulatorConfiguration.demoUser)/messages", token: access).status == 403)
        }
    }

    @Test func deviceCodesExpireAndUnknownOnesAreRefused() async throws {
        let time = ManualClock()
        try await EmulatorHarness.with(Self.configuration(IdentityConfiguration(deviceCodeLifetime: .seconds(1), deviceCodeInterval: .zero), clock: time)) {
            harness in
            let started = try await harness.deviceCode()
            #expect(started.json["expires_in"] as? Int == 1)
            let deviceCode = try #require(started.json["device_code"] as? String)
            let userCode = try #require(started.json["user_code"] as? String)
            time.advance(by: .seconds(1))
            let expired = try await harness.pollDeviceCode(deviceCode)
            #expect(expired.oauthError == "expired_token")
            #expect(expired.errorCodes == [70020])
            let lateApproval = try await harness.identityControl(.POST, "identity/device-codes/\(userCode)/approve")
            #expect(lateApproval.status == 400)
            #expect(lateApproval.oauthError == "expired_token")

            let unknown = try await harness.pollDeviceCode("DAQABIQEAAADnot-a-real-device-code")
            #expect(unknown.status == 400)
            #expect(unknown.oauthError == "bad_verification_code")
            #expect(unknown.errorCodes == [70018])
            let missing = try await harness.form(
                "/organizations/oauth2/v2.0/token",
                [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("client_id", EmulatorHarness.clientID)])
            #expect(missing.oauthError == "invalid_request")
            #expect(missing.errorDescription.hasPrefix("AADSTS900144: The request body must contain the following parameter: 'device_code'."))
            #expect(try await harness.identityControl(.POST, "identity/device-codes/NOSUCHONE/approve").status == 404)
        }
    }

    // MARK: Authorization code with PKCE

    @Test func pkceSignInRedirectsWithACodeThatRedeemsOnce() async throws {
        try await EmulatorHarness.with { harness in
            let verifier = EmulatorHarness.newVerifier()
            let redirect = "http://localhost:49152/callback"
            let redirected = try await harness.authorize(EmulatorHarness.authorizeParameters(verifier: verifier, state: "xyz 1/2", redirect: redirect))
            #expect(redirected.status == 302)
            let location = try #require(redirected.headers.first(name: "Location"))
            #expect(location.hasPrefix(redirect + "?"))
            let items = EmulatorHarness.queryItems(of: location)
            #expect(items["state"] == "xyz 1/2")
            let code = try #require(items["code"])

            let tokens = try await harness.redeem(code: code, verifier: verifier, redirect: redirect)
            #expect(tokens.status == 200, "\(tokens.text)")
            let access = try #require(tokens.json["access_token"] as? String)
            #expect(tokens.json["refresh_token"] is String)
            #expect(try await harness.graph(.GET, "/me", token: access).json["displayName"] as? String == "Demo User")

            let reused = try await harness.redeem(code: code, verifier: verifier, redirect: redirect)
            #expect(reused.status == 400)
            #expect(reused.oauthError == "invalid_grant")
            #expect(reused.errorCodes == [54005])
            #expect((try await harness.identityStats()["tokenRequests"] as? [String: Int])?["authorization_code"] == 2)
        }
    }

    @Test func pkceRefusesAWrongVerifierAnotherRedirectAndAnotherTenant() async throws {
        try await EmulatorHarness.with { harness in
            let verifier = EmulatorHarness.newVerifier()
            let redirected = try await harness.authorize(EmulatorHarness.authorizeParameters(verifier: verifier))
            let code = try #require(try redirected.redirectItems()["code"])

            let wrong = try await harness.redeem(code: code, verifier: EmulatorHarness.newVerifier())
            #expect(wrong.oauthError == "invalid_grant")
            #expect(wrong.errorCodes == [501481])
            #expect(wrong.errorDescription.hasPrefix("AADSTS501481: The Code_Verifier does not match the code_challenge"))
            let none = try await harness.redeem(code: code, verifier: nil)
            #expect(none.errorCodes == [900144])
            let elsewhere = try await harness.redeem(code: code, verifier: verifier, redirect: "http://127.0.0.1:1/")
            #expect(elsewhere.oauthError == "invalid_grant")
            #expect(elsewhere.errorCodes == [50011])
            let otherTenant = try await harness.redeem(code: code, verifier: verifier, tenant: "common")
            #expect(otherTenant.errorCodes == [700005])
            // None of those spent the code.
            #expect(try await harness.redeem(code: code, verifier: verifier).status == 200)
        }
    }

    @Test func authorizationCodesExpire() async throws {
        let time = ManualClock()
        try await EmulatorHarness.with(Self.configuration(IdentityConfiguration(authorizationCodeLifetime: .seconds(1)), clock: time)) { harness in
            let verifier = EmulatorHarness.newVerifier()
            let redirected = try await harness.authorize(EmulatorHarness.authorizeParameters(verifier: verifier))
            let code = try #require(try redirected.redirectItems()["code"])
            time.advance(by: .seconds(1))
            let late = try await harness.redeem(code: code, verifier: verifier)
            #expect(late.oauthError == "invalid_grant")
            #expect(late.errorCodes == [70008])
        }
    }

    @Test func authorizeShowsAPageUntilTheRedirectIsTrustedThenRedirectsErrors() async throws {
        try await EmulatorHarness.with { harness in
            let verifier = EmulatorHarness.newVerifier()
            for redirect in ["https://attache.example/cb", "http://evil.example:8080/", "http://127.0.0.1.evil.example/"] {
                let refused = try await harness.authorize(EmulatorHarness.authorizeParameters(verifier: verifier, redirect: redirect))
                #expect(refused.status == 400, "\(redirect)")
                #expect(refused.headers.first(name: "Location") == nil)
                #expect(refused.text.contains("AADSTS50011"))
            }
            var unknownClient = EmulatorHarness.authorizeParameters(verifier: verifier)
            unknownClient[0] = ("client_id", "00000000-1111-2222-3333-444444444444")
            let page = try await harness.authorize(unknownClient)
            #expect(page.status == 400)
            #expect(page.text.contains("AADSTS700016"))
            #expect(try await harness.authorize(tenant: "nosuch.example", EmulatorHarness.authorizeParameters(verifier: verifier)).status == 400)

            // With a trusted redirect, errors go back to the client, with its state.
            let noPKCE = EmulatorHarness.authorizeParameters(verifier: verifier).filter { !$0.0.hasPrefix("code_challenge") }
            let refusedPKCE = try await harness.authorize(noPKCE)
            #expect(refusedPKCE.status == 302)
            let items = EmulatorHarness.queryItems(of: try #require(refusedPKCE.headers.first(name: "Location")))
            #expect(items["error"] == "invalid_request")
            #expect(items["state"] == "st-1")
            #expect(items["code"] == nil)
            var plain = EmulatorHarness.authorizeParameters(verifier: verifier)
            plain[plain.count - 1] = ("code_challenge_method", "plain")
            #expect(EmulatorHarness.queryItems(of: try await harness.authorize(plain).headers.first(name: "Location") ?? "")["error"] == "invalid_request")
            var token = EmulatorHarness.authorizeParameters(verifier: verifier)
            token[1] = ("response_type", "token")
            #expect(
                EmulatorHarness.queryItems(of: try await harness.authorize(token).headers.first(name: "Location") ?? "")["error"]
                    == "unsupported_response_type")
        }
    }

    @Test func authorizeDeniesWhenTold() async throws {
        try await EmulatorHarness.with { harness in
            let verifier = EmulatorHarness.newVerifier()
            let told = try await harness.identityControl(.PUT, "identity/authorize", json: #"{"decision":"deny"}"#)
            #expect(told.status == 204)
            let denied = try await harness.authorize(EmulatorHarness.authorizeParameters(verifier: verifier, state: "s-9"))
            #expect(denied.status == 302)
            let items = EmulatorHarness.queryItems(of: try #require(denied.headers.first(name: "Location")))
            #expect(items["error"] == "access_denied")
            #expect(items["error_subcode"] == "cancel")
            #expect(items["error_description"]?.hasPrefix("AADSTS65004: User declined to consent to access the app.") == true)
            #expect(items["state"] == "s-9")
            #expect(items["code"] == nil)

            _ = try await harness.identityControl(.PUT, "identity/authorize", json: #"{"decision":"approve"}"#)
            let approved = try await harness.authorize(EmulatorHarness.authorizeParameters(verifier: verifier))
            #expect(EmulatorHarness.queryItems(of: approved.headers.first(name: "Location") ?? "")["code"] != nil)
        }
        try await EmulatorHarness.with(Self.configuration(IdentityConfiguration(authorizeDecision: .deny))) { harness in
            let denied = try await harness.authorize(EmulatorHarness.authorizeParameters(verifier: EmulatorHarness.newVerifier()))
            #expect(EmulatorHarness.queryItems(of: denied.headers.first(name: "Location") ?? "")["error"] == "access_denied")
        }
    }

    // MARK: Refresh tokens

    @Test func refreshTokensRotateAndTheOldOneStopsWorking() async throws {
        try await EmulatorHarness.with { harness in
            let first = try await harness.signIn()
            let original = try #require(first["refresh_token"] as? String)
            #expect(try await harness.liveRefreshTokens().map { $0["sha256"] as? String } == [EmulatorHarness.sha256Hex(original)])

            let refreshed = try await harness.refresh(original)
            #expect(refreshed.status == 200, "\(refreshed.text)")
            let rotated = try #require(refreshed.json["refresh_token"] as? String)
            #expect(rotated != original)
            #expect(refreshed.json["access_token"] as? String != first["access_token"] as? String)
            #expect(try await harness.graph(.GET, "/me", token: try #require(refreshed.json["access_token"] as? String)).status == 200)
            // Only the newest is live: a client that kept the old one is caught.
            #expect(try await harness.liveRefreshTokens().map { $0["sha256"] as? String } == [EmulatorHarness.sha256Hex(rotated)])
            let stale = try await harness.refresh(original)
            #expect(stale.status == 400)
            #expect(stale.oauthError == "invalid_grant")
            #expect(stale.errorCodes == [70008])

            // A refresh may ask for less than the sign-in got, never more.
            let narrower = try await harness.refresh(rotated, scope: "offline_access Mail.ReadWrite")
            #expect(narrower.json["scope"] as? String == "Mail.ReadWrite profile openid")
            let narrowAccess = try #require(narrower.json["access_token"] as? String)
            #expect(try await harness.graph(.GET, "/me/events", token: narrowAccess).status == 403)
            let newest = try #require(narrower.json["refresh_token"] as? String)
            let wider = try await harness.refresh(newest, scope: "Mail.ReadWrite Mail.ReadWrite.Shared")
            #expect(wider.oauthError == "invalid_grant")
            #expect(wider.errorCodes == [65001])
            // The refused request spent nothing; the full grant is still there.
            let full = try await harness.refresh(newest)
            #expect(full.json["scope"] as? String == "Calendars.ReadWrite Mail.ReadWrite Mail.Send User.Read profile openid")

            let stats = try await harness.identityStats()
            #expect((stats["tokenRequests"] as? [String: Int])?["refresh_token"] == 5)
            #expect(stats["refreshes"] as? Int == 3)
            #expect(stats["refusedRefreshes"] as? Int == 2)
            #expect(stats["liveRefreshTokens"] as? Int == 1)
            #expect((stats["errors"] as? [String: Int])?["invalid_grant"] == 2)

            let unknown = try await harness.refresh("1.AQnot-a-refresh-token")
            #expect(unknown.oauthError == "invalid_grant")
        }
    }

    @Test func noRefreshTokenWithoutOfflineAccess() async throws {
        try await EmulatorHarness.with { harness in
            let reply = try await harness.signIn(scope: "User.Read Mail.Read")
            #expect(reply["refresh_token"] == nil)
            #expect(reply["scope"] as? String == "Mail.Read User.Read profile openid")
            let access = try #require(reply["access_token"] as? String)
            // The token's scopes decide Graph's checks, as a static token's do.
            #expect(try await harness.graph(.GET, "/me/messages", token: access).status == 200)
            let item = try await harness.firstItem()
            let write = try await harness.graph(
                .POST, "/me/messages/\(item)/attachments/createUploadSession", token: access,
                json: #"{"AttachmentItem":{"attachmentType":"file","name":"x","size":4000000}}"#)
            #expect(write.status == 403)
            #expect(try await harness.graph(.GET, "/me/events", token: access).status == 403)
        }
    }

    @Test func aRefreshThroughAnotherTenantAliasIsRefused() async throws {
        try await EmulatorHarness.with { harness in
            let signedIn = try await harness.signIn(tenant: "organizations")
            let refresh = try #require(signedIn["refresh_token"] as? String)
            for alias in ["common", "attache.test", "0d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d"] {
                let refused = try await harness.refresh(refresh, tenant: alias)
                #expect(refused.status == 400, "\(alias)")
                #expect(refused.oauthError == "invalid_grant")
                #expect(refused.errorCodes == [7000012])
                #expect(refused.errorDescription.hasPrefix("AADSTS7000012: The grant was obtained for a different tenant."))
            }
            // Refused attempts spend nothing: through the sign-in's own alias it still works.
            #expect(try await harness.refresh(refresh, tenant: "Organizations").status == 200)
        }
    }

    @Test func revokedSessionsNeedANewSignIn() async throws {
        try await EmulatorHarness.with { harness in
            let signedIn = try await harness.signIn()
            let refresh = try #require(signedIn["refresh_token"] as? String)
            let revoked = try await harness.identityControl(.POST, "identity/users/\(EmulatorConfiguration.demoUser)/revokeSignInSessions")
            #expect(revoked.json["revoked"] as? Int == 1)
            let refused = try await harness.refresh(refresh)
            #expect(refused.oauthError == "invalid_grant")
            #expect(refused.errorCodes == [50173])
            #expect(try await harness.liveRefreshTokens().isEmpty)
            // The access token lives on until it expires, as at Microsoft.
            #expect(try await harness.graph(.GET, "/me", token: try #require(signedIn["access_token"] as? String)).status == 200)
            #expect(try await harness.signIn()["refresh_token"] is String)
        }
    }

    @Test func idleRefreshTokensExpire() async throws {
        let time = ManualClock()
        try await EmulatorHarness.with(Self.configuration(IdentityConfiguration(refreshTokenIdleLifetime: .seconds(1)), clock: time)) { harness in
            let refresh = try #require(try await harness.signIn()["refresh_token"] as? String)
            time.advance(by: .seconds(1))
            let idle = try await harness.refresh(refresh)
            #expect(idle.errorCodes == [700082])
            #expect(idle.errorDescription.contains("The refresh token has expired due to inactivity."))
        }
    }

    // MARK: Graph and the tokens

    @Test func graphRefusesAnExpiredAccessTokenWith401() async throws {
        let time = ManualClock()
        try await EmulatorHarness.with(Self.configuration(IdentityConfiguration(accessTokenLifetime: .seconds(2)), clock: time)) { harness in
            let signedIn = try await harness.signIn()
            #expect(signedIn["expires_in"] as? Int == 2)
            let access = try #require(signedIn["access_token"] as? String)
            time.advance(by: .milliseconds(1999))
            #expect(try await harness.graph(.GET, "/me", token: access).status == 200)
            time.advance(by: .milliseconds(1))
            let expired = try await harness.graph(.GET, "/me/messages", token: access)
            #expect(expired.status == 401)
            #expect(expired.errorCode == "InvalidAuthenticationToken")
            #expect((expired.json["error"] as? [String: Any])?["message"] as? String == "Lifetime validation failed, the token is expired.")
            let challenge = try #require(expired.headers.first(name: "WWW-Authenticate"))
            #expect(challenge.hasPrefix("Bearer "))
            #expect(challenge.contains("authorization_uri=\"\(harness.identity)/common/oauth2/authorize\""))
            #expect(try await harness.identityStats()["expiredTokenRejections"] as? Int ?? 0 >= 1)

            // Refresh, then repeat the request: it works.
            let refreshed = try await harness.refresh(try #require(signedIn["refresh_token"] as? String))
            let renewed = try #require(refreshed.json["access_token"] as? String)
            #expect(try await harness.graph(.GET, "/me/messages", token: renewed).status == 200)
            // An unknown token is refused too, with another message.
            let unknown = try await harness.graph(.GET, "/me", token: "eW1.unknown")
            #expect(unknown.status == 401)
            #expect((unknown.json["error"] as? [String: Any])?["message"] as? String != "Lifetime validation failed, the token is expired.")
        }
    }

    @Test func aControlRouteExpiresAccessTokensAtOnce() async throws {
        try await EmulatorHarness.with { harness in
            let access = try #require(try await harness.signIn()["access_token"] as? String)
            let expired = try await harness.identityControl(.POST, "identity/users/\(EmulatorConfiguration.demoUser)/expireAccessTokens")
            #expect(expired.json["expired"] as? Int == 1)
            let refused = try await harness.graph(.GET, "/me", token: access)
            #expect(refused.status == 401)
            #expect((refused.json["error"] as? [String: Any])?["message"] as? String == "Lifetime validation failed, the token is expired.")
            // The documented static token is untouched.
            #expect(try await harness.graph(.GET, "/me").status == 200)
        }
    }

    @Test func meAnswersTheSignedInUser() async throws {
        try await EmulatorHarness.with { harness in
            let me = try await harness.graph(.GET, "/me")
            #expect(me.status == 200)
            #expect(me.json["userPrincipalName"] as? String == EmulatorConfiguration.demoUser)
            #expect(me.json["mail"] as? String == EmulatorConfiguration.demoUser)
            #expect(me.json["displayName"] as? String == "Demo User")
            #expect((me.json["@odata.context"] as? String)?.hasSuffix("/v1.0/$metadata#users/$entity") == true)
            let id = try #require(me.json["id"] as? String)
            let selected = try await harness.graph(.GET, "/me?$select=displayName")
            #expect(Set(selected.json.keys) == ["@odata.context", "displayName", "id"])
            #expect(try await harness.graph(.GET, "/users/\(id)").json["userPrincipalName"] as? String == EmulatorConfiguration.demoUser)
            #expect(try await harness.graph(.GET, "/users('\(EmulatorConfiguration.demoUser)')").status == 200)
            #expect(try await harness.graph(.GET, "/users/nobody@attache.test").status == 404)
            #expect(try await harness.send(.GET, harness.graph + "/me").status == 401)

            // Without User.Read, no profile.
            let mailOnly = try #require(try await harness.signIn(scope: "Mail.ReadWrite")["access_token"] as? String)
            let denied = try await harness.graph(.GET, "/me", token: mailOnly)
            #expect(denied.status == 403)
            #expect(denied.errorCode == "Authorization_RequestDenied")
        }
    }

    // MARK: Who may ask

    @Test func unknownClientsTenantsSecretsAndMalformedRequestsAreRefused() async throws {
        let extra = IdentityConfiguration.Client(id: "11111111-2222-3333-4444-555555555555", name: "My own registration")
        try await EmulatorHarness.with(Self.configuration(IdentityConfiguration(clients: [.graphCommandLineTools, extra]))) { harness in
            let unknownClient = try await harness.deviceCode(clientID: "00000000-1111-2222-3333-444444444444")
            #expect(unknownClient.status == 400)
            #expect(unknownClient.oauthError == "unauthorized_client")
            #expect(unknownClient.errorCodes == [700016])
            #expect(unknownClient.errorDescription.hasPrefix("AADSTS700016: Application with identifier '00000000-1111-2222-3333-444444444444' was not found in the directory"))
            #expect(try await harness.deviceCode(clientID: extra.id).status == 200)

            let unknownTenant = try await harness.deviceCode(tenant: "nosuch.example")
            #expect(unknownTenant.status == 400)
            #expect(unknownTenant.errorCodes == [90002])
            #expect(unknownTenant.errorDescription.hasPrefix("AADSTS90002: Tenant 'nosuch.example' not found."))
            for tenant in ["organizations", "common", "consumers", "attache.test", "ATTACHE.TEST", "0d3c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d"] {
                #expect(try await harness.deviceCode(tenant: tenant).status == 200, "\(tenant)")
            }

            let secret = try await harness.form(
                "/organizations/oauth2/v2.0/devicecode",
                [("client_id", EmulatorHarness.clientID), ("scope", "User.Read"), ("client_secret", "hunter2")])
            #expect(secret.status == 401)
            #expect(secret.oauthError == "invalid_client")
            #expect(secret.errorCodes == [700025])

            let json = try await harness.send(
                .POST, harness.identity + "/organizations/oauth2/v2.0/token", headers: [("Content-Type", "application/json")],
                body: Data(#"{"grant_type":"refresh_token"}"#.utf8))
            #expect(json.status == 400)
            #expect(json.oauthError == "invalid_request")
            let get = try await harness.send(.GET, harness.identity + "/organizations/oauth2/v2.0/token")
            #expect(get.errorCodes == [900561])
            let grant = try await harness.form("/organizations/oauth2/v2.0/token", [("grant_type", "password"), ("client_id", EmulatorHarness.clientID)])
            #expect(grant.oauthError == "unsupported_grant_type")
            let scope = try await harness.deviceCode(scope: "offline_access Sites.ReadWrite.All")
            #expect(scope.oauthError == "invalid_scope")
            #expect(scope.errorCodes == [70011])
            let twice = try await harness.form(
                "/organizations/oauth2/v2.0/devicecode", [("client_id", EmulatorHarness.clientID), ("client_id", EmulatorHarness.clientID)])
            #expect(twice.oauthError == "invalid_request")
            #expect(try await harness.send(.GET, harness.identity + "/organizations/oauth2/v2.0/nothing").status == 404)

            let stats = try await harness.identityStats()
            #expect((stats["errors"] as? [String: Int])?["unauthorized_client"] == 1)
            #expect((stats["errors"] as? [String: Int])?["invalid_client"] == 1)
        }
    }

    @Test func anIdentityPortInUseStopsTheStart() async throws {
        try await EmulatorHarness.with { harness in
            var taken = EmulatorConfiguration()
            taken.identity.port = harness.emulator.port
            await #expect(throws: EmulatorStartError.self) {
                _ = try await EmulatorHarness.start(taken)
            }
        }
    }

    /// As Entra: an `id_token` only when `openid` was asked for (the platform documents it so),
    /// and `client_info` only when `client_info=1` was sent, as MSAL sends it: base64url of
    /// the user's object and tenant ids, from which MSAL makes the account `oid.tid`.
    @Test func anIDTokenOnlyForOpenIDAndClientInfoOnlyWhenAsked() async throws {
        try await EmulatorHarness.with { harness in
            let bare = try await harness.signIn(scope: "offline_access User.Read")
            #expect(bare["access_token"] is String)
            #expect(bare["id_token"] == nil)
            #expect(bare["client_info"] == nil)
            let verifier = EmulatorHarness.newVerifier()
            let redirected = try await harness.authorize(
                EmulatorHarness.authorizeParameters(verifier: verifier, scope: "openid profile offline_access User.Read"))
            let code = try #require(try redirected.redirectItems()["code"])
            let reply = try await harness.redeem(code: code, verifier: verifier, extra: [("client_info", "1")])
            #expect(reply.status == 200, "\(reply.text)")
            let claims = try EmulatorHarness.jwtPayload(try #require(reply.json["id_token"] as? String))
            let encoded = try #require(reply.json["client_info"] as? String)
            #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/"))
            let info = try EmulatorHarness.jwtPayload("x.\(encoded).x")
            #expect(info.count == 2)
            #expect(info["uid"] as? String == claims["oid"] as? String)
            #expect(info["utid"] as? String == claims["tid"] as? String)
            for claim in ["aud", "iss", "iat", "nbf", "exp", "aio", "name", "oid", "preferred_username", "rh", "sub", "tid", "uti", "ver"] {
                #expect(claims[claim] != nil, "\(claim)")
            }
            #expect(claims["iss"] as? String == "\(harness.identity)/\(claims["tid"] as? String ?? "")/v2.0")
        }
    }

    @Test func discoveryAndControlRoutes() async throws {
        try await EmulatorHarness.with { harness in
            let discovery = try await harness.send(.GET, harness.identity + "/organizations/v2.0/.well-known/openid-configuration")
            #expect(discovery.status == 200)
            #expect(discovery.json["token_endpoint"] as? String == harness.identity + "/organizations/oauth2/v2.0/token")
            #expect(discovery.json["device_authorization_endpoint"] as? String == harness.identity + "/organizations/oauth2/v2.0/devicecode")
            #expect(discovery.json["msgraph_host"] as? String == harness.origin.replacingOccurrences(of: "http://", with: ""))

            #expect(try await harness.send(.GET, harness.identity + "/_emulator/health").status == 200)
            #expect(try await harness.send(.GET, harness.identity + "/_emulator/identity/stats").status == 401)
            #expect(try await harness.identityControl(.GET, "identity/nothing").status == 404)
            let bad = try await harness.identityControl(.PUT, "identity/authorize", json: #"{"decision":"maybe"}"#)
            #expect(bad.status == 400)
            // Tokens the identity origin issued open its control routes too.
            let access = try #require(try await harness.signIn()["access_token"] as? String)
            let stats = try await harness.send(.GET, harness.identity + "/_emulator/identity/stats", headers: [("Authorization", "Bearer \(access)")])
            #expect(stats.status == 200)
            #expect(stats.json["validAccessTokens"] as? Int == 1)
            // The Graph origin does not serve the identity endpoints, nor the other way round.
            #expect(try await harness.deviceCodeOnGraph().status != 200)
            #expect(try await harness.send(.GET, harness.identity + "/v1.0/me", headers: [("Authorization", "Bearer \(access)")]).status == 404)
        }
    }
}

extension EmulatorHarness {
    fileprivate func deviceCodeOnGraph() async throws -> Reply {
        try await send(
            .POST, origin + "/organizations/oauth2/v2.0/devicecode", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Data("client_id=\(Self.clientID)&scope=User.Read".utf8))
    }
}
