/// A signed-in account: who, where it signed in, and which Graph it reaches. Nothing in it
/// is secret; its tokens live in a ``TokenStore``.
public struct Account: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The user principal name, as the ID token gave it (`ana@contoso.com`).
    public var username: String
    public var signIn: SignInSettings
    /// The Graph root: `https://graph.microsoft.com/v1.0`, or the emulator's.
    public var graph: String

    public static let defaultGraph = "https://graph.microsoft.com/v1.0"

    public init(username: String, signIn: SignInSettings, graph: String = Account.defaultGraph) {
        self.username = username
        self.signIn = signIn
        self.graph = graph
    }

    /// The key its tokens are stored under: one per user, authority, tenant alias and client.
    public var storageKey: String {
        "\(username.lowercased()) \(signIn.authority)/\(signIn.tenant) \(signIn.clientID)"
    }

    /// `ana@contoso.com (organizations)`.
    public var description: String {
        signIn.tenant == SignInSettings.defaultTenant ? username : "\(username) (\(signIn.tenant))"
    }
}
