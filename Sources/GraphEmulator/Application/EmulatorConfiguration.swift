import Clocks
/// How the emulator runs: where it listens, where it keeps its data, whom it lets in.
public struct EmulatorConfiguration: Sendable {
    /// A bearer token the emulator accepts, for whom, with which permissions.
    public struct StaticToken: Sendable, Hashable {
        public var token: String
        /// The user it signs in: object id or UPN.
        public var user: String
        public var scopes: Set<String>

        public init(token: String, user: String, scopes: Set<String> = StaticToken.allScopes) {
            self.token = token
            self.user = user
            self.scopes = scopes
        }

        public static let allScopes: Set<String> = [
            "Mail.ReadWrite", "Calendars.ReadWrite", "Mail.Send", "Mail.ReadWrite.Shared", "Calendars.ReadWrite.Shared", "Mail.Send.Shared",
            "User.Read", "offline_access", "Files.ReadWrite",
        ]
        public static let readOnlyScopes: Set<String> = ["Mail.Read", "Calendars.Read", "User.Read"]
    }

    /// Which items the store starts with, the first time it opens a data directory.
    public enum Fixture: String, Sendable, Hashable, CaseIterable {
        /// A demo user with a few drafts and events, some with non-ASCII subjects.
        case demo
        /// The two accounts, the message `AAMkADI5MAAIT3drCAAA=` and the event
        /// `AAMkADU5CCmSAAA=` of the seed walkthrough, so its requests can be replayed verbatim.
        case walkthrough
    }

    /// How the upload host spells the keys of a session's state (`ExpirationDateTime`,
    /// `NextExpectedRanges`). Microsoft's clouds differ: outlook.office.com writes them
    /// PascalCase, as in the seed; others have been met writing them camelCase
    /// (msgraph-sdk-dotnet #2092, 21Vianet). A client must read both.
    public enum RangeKeyCase: String, Sendable, Hashable, CaseIterable {
        case pascal
        case camel
    }

    /// Misbehaviour on purpose, for tests of how clients cope.
    public enum Fault: String, Sendable, Hashable, CaseIterable {
        /// `createUploadSession` hands out upload URLs whose `authtoken` is wrong.
        case wrongUploadToken
        /// `…/$value` answers with the attachment's last byte flipped: for testing a client's
        /// check of what it uploaded (the stored bytes stay right).
        case corruptValue
    }

    /// The token the demo user signs in with, for local use and tests.
    public static let developerToken = "attache-dev-token"
    /// The walkthrough fixture's accounts and their tokens, taken whenever that fixture is
    /// loaded. The seed prints no bearer token; the only tokens it holds are the `authtoken`
    /// of each account's upload URL, so each serves as its account's token here: the seed's
    /// requests then replay with nothing made up.
    public static let walkthroughTokens: [StaticToken] = [
        StaticToken(token: "eyJhbGciOiJSUzI1NiIsImtpZCI6IktmYUNIUlN6bllHMmNI", user: "megan@walkthrough.test"),
        StaticToken(token: "eyJhbGciOiJSUzI1NiIsImtpZCI6IktmYUNIBtw", user: "adele@walkthrough.test"),
    ]
    /// The demo user's UPN.
    public static let demoUser = "demo@attache.test"
    /// A shared mailbox the demo user is a delegate of.
    public static let sharedMailbox = "shared@attache.test"

    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// Where the store lives; `nil` makes a temporary directory removed on stop.
    public var dataDirectory: String?
    public var fixtures: Set<Fixture>
    public var tokens: [StaticToken]
    /// How long an upload session lives after it is created.
    public var sessionLifetime: Duration
    /// The scheme, host and port written into `uploadUrl`, `Location` and `@odata.nextLink`;
    /// `nil` uses the request's own `Host`.
    public var publicOrigin: String?
    /// The largest body a Graph request may carry, as Graph counts it: 4 MiB (4,194,304 bytes)
    /// of JSON, base64 and envelope together. A `POST …/attachments` over it gets 413 whatever
    /// the file's size (msgraph-sdk-java #52 measured 3,145,611 bytes of file as the most).
    public var maximumRequestBody: Int
    /// The largest range one `PUT` may carry.
    public var maximumRangeLength: Int64
    public var faults: Set<Fault>
    /// Added before each ranged `PUT` is answered: a slow link, for watching progress.
    public var rangeDelay: Duration
    /// Added after `createUploadSession` has made the session, before it answers: a client
    /// that gives up waiting leaves a session behind unless it deals with the late reply.
    public var sessionReplyDelay: Duration = .zero
    /// Made-up link and server trouble on ranged `PUT`s; `nil` for none.
    public var faultInjection: FaultInjection?
    /// A connection that receives nothing for this long is closed: idle between requests,
    /// headers that never finish, a body that stalls. It measures silence, not length: an
    /// upload that keeps sending, however slowly, stays open. `nil` never closes one.
    public var idleTimeout: Duration?
    /// After a reply that ends its connection (a 413, whose body stays unread), how long the
    /// server still reads and drops what the client sends, so that a client that writes its
    /// whole body before it reads gets to the reply, before it closes.
    public var lingerTime: Duration
    /// The identity endpoints, on a listener of their own.
    public var identity: IdentityConfiguration
    /// Where the upload URLs are served: a listener of their own, as `outlook.office.com` is
    /// another host than `graph.microsoft.com` (0 picks a free port).
    public var uploadPort: Int = 0
    /// The scheme, host and port written into `uploadUrl` and the final `Location`; `nil`
    /// uses the upload listener's own address.
    public var uploadPublicOrigin: String?
    /// TLS on all three listeners (Graph, uploads, identity) with these certificates: every
    /// origin the emulator writes is then `https`. `nil` speaks plain http.
    public var tls: EmulatorCertificates?
    /// `https` with ``tls``, else `http`: the scheme of every origin the emulator writes.
    public var scheme: String { tls == nil ? "http" : "https" }
    /// The spelling of the upload host's keys: PascalCase by default, as the seed shows them.
    public var rangeKeyCase: RangeKeyCase = .pascal
    /// Outlook's throttling, per mailbox: on by default, as on Outlook.
    public var limits: OutlookLimits = .outlook
    /// The clock Outlook's windows are kept by (and their `Retry-After`s counted on): a
    /// test moves a manual one instead of waiting.
    public var clock: AttacheClock = .live
    /// Who may work in whose mailbox: a mailbox's address → its delegates' (lower case).
    /// They reach it through `/users/{address}` with the `.Shared` permissions.
    public var delegates: [String: Set<String>] = [sharedMailbox: [demoUser]]
    /// The tenant's maximum message size: an upload, a `POST` or a send that would make a
    /// message larger is refused with `ErrorMessageSizeExceeded`. A message counts its body
    /// and its attachments' sizes. `nil`: no limit but Outlook's 150 MiB per attachment
    /// (what tests of the upload protocol alone use); `attache serve` starts with
    /// ``newTenantMessageSize``.
    public var maximumMessageSize: Int64?
    /// Exchange Online's default for a new tenant: 35 MB (35,840 KB), which an admin can raise to 150 MB.
    public static let newTenantMessageSize: Int64 = 35 * 1024 * 1024
    /// Bytes each user's OneDrive holds: 1 TB by default, as a Microsoft 365 plan's.
    public var driveQuota: Int64 = 1024 * 1024 * 1024 * 1024
    /// Whether "anyone" links may be made; admins often turn them off.
    public var anonymousLinks = true

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        dataDirectory: String? = nil,
        fixtures: Set<Fixture> = [.demo],
        tokens: [StaticToken] = [StaticToken(token: developerToken, user: demoUser)],
        sessionLifetime: Duration = .seconds(3600),
        publicOrigin: String? = nil,
        maximumRequestBody: Int = 4 * 1024 * 1024,
        maximumRangeLength: Int64 = 4 * 1024 * 1024,
        faults: Set<Fault> = [],
        rangeDelay: Duration = .zero,
        faultInjection: FaultInjection? = nil,
        idleTimeout: Duration? = .seconds(60),
        lingerTime: Duration = .seconds(5),
        identity: IdentityConfiguration = IdentityConfiguration()
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.fixtures = fixtures
        self.tokens = tokens
        self.sessionLifetime = sessionLifetime
        self.publicOrigin = publicOrigin
        self.maximumRequestBody = maximumRequestBody
        self.maximumRangeLength = maximumRangeLength
        self.faults = faults
        self.rangeDelay = rangeDelay
        self.faultInjection = faultInjection
        self.idleTimeout = idleTimeout
        self.lingerTime = lingerTime
        self.identity = identity
    }
}
