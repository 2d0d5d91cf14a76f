/// How the emulator's identity endpoints (its `login.microsoftonline.com`) behave: which
/// applications may sign in, how long codes and tokens live, how a browser sign-in ends.
public struct IdentityConfiguration: Sendable {
    /// A registered application. Every one is a public client: it proves nothing with a
    /// secret, so a `client_secret` sent with its requests is refused.
    public struct Client: Sendable, Hashable {
        public var id: String
        public var name: String

        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }

        /// Microsoft's well-known "Microsoft Graph Command Line Tools" public client, attache's default.
        public static let graphCommandLineTools = Client(id: defaultClientID, name: "Microsoft Graph Command Line Tools")
    }

    /// What `GET …/oauth2/v2.0/authorize` does once the request itself is valid.
    public enum AuthorizeDecision: Sendable, Hashable {
        /// Signs in and redirects with a code: as `login_hint` when it names a known user,
        /// else as `user` (a UPN or object id), else as the demo user.
        case approve(user: String? = nil)
        /// Redirects with `error=access_denied`, as when the user cancels the consent screen.
        case deny
    }

    /// attache's default client id.
    public static let defaultClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

    /// The port of the identity listener; 0 picks a free one. It listens on the Graph host
    /// when that is loopback, else on 127.0.0.1: the verification page signs anyone in who
    /// knows a user code, so it never faces the network.
    public var port: Int
    /// The scheme, host and port written into `verification_uri` and `iss`; `nil` uses the
    /// request's own `Host`.
    public var publicOrigin: String?
    public var clients: [Client]
    /// How long an access token is accepted by Graph (`expires_in`), down to a second.
    public var accessTokenLifetime: Duration
    /// A refresh token unused for this long is refused (AADSTS700082); 90 days at Microsoft.
    public var refreshTokenIdleLifetime: Duration
    /// How long a device code may be polled for (`expires_in` of the devicecode reply).
    public var deviceCodeLifetime: Duration
    /// The least time between two polls of one device code (`interval`). Polling sooner gets
    /// `slow_down`, and from then on the client must wait 5 s more (RFC 8628). Zero never slows.
    public var deviceCodeInterval: Duration
    /// How long an authorization code may be redeemed for.
    public var authorizationCodeLifetime: Duration
    public var authorizeDecision: AuthorizeDecision

    public init(
        port: Int = 0,
        publicOrigin: String? = nil,
        clients: [Client] = [.graphCommandLineTools],
        accessTokenLifetime: Duration = .seconds(3600),
        refreshTokenIdleLifetime: Duration = .seconds(90 * 86_400),
        deviceCodeLifetime: Duration = .seconds(900),
        deviceCodeInterval: Duration = .seconds(5),
        authorizationCodeLifetime: Duration = .seconds(600),
        authorizeDecision: AuthorizeDecision = .approve()
    ) {
        self.port = port
        self.publicOrigin = publicOrigin
        self.clients = clients
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenIdleLifetime = refreshTokenIdleLifetime
        self.deviceCodeLifetime = deviceCodeLifetime
        self.deviceCodeInterval = deviceCodeInterval
        self.authorizationCodeLifetime = authorizationCodeLifetime
        self.authorizeDecision = authorizeDecision
    }
}
