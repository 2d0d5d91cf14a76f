import AttacheCore
import AttacheTUI
import Logging

/// The screen's session: opens the connection it starts in, and in place the one of the
/// account `L` signs in or of the mailbox `M` names, keeping every connection it opened (with
/// its HTTP client, and the embedded emulator) until the screen ends, since transfers queued
/// there may still be running.
actor ScreenConnections: ScreenSession {
    private var options: GlobalOptions
    private let logger: Logger
    /// Use the signed-in account even when a token was given (after `L`).
    private var preferAccount = false
    /// Every connection opened, the current one last.
    private var opened: [GraphConnection] = []

    init(options: GlobalOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// The connection the screen starts in.
    func open() async throws -> GraphConnection {
        // Signed out for a Graph root, the screen still opens, so that L can sign in.
        let connection = try await GraphConnection.open(options, logger: logger, preferAccount: preferAccount, allowSignedOut: true)
        opened.append(connection)
        return connection
    }

    func signedIn() async throws -> Workplace {
        preferAccount = true
        return Self.workplace(try await open())
    }

    func mailbox(_ address: String?) async throws -> Workplace {
        options.mailbox = address
        if let current = opened.last, current.embedded != nil {
            // The embedded emulator stays the one: a second would share its data folder.
            var switched = current
            switched.graph = await current.graph.inMailbox(address.map(GraphClient.mailboxPath(of:)) ?? "me")
            return Self.workplace(switched)
        }
        return Self.workplace(try await open())
    }

    /// Shuts every connection down, once the screen has ended.
    func closeAll() async {
        for connection in opened { await connection.close() }
        opened = []
    }

    static func workplace(_ connection: GraphConnection) -> Workplace {
        Workplace(
            graph: connection.graph, target: TransferTarget(graph: connection.graph, journalBase: connection.journalBase),
            account: connection.accountDescription)
    }
}
