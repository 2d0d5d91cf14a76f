/// A Graph request that did not succeed: what attache was doing, what the server said
/// (status, Graph `code` and `message`, `request-id`), and what to do about it.
///
/// It never carries a URL: Graph URLs hold ids users did not ask to see, and upload URLs
/// hold a secret.
public struct GraphError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The server answered with this error status.
        case status(Int)
        /// No answer came (refused, reset, timed out).
        case noReply
        /// An answer came that could not be read.
        case malformedReply
    }

    public var kind: Kind
    /// Graph's error `code`, such as `ErrorItemNotFound`.
    public var code: String?
    /// Graph's error `message`, or what went wrong on the wire.
    public var message: String?
    /// The `request-id` the server gave, for support requests.
    public var requestID: String?
    /// The server's `Retry-After`, when it sent one.
    public var retryAfter: Duration?
    /// What attache was doing, as a phrase: `create an upload session on message AAMk…`.
    public var operation: String
    /// The request went to an upload URL (which carries its own token), not to Graph.
    public var isUploadSession: Bool
    /// The host the request went to (never the rest of its URL).
    public var host: String?
    /// A documented Graph limitation that explains this refusal; said before any other hint.
    public var knownIssue: String?
    /// Graph refused an upload session in a shared or delegated mailbox (its known 403).
    public var sessionRefusedInSharedMailbox = false

    public init(
        kind: Kind, code: String? = nil, message: String? = nil, requestID: String? = nil,
        retryAfter: Duration? = nil, operation: String, isUploadSession: Bool = false, host: String? = nil
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.requestID = requestID
        self.retryAfter = retryAfter
        self.operation = operation
        self.isUploadSession = isUploadSession
        self.host = host
    }

    /// attache's ``code`` for a reply that did not come whole in time.
    public static let timedOut = "TimedOut"
    /// attache's ``code`` for a TLS handshake that failed on the server's certificate.
    public static let certificateNotTrusted = "CertificateNotTrusted"

    /// attache's ``code`` for an https URL whose server does not speak TLS (plain HTTP).
    public static let notTLS = "NotTLS"
    /// attache's ``code`` for a TLS handshake that failed for another reason than the certificate.
    public static let tlsFailed = "TLSHandshakeFailed"

    /// attache's ``code`` for a sign-in that could not be renewed: no (whole) reply from the
    /// identity platform.
    public static let identityUnreachable = "IdentityPlatformUnreachable"

    /// The HTTP status, when there was one.
    public var status: Int? {
        if case .status(let status) = kind { return status }
        return nil
    }

    /// The failure as the upload state machine weighs it.
    var requestFailure: RequestFailure {
        switch kind {
        case .status(let status): .status(status, code: code, message: message, retryAfter: retryAfter)
        case .noReply: .noReply(message ?? "connection lost")
        case .malformedReply: .malformedReply(message ?? "unreadable reply")
        }
    }

    public var description: String {
        var text = "could not \(operation): "
        switch kind {
        case .status(let status):
            text += "HTTP \(status)"
            if let code { text += " \(code)" }
            if let message, !message.isEmpty { text += " (\(message.trimmingTrailingPeriod()))" }
        case .noReply:
            text += "no reply from the server (\(message ?? "connection lost"))"
        case .malformedReply:
            text += "the server's reply could not be read (\(message ?? "unknown format"))"
        }
        if let hint { text += "; \(hint)" }
        return text
    }

    /// What the user can do, where the status says it.
    public var hint: String? {
        if let knownIssue { return knownIssue }
        if isUploadSession, case .status = kind { return nil }
        if case .status(let status) = kind, (300..<400).contains(status) {
            return "attache does not follow redirects, which could carry the token elsewhere; is the Graph root right (--graph, or graph in the config)?"
        }
        switch kind {
        case .status(401): return "the token was refused: \(Advice.giveToken)"
        case .status(403): return "the token lacks the permission (Mail.ReadWrite for messages, Calendars.ReadWrite for events)"
        case .status(429), .status(503): return "the server is throttling; try again later"
        case .noReply where code == Self.timedOut:
            return "the server is answering too slowly; try again later (request_timeout in the config sets how long attache waits)"
        case .noReply where code == Self.identityUnreachable:
            return "the sign-in could not be renewed: check the network and --authority"
        case .noReply where code == Self.notTLS:
            return "it answers plain HTTP: is the URL's scheme right (https:// for TLS, http:// only on loopback), and its port?"
        case .noReply where code == Self.certificateNotTrusted:
            return Advice.trustCertificate.description
        case .noReply where isUploadSession: return "the upload host \(host ?? "") could not be reached"
        case .noReply: return Advice.checkGraphRoot.description
        default: return nil
        }
    }
}

extension String {
    func trimmingTrailingPeriod() -> String {
        hasSuffix(".") ? String(dropLast()) : self
    }
}
