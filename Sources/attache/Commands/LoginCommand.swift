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
        var flow = SignInFlow(
            settings: effective.signInSettingsForLogin, graph: effective.graph?.value ?? Account.defaultGraph,
            stateDirectory: global.paths.stateDirectory, http: http, logger: logger)
        flow.requestTimeout = effective.requestTimeout
        let result: SignInFlow.Result
        do {
            result = browser
                ? try await flow.withBrowser(open: { Browser.open($0) }, prompt: Self.show)
                : try await flow.withDeviceCode(prompt: Self.show)
        } catch let error as SignInError {
            Console.error("could not sign in: \(error)")
            throw ExitCode(Self.exitCode(for: error))
        } catch let error as SignInFlow.FinishError {
            Console.error(error.description)
            throw ExitCode(error.graphError.map { Console.exitCode(for: $0) } ?? ExitCodes.failed)
        }
        let username = result.account.username
        let name = result.user.displayName.map { "\($0) <\(username)>" } ?? username
        Console.out("signed in as \(name); tokens kept in \(result.storeLocation)")
    }

    /// What the user must do, on stderr.
    @Sendable static func show(_ prompt: SignInFlow.Prompt) {
        switch prompt {
        case .deviceCode(_, _, let message, let expiresAt):
            Console.err(message)
            Console.err("attache: waiting for the sign-in (the code expires at \(GraphDate.formatMinute(expiresAt)); Ctrl-C to give up)")
        case .browser(let url, let opened):
            Console.err(opened ? "attache: opening the sign-in page in your browser; if it does not open, go to:" : "attache: to sign in, open:")
            Console.err("  \(url)")
        }
    }

    static func exitCode(for error: SignInError) -> Int32 {
        switch error.kind {
        case .unreachable: ExitCodes.unreachable
        case .malformedReply, .refused: ExitCodes.failed
        default: ExitCodes.unauthorized
        }
    }
}
