import ArgumentParser
import AsyncHTTPClient
import AttacheCore
import Foundation
import GraphEmulator
import Logging

/// A ready Graph client: against `--graph` with a token, or against the embedded emulator
/// (started in this process on a free loopback port, its data in the state directory).
struct GraphConnection {
    var graph: GraphClient
    let http: HTTPClient
    let embedded: RunningEmulator?
    let logger: Logger
    /// The signed-in account this connection uses, if any.
    var account: Account?
    /// How transfers wait and try again; the config's `outage_tolerance` is kept here.
    var retryPolicy = RetryPolicy()

    /// `http://127.0.0.1:PORT` of the embedded emulator's upload host, onto which journaled
    /// upload URLs are moved (its ports change from run to run).
    var embeddedUploadOrigin: String? { embedded?.uploadOrigin }

    /// Who and where, for the screen's title: the demo user of the embedded emulator, or
    /// the Graph host (`graph.microsoft.com`).
    /// Another user's mailbox, when it is not the signed-in user's own: `ana@contoso.com ·
    /// shared@contoso.com`.
    var accountDescription: String {
        let mailbox = graph.mailboxAddress.map { " · \($0)" } ?? ""
        if embedded != nil { return "\(EmulatorConfiguration.demoUser)\(mailbox) · embedded Graph emulator" }
        if let account { return account.username + mailbox }
        let base = graph.baseURL
        guard let schemeEnd = base.range(of: "://") else { return base + mailbox }
        return String(base[schemeEnd.upperBound...].prefix { $0 != "/" }) + mailbox
    }

    /// What the journal records as this connection's Graph root.
    var journalBase: String { embedded == nil ? graph.baseURL : "embedded" }

    /// Opens the Graph the options point to. In order: a token given for scripts (with
    /// `--graph`, or for the embedded emulator); else a signed-in account (the one `--graph`,
    /// `--authority`, `--tenant`, `--client-id` name, or the current one); else, when no
    /// account was ever signed in, the embedded emulator with its demo mailbox.
    ///
    /// - Parameter preferAccount: use the signed-in account even when a token was given
    ///   (the screen, just signed in).
    /// - Parameter allowSignedOut: with `--graph` and neither a token nor an account, open
    ///   it anyway with credentials that say so at the first request (the screen, whose `L`
    ///   then signs in), rather than refuse.
    static func open(_ options: GlobalOptions, logger: Logger, preferAccount: Bool = false, allowSignedOut: Bool = false) async throws -> GraphConnection {
        let settings = try EffectiveSettings(options)
        var connection = try await connect(options, settings: settings, logger: logger, preferAccount: preferAccount, allowSignedOut: allowSignedOut)
        connection.retryPolicy.outageTolerance = settings.outageTolerance
        return connection
    }

    /// ``open(_:logger:preferAccount:allowSignedOut:)``'s client, credentials and emulator.
    private static func connect(
        _ options: GlobalOptions, settings: EffectiveSettings, logger: Logger, preferAccount: Bool, allowSignedOut: Bool
    ) async throws -> GraphConnection {
        let mailbox = settings.mailbox.map { GraphClient.mailboxPath(of: $0.value) } ?? "me"
        let pacer = UploadPacer(budget: settings.uploadBudget?.value)
        let http = options.makeHTTPClient()
        let timeout = settings.requestTimeout
        do {
            if !preferAccount, let token = try options.givenToken() {
                if let base = settings.graph?.value {
                    var graph = GraphClient(baseURL: base, http: http, credentials: StaticAccessToken(token), logger: logger, mailbox: mailbox,
                        pacer: pacer)
                    graph.requestTimeLimit = timeout
                    return GraphConnection(graph: graph, http: http, embedded: nil, logger: logger)
                }
                return try await embedded(options, http: http, token: token, mailbox: mailbox, pacer: pacer, timeout: timeout, logger: logger)
            }
            if let account = try SignedInAccount.find(options, settings, logger: logger) {
                let tokens = try account.tokens(logger: logger)
                var client = OAuthClient(settings: account.account.signIn, http: http, logger: logger)
                client.requestTimeout = timeout
                let credentials = RefreshingAccessToken(
                    account: account.account, tokens: tokens, client: client, store: account.store, logger: logger)
                var graph = GraphClient(baseURL: account.account.graph, http: http, credentials: credentials, logger: logger, mailbox: mailbox, pacer: pacer)
                graph.requestTimeLimit = timeout
                return GraphConnection(graph: graph, http: http, embedded: nil, logger: logger, account: account.account)
            }
            if let base = settings.graph?.value, allowSignedOut {
                var graph = GraphClient(baseURL: base, http: http, credentials: NotSignedIn(graph: base), logger: logger, mailbox: mailbox, pacer: pacer)
                graph.requestTimeLimit = timeout
                return GraphConnection(graph: graph, http: http, embedded: nil, logger: logger)
            }
            if let base = settings.graph?.value {
                Console.error(
                    "no token for \(base): sign in with `attache login --graph \(base)`, or for scripts pass --token-file or --token, or set ATTACHE_TOKEN")
                throw ExitCode(ExitCodes.usage)
            }
            return try await embedded(
                options, http: http, token: EmulatorConfiguration.developerToken, mailbox: mailbox, pacer: pacer, timeout: timeout, logger: logger)
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// The embedded emulator, started in this process on a free loopback port.
    static func embedded(
        _ options: GlobalOptions, http: HTTPClient, token: String, mailbox: String, pacer: UploadPacer, timeout: Duration, logger: Logger
    ) async throws -> GraphConnection {
        do {
            var emulatorLogger = Logger(label: "attache.emulator")
            emulatorLogger.logLevel = .warning
            var configuration = EmulatorConfiguration(dataDirectory: options.paths.emulatorData)
            // A new tenant's, as `attache serve` starts with: larger files go as links.
            configuration.maximumMessageSize = EmulatorConfiguration.newTenantMessageSize
            let emulator = try await GraphEmulator.start(configuration, logger: emulatorLogger)
            logger.info("embedded emulator listening", metadata: ["origin": "\(emulator.origin)"])
            var graph = GraphClient(
                baseURL: emulator.graphBaseURL, http: http, credentials: StaticAccessToken(token), logger: logger, mailbox: mailbox, pacer: pacer)
            graph.requestTimeLimit = timeout
            return GraphConnection(graph: graph, http: http, embedded: emulator, logger: logger)
        } catch {
            Console.error("could not start the embedded Graph emulator in \(options.paths.emulatorData): \(error)")
            throw ExitCode(ExitCodes.failed)
        }
    }

    /// Shuts the client down and stops the embedded emulator.
    func close() async {
        try? await http.shutdown()
        await embedded?.stop()
    }

    /// Opens, runs `body`, and closes whatever happens.
    static func with<T>(
        _ options: GlobalOptions, logger: Logger, preferAccount: Bool = false, _ body: (GraphConnection) async throws -> T
    ) async throws -> T {
        let connection = try await open(options, logger: logger, preferAccount: preferAccount)
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// The transfer service of this connection, over `journal`.
    func transferService(journal: TransferJournal, concurrency: Int, verify: Bool = false) -> TransferService {
        TransferService(
            graph: graph, journal: journal, graphBase: journalBase, uploadOrigin: embeddedUploadOrigin, concurrency: concurrency,
            retryPolicy: retryPolicy, verify: verify, logger: logger)
    }

    /// Opens the journal in the state directory.
    static func journal(_ options: GlobalOptions, logger: Logger) throws -> TransferJournal {
        do {
            return try TransferJournal(path: options.paths.journal, logger: logger)
        } catch let error as JournalError {
            Console.error("could not open the transfer journal \(error)")
            throw ExitCode(ExitCodes.failed)
        } catch {
            Console.error("could not open the transfer journal \(options.paths.journal): \(error)")
            throw ExitCode(ExitCodes.failed)
        }
    }
}
