import Foundation

/// Why a transfer did not end with its attachment: one value from the wire to the exit
/// code, `--json` and the screen, naming the file and the item, never the upload URL.
///
/// ``kind`` is what a program decides on (the exit code, whether a retry can help);
/// ``graphCode``, ``status`` and ``requestID`` are what the server said, for a person or a
/// support request; ``description`` is the one line a person reads.
public struct UploadError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// The file cannot be attached: missing, a directory, unreadable, over 150 MiB.
        case fileUnusable
        /// The file changed while it was uploaded, or since its upload began.
        case fileChanged
        /// The item is not there (or not in this mailbox).
        case itemNotFound
        /// The token was refused, or lacks the permission.
        case notAuthorized
        /// The server could not be reached: Graph, or the host of the upload URL.
        case unreachable
        /// The server went on throttling (429, 503) past the retries.
        case throttled
        /// The server refused a request, or kept failing it.
        case refused
        /// Upload sessions kept expiring, or their URL refused the first range.
        case sessionExpired
        /// The server and attache disagree on what it holds.
        case serverDisagrees
        /// A reply could not be used: not JSON, a missing field, a URL attache cannot take.
        case malformedReply
        /// The attachment read back is not byte for byte the file.
        case verificationFailed
        /// Another attache is running this transfer right now.
        case heldElsewhere
        /// The journal could not record a step, so the transfer stopped: what it did could
        /// no longer be resumed or cancelled from the journal.
        case journalUnwritable
        /// attache went wrong; the message says where.
        case internalError
    }

    public var kind: Kind
    /// What happened, without the file and the item (``description`` adds them).
    public var reason: String
    /// The file, by the name the attachment takes.
    public var fileName: String
    /// The item the file was going to.
    public var item: ItemReference?
    /// Graph's error `code`, such as `ErrorAccessDenied`, when the server gave one.
    public var graphCode: String?
    /// The HTTP status of the request that failed, when there was one.
    public var status: Int?
    /// The `request-id` of that request, for a support request.
    public var requestID: String?
    /// The failed request behind it, with all the server said: the error's cause.
    public var cause: GraphError?
    /// What to do about it, as values the front end showing it words (a command, a key).
    public var advice: [Advice]
    /// What to do about it, in words that are the same everywhere.
    public var note: String?

    public init(
        _ kind: Kind, reason: String, fileName: String, item: ItemReference?, graphCode: String? = nil,
        status: Int? = nil, requestID: String? = nil, cause: GraphError? = nil, advice: [Advice] = [], note: String? = nil
    ) {
        self.kind = kind
        self.reason = reason
        self.fileName = fileName
        self.item = item
        self.graphCode = graphCode
        self.status = status
        self.requestID = requestID
        self.cause = cause
        self.advice = advice
        self.note = note
    }

    /// What to do about it, when there is something to say: worded when asked, so the
    /// screen names keys where the command line names commands.
    public var hint: String? {
        var parts: [String] = []
        if let note { parts.append(note) }
        if let cause {
            switch kind {
            case .unreachable where cause.isUploadSession:
                parts.append("the upload host \(cause.host ?? "") could not be reached; check the network")
            case .notAuthorized, .unreachable, .throttled:
                if let hint = cause.hint { parts.append(hint) }
            default:
                break
            }
        }
        parts += advice.map(\.description)
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// The code `--json` carries: Graph's own when the server gave one, else ``kind``.
    public var code: String { graphCode ?? kind.rawValue }

    /// `could not attach 'report.pdf' to message AAMk…: the server refused it: HTTP 403 …; hint (request-id …)`
    public var description: String {
        var text = "could not attach '\(fileName)'"
        if let item { text += " to \(item)" }
        text += ": \(reason)"
        if let hint { text += "; \(hint)" }
        if let requestID { text += " (request-id \(requestID))" }
        return text
    }
}

extension UploadError {
    /// The error for a failure the state machine decided on, `last` being the request
    /// failure behind it with all the server said.
    init(_ failure: UploadFailure, last: GraphError?, file: String, item: ItemReference) {
        let request = failure.requestFailure
        // `last` is the failure the machine weighed only when it is the same request failure.
        let server = request != nil && last?.requestFailure == request ? last : nil
        let kind: Kind
        switch failure {
        case .rejected(let failure):
            kind = Self.kind(rejecting: failure, atUploadURL: server?.isUploadSession ?? false)
        case .gaveUp(let failure, _):
            switch failure {
            case .noReply: kind = .unreachable
            case .malformedReply: kind = .malformedReply
            case .status(let status, _, _, _): kind = status == 429 || status == 503 ? .throttled : .refused
            }
        case .unreachable: kind = .unreachable
        case .sessionsKeptExpiring, .uploadURLRefused: kind = .sessionExpired
        case .serverDisagrees: kind = .serverDisagrees
        case .fileChanged: kind = .fileChanged
        case .completedWithoutAttachment: kind = .malformedReply
        case .internalError: kind = .internalError
        }
        // Once the upload host answers again, the session kept goes on where it stood.
        let advice: [Advice] = kind == .unreachable && server?.isUploadSession == true ? [.resume] : []
        self.init(
            kind, reason: failure.description, fileName: file, item: item, graphCode: request?.code, status: request?.status,
            requestID: server?.requestID, cause: server, advice: advice)
    }

    static func kind(rejecting failure: RequestFailure, atUploadURL: Bool) -> Kind {
        switch failure {
        case .noReply: return .unreachable
        case .malformedReply: return .malformedReply
        case .status(let status, _, _, _):
            if atUploadURL, failure.isSessionGone { return .sessionExpired }
            switch status {
            case 401, 403: return .notAuthorized
            case 404, 410: return .itemNotFound
            case 429: return .throttled
            default: return .refused
            }
        }
    }

    /// The file could not be attached, before or after a request was made.
    public init(_ problem: InputFileError, item: ItemReference?) {
        let kind: Kind = if case .changed = problem.code { .fileChanged } else { .fileUnusable }
        self.init(kind, reason: problem.description, fileName: (problem.path as NSString).lastPathComponent, item: item)
    }
}
