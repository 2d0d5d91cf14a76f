import AsyncHTTPClient
import Foundation
import Logging

/// A whole sign-in, as `attache login` and the screen's `L` run it: get tokens (device code
/// or browser), ask Graph who signed in, keep the tokens and make the account current.
public struct SignInFlow: Sendable {
    public let settings: SignInSettings
    /// The Graph root the account will use.
    public let graph: String
    let stateDirectory: String
    let http: HTTPClient
    let logger: Logger
    /// How long one request to the identity platform or Graph, or one call of the Secret
    /// Service, may take.
    public var requestTimeout: Duration = .seconds(60)
    /// How long a browser sign-in may take before attache stops waiting for it.
    public var browserTimeout: Duration = .seconds(600)

    /// What the user must be shown while attache waits.
    public enum Prompt: Sendable, Hashable {
        /// Open `verificationURI` and enter `userCode`; `message` is the platform's own sentence.
        case deviceCode(userCode: String, verificationURI: String, message: String, expiresAt: Date)
        /// Sign in on this page (a browser was asked to open it, if `opened`).
        case browser(url: String, opened: Bool)
    }

    /// How it ended.
    public struct Result: Sendable {
        public var account: Account
        public var user: GraphUser
        /// Where the tokens went: `the Secret Service`, or the token file.
        public var storeLocation: String
    }

    /// A sign-in that got tokens but could not finish (Graph would not say who, or the
    /// store refused them).
    public struct FinishError: Error, Sendable, CustomStringConvertible {
        public var underlying: String
        public var graphError: GraphError?
        public var description: String { "signed in, but \(underlying)" }
    }

    public init(settings: SignInSettings, graph: String, stateDirectory: String, http: HTTPClient, logger: Logger) {
        self.settings = settings
        self.graph = graph
        self.stateDirectory = stateDirectory
        self.http = http
        self.logger = logger
    }

    /// The device authorization grant: `prompt` hears the code to show, then the flow waits.
    public func withDeviceCode(prompt: @Sendable (Prompt) -> Void) async throws -> Result {
        var client = OAuthClient(settings: settings, http: http, logger: logger)
        client.requestTimeout = requestTimeout
        let code = try await client.requestDeviceCode()
        // The user is told to open this address: only a web page will do (never
        // `javascript:`, `file:` or a plain-http page elsewhere than on this machine).
        guard Self.isWebPage(code.verificationURI) else {
            throw SignInError(
                .malformedReply,
                message: "the identity platform gave \(Self.kindOfAddress(code.verificationURI)) as the page to sign in on, not an https:// one; attache does not show it")
        }
        let ownWords = "To sign in, use a web browser to open the page \(code.verificationURI) and enter the code \(code.userCode) to authenticate."
        // The platform's own sentence, when it sends the user where the checked address does.
        let message = code.message.flatMap { $0.contains(code.verificationURI) && $0.contains(code.userCode) ? $0 : nil } ?? ownWords
        prompt(.deviceCode(userCode: code.userCode, verificationURI: code.verificationURI, message: message, expiresAt: code.expiresAt))
        return try await finish(try await client.pollDeviceCode(code))
    }

    /// The authorization code grant with PKCE, back to a listener on 127.0.0.1. `open` tries
    /// to show the page in a browser and says whether it could.
    public func withBrowser(open: @Sendable (String) -> Bool, prompt: @Sendable (Prompt) -> Void) async throws -> Result {
        var client = OAuthClient(settings: settings, http: http, logger: logger)
        client.requestTimeout = requestTimeout
        let pkce = PKCE()
        let state = PKCE.randomState()
        let listener: LoopbackRedirect
        do {
            listener = try await LoopbackRedirect.listen(state: state)
        } catch {
            throw SignInError(.refused, message: "could not listen on 127.0.0.1 for the browser's answer (\(error))")
        }
        let url = client.authorizeURL(redirectURI: listener.redirectURI, state: state, pkce: pkce)
        prompt(.browser(url: url, opened: open(url)))
        let query: [String: String]?
        do {
            query = try await listener.redirect(within: browserTimeout)
        } catch {
            await listener.close()
            throw SignInError(.refused, message: "the sign-in was stopped")
        }
        await listener.close()
        guard let query else {
            throw SignInError(
                .refused, message: "the browser did not come back within \(TransferFormat.clock(browserTimeout.seconds)); \(Advice.signInWithBrowser) again")
        }
        guard query["state"] == state else {
            throw SignInError(.stateMismatch, message: "the browser came back with a sign-in that is not this one (its state differs)")
        }
        if let error = query["error"] {
            throw SignInError.fromReply(error: error, description: query["error_description"], status: 400)
        }
        guard let code = query["code"] else { throw SignInError(.malformedReply, message: "the browser came back without a code") }
        return try await finish(try await client.redeem(code: code, redirectURI: listener.redirectURI, pkce: pkce))
    }

    /// `a javascript: address`: an address named by its scheme only, as the address itself
    /// is what must not be shown.
    static func kindOfAddress(_ address: String) -> String {
        guard let scheme = URLComponents(string: address)?.scheme?.lowercased(), scheme.count <= 16 else { return "an address" }
        let article = scheme.hasPrefix("http") || "aeiou".contains(scheme.prefix(1)) ? "an" : "a"
        return "\(article) \(scheme): address"
    }

    /// An address a user may be sent to: https, or plain http on this machine (an emulator).
    static func isWebPage(_ address: String) -> Bool {
        guard let url = try? HTTPURL(validating: address) else { return false }
        if url.scheme == "https" { return true }
        return ["127.0.0.1", "localhost", "[::1]", "::1"].contains(url.host.lowercased())
    }

    /// Asks Graph who signed in (the name the account is kept under), keeps the tokens, and
    /// makes the account the one commands use.
    func finish(_ tokens: TokenSet) async throws -> Result {
        var client = GraphClient(baseURL: graph, http: http, credentials: StaticAccessToken(tokens.accessToken), logger: logger)
        client.requestTimeLimit = requestTimeout
        let me: GraphUser
        do {
            me = try await client.me()
        } catch let error as GraphError {
            throw FinishError(underlying: error.description, graphError: error)
        }
        guard let username = me.userPrincipalName ?? tokens.username else {
            throw FinishError(underlying: "Graph did not say who the user is")
        }
        let account = Account(username: username, signIn: settings, graph: graph)
        let store = TokenStores.forSession(stateDirectory: stateDirectory, timeout: requestTimeout)
        do {
            try store.save(tokens, for: account)
            try AccountRegistry(stateDirectory: stateDirectory).signedIn(account)
        } catch {
            throw FinishError(underlying: "\(error)")
        }
        return Result(account: account, user: me, storeLocation: store.location)
    }
}
