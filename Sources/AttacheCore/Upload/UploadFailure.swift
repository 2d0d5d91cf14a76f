/// Why an upload ended without an attachment, as ``UploadStateMachine`` decides it.
enum UploadFailure: Hashable, Sendable, CustomStringConvertible {
    /// The server refused a request in a way another try would not change.
    case rejected(RequestFailure)
    /// Transient failures went on past the retry policy's limit.
    case gaveUp(RequestFailure, attempts: Int)
    /// The server could not be reached for longer than the outage tolerance, or until the
    /// session expired.
    case unreachable(RequestFailure, lasted: Duration, attempts: Int, sessionExpired: Bool)
    /// Upload sessions kept disappearing (expired, or deleted by someone else).
    case sessionsKeptExpiring(Int)
    /// The server kept expecting bytes the client had already sent, or none at all.
    case serverDisagrees(String)
    /// A new session's upload URL refused its first request (wrong token, already expired).
    case uploadURLRefused(RequestFailure)
    /// The file changed while it was being uploaded.
    case fileChanged(String)
    /// The final range was answered 201 without a `Location`, and no attachment could be found.
    case completedWithoutAttachment
    /// attache itself went wrong: a step the upload could not be in.
    case internalError(String)

    public var description: String {
        switch self {
        case .rejected(let failure):
            return "the server refused it: \(failure)"
        case .gaveUp(let failure, let attempts):
            return "gave up after \(attempts) tries: \(failure)"
        case .unreachable(let failure, let lasted, let attempts, let sessionExpired):
            let span = TransferFormat.span(lasted.seconds)
            return sessionExpired
                ? "gave up after \(span) and \(attempts) tries, when the upload session expired: \(failure)"
                : "gave up after \(span) without the server (\(attempts) tries): \(failure)"
        case .sessionsKeptExpiring(let count):
            return "the upload session expired \(count) times before the file was complete"
        case .serverDisagrees(let detail):
            return "the server and attache disagree on what has been uploaded (\(detail))"
        case .uploadURLRefused(let failure):
            return "the upload URL the server gave refused the first range (\(failure)); the session was expired or its token wrong"
        case .fileChanged(let detail):
            return "the file changed since its upload began (\(detail)); what was sent was removed: upload it again"
        case .completedWithoutAttachment:
            return "the server said the upload was complete (HTTP 201) but gave no Location, and no such attachment is on the item; nothing was sent again"
        case .internalError(let detail):
            return "internal error: \(detail)"
        }
    }

    /// The last request failure behind this outcome, if any.
    public var requestFailure: RequestFailure? {
        switch self {
        case .rejected(let failure), .gaveUp(let failure, _), .unreachable(let failure, _, _, _), .uploadURLRefused(let failure): failure
        case .sessionsKeptExpiring, .serverDisagrees, .fileChanged, .completedWithoutAttachment, .internalError: nil
        }
    }
}
