import Clocks
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle

/// A local server that answers like Microsoft Graph for what attache uses: messages,
/// events, attachments and upload sessions (with the upload URLs of `outlook.office.com`),
/// and, on an origin of its own as `login.microsoftonline.com` is, the sign-in endpoints of
/// the Microsoft identity platform whose tokens its Graph takes.
public enum GraphEmulator {
    /// One of the three listeners.
    public enum Listener: Sendable, Hashable, CaseIterable {
        /// Graph (`graph.microsoft.com`).
        case graph
        /// The upload URLs (`outlook.office.com`): nothing else is served there, and Graph
        /// does not serve them.
        case upload
        /// The identity endpoints (the authority).
        case identity
    }

    /// Builds the emulator as three Hummingbird applications over the store in
    /// `dataDirectory`: Graph, the upload host, and the identity endpoints. `onRunning` hears each bound port
    /// once its server listens. Throws ``EmulatorExposureError`` for a host beyond loopback
    /// with the documented token.
    public static func makeApplications(
        configuration: EmulatorConfiguration,
        dataDirectory: String,
        logger: Logger,
        onRunning: @escaping @Sendable (Listener, Int) async -> Void = { _, _ in }
    ) async throws -> (
        graph: some ApplicationProtocol, upload: some ApplicationProtocol, identity: some ApplicationProtocol, usersWithoutAccount: [String]
    ) {
        guard configuration.exposure != .refused else { throw EmulatorExposureError(host: configuration.host) }
        let store = try MailboxStore(dataDirectory: dataDirectory, logger: logger)
        try await MailboxSeeder.seed(store, fixtures: configuration.fixtures)
        try await store.sweepExpiredSessions(now: configuration.clock.date)
        let fixtureTokens = configuration.fixtures.contains(.walkthrough) ? EmulatorConfiguration.walkthroughTokens : []
        let grantTable = try await GrantTable.resolve(configuration.tokens + fixtureTokens, in: store)
        let identity = IdentityStore(configuration: configuration.identity, clock: configuration.clock)
        let origins = ListenerOrigins()
        let responder = GraphResponder(
            store: store, drive: try DriveStore(directory: (store.dataDirectory as NSString).appendingPathComponent("drive")), configuration: configuration, stats: EmulatorStats(),
            faultSchedule: FaultSchedule(configuration.faultInjection), logger: logger,
            identity: identity, origins: origins, throttle: MailboxThrottle(configuration.limits), grantTable: grantTable)
        var uploadResponder = responder
        uploadResponder.listener = .upload
        let identityResponder = IdentityResponder(
            store: identity, directory: TenantDirectory(users: try await store.users()), configuration: configuration,
            grantTable: grantTable, origins: origins, logger: logger)
        let identityHost = identityHost(for: configuration)
        let graph = try listener(responder, host: configuration.host, port: configuration.port, name: "graph", configuration, logger) { port in
            origins.setGraph(configuration.publicOrigin ?? ListenerOrigins.origin(host: configuration.host, port: port, scheme: configuration.scheme))
            await onRunning(.graph, port)
        }
        let upload = try listener(uploadResponder, host: configuration.host, port: configuration.uploadPort, name: "upload", configuration, logger) { port in
            origins.setUpload(configuration.uploadPublicOrigin ?? ListenerOrigins.origin(host: configuration.host, port: port, scheme: configuration.scheme))
            await onRunning(.upload, port)
        }
        let login = try listener(identityResponder, host: identityHost, port: configuration.identity.port, name: "identity", configuration, logger) { port in
            origins.setIdentity(configuration.identity.publicOrigin ?? ListenerOrigins.origin(host: identityHost, port: port, scheme: configuration.scheme))
            await onRunning(.identity, port)
        }
        return (graph, upload, login, grantTable.missingUsers)
    }

    /// The `size` Outlook reports for a file of `bytes`: more than the file, since it counts
    /// the stored item's overhead. The seed's 3483322-byte file reads back as 3640066; the
    /// same ratio (about 4.5 %) is applied to every file, rounded to the nearest byte, so no
    /// client can match an attachment by its exact size and pass here.
    public static func reportedSize(ofBytes bytes: Int64) -> Int64 {
        let (seedBytes, seedSize): (Int64, Int64) = (3_483_322, 3_640_066)
        // In 128-bit arithmetic: 150 MB × 3640066 overflows 64 bits.
        let scaled = Int128(bytes) * Int128(seedSize) * 2 / Int128(seedBytes)
        return Int64((scaled + 1) / 2)
    }

    /// One listener: `responder` on `host:port` (0 picks one); `bound` hears the port it got.
    private static func listener<Responder: HTTPResponder>(
        _ responder: Responder, host: String, port: Int, name: String, _ configuration: EmulatorConfiguration, _ logger: Logger,
        bound: @escaping @Sendable (Int) async -> Void
    ) throws -> some ApplicationProtocol where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        Application(
            responder: responder,
            server: try server(configuration),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "attache-\(name)-emulator"),
            onServerRunning: { channel in await bound(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// The identity listener's host: the Graph host when that is loopback, else 127.0.0.1.
    /// Its device login page signs in whoever knows a user code, so it stays on this machine.
    static func identityHost(for configuration: EmulatorConfiguration) -> String {
        EmulatorConfiguration.isLoopback(configuration.host) ? configuration.host : "127.0.0.1"
    }

    private static func server(_ configuration: EmulatorConfiguration) throws -> HTTPServerBuilder {
        // Hummingbird's idle timeout counts silence since the last request part read or
        // reply finished: it ends idle connections, unfinished headers and stalled bodies
        // alike, never a request that keeps sending, and waits while a reply is made.
        let http: HTTPServerBuilder = .http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [ClosingReplyHandler(linger: TimeAmount(configuration.lingerTime))],
                idleTimeout: configuration.idleTimeout.map(TimeAmount.init)))
        guard let tls = configuration.tls else { return http }
        return try .tls(http, tlsConfiguration: try tls.serverConfiguration())
    }

    /// Starts the emulator in the background and returns once all three listeners listen.
    public static func start(_ configuration: EmulatorConfiguration = EmulatorConfiguration(), logger: Logger? = nil) async throws -> RunningEmulator {
        var logger = logger ?? Logger(label: "attache.emulator")
        if logger.logLevel < .warning, ProcessInfo.processInfo.environment["ATTACHE_EMULATOR_LOG"] == nil {
            logger.logLevel = .warning
        }
        let temporary = configuration.dataDirectory == nil
        let dataDirectory = configuration.dataDirectory ?? NSTemporaryDirectory() + "attache-emulator-\(EmulatorIDs.randomHex(bytes: 6))"
        let (ports, portSink) = AsyncStream<(Listener, Int)>.makeStream()
        let applications = try await makeApplications(configuration: configuration, dataDirectory: dataDirectory, logger: logger) { listener, port in
            portSink.yield((listener, port))
        }
        let group = ServiceGroup(configuration: .init(services: [applications.graph, applications.upload, applications.identity], logger: logger))
        let task = Task {
            do {
                try await group.run()
            } catch {
                logger.error("emulator stopped", metadata: ["error": "\(error)"])
            }
            portSink.finish()
        }
        var bound: [Listener: Int] = [:]
        for await (listener, port) in ports {
            bound[listener] = port
            if bound.count == Listener.allCases.count { break }
        }
        guard let port = bound[.graph], let uploadPort = bound[.upload], let identityPort = bound[.identity] else {
            await group.triggerGracefulShutdown()
            await task.value
            if temporary { try? FileManager.default.removeItem(atPath: dataDirectory) }
            let failed =
                bound[.graph] == nil
                ? (configuration.host, configuration.port)
                : bound[.upload] == nil ? (configuration.host, configuration.uploadPort) : (identityHost(for: configuration), configuration.identity.port)
            throw EmulatorStartError(host: failed.0, port: failed.1)
        }
        return RunningEmulator(
            scheme: configuration.scheme, host: configuration.host, port: port, uploadPort: uploadPort, identityHost: identityHost(for: configuration),
            identityPort: identityPort,
            dataDirectory: dataDirectory, removesData: temporary, group: group, task: task, usersWithoutAccount: applications.usersWithoutAccount)
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
    /// `https` when the emulator speaks TLS (``EmulatorConfiguration/tls``), else `http`.
    public let scheme: String
    public let host: String
    public let port: Int
    /// Where the upload URLs are served, on the Graph host.
    public let uploadPort: Int
    /// Where the identity endpoints listen: the Graph host when it is loopback, else 127.0.0.1.
    public let identityHost: String
    public let identityPort: Int
    public let dataDirectory: String
    /// The users configured tokens name who have no account in the store (the demo user,
    /// when only `--fixture walkthrough` was loaded): their tokens open nothing.
    public let usersWithoutAccount: [String]
    private let removesData: Bool
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    init(
        scheme: String, host: String, port: Int, uploadPort: Int, identityHost: String, identityPort: Int, dataDirectory: String, removesData: Bool, group: ServiceGroup,
        task: Task<Void, Never>, usersWithoutAccount: [String]
    ) {
        self.usersWithoutAccount = usersWithoutAccount
        self.scheme = scheme
        self.host = host
        self.port = port
        self.uploadPort = uploadPort
        self.identityHost = identityHost
        self.identityPort = identityPort
        self.dataDirectory = dataDirectory
        self.removesData = removesData
        self.group = group
        self.task = task
    }

    /// `http://127.0.0.1:PORT` (`https` with TLS; IPv6 hosts in brackets).
    public var origin: String {
        ListenerOrigins.origin(host: host, port: port, scheme: scheme)
    }

    /// `http://127.0.0.1:PORT` of the upload host, which `uploadUrl`s name.
    public var uploadOrigin: String {
        ListenerOrigins.origin(host: host, port: uploadPort, scheme: scheme)
    }

    /// The authority to give clients, as `https://login.microsoftonline.com` is:
    /// `http://127.0.0.1:PORT`, under which `/{tenant}/oauth2/v2.0/…` are served.
    public var identityOrigin: String {
        ListenerOrigins.origin(host: identityHost, port: identityPort, scheme: scheme)
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
