/// Where and as which application attache signs in to the Microsoft identity platform.
public struct SignInSettings: Hashable, Sendable, Codable {
    /// `https://login.microsoftonline.com`, or a national cloud's, or the emulator's.
    public var authority: String
    /// `organizations`, `common`, `consumers`, a domain or a tenant GUID. A refresh must go
    /// through the same alias as the sign-in (another is refused with AADSTS7000012).
    public var tenant: String
    /// The application (client) id of a public client: no secret.
    public var clientID: String
    /// The delegated permissions asked for.
    public var scopes: [String]

    public static let defaultAuthority = "https://login.microsoftonline.com"
    public static let defaultTenant = "organizations"
    /// "Microsoft Graph Command Line Tools": a public client Microsoft publishes, which any
    /// tenant can consent to; docs/real-graph.md says how to register one's own.
    public static let defaultClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
    public static let defaultScopes = ["offline_access", "Mail.ReadWrite", "Calendars.ReadWrite", "Mail.Send", "User.Read", "Files.ReadWrite"]

    public init(
        authority: String = SignInSettings.defaultAuthority, tenant: String = SignInSettings.defaultTenant,
        clientID: String = SignInSettings.defaultClientID, scopes: [String] = SignInSettings.defaultScopes
    ) {
        var trimmed = authority
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.authority = trimmed
        self.tenant = tenant
        self.clientID = clientID
        self.scopes = scopes
    }

    var endpointBase: String { "\(authority)/\(GraphClient.escapeSegment(tenant))/oauth2/v2.0" }
    var deviceCodeURL: String { endpointBase + "/devicecode" }
    var tokenURL: String { endpointBase + "/token" }
    var authorizeURL: String { endpointBase + "/authorize" }
    var scope: String { scopes.joined(separator: " ") }
}
