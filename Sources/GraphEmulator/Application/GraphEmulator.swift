import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// A local server that answers like Microsoft Graph for what attache uses: messages,
/// events, attachments and upload sessions (with the upload URLs of `outlook.office.com`).
public enum GraphEmulator {
    /// Builds the emulator as a Hummingbird application over the store in `dataDirectory`.
    /// `onRunning` hears the bound port once the server listens. Throws
    /// ``EmulatorExposureError`` for a host beyond loopback with the documented token.
    public static func makeApplication(
        configuration: EmulatorConfiguration,
        dataDirectory: String,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        guard configuration.exposure != .refused else { throw EmulatorExposureError(host: configuration.host) }
        let store = try MailboxStore(dataDirectory: dataDirectory, logger: logger)
        try await MailboxSeeder.seed(store, fixtures: configuration.fixtures)
        try await store.sweepExpiredSessions()
        let responder = GraphResponder(
            store: store, configuration: configuration, stats: EmulatorStats(),
            faultSchedule: FaultSchedule(configuration.faultInjection), logger: logger,
            grantTable: try await GrantTable.resolve(configuration.tokens, in: store))
        let linger = TimeAmount(configuration.lingerTime)
        return Application(
            responder: responder,
            // Hummingbird's idle timeout counts silence since the last request part read or
            // reply finished: it ends idle connections, unfinished headers and stalled bodies
            // alike, never a request that keeps sending, and waits while a reply is made.
            server: .http1(
                configuration: HTTP1Channel.Configuration(
                    additionalChannelHandlers: [ClosingReplyHandler(linger: linger)],
                    idleTimeout: configuration.idleTimeout.map(TimeAmount.init))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "attache-graph-emulator"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// Starts the emulator in the background and returns once it listens.
    public static func start(_ configuration: EmulatorConfiguration = EmulatorConfiguration(), logger: Logger? = nil) async throws -> RunningEmulator {
        var logger = logger ?? Logger(label: "attache.emulator")
        if logger.logLevel < .warning, ProcessInfo.processInfo.environment["ATTACHE_EMULATOR_LOG"] == nil {
            logger.logLevel = .warning
        }
        let temporary = configuration.dataDirectory == nil
        let dataDirectory = configuration.dataDirectory ?? NSTemporaryDirectory() + "attache-emulator-\(EmulatorIDs.randomHex(bytes: 6))"
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let application = try await makeApplication(configuration: configuration, dataDirectory: dataDirectory, logger: logger) { port in
            portSink.yield(port)
            portSink.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let task = Task {
            do {
                try await group.run()
            } catch {
                logger.error("emulator stopped", metadata: ["error": "\(error)"])
            }
            portSink.finish()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            task.cancel()
            if temporary { try? FileManager.default.removeItem(atPath: dataDirectory) }
            throw EmulatorStartError(host: configuration.host, port: configuration.port)
        }
        return RunningEmulator(
            host: configuration.host, port: port, dataDirectory: dataDirectory, removesData: temporary, group: group, task: task)
    }
}

/// The emulator could not listen.
public struct EmulatorStartError: Error, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var description: String { "the Graph emulator could not listen on \(host):\(port) (is the port in use?)" }
}

/// An emulator running in this process.
public final class RunningEmulator: Sendable {
    public let host: String
    public let port: Int
    public let dataDirectory: String
    private let removesData: Bool
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    init(host: String, port: Int, dataDirectory: String, removesData: Bool, group: ServiceGroup, task: Task<Void, Never>) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.removesData = removesData
        self.group = group
        self.task = task
    }

    /// `http://127.0.0.1:PORT` (IPv6 hosts in brackets).
    public var origin: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// The Graph root to give clients: `http://127.0.0.1:PORT/v1.0`.
    public var graphBaseURL: String { origin + "/v1.0" }

    /// Stops the server and, for a temporary store, removes its data.
    public func stop() async {
        // Graceful: open connections finish their replies, then the server closes.
        await group.triggerGracefulShutdown()
        await task.value
        guard removesData else { return }
        // A handler whose client went away can still be finishing a write (a part file, the
        // store's WAL), so one removal can meet a file made meanwhile: try a few times.
        for _ in 0..<20 {
            try? FileManager.default.removeItem(atPath: dataDirectory)
            guard FileManager.default.fileExists(atPath: dataDirectory) else { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
