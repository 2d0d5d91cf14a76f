import ArgumentParser
import AsyncHTTPClient
import AttacheCore
import Foundation
import GraphEmulator
import Logging

/// A ready Graph client: against `--graph` with a token, or against the embedded emulator
/// (started in this process on a free loopback port, its data in the state directory).
struct GraphConnection {
    let graph: GraphClient
    let http: HTTPClient
    let embedded: RunningEmulator?
    let logger: Logger

    /// `http://127.0.0.1:PORT` of the embedded emulator, when that is what this connects to.
    var embeddedOrigin: String? { embedded?.origin }

    /// Who and where, for the screen's title: the demo user of the embedded emulator, or
    /// the Graph host (`graph.microsoft.com`).
    var accountDescription: String {
        if embedded != nil { return "\(EmulatorConfiguration.demoUser) · embedded Graph emulator" }
        let base = graph.baseURL
        guard let schemeEnd = base.range(of: "://") else { return base }
        return String(base[schemeEnd.upperBound...].prefix { $0 != "/" })
    }

    /// What the journal records as this connection's Graph root.
    var journalBase: String { embedded == nil ? graph.baseURL : "embedded" }

    static func open(_ options: GlobalOptions, logger: Logger) async throws -> GraphConnection {
        let http = GraphClient.makeHTTPClient()
        if let base = options.graph {
            guard let token = options.token ?? ProcessInfo.processInfo.environment["ATTACHE_TOKEN"], !token.isEmpty else {
                try? await http.shutdown()
                Console.error("no token for \(base): pass --token or set ATTACHE_TOKEN")
                throw ExitCode(ExitCodes.usage)
            }
            let graph = GraphClient(baseURL: base, http: http, credentials: StaticAccessToken(token), logger: logger)
            return GraphConnection(graph: graph, http: http, embedded: nil, logger: logger)
        }
        do {
            var emulatorLogger = Logger(label: "attache.emulator")
            emulatorLogger.logLevel = .warning
            let emulator = try await GraphEmulator.start(
                EmulatorConfiguration(dataDirectory: options.paths.emulatorData), logger: emulatorLogger)
            logger.info("embedded emulator listening", metadata: ["origin": "\(emulator.origin)"])
            let token = options.token ?? EmulatorConfiguration.developerToken
            let graph = GraphClient(baseURL: emulator.graphBaseURL, http: http, credentials: StaticAccessToken(token), logger: logger)
            return GraphConnection(graph: graph, http: http, embedded: emulator, logger: logger)
        } catch {
            try? await http.shutdown()
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
    static func with<T>(_ options: GlobalOptions, logger: Logger, _ body: (GraphConnection) async throws -> T) async throws -> T {
        let connection = try await open(options, logger: logger)
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
            graph: graph, journal: journal, graphBase: journalBase, uploadOrigin: embeddedOrigin, concurrency: concurrency,
            verify: verify, logger: logger)
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
