import ArgumentParser
import AttacheCore
import Foundation
import GraphEmulator
import Logging

/// `attache serve`: runs the Graph emulator in the foreground.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the local Graph emulator (messages, events, attachments, upload sessions, sign-in).",
        usage: "attache serve [<options>]",
        discussion: """
            Prints `listening on http://HOST:PORT` as its first line. The Graph root is that \
            address plus /v1.0; the demo user's token is `attache-dev-token` unless --token says \
            otherwise. Stops on Ctrl-C or SIGTERM.

            The identity endpoints (device code, authorization code with PKCE, refresh) listen \
            on a port of their own, as login.microsoftonline.com is a host of its own: the line \
            `identity: http://127.0.0.1:PORT` gives the authority to sign in with. Their tokens \
            work on Graph until they expire.

            With --tls every listener speaks https, with a certificate the emulator's own \
            authority signed for 127.0.0.1, ::1 and localhost; the authority is made once and \
            kept as ca.pem in the data folder, and a last line `ca: PATH` names it. MSAL and \
            azure-identity then take the identity origin as an Entra authority (with instance \
            discovery off), and attache takes the Graph root with --ca-file PATH.

            It listens on loopback (127.0.0.1, ::1, localhost) unless told otherwise. Any other \
            --host lets other machines in, so it needs a --token of your own, not the documented \
            one; it then warns that it is reachable from the network.

            A connection that sends nothing for --idle-timeout seconds is closed: idle between \
            requests, or stalled mid-request. A slow upload that keeps sending is not cut off. A \
            body over the limit gets 413 and `Connection: close`, and the connection ends.

            --fixture walkthrough loads the seed walkthrough's two accounts and ids. The seed \
            prints no bearer token, so each account signs in with the one token the seed has \
            for it, its upload URL's authtoken: megan@walkthrough.test (the message) with \
            eyJhbGciOiJSUzI1NiIsImtpZCI6IktmYUNIUlN6bllHMmNI, adele@walkthrough.test (the event) \
            with eyJhbGciOiJSUzI1NiIsImtpZCI6IktmYUNIBtw. A token whose user is not in the \
            mailbox is named in a warning at start.

            Outlook's limits per mailbox hold, as on Outlook: 4 requests at once, 10,000 \
            requests per 10 minutes, 150 MB uploaded per 5 minutes; a request over one gets 429 \
            ApplicationThrottled with Retry-After and, as Outlook, no number in its message. --concurrent-limit, --request-limit and \
            --upload-limit change them ("off" lifts one), --no-limits lifts all three.
            """)

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "address"))
    var host: String = "127.0.0.1"

    @Option(help: ArgumentHelp("Port (0 picks a free one).", valueName: "port"))
    var port: Int = 8080

    @Option(help: ArgumentHelp("Where the mailbox is kept (default: the state directory's emulator/).", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("State directory, as for the other commands.", valueName: "dir"))
    var stateDir: String?

    @Option(help: ArgumentHelp(
        "The demo user's bearer token (default: \(EmulatorConfiguration.developerToken); a --host beyond loopback needs one of your own).",
        valueName: "token"))
    var token: String?

    @Option(help: ArgumentHelp(
        "Items to start with: demo, walkthrough (the seed's accounts and ids, with the seed's upload authtokens as their bearer tokens), or none.",
        valueName: "name"))
    var fixture: [String] = ["demo"]

    @Option(help: ArgumentHelp("Seconds an upload session lives.", valueName: "seconds"))
    var sessionLifetime: Int = 3600

    @Option(help: ArgumentHelp(
        "Misbehave on purpose, for testing clients: \(EmulatorConfiguration.Fault.allCases.map(\.rawValue).joined(separator: ", ")).",
        valueName: "fault"))
    var fault: [String] = []

    @Option(help: ArgumentHelp(
        "How the upload host spells ExpirationDateTime and NextExpectedRanges: pascal (as the seed) or camel.", valueName: "case"))
    var rangeKeyCase: String = EmulatorConfiguration.RangeKeyCase.pascal.rawValue

    @Option(help: ArgumentHelp("Milliseconds to wait before answering each ranged PUT (a slow link).", valueName: "ms"))
    var rangeDelay: Int = 0

    @Option(help: ArgumentHelp("Share of ranged PUTs that meet a made-up fault, from 0 to 1.", valueName: "rate"))
    var faultRate: Double = 0

    @Option(help: ArgumentHelp("Seed of the fault schedule, to replay a run.", valueName: "n"))
    var faultSeed: UInt64 = 1

    @Option(help: ArgumentHelp(
        "Faults to draw from (default: all): \(FaultInjection.Kind.allCases.map(\.rawValue).joined(separator: ", ")).",
        valueName: "kind"))
    var faultKind: [String] = []

    @Option(help: ArgumentHelp("Close a connection that sends nothing for this long, idle or mid-request (0: never).", valueName: "seconds"))
    var idleTimeout: Int = 60

    @Option(help: ArgumentHelp("Port of the upload URLs (0 picks a free one).", valueName: "port"))
    var uploadPort: Int = 0

    @Option(help: ArgumentHelp("The origin written into upload URLs, as scheme://host:port (default: the upload port's own).", valueName: "url"))
    var uploadOrigin: String?

    @Option(help: ArgumentHelp("Port of the identity endpoints (0 picks a free one).", valueName: "port"))
    var identityPort: Int = 0

    @Option(help: ArgumentHelp("Seconds an access token from the identity endpoints works on Graph.", valueName: "seconds"))
    var tokenLifetime: Int = 3600

    @Option(help: ArgumentHelp("Seconds a device-code client must wait between polls.", valueName: "seconds"))
    var deviceCodeInterval: Int = 5

    @Option(help: ArgumentHelp("Seconds a device code can be used.", valueName: "seconds"))
    var deviceCodeExpiry: Int = 900

    @Option(help: ArgumentHelp("Requests at once per mailbox, or off.", valueName: "n"))
    var concurrentLimit: String = "4"

    @Option(help: ArgumentHelp("Requests per mailbox per window, as N/TIME (10000/10m), or off.", valueName: "budget"))
    var requestLimit: String = "10000/10m"

    @Option(help: ArgumentHelp("Bytes uploaded per mailbox per window, as SIZE/TIME (150MiB/5m), or off.", valueName: "budget"))
    var uploadLimit: String = "150MiB/5m"

    @Flag(help: ArgumentHelp(
        "Speak https on all three listeners, with a certificate authority of the emulator's own (ca.pem in the data folder, made on first use).",
        discussion: "Trust it with --ca-file, SSL_CERT_FILE or REQUESTS_CA_BUNDLE: Microsoft's libraries (MSAL, azure-identity) take only an https authority."))
    var tls = false

    @Option(help: ArgumentHelp(
        "The tenant's maximum message size, or off: an upload, POST or send past it is refused with ErrorMessageSizeExceeded.",
        discussion: "35MiB is a new Exchange Online tenant's; an admin can raise it to 150MiB.", valueName: "size"))
    var maxMessageSize: String = "35MiB"

    @Option(help: ArgumentHelp("Bytes each user's OneDrive holds; an upload past it gets 507.", valueName: "size"))
    var driveQuota: String = "1024GiB"

    @Flag(help: "Refuse anonymous (\"anyone\") sharing links, as many tenants' admins do.")
    var noAnonymousLinks = false

    @Flag(help: "Lift Outlook's limits: any number of requests, at once and in all, and of bytes.")
    var noLimits = false

    @Flag(help: "Do not log each request to stderr.")
    var quiet = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard sessionLifetime > 0 else { throw ValidationError("--session-lifetime must be positive") }
        guard rangeDelay >= 0 else { throw ValidationError("--range-delay cannot be negative") }
        guard idleTimeout >= 0 else { throw ValidationError("--idle-timeout cannot be negative") }
        guard (0...65535).contains(uploadPort) else { throw ValidationError("--upload-port must be from 0 to 65535") }
        if let uploadOrigin, (try? HTTPURL(validating: uploadOrigin)) == nil || uploadOrigin.hasSuffix("/") {
            throw ValidationError("--upload-origin must be an http(s) origin such as http://127.0.0.1:9090")
        }
        guard (0...65535).contains(identityPort) else { throw ValidationError("--identity-port must be from 0 to 65535") }
        guard tokenLifetime > 0 else { throw ValidationError("--token-lifetime must be positive") }
        guard deviceCodeInterval >= 0 else { throw ValidationError("--device-code-interval cannot be negative") }
        guard deviceCodeExpiry > 0 else { throw ValidationError("--device-code-expiry must be positive") }
        if EmulatorConfiguration.exposure(host: host, tokens: [demoToken]) == .refused {
            // One line, and before anything listens.
            Console.error(
                "--host \(host) is not a loopback address: other machines could reach the mailbox, so give a token of your own with --token (not \(EmulatorConfiguration.developerToken)), or listen on 127.0.0.1")
            throw ExitCode(ExitCodes.usage)
        }
        for name in fixture where name != "none" && EmulatorConfiguration.Fixture(rawValue: name) == nil {
            throw ValidationError("--fixture must be demo, walkthrough or none")
        }
        _ = try limits()
        _ = try messageSizeLimit()
        guard let quota = UploadBudget.size(parsing: driveQuota), quota > 0 else {
            throw ValidationError("--drive-quota must be a size, such as 1024GiB or 500MB")
        }
        guard EmulatorConfiguration.RangeKeyCase(rawValue: rangeKeyCase) != nil else {
            throw ValidationError("--range-key-case must be pascal or camel")
        }
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be from 0 to 1") }
        for name in faultKind where FaultInjection.Kind(rawValue: name) == nil {
            throw ValidationError("--fault-kind must be one of: \(FaultInjection.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for name in fault where EmulatorConfiguration.Fault(rawValue: name) == nil {
            throw ValidationError("--fault must be one of: \(EmulatorConfiguration.Fault.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Outlook's limits as the options set them.
    func limits() throws -> OutlookLimits {
        guard !noLimits else { return .none }
        var limits = OutlookLimits()
        if concurrentLimit != "off" {
            guard let most = Int(concurrentLimit), most > 0 else { throw ValidationError("--concurrent-limit must be a positive number, or off") }
            limits.concurrentRequests = most
        }
        if requestLimit != "off" {
            let parts = requestLimit.split(separator: "/", maxSplits: 1)
            guard parts.count == 2, let count = Int64(parts[0]), count > 0, let window = try? UploadBudget(parsing: "1/" + parts[1]) else {
                throw ValidationError("--request-limit must read N/TIME, such as 10000/10m, or off")
            }
            limits.requests = .init(count, per: window.window)
        }
        if uploadLimit != "off" {
            do {
                let budget = try UploadBudget(parsing: uploadLimit)
                limits.uploadBytes = .init(budget.bytes, per: budget.window)
            } catch {
                throw ValidationError("--upload-limit \(error)")
            }
        }
        return limits
    }

    /// The maximum message size the option sets; `nil` for off.
    func messageSizeLimit() throws -> Int64? {
        guard maxMessageSize != "off" else { return nil }
        guard let size = UploadBudget.size(parsing: maxMessageSize), size > 0 else {
            throw ValidationError("--max-message-size must be a size, such as 35MiB or 150MiB, or off")
        }
        return size
    }

    /// The token given, or the documented one.
    var demoToken: String { token ?? EmulatorConfiguration.developerToken }

    func run() async throws {
        let dataDirectory = dataDir ?? AttachePaths(stateDirectory: stateDir).emulatorData
        var logger = Logger(label: "attache.serve") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        logger.logLevel = quiet ? .warning : .info
        var configuration = EmulatorConfiguration(
            host: host, port: port, dataDirectory: dataDirectory,
            fixtures: Set(fixture.compactMap(EmulatorConfiguration.Fixture.init(rawValue:))),
            tokens: [.init(token: demoToken, user: EmulatorConfiguration.demoUser)],
            sessionLifetime: .seconds(sessionLifetime),
            faults: Set(fault.compactMap(EmulatorConfiguration.Fault.init(rawValue:))),
            rangeDelay: .milliseconds(rangeDelay),
            faultInjection: faultRate > 0
                ? FaultInjection(rate: faultRate, seed: faultSeed, kinds: faultKind.compactMap(FaultInjection.Kind.init(rawValue:))) : nil,
            idleTimeout: idleTimeout > 0 ? .seconds(idleTimeout) : nil,
            identity: IdentityConfiguration(
                port: identityPort, accessTokenLifetime: .seconds(tokenLifetime), deviceCodeLifetime: .seconds(deviceCodeExpiry),
                deviceCodeInterval: .seconds(deviceCodeInterval)))
        configuration.uploadPort = uploadPort
        configuration.limits = try limits()
        configuration.maximumMessageSize = try messageSizeLimit()
        configuration.driveQuota = UploadBudget.size(parsing: driveQuota) ?? configuration.driveQuota
        configuration.anonymousLinks = !noAnonymousLinks
        configuration.uploadPublicOrigin = uploadOrigin
        configuration.rangeKeyCase = EmulatorConfiguration.RangeKeyCase(rawValue: rangeKeyCase) ?? .pascal
        if tls {
            do {
                configuration.tls = try EmulatorCertificates.loadOrMake(in: dataDirectory, host: host)
            } catch {
                Console.error("\(error)")
                throw ExitCode(ExitCodes.failed)
            }
        }
        // Trap before starting: the dispatch sources take a moment to arm, and a SIGTERM sent on
        // reading `listening on` must not be lost (one during the start is kept for after it).
        let (stops, stop) = AsyncStream<Int32>.makeStream()
        let trap = SignalTrap { signal in stop.yield(signal) }
        let emulator: RunningEmulator
        do {
            emulator = try await GraphEmulator.start(configuration, logger: logger)
        } catch {
            trap.cancel()
            Console.error("\(error)")
            throw ExitCode(ExitCodes.failed)
        }
        Console.out("listening on \(emulator.origin)")
        Console.out("graph root: \(emulator.graphBaseURL)  data: \(dataDirectory)")
        Console.out("identity: \(emulator.identityOrigin)")
        Console.out("uploads: \(uploadOrigin ?? emulator.uploadOrigin)")
        if let certificates = configuration.tls {
            // The authority to trust, for clients that check certificates (all of Microsoft's).
            Console.out("ca: \(certificates.authorityPath)")
        }
        for user in emulator.usersWithoutAccount {
            // Every request with that token would get a 401: say so once, here.
            let fixtures = fixture.joined(separator: ", ")
            Console.warning("the token for \(user) opens nothing: \(user) is not in this mailbox (fixtures: \(fixtures)); add --fixture demo, or use the tokens of the accounts it has")
        }
        if configuration.exposure == .network {
            Console.warning("listening on \(host), which other machines can reach: anyone who has the token can read and change the mailbox")
        }
        for await _ in stops { break }
        trap.cancel()
        await emulator.stop()
        Console.err("stopped")
    }
}
