import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import AttacheCore

@Suite("Signing in: the pieces")
final class SignInTests {
    let directory = NSTemporaryDirectory() + "attache-signin-\(UUID().uuidString)"

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The challenge as another implementation computes it (Python's hashlib and base64).
    @Test func pkceS256() {
        let pkce = PKCE(verifier: "dBjftJeZ4CVP-mJ92K9ogyuqYuSKeD3BwZrdUCrl6gE")
        #expect(pkce.challenge == "76GW84u_HSk2Ept4M5Q6rLExtmL8TM4c8Om9i2UEnm8")
        let random = PKCE()
        #expect(random.verifier.count == 43)
        #expect(random.verifier.allSatisfy { $0.isLetter || $0.isNumber || "-_".contains($0) })
        #expect(PKCE().verifier != random.verifier)
    }

    @Test func formsAreEncodedForTheWire() {
        #expect(OAuthClient.form(["scope": "offline_access Mail.ReadWrite", "a": "x&y=z/é"]) == "a=x%26y%3Dz%2F%C3%A9&scope=offline_access%20Mail.ReadWrite")
        let settings = SignInSettings(authority: "https://login.microsoftonline.com/", tenant: "contoso.com")
        #expect(settings.tokenURL == "https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token")
        #expect(settings.deviceCodeURL == "https://login.microsoftonline.com/contoso.com/oauth2/v2.0/devicecode")
        #expect(settings.scope == "offline_access Mail.ReadWrite Calendars.ReadWrite Mail.Send User.Read Files.ReadWrite")
    }

    @Test func theIdentityPlatformsErrorsSayWhatToDo() {
        let declined = SignInError.fromReply(
            error: "authorization_declined", description: "AADSTS70000: The user declined.\r\nTrace ID: 1\r\nCorrelation ID: 2", status: 400)
        #expect(declined.kind == .declined)
        #expect(declined.aadsts == "AADSTS70000")
        #expect(declined.description == "AADSTS70000: The user declined.; run `attache login` again and accept")
        #expect(SignInError.fromReply(error: "expired_token", description: nil, status: 400).kind == .expired)
        #expect(SignInError.fromReply(error: "bad_verification_code", description: nil, status: 400).kind == .badCode)
        #expect(SignInError.fromReply(error: "invalid_grant", description: "AADSTS7000012: The grant was obtained for a different tenant.", status: 400).kind == .wrongTenant)
        #expect(SignInError.fromReply(error: "invalid_grant", description: "AADSTS700082: The refresh token has expired due to inactivity.", status: 400).kind == .signInAgain)
        #expect(SignInError.fromReply(error: "invalid_grant", description: "AADSTS65001: The user or administrator has not consented.", status: 400).kind == .consentRequired)
        #expect(SignInError.fromReply(error: "unauthorized_client", description: "AADSTS700016: Application not found.", status: 400).kind == .unknownClient)
    }

    @Test func theIDTokenSaysWhoSignedIn() throws {
        let payload = try JSONSerialization.data(withJSONObject: ["preferred_username": "ana@contoso.com", "name": "Ana", "tid": "T"])
        let base64 = payload.base64EncodedString().replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let claims = try #require(IDTokenClaims(jwt: "eyJhbGciOiJub25lIn0.\(base64).sig"))
        #expect(claims.preferredUsername == "ana@contoso.com")
        #expect(claims.name == "Ana")
        #expect(claims.tenantID == "T")
        #expect(IDTokenClaims(jwt: "not a jwt") == nil)
    }

    @Test func tokensNeverShowInTheirDescription() {
        let tokens = TokenSet(accessToken: "SECRET-ACCESS", refreshToken: "SECRET-REFRESH", expiresAt: Date(), scopes: [], username: "ana")
        #expect(!"\(tokens)".contains("SECRET"))
        #expect(!String(reflecting: tokens).contains("SECRET"))
    }

    @Test func theTokenFileIsPrivateAndKeepsEachAccountApart() throws {
        let store = FileTokenStore(path: directory + "/state/tokens.json")
        let ana = Account(username: "ana@contoso.com", signIn: SignInSettings())
        let bob = Account(username: "bob@contoso.com", signIn: SignInSettings(tenant: "contoso.com"))
        #expect(try store.load(ana) == nil)
        let tokens = TokenSet(accessToken: "A1", refreshToken: "R1", expiresAt: Date(timeIntervalSince1970: 2_000_000_000), scopes: ["Mail.ReadWrite"])
        try store.save(tokens, for: ana)
        try store.save(TokenSet(accessToken: "B1", refreshToken: nil, expiresAt: Date(), scopes: []), for: bob)
        #expect(try store.load(ana) == tokens)
        #expect(try store.load(bob)?.accessToken == "B1")
        #expect(try FileManager.default.attributesOfItem(atPath: directory + "/state/tokens.json")[.posixPermissions] as? Int == 0o600)
        try store.delete(ana)
        #expect(try store.load(ana) == nil)
        #expect(try store.load(bob) != nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/state").sorted() == ["tokens.json", "tokens.json.lock"])
    }

    @Test func theTokenFileIsNeverReachedThroughASymlink() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: directory + "/elsewhere", contents: Data("{}".utf8))
        try FileManager.default.createSymbolicLink(atPath: directory + "/tokens.json", withDestinationPath: directory + "/elsewhere")
        let store = FileTokenStore(path: directory + "/tokens.json")
        #expect(throws: TokenStoreError.self) { try store.load(Account(username: "a", signIn: SignInSettings())) }
    }

    @Test func aTemporaryLeftByACrashDoesNotStopTheNextSave() throws {
        let store = FileTokenStore(path: directory + "/tokens.json")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: directory + "/tokens.json.\(getpid()).tmp", contents: Data("half".utf8), attributes: [.posixPermissions: 0o644])
        let ana = Account(username: "ana@contoso.com", signIn: SignInSettings())
        try store.save(TokenSet(accessToken: "A1", refreshToken: "R1", expiresAt: Date(), scopes: []), for: ana)
        #expect(try store.load(ana)?.accessToken == "A1")
        #expect(try FileManager.default.attributesOfItem(atPath: directory + "/tokens.json")[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["tokens.json", "tokens.json.lock"])
    }

    @Test func theRegistryIsNeverReachedThroughASymlink() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: directory + "/elsewhere", contents: Data("{}".utf8))
        try FileManager.default.createSymbolicLink(atPath: directory + "/accounts.json", withDestinationPath: directory + "/elsewhere")
        let registry = AccountRegistry(stateDirectory: directory)
        #expect(throws: TokenStoreError(location: registry.path, problem: "is a symbolic link; attache does not follow one there")) { try registry.read() }
    }

    @Test func theRegistryRemembersTheCurrentAccount() throws {
        let registry = AccountRegistry(stateDirectory: directory)
        let ana = Account(username: "ana@contoso.com", signIn: SignInSettings())
        let bob = Account(username: "bob@contoso.com", signIn: SignInSettings(), graph: "http://127.0.0.1:1/v1.0")
        try registry.signedIn(ana)
        try registry.signedIn(bob)
        #expect(try registry.read().currentAccount == bob)
        try registry.forget(bob)
        #expect(try registry.read().currentAccount == ana)
        #expect(try FileManager.default.attributesOfItem(atPath: registry.path)[.posixPermissions] as? Int == 0o600)
    }

    @Test func theLoopbackListenerTakesTheRedirectAndAnswersTheBrowser() async throws {
        let listener = try await LoopbackRedirect.listen(state: "S")
        #expect(listener.redirectURI.hasPrefix("http://127.0.0.1:"))
        async let redirect = listener.redirect(within: .seconds(60))
        let noise = try await HTTPClient.shared.execute(HTTPClientRequest(url: listener.redirectURI + "favicon.ico"), timeout: .seconds(10))
        #expect(noise.status == .notFound)
        // Another process reaching the port first, with a code of its own: told it is not
        // the one, and the wait goes on.
        let intruder = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: listener.redirectURI + "?code=EVIL&state=other"), timeout: .seconds(10))
        let refusal = String(buffer: try await intruder.body.collect(upTo: 1 << 16))
        #expect(intruder.status == .badRequest)
        #expect(!refusal.contains("Signed in"), "\(refusal)")
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: listener.redirectURI + "?code=C%2B1&state=S"), timeout: .seconds(10))
        let page = String(buffer: try await response.body.collect(upTo: 1 << 16))
        #expect(response.status == .ok)
        #expect(page.contains("You can close this tab"))
        #expect(try await redirect == ["code": "C+1", "state": "S"])
        await listener.close()
    }

    /// A browser that never comes back ends the wait when the time is up.
    @Test func theLoopbackListenerStopsWaitingInTime() async throws {
        let listener = try await LoopbackRedirect.listen(state: "S")
        let query = try await listener.redirect(within: .milliseconds(300))
        #expect(query == nil)
        await listener.close()
    }
}
