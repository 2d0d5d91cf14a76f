/// Where a transfer goes: a Graph client (its account, mailbox and credentials, its pacer and
/// request gate) and the name the journal keeps for its root.
///
/// A transfer keeps the target it was queued with to its end, so the screen can sign in as
/// someone else, or switch mailbox, while earlier transfers go on with their own.
public struct TransferTarget: Sendable {
    public var graph: GraphClient
    /// What the journal records as the Graph root (`embedded` for the built-in emulator).
    public var journalBase: String

    public init(graph: GraphClient, journalBase: String? = nil) {
        self.graph = graph
        self.journalBase = journalBase ?? graph.baseURL
    }
}
