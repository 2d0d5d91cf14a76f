/// The scopes of a sign-in, read from a space-separated `scope` parameter: Graph's delegated
/// permissions (bare, `Mail.ReadWrite`, or as URIs, `https://graph.microsoft.com/Mail.ReadWrite`,
/// in any case) and the OpenID Connect ones.
struct ScopeSet: Sendable, Hashable {
    /// Graph permissions, spelt as Graph checks them (`Mail.ReadWrite`).
    var graph: Set<String>
    /// Whether a refresh token comes with the tokens.
    var offlineAccess: Bool
    var email: Bool
    /// `openid` was asked for: only then does a token reply carry an `id_token`, as the
    /// identity platform documents ("only provided if openid scope was requested").
    var openID = false

    static let graphResource = "https://graph.microsoft.com/"

    /// The delegated Graph permissions the emulator knows, in their canonical spelling.
    static let knownGraph: [String] = [
        "Mail.Read", "Mail.ReadWrite", "Mail.Send", "Mail.Read.Shared", "Mail.ReadWrite.Shared", "Mail.Send.Shared",
        "Calendars.Read", "Calendars.ReadWrite", "Calendars.Read.Shared", "Calendars.ReadWrite.Shared",
        "User.Read", "User.ReadBasic.All", "Files.Read", "Files.ReadWrite", "Files.Read.All", "Files.ReadWrite.All",
    ]

    /// What `.default` stands for: every permission the app is registered with, here attache's.
    static let registered: Set<String> = ["Mail.ReadWrite", "Calendars.ReadWrite", "Mail.Send", "User.Read", "Files.ReadWrite"]

    /// Parses `scope`; throws `invalid_scope` for a scope the emulator does not know.
    init(parsing text: String) throws(IdentityError) {
        var graph: Set<String> = []
        var offline = false
        var email = false
        var openID = false
        for raw in text.split(separator: " ") {
            var name = String(raw)
            if name.lowercased().hasPrefix(Self.graphResource) { name = String(name.dropFirst(Self.graphResource.count)) }
            switch name.lowercased() {
            case "openid": openID = true
            case "profile": continue
            case "email": email = true
            case "offline_access": offline = true
            case ".default": graph.formUnion(Self.registered)
            default:
                guard let known = Self.knownGraph.first(where: { $0.lowercased() == name.lowercased() }) else {
                    throw IdentityError.invalidScope(String(raw))
                }
                graph.insert(known)
            }
        }
        self.graph = graph
        self.offlineAccess = offline
        self.email = email
        self.openID = openID
    }

    init(graph: Set<String>, offlineAccess: Bool, email: Bool = false, openID: Bool = false) {
        self.graph = graph
        self.offlineAccess = offlineAccess
        self.email = email
        self.openID = openID
    }

    /// The `scope` of a token reply: the Graph permissions, then the OpenID ones, as Microsoft
    /// lists them (`offline_access` is not repeated).
    var replyText: String {
        (graph.sorted() + ["profile", "openid"] + (email ? ["email"] : [])).joined(separator: " ")
    }

    /// Whether a refresh may ask for `other`: only what this sign-in was granted.
    func covers(_ other: ScopeSet) -> Bool {
        other.graph.isSubset(of: graph) && (!other.offlineAccess || offlineAccess)
    }
}
