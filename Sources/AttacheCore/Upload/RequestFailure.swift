/// What went wrong with one request, reduced to what the upload state machine needs to decide.
///
/// What an HTTP status means for an upload is decided here and nowhere else: the machine,
/// the uploader, the service's cancel and ``UploadError`` all ask it.
enum RequestFailure: Hashable, Sendable, CustomStringConvertible {
    /// No reply came: the connection broke, was refused or timed out. The server may or may
    /// not have acted on the request.
    case noReply(String)
    /// The server answered with an error status.
    case status(Int, code: String?, message: String?, retryAfter: Duration?)
    /// The server answered with success but a reply that cannot be read.
    case malformedReply(String)

    /// 429, 503 and other 5xx: the server asks to be tried again later.
    var isTransientStatus: Bool {
        guard case .status(let status, _, _, _) = self else { return false }
        return status == 408 || status == 429 || (500...599).contains(status)
    }

    /// A 429 that says how long to wait: the server paces the client, nothing failed.
    public var isThrottling: Bool {
        guard case .status(429, _, _, let retryAfter) = self else { return false }
        return retryAfter != nil
    }

    /// The server could not be reached, or a gateway before it could not reach it (502, 504,
    /// a 503 that names no wait): an outage, ridden out for a time rather than for a number
    /// of tries. A 503 with `Retry-After` is a server that answers and paces: counted.
    var isOutage: Bool {
        if case .noReply = self { return true }
        guard let status else { return false }
        return status == 502 || status == 504 || (status == 503 && retryAfter == nil)
    }

    /// Worth another try after a wait: no reply, a timeout, throttling or a server error.
    var isRetryable: Bool {
        if case .noReply = self { return true }
        return isTransientStatus
    }

    /// From an upload URL: 401/403/404/410, its token expired or the session is gone (a
    /// `DELETE` that gets one finds nothing left to delete).
    public var isSessionGone: Bool {
        guard let status else { return false }
        return [401, 403, 404, 410].contains(status)
    }

    /// 416, or a 400 whose code speaks of ranges: the client and the server disagree on what
    /// the session holds, and the session must be asked.
    public var isRangeDisagreement: Bool {
        guard let status else { return false }
        if status == 416 { return true }
        return status == 400 && (code?.lowercased().contains("range") ?? false)
    }

    /// A success status with a body that could not be read.
    var isMalformed: Bool {
        if case .malformedReply = self { return true }
        return false
    }

    var retryAfter: Duration? {
        guard case .status(_, _, _, let retryAfter) = self else { return nil }
        return retryAfter
    }

    var status: Int? {
        guard case .status(let status, _, _, _) = self else { return nil }
        return status
    }

    var code: String? {
        guard case .status(_, let code, _, _) = self else { return nil }
        return code
    }

    var message: String? {
        guard case .status(_, _, let message, _) = self else { return nil }
        return message
    }

    public var description: String {
        switch self {
        case .noReply(let reason):
            return "no reply from the server (\(reason))"
        case .status(let status, let code, let message, _):
            var text = "HTTP \(status)"
            if let code { text += " \(code)" }
            if let message, !message.isEmpty { text += ": \(message)" }
            return text
        case .malformedReply(let reason):
            return "the server's reply could not be read (\(reason))"
        }
    }
}
