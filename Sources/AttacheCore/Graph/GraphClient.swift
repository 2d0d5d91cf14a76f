import Clocks
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOPosix
import NIOHTTP1
import NIOSSL

/// A typed client for the parts of Microsoft Graph that attache uses.
///
/// The bearer token goes only to URLs under ``baseURL``; upload URLs are pre-authenticated
/// and get no `Authorization` header. Errors come as ``GraphError`` (or `CancellationError`).
public struct GraphClient: Sendable {
    /// The Graph root, such as `https://graph.microsoft.com/v1.0` or `http://127.0.0.1:PORT/v1.0`.
    public let baseURL: String
    /// The mailbox path under the root: `me`.
    public let mailbox: String
    /// How long a JSON request may take, head to last byte; once a ranged `PUT`'s reply has
    /// begun, how long the rest of it may take.
    public var requestTimeout: TimeAmount = .seconds(60)
    /// ``requestTimeout`` as a `Duration`, for callers that do not use NIO's types.
    public var requestTimeLimit: Duration {
        get { requestTimeout.duration }
        set { requestTimeout = .milliseconds(newValue.milliseconds) }
    }
    /// How long a ranged `PUT` may go without a byte of its body being taken before it is
    /// given up on. A range that keeps moving, however slowly, is never cut off.
    public var stallTimeout: Duration = .seconds(120)
    /// How many pages of one list (`@odata.nextLink` after `@odata.nextLink`) are read at
    /// most: 500 pages of Graph's usual 10 to 50 items are far more than any list attache
    /// shows, and a server that pages on for ever is stopped there.
    public var maximumPages = 500

    let http: HTTPClient
    let credentials: any AccessTokenProvider
    let logger: Logger
    /// Requests under way to this mailbox, at most Outlook's 4; shared by every copy.
    public let gate: RequestGate
    /// What this mailbox may be sent per window; shared by every copy.
    public let pacer: UploadPacer
    /// Graph's time, from the `Date` of its replies; shared by every copy.
    public let serverClock: ServerClock
    /// The clock stalls are timed by; the pacer has its own, usually the same.
    public let clock: AttacheClock

    public init(
        baseURL: String, http: HTTPClient, credentials: any AccessTokenProvider, logger: Logger, mailbox: String = "me",
        gate: RequestGate = RequestGate(), pacer: UploadPacer? = nil, serverClock: ServerClock = ServerClock(), clock: AttacheClock = .live
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.http = http
        self.credentials = credentials
        self.logger = logger
        self.mailbox = mailbox
        self.gate = gate
        self.pacer = pacer ?? UploadPacer(clock: clock)
        self.serverClock = serverClock
        self.clock = clock
    }

    /// The same account's client for another mailbox under the same root (`me`, or a shared
    /// mailbox's path): the same HTTP client and credentials; the limits, which Outlook
    /// keeps per mailbox, of its own, with the same budget to start from.
    public func inMailbox(_ path: String) async -> GraphClient {
        GraphClient(
            baseURL: baseURL, http: http, credentials: credentials, logger: logger, mailbox: path, gate: RequestGate(),
            pacer: UploadPacer(budget: await pacer.budget, clock: pacer.clock), serverClock: serverClock, clock: clock)
    }

    /// The path of a shared or delegated mailbox under the root: `users/shared@contoso.com`.
    public static func mailboxPath(of address: String) -> String {
        "users/" + escapeSegment(address).replacingOccurrences(of: "%40", with: "@")
    }

    /// Whether requests go to another user's mailbox than the signed-in user's.
    public var isOtherMailbox: Bool { mailbox != "me" }

    /// The address of that other mailbox, when it is one.
    public var mailboxAddress: String? {
        isOtherMailbox ? AttachmentLocation.percentDecode(String(mailbox.dropFirst("users/".count))) : nil
    }

    /// `scheme://host[:port]` of ``baseURL``.
    public var origin: String { Self.origin(of: baseURL) }

    /// Makes an `HTTPClient` configured for Graph: no redirects (a redirect could carry the
    /// token elsewhere), bounded connect time, certificates always checked. The caller shuts
    /// it down.
    ///
    /// - Parameter extraTrustRoots: certificate authorities to trust besides the system's (a
    ///   corporate proxy's), as ``loadTrustRoots(_:)`` read them from `--ca-file` or `SSL_CERT_FILE`.
    public static func makeHTTPClient(extraTrustRoots: [NIOSSLCertificate]? = nil) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(120))
        )
        if let extraTrustRoots {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.certificates(extraTrustRoots)]
            configuration.tlsConfiguration = tls
        }
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        // A refused connection fails the request at once: the upload's own retry policy
        // decides what happens next (the pool would retry silently until the deadline).
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .automatic
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Reads a PEM file of certificate authorities, once, before any connection: read at
    /// the first handshake instead, a file that is not PEM would fail that handshake as if
    /// the server's certificate were at fault, and a FIFO would hang it.
    /// - Throws: ``TrustRootsError`` saying what is wrong with the file.
    public static func loadTrustRoots(_ path: String) throws(TrustRootsError) -> [NIOSSLCertificate] {
        let data: Data
        do throws(RegularFile.Problem) {
            data = try RegularFile.read(path)
        } catch {
            throw TrustRootsError(path: path, problem: error.description)
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(data))
        } catch {
            throw TrustRootsError(path: path, problem: "holds no PEM certificate attache can read")
        }
        guard !certificates.isEmpty else { throw TrustRootsError(path: path, problem: "holds no PEM certificate") }
        return certificates
    }

    // MARK: URLs

    /// `base/me/messages/{id}` and below, each segment percent-encoded.
    func itemURL(_ item: ItemReference, _ tail: String...) -> String {
        var url = "\(baseURL)/\(mailbox)/\(item.kind.collection)/\(Self.escapeSegment(item.id))"
        for segment in tail { url += "/" + segment }
        return url
    }

    /// A path segment, escaped; `=` kept, as Graph's ids end in it.
    static func escapeSegment(_ segment: String) -> String {
        segment.percentEncoded(keeping: [UInt8(ascii: "=")])
    }

    /// The host of `url`, for messages: never its path or query.
    static func host(of url: String) -> String? {
        try? HTTPURL(validating: url).host
    }

    static func origin(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        return String(url[..<end]).lowercased()
    }

    // MARK: Sending

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    enum Authorization {
        /// A Graph URL: send the bearer token.
        case bearer
        /// An upload URL: it carries its own token; send none.
        case preAuthenticated
    }

    /// Sends one request and reads the whole reply (up to `replyLimit` bytes).
    /// Non-2xx replies become ``GraphError`` with the server's code and message.
    func send(
        _ method: HTTPMethod,
        _ url: String,
        authorization: Authorization,
        headers: HTTPHeaders = [:],
        body: HTTPClientRequest.Body? = nil,
        operation: String,
        timeout: TimeAmount? = nil,
        replyLimit: Int = 32 * 1024 * 1024,
        onHead: (@Sendable () -> Void)? = nil
    ) async throws -> Reply {
        try await gate.withPlace {
            try await sendNow(
                method, url, authorization: authorization, headers: headers, body: body, operation: operation, timeout: timeout,
                replyLimit: replyLimit, onHead: onHead)
        }
    }

    /// ``send(_:_:authorization:headers:body:operation:timeout:replyLimit:onHead:)`` once it holds a place.
    private func sendNow(
        _ method: HTTPMethod, _ url: String, authorization: Authorization, headers: HTTPHeaders, body: HTTPClientRequest.Body?,
        operation: String, timeout: TimeAmount?, replyLimit: Int, onHead: (@Sendable () -> Void)?
    ) async throws -> Reply {
        // The whole reply, head to last byte, gets `timeout`: the HTTP client's deadline ends
        // with the head, and its read timeout starts again with each byte of the body. Once
        // the head is in, the body gets no more than ``requestTimeout`` either (a ranged PUT
        // takes long to send, not to be answered).
        let whole = (timeout ?? requestTimeout).duration
        let started = ContinuousClock.now
        let exchange = try await exchange(
            method, url, authorization: authorization, headers: headers, body: body, operation: operation, timeout: timeout)
        let response = exchange.response
        onHead?()
        let headed = ContinuousClock.now
        let (deadline, limit) = started + whole <= headed + requestTimeout.duration
            ? (started + whole, whole) : (headed + requestTimeout.duration, requestTimeout.duration)
        let bytes: ByteBuffer
        do {
            bytes = try await Self.collect(response.body, upTo: replyLimit, by: deadline, limit: limit, operation: operation)
        } catch is NIOTooManyBytesError {
            throw GraphError(
                kind: .malformedReply, message: "the reply was larger than \(ByteCount(Int64(replyLimit))), more than any Graph reply",
                operation: operation, isUploadSession: authorization == .preAuthenticated, host: Self.host(of: url))
        } catch {
            throw Self.transportError(error, operation: operation, url: url, authorization: authorization)
        }
        let reply = Reply(status: Int(response.status.code), headers: response.headers, body: bytes)
        guard (200..<300).contains(reply.status) else {
            var error = Self.errorFromReply(reply, operation: operation, secrets: exchange.secrets)
            error.isUploadSession = authorization == .preAuthenticated
            error.host = Self.host(of: url)
            throw error
        }
        return reply
    }

    /// A response with its body unread, and the secrets its request carried, which the
    /// reply must not be allowed to show anyone.
    struct Exchange {
        var response: HTTPClientResponse
        /// The bearer token sent, or the upload URL and its query.
        var secrets: [String]
    }

    /// Sends one request and hands back the response with its body unread, for streaming.
    func exchange(
        _ method: HTTPMethod,
        _ url: String,
        authorization: Authorization,
        headers: HTTPHeaders = [:],
        body: HTTPClientRequest.Body? = nil,
        operation: String,
        timeout: TimeAmount? = nil
    ) async throws -> Exchange {
        do {
            _ = try HTTPURL(validating: url)
        } catch {
            // Only URLs from a reply get here unchecked: `--graph` is checked when parsed.
            throw GraphError(kind: .malformedReply, message: "the server gave a URL attache cannot use (\(error))", operation: operation)
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers
        request.body = body
        var token: String?
        switch authorization {
        case .bearer:
            // The token goes to the Graph root only, never to another host named in a reply.
            guard Self.origin(of: url) == origin else {
                throw GraphError(kind: .malformedReply, message: "the server pointed to another host", operation: operation)
            }
            do {
                token = try await credentials.accessToken()
                try UnusableTokenError.check(token!, from: "the signed-in account")
            } catch {
                throw Self.signInFailure(error, operation: operation)
            }
            request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token!)")
        case .preAuthenticated:
            request.headers.remove(name: "Authorization")
        }
        request.headers.replaceOrAdd(name: "User-Agent", value: "attache/\(AttacheVersion.current)")
        let secrets = token.map { [$0] } ?? Redaction.secrets(ofURL: url)
        var response = try await perform(request, url: url, authorization: authorization, operation: operation, timeout: timeout)
        guard let token, response.status == .unauthorized else { return Exchange(response: response, secrets: secrets) }
        // Refused: an expired or revoked token. Read why; when it is the token, get a new one
        // and send the request once more. Requests to Graph carry bytes, never a stream (only
        // ranged PUTs stream, and they go to upload URLs), so the body can go again.
        let body = await Self.collectErrorBody(response.body, within: requestTimeout.duration)
        let refusal = Self.errorFromReply(.init(status: 401, headers: response.headers, body: body), operation: operation, secrets: secrets)
        guard refusal.code == "InvalidAuthenticationToken" else { throw refusal }
        let fresh: String?
        do {
            fresh = try await credentials.tokenRejected(token)
            if let fresh { try UnusableTokenError.check(fresh, from: "the signed-in account") }
        } catch {
            throw Self.signInFailure(error, operation: operation)
        }
        guard let fresh, fresh != token else { throw refusal }
        logger.info("graph refused the access token; trying once more with a new one")
        request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(fresh)")
        response = try await perform(request, url: url, authorization: authorization, operation: operation, timeout: timeout)
        return Exchange(response: response, secrets: [token, fresh])
    }

    /// Sends `request` as it is and logs it (never the URL of an upload session).
    private func perform(
        _ request: HTTPClientRequest, url: String, authorization: Authorization, operation: String, timeout: TimeAmount?
    ) async throws -> HTTPClientResponse {
        let started = ContinuousClock.now
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout ?? requestTimeout, logger: Self.httpClientLogger)
        } catch {
            throw Self.transportError(error, operation: operation, url: url, authorization: authorization)
        }
        // Graph's own clock (not the upload host's): the one its attachments are stamped by.
        if authorization == .bearer, let date = response.headers.first(name: "Date") { serverClock.observe(dateHeader: date) }
        logger.debug(
            "graph request",
            metadata: [
                "method": "\(request.method.rawValue)",
                "target": "\(authorization == .bearer ? Self.pathForLog(url) : "upload session")",
                "status": "\(response.status.code)",
                "ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
        return response
    }

    /// A reply's whole body, read by `deadline` (`limit` after the request or its reply
    /// began); a body still coming then is a reply that did not come, however steadily it
    /// trickles.
    static func collect(
        _ body: HTTPClientResponse.Body, upTo maximum: Int, by deadline: ContinuousClock.Instant, limit: Duration, operation: String
    ) async throws -> ByteBuffer {
        guard let bytes = try await Deadline.run(by: deadline, { try await body.collect(upTo: maximum) }) else {
            throw GraphError(
                kind: .noReply, code: GraphError.timedOut, message: "the reply did not come whole within \(TransferFormat.clock(limit.seconds))",
                operation: operation)
        }
        return bytes
    }

    /// The body of an error reply, for its message: what came within `limit`, else nothing.
    static func collectErrorBody(_ body: HTTPClientResponse.Body, within limit: Duration) async -> ByteBuffer {
        let bytes = try? await Deadline.run(by: .now + limit) { try await body.collect(upTo: 1 << 20) }
        return (bytes ?? nil) ?? ByteBuffer()
    }

    /// No token could be had: not signed in, or the sign-in must be renewed.
    static func signInFailure(_ error: any Error, operation: String) -> GraphError {
        if let error = error as? UnusableTokenError {
            return GraphError(kind: .status(401), code: "UnusableToken", message: error.description, operation: operation)
        }
        if let error = error as? SignInError {
            if error.kind == .unreachable {
                // The identity platform, not Graph: a hint about --graph would mislead.
                return GraphError(kind: .noReply, code: GraphError.identityUnreachable, message: error.message, operation: operation)
            }
            return GraphError(kind: .status(401), code: "SignInRequired", message: error.description, operation: operation)
        }
        return GraphError(kind: .status(401), code: "NoToken", message: Redaction.scrub("\(error)"), operation: operation)
    }

    /// What the HTTP client itself may log: nothing. At trace level it prints the first and
    /// last bytes of every reply, which can hold an upload URL's `authtoken`; attache logs
    /// each request itself, without secrets.
    static let httpClientLogger = Logger(label: "attache.http-client", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The path and query of a Graph URL (no host); never used for upload URLs.
    static func pathForLog(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        return String(rest[(rest.firstIndex(of: "/") ?? rest.endIndex)...])
    }

    /// A TLS handshake that failed, by what failed: the server's certificate (which
    /// `--ca-file` may fix), a server that does not speak TLS at all (an https URL on a
    /// plain-HTTP port), or the handshake otherwise. `nil` when `error` is not about TLS.
    ///
    /// BoringSSL's reasons reach Swift only as its own reason strings (NIOSSL keeps the
    /// codes private), so those of a BoringSSL error, and nothing else, are read by name.
    static func tlsFailure(_ error: any Error, operation: String) -> GraphError? {
        let reasons: String
        switch error {
        case let error as NIOSSLError:
            guard case .handshakeFailed(let boring) = error else {
                return GraphError(kind: .noReply, code: GraphError.tlsFailed, message: "the TLS connection failed (\(error))", operation: operation)
            }
            reasons = "\(boring)"
        case let error as BoringSSLError:
            reasons = "\(error)"
        case let error as NIOSSLExtraError:
            return GraphError(
                kind: .noReply, code: GraphError.certificateNotTrusted, message: "the server's certificate is not trusted (\(error))",
                operation: operation)
        default:
            return nil
        }
        if reasons.contains("CERTIFICATE_VERIFY_FAILED") {
            return GraphError(
                kind: .noReply, code: GraphError.certificateNotTrusted,
                message: "the server's certificate is not trusted (no authority attache trusts signed it)", operation: operation)
        }
        // A first reply that is no TLS record: plain HTTP, most often.
        let notTLS = ["WRONG_VERSION_NUMBER", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG", "RECORD_LENGTH_MISMATCH", "UNEXPECTED_RECORD"]
        if notTLS.contains(where: reasons.contains) {
            return GraphError(kind: .noReply, code: GraphError.notTLS, message: "the server does not speak TLS there", operation: operation)
        }
        let short = reasons.count > 120 ? String(reasons.prefix(120)) + "…" : reasons
        return GraphError(kind: .noReply, code: GraphError.tlsFailed, message: "the TLS handshake failed (\(short))", operation: operation)
    }

    /// Why a connection could not be made, from the errno of each attempt.
    static func connectionFailure(_ error: NIOConnectionError) -> String {
        let codes = error.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
        if codes.contains(ECONNREFUSED) { return "connection refused" }
        if codes.contains(ENETUNREACH) || codes.contains(EHOSTUNREACH) { return "no route to the host" }
        if error.dnsAError != nil, error.dnsAAAAError != nil, error.connectionErrors.isEmpty { return "the host's name could not be resolved" }
        return "the connection could not be made"
    }

    /// ``transportError(_:operation:)``, saying where the request went: an upload URL's
    /// host is not Graph's, and a message must not send the user to check `--graph`.
    static func transportError(_ error: any Error, operation: String, url: String, authorization: Authorization) -> any Error {
        guard var graphError = transportError(error, operation: operation) as? GraphError else {
            return transportError(error, operation: operation)
        }
        graphError.isUploadSession = authorization == .preAuthenticated
        graphError.host = host(of: url)
        return graphError
    }

    static func transportError(_ error: any Error, operation: String) -> any Error {
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        if let graphError = error as? GraphError { return graphError }
        if let clientError = error as? HTTPClientError {
            if clientError == .cancelled { return CancellationError() }
            let reason: String
            switch clientError {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout: reason = "timed out"
            case .remoteConnectionClosed: reason = "the server closed the connection"
            default: reason = Self.describe(clientError)
            }
            return GraphError(kind: .noReply, message: reason, operation: operation)
        }
        if let parserError = error as? HTTPParserError {
            // Bytes came back, but not an HTTP reply: the server is there, and wrong.
            return GraphError(kind: .malformedReply, message: "the reply is not HTTP (\(parserError))", operation: operation)
        }
        if let tlsError = tlsFailure(error, operation: operation) { return tlsError }
        if let ioError = error as? IOError {
            let reason: String
            switch ioError.errnoCode {
            case ECONNREFUSED: reason = "connection refused"
            case ECONNRESET: reason = "connection reset"
            case EPIPE: reason = "connection broken"
            default: reason = String(cString: strerror(ioError.errnoCode)).lowercased()
            }
            return GraphError(kind: .noReply, message: reason, operation: operation)
        }
        if let connection = error as? NIOConnectionError {
            return GraphError(kind: .noReply, message: connectionFailure(connection), operation: operation)
        }
        if let channelError = error as? ChannelError {
            let reason = switch channelError {
            case .connectTimeout: "timed out"
            case .ioOnClosedChannel, .alreadyClosed, .eof: "the server closed the connection"
            default: "the connection failed"
            }
            return GraphError(kind: .noReply, message: reason, operation: operation)
        }
        // Nothing known: its type, never its text, which may quote what was sent.
        return GraphError(kind: .noReply, message: "the request failed (\(type(of: error)))", operation: operation)
    }

    /// The HTTP client's error in attache's words. Its own text may quote what was sent (a
    /// header value holding the token, say), so it never reaches the user as it is.
    static func describe(_ error: HTTPClientError) -> String {
        // `shortDescription` never holds the associated values (header values among them).
        switch error.shortDescription {
        case "Invalid header field names", "Invalid header field values": return "a header of the request is not valid HTTP, so it was not sent"
        default: return error.shortDescription.lowercased()
        }
    }

    static func errorFromReply(_ reply: Reply, operation: String, secrets: [String] = []) -> GraphError {
        struct Envelope: Decodable {
            struct Body: Decodable {
                var code: String?
                var message: String?
                var innerError: Inner?
            }
            struct Inner: Decodable {
                var requestId: String?
                enum CodingKeys: String, CodingKey { case requestId = "request-id" }
            }
            var error: Body?
        }
        let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(buffer: reply.body))
        let requestID = (reply.headers.first(name: "request-id") ?? envelope?.error?.innerError?.requestId).map { Redaction.scrub($0, secrets: secrets) }
        // Every word of it is the server's: it may repeat the upload URL or the token.
        var message = envelope?.error?.message.map { Redaction.scrub($0, secrets: secrets) }
        if (300..<400).contains(reply.status) {
            message = "the server redirected the request"
        } else if envelope?.error == nil, reply.body.readableBytes > 0, !String(buffer: reply.body).hasPrefix("{") {
            // Not a Graph error body: keep a short, printable excerpt.
            let text = Redaction.scrub(String(buffer: reply.body), secrets: secrets).prefix(160)
            message = UploadURL.redact(String(text.filter { !$0.isNewline }))
        }
        return GraphError(
            kind: .status(reply.status),
            code: envelope?.error?.code.map { Redaction.scrub($0, secrets: secrets) },
            message: message,
            requestID: requestID,
            retryAfter: reply.headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0) },
            operation: operation
        )
    }

    // MARK: JSON

    static let decoder = JSONDecoder()

    func decode<T: Decodable>(_ type: T.Type, from reply: Reply, operation: String) throws -> T {
        try Self.decode(type, from: Data(buffer: reply.body), operation: operation)
    }

    /// Decodes a reply's JSON. A reply that is not valid UTF-8 (one bad byte in one subject
    /// of a whole list) is read with each bad sequence as U+FFFD, as a browser shows it,
    /// rather than refused whole.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, operation: String) throws -> T {
        do {
            return try decoder.decode(type, from: data)
        } catch {
            guard String(validating: data, as: UTF8.self) == nil else {
                throw GraphError(kind: .malformedReply, message: describe(decodingError: error), operation: operation)
            }
            do {
                return try decoder.decode(type, from: Data(String(decoding: data, as: UTF8.self).utf8))
            } catch {
                throw GraphError(kind: .malformedReply, message: describe(decodingError: error), operation: operation)
            }
        }
    }

    static func describe(decodingError error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        switch error {
        case .keyNotFound(let key, _): return "no \"\(key.stringValue)\" in the reply"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "unexpected value at \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\""
        case .dataCorrupted: return "not JSON"
        @unknown default: return "not JSON"
        }
    }

    static func jsonBody(_ value: some Encodable) -> HTTPClientRequest.Body {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings and numbers cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return .bytes(ByteBuffer(data: data))
    }

    static let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json", "Accept": "application/json"]
}

extension TimeAmount {
    /// The same span as a `Duration`.
    var duration: Duration { .nanoseconds(nanoseconds) }
}

/// A file of certificate authorities (`--ca-file`, `SSL_CERT_FILE`) that cannot be used.
public struct TrustRootsError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    /// What is wrong with it, after its name: `is a FIFO, not a regular file`.
    public var problem: String

    public var description: String { "'\(path.terminalSafe)' \(problem)" }
}
