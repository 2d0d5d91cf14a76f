import ArgumentParser
import AsyncHTTPClient
import AttacheCore
import Foundation
import Logging

/// `attache login [--browser]`: signs in to a Microsoft 365 account and keeps its tokens.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in to a Microsoft 365 account (device code, or --browser).",
        usage: "attache login [--browser] [<options>]",
        discussion: """
            Without --browser, attache shows a code and an address: open it on any device, enter \
            the code and sign in; attache waits. With --browser it opens the sign-in page itself \
            (authorization code with PKCE, back to a listener on 127.0.0.1), for tenants that \
            block the device code. The tokens go to the Secret Service when the session has \
            one, else to tokens.json (mode 0600) in the state directory; never to the config, \
            a log or the screen. The account becomes the one later commands use.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Sign in in a browser (authorization code with PKCE) instead of with a device code.")
    var browser = false

    func run() async throws {
        let logger = try global.logger()
        let http = global.makeHTTPClient()
        do {
            try await signIn(http: http, logger: logger)
            try? await http.shutdown()
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    func signIn(http: HTTPClient, logger: Logger) async throws {
        let effective = try EffectiveSettings(global)
        var settings = effective.signIn
        if effective.mailbox != nil {
            // Another user's mailbox takes the .Shared permissions, asked for at sign-in.
            settings.scopes += ["Mail.ReadWrite.Shared", "Calendars.ReadWrite.Shared"]
        }
        let graphRoot = effective.graph?.value ?? Account.defaultGraph
        let client = OAuthClient(settings: settings, http: http, logger: logger)
        let tokens: TokenSet
        do {
            tokens = browser ? try await Self.browserSignIn(client) : try await Self.deviceCodeSignIn(client)
        } catch let error as SignInError {
            Console.error("could not sign in: \(error)")
            throw ExitCode(Self.exitCode(for: error))
        }
        // Who signed in, as Graph sees it: the name the account is kept under.
        let graph = GraphClient(baseURL: graphRoot, http: http, credentials: StaticAccessToken(tokens.accessToken), logger: logger)
        let me: GraphUser
        do {
            me = try await graph.me()
        } catch let error as GraphError {
            Console.error("signed in, but \(error)")
            throw ExitCode(Console.exitCode(for: error))
        }
        guard let username = me.userPrincipalName ?? tokens.username else {
            Console.error("signed in, but Graph did not say who the user is")
            throw ExitCode(ExitCodes.failed)
        }
        let account = Account(username: username, signIn: settings, graph: graphRoot)
        let store = TokenStores.forSession(stateDirectory: global.paths.stateDirectory)
        do {
            try store.save(tokens, for: account)
            try AccountRegistry(stateDirectory: global.paths.stateDirectory).signedIn(account)
        } catch {
            Console.error("signed in, but \(error)")
            throw ExitCode(ExitCodes.failed)
        }
        let name = me.displayName.map { "\($0) <\(username)>" } ?? username
        Console.out("signed in as \(name); tokens kept in \(store.location)")
    }

    /// Shows the code and the address, then waits for the user.
    static func deviceCodeSignIn(_ client: OAuthClient) async throws -> TokenSet {
        let code = try await client.requestDeviceCode()
        Console.err(code.message ?? "To sign in, use a web browser to open the page \(code.verificationURI) and enter the code \(code.userCode) to authenticate.")
        Console.err("attache: waiting for the sign-in (the code expires at \(GraphDate.formatMinute(code.expiresAt)); Ctrl-C to give up)")
        return try await client.pollDeviceCode(code)
    }

    /// Opens the sign-in page and waits on a loopback listener for its redirect.
    static func browserSignIn(_ client: OAuthClient) async throws -> TokenSet {
        let listener: LoopbackRedirect
        do {
            listener = try await LoopbackRedirect.listen()
        } catch {
            throw SignInError(.refused, message: "could not listen on 127.0.0.1 for the browser's answer (\(error))")
        }
        let pkce = PKCE()
        let state = PKCE.randomState()
        let url = client.authorizeURL(redirectURI: listener.redirectURI, state: state, pkce: pkce)
        let opened = Browser.open(url)
        Console.err(opened ? "attache: opening the sign-in page in your browser; if it does not open, go to:" : "attache: to sign in, open:")
        Console.err("  \(url)")
        let query: [String: String]
        do {
            query = try await listener.redirect()
        } catch {
            await listener.close()
            throw SignInError(.refused, message: "the sign-in was stopped")
        }
        await listener.close()
        guard query["state"] == state else {
            throw SignInError(.stateMismatch, message: "the browser came back with a sign-in that is not this one (its state differs)")
        }
        if let error = query["error"] {
            throw SignInError.fromReply(error: error, description: query["error_description"], status: 400)
        }
        guard let code = query["code"] else { throw SignInError(.malformedReply, message: "the browser came back without a code") }
        return try await client.redeem(code: code, redirectURI: listener.redirectURI, pkce: pkce)
    }

    static func exitCode(for error: SignInError) -> Int32 {
        switch error.kind {
        case .unreachable: ExitCodes.unreachable
        case .malformedReply, .refused: ExitCodes.failed
        default: ExitCodes.unauthorized
        }
    }
}
