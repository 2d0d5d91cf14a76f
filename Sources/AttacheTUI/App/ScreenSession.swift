import AttacheCore

/// Where the screen works: an account's Graph, in one mailbox, and how the title names it.
public struct Workplace: Sendable {
    public var graph: GraphClient
    /// Where the transfers queued from now on go.
    public var target: TransferTarget
    /// `demo@attache.test · embedded Graph emulator`, `Ana <ana@contoso.com> · shared@…`.
    public var account: String

    public init(graph: GraphClient, target: TransferTarget, account: String) {
        self.graph = graph
        self.target = target
        self.account = account
    }
}

/// Opens the screen's workplaces: the front end owns the connection's set-up (the embedded
/// emulator, TLS, configuration), the account and its credentials. The screen swaps the one
/// it works in when `L` signs in or `M` switches mailbox, keeping its tab, selection and
/// filters; transfers already queued go on with the workplace they were queued in.
public protocol ScreenSession: Sendable {
    /// The account just signed in, in the mailbox the screen works in.
    func signedIn() async throws -> Workplace
    /// Another mailbox (`nil`: one's own), as the account the screen works as.
    func mailbox(_ address: String?) async throws -> Workplace
}
