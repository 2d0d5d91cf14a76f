/// The decisions of one file's upload, with no I/O: every event returns the ``Action`` the
/// caller must perform next, and the caller reports the outcome as the next event.
///
/// The rules it keeps:
/// - small files go in one `POST`; from 3 MB, an upload session with ranged `PUT`s;
/// - after any failure of a range it asks the session where it stands before sending
///   again ("ask the session, do not guess"), so at most one range is re-sent;
/// - when a session is gone and the final range may have landed, or a `POST` got no reply,
///   it looks for the attachment before starting over, so nothing is attached twice;
/// - a failed or cancelled upload deletes its session.
public struct UploadStateMachine: Sendable {
    /// What the caller must do next.
    public enum Action: Hashable, Sendable {
        /// `POST …/attachments` with the whole file.
        case postAttachment
        /// `POST …/attachments/createUploadSession`.
        case createSession
        /// `PUT` these bytes of the file to the upload URL.
        case putRange(Range<Int64>)
        /// `GET` the upload URL to learn which bytes the server holds.
        case querySession
        /// Look on the item for an attachment this upload may already have made.
        case findAttachment
        /// `DELETE` the upload URL.
        case deleteSession
        /// Sleep, then call ``waitElapsed()``. `attempt` counts consecutive failures;
        /// `retryAfter` is the server's own floor for the wait.
        case wait(attempt: Int, retryAfter: Duration?, reason: RequestFailure)
        /// The attachment exists: done.
        case succeed(attachmentID: String)
        /// Done, without an attachment; any session has been deleted.
        case fail(UploadFailure)
        /// Done: cancelled, any session deleted.
        case reportCancelled
        /// Done: stopped with the session kept, so it can be resumed.
        case reportInterrupted
        /// Nothing to do (an event that no longer matters, such as cancel after the end).
        case none
    }

    private enum Restart: Hashable, Sendable {
        case post
        case newSession
    }

    private enum Pending: Hashable, Sendable {
        case post
        case createSession
        case query(finalMayHaveLanded: Bool)
        case find(then: Restart)
    }

    private enum State: Hashable, Sendable {
        case idle
        case posting
        case creatingSession
        case putting(Range<Int64>)
        case querying(finalMayHaveLanded: Bool)
        case finding(then: Restart)
        case waiting(Pending)
        case deletingSession(then: Outcome)
        case done
    }

    private enum Outcome: Hashable, Sendable {
        case cancelled
        case failed(UploadFailure)
    }

    /// The file's size in bytes.
    public let fileSize: Int64
    /// The path this file takes.
    public let plan: UploadPlan
    /// Consecutive failures tolerated before giving up.
    public let maximumAttempts: Int
    /// Upload sessions started before giving up on expiring ones.
    public let maximumSessions: Int

    private var state: State = .idle
    private var hasSession = false
    /// The current session has answered a range or a query: its URL works.
    private var sessionAnswered = false
    private var failures = 0
    private var sessionsStarted = 0

    /// What the server last said it still expects; `nil` before a session exists.
    public private(set) var expected: ExpectedRanges?

    public init(fileSize: Int64, plan: UploadPlan, maximumAttempts: Int = 6, maximumSessions: Int = 3) {
        self.fileSize = fileSize
        self.plan = plan
        self.maximumAttempts = max(1, maximumAttempts)
        self.maximumSessions = max(1, maximumSessions)
    }

    /// Bytes the server has confirmed holding.
    public var confirmedBytes: Int64 {
        guard let expected else { return 0 }
        return expected.confirmedBytes(total: fileSize)
    }

    /// True once the machine has reached an end (success, failure, cancel or interrupt).
    public var isFinished: Bool { state == .done }

    private var rangeLength: Int64 {
        if case .uploadSession(let length) = plan { return length }
        return AttachmentLimits.defaultRangeLength
    }

    // MARK: Starting

    /// Begins a fresh upload.
    public mutating func start() -> Action {
        guard state == .idle else { return .none }
        switch plan {
        case .singleRequest:
            state = .posting
            return .postAttachment
        case .uploadSession:
            return beginSession()
        }
    }

    /// Picks up an upload whose session already exists (after a restart): asks it first.
    public mutating func resume() -> Action {
        guard state == .idle else { return .none }
        hasSession = true
        sessionAnswered = true
        sessionsStarted = 1
        state = .querying(finalMayHaveLanded: true)
        return .querySession
    }

    /// Picks up an upload whose session is lost, where a previous run may have finished it.
    public mutating func resumeWithoutSession() -> Action {
        guard state == .idle else { return .none }
        state = .finding(then: plan == .singleRequest ? .post : .newSession)
        return .findAttachment
    }

    // MARK: Single POST

    public mutating func attachmentPosted(id: String) -> Action {
        guard state == .posting else { return .none }
        state = .done
        return .succeed(attachmentID: id)
    }

    public mutating func postFailed(_ failure: RequestFailure) -> Action {
        guard state == .posting else { return .none }
        if case .noReply = failure {
            // The attachment may have been made even though the reply was lost.
            return retry(after: failure, then: .find(then: .post))
        }
        if failure.isRetryable { return retry(after: failure, then: .post) }
        return finish(failing: .rejected(failure))
    }

    // MARK: Upload session

    public mutating func sessionCreated(expecting ranges: ExpectedRanges) -> Action {
        guard state == .creatingSession else { return .none }
        hasSession = true
        failures = 0
        return proceed(expecting: ranges, finalMayHaveLanded: false)
    }

    public mutating func sessionCreationFailed(_ failure: RequestFailure) -> Action {
        guard state == .creatingSession else { return .none }
        if failure.code == "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize" {
            // The server finds the file too small for a session: one POST will do.
            state = .posting
            return .postAttachment
        }
        if failure.isRetryable { return retry(after: failure, then: .createSession) }
        return finish(failing: .rejected(failure))
    }

    public mutating func rangeAccepted(expecting ranges: ExpectedRanges) -> Action {
        guard case .putting = state else { return .none }
        failures = 0
        sessionAnswered = true
        return proceed(expecting: ranges, finalMayHaveLanded: true)
    }

    /// The final range landed: 201, with the id from `Location` when it could be read.
    public mutating func uploadCompleted(attachmentID: String?) -> Action {
        guard case .putting = state else { return .none }
        hasSession = false
        expected = .nothing
        guard let attachmentID else {
            state = .finding(then: .newSession)
            return .findAttachment
        }
        state = .done
        return .succeed(attachmentID: attachmentID)
    }

    public mutating func rangeFailed(_ failure: RequestFailure) -> Action {
        guard case .putting(let range) = state else { return .none }
        let wasFinal = range.upperBound == fileSize
        if Self.isSessionGone(failure) {
            return sessionLost(failure, finalMayHaveLanded: wasFinal)
        }
        if Self.isRangeDisagreement(failure) {
            failures += 1
            guard failures < maximumAttempts else {
                return finish(failing: .serverDisagrees("it kept refusing bytes \(range.lowerBound)-\(range.upperBound - 1): \(failure)"))
            }
            state = .querying(finalMayHaveLanded: wasFinal)
            return .querySession
        }
        if failure.isRetryable || failure.isMalformed {
            // The server may have kept part of the body: ask before sending again.
            return retry(after: failure, then: .query(finalMayHaveLanded: wasFinal))
        }
        return finish(failing: .rejected(failure))
    }

    public mutating func sessionStatus(expecting ranges: ExpectedRanges) -> Action {
        guard case .querying(let finalMayHaveLanded) = state else { return .none }
        sessionAnswered = true
        return proceed(expecting: ranges, finalMayHaveLanded: finalMayHaveLanded)
    }

    public mutating func sessionQueryFailed(_ failure: RequestFailure) -> Action {
        guard case .querying(let finalMayHaveLanded) = state else { return .none }
        if Self.isSessionGone(failure) {
            return sessionLost(failure, finalMayHaveLanded: finalMayHaveLanded)
        }
        if failure.isRetryable || failure.isMalformed {
            return retry(after: failure, then: .query(finalMayHaveLanded: finalMayHaveLanded))
        }
        return finish(failing: .rejected(failure))
    }

    // MARK: Looking for an attachment already made

    public mutating func attachmentSearchFinished(foundID: String?) -> Action {
        guard case .finding(let restart) = state else { return .none }
        if let foundID {
            state = .done
            return .succeed(attachmentID: foundID)
        }
        switch restart {
        case .post:
            state = .posting
            return .postAttachment
        case .newSession:
            return beginSession()
        }
    }

    public mutating func attachmentSearchFailed(_ failure: RequestFailure) -> Action {
        guard case .finding(let restart) = state else { return .none }
        if failure.isRetryable { return retry(after: failure, then: .find(then: restart)) }
        return finish(failing: .rejected(failure))
    }

    // MARK: Waiting, cancelling, cleaning up

    public mutating func waitElapsed() -> Action {
        guard case .waiting(let pending) = state else { return .none }
        switch pending {
        case .post:
            state = .posting
            return .postAttachment
        case .createSession:
            state = .creatingSession
            return .createSession
        case .query(let finalMayHaveLanded):
            state = .querying(finalMayHaveLanded: finalMayHaveLanded)
            return .querySession
        case .find(let restart):
            state = .finding(then: restart)
            return .findAttachment
        }
    }

    /// The user cancelled: delete the session if there is one.
    public mutating func cancel() -> Action {
        switch state {
        case .done, .deletingSession:
            return .none
        default:
            return finish(.cancelled)
        }
    }

    /// The process is stopping: keep the session so a later run can resume it.
    public mutating func interrupt() -> Action {
        switch state {
        case .done, .deletingSession:
            return .none
        default:
            state = .done
            return .reportInterrupted
        }
    }

    /// The `DELETE` of the session is over, whether it worked or not.
    public mutating func sessionDeleted() -> Action {
        guard case .deletingSession(let outcome) = state else { return .none }
        hasSession = false
        state = .done
        switch outcome {
        case .cancelled: return .reportCancelled
        case .failed(let failure): return .fail(failure)
        }
    }

    // MARK: Helpers

    private mutating func beginSession() -> Action {
        guard sessionsStarted < maximumSessions else {
            return finish(failing: .sessionsKeptExpiring(sessionsStarted))
        }
        sessionsStarted += 1
        hasSession = false
        sessionAnswered = false
        expected = nil
        state = .creatingSession
        return .createSession
    }

    private mutating func proceed(expecting ranges: ExpectedRanges, finalMayHaveLanded: Bool) -> Action {
        expected = ranges
        guard let missing = ranges.firstMissing(total: fileSize) else {
            // The server holds every byte but made no attachment we know of.
            state = .finding(then: .newSession)
            return .findAttachment
        }
        let end = min(missing.upperBound, missing.lowerBound + rangeLength)
        let range = missing.lowerBound..<end
        state = .putting(range)
        return .putRange(range)
    }

    private mutating func sessionLost(_ failure: RequestFailure, finalMayHaveLanded: Bool) -> Action {
        hasSession = false
        guard sessionAnswered else {
            // A session that refuses its very first request was never usable: a new one
            // from the same server would fare no better.
            return finish(failing: .uploadURLRefused(failure))
        }
        if finalMayHaveLanded {
            state = .finding(then: .newSession)
            return .findAttachment
        }
        return beginSession()
    }

    private mutating func retry(after failure: RequestFailure, then pending: Pending) -> Action {
        failures += 1
        guard failures < maximumAttempts else {
            return finish(failing: .gaveUp(failure, attempts: failures))
        }
        state = .waiting(pending)
        return .wait(attempt: failures, retryAfter: failure.retryAfter, reason: failure)
    }

    private mutating func finish(failing failure: UploadFailure) -> Action {
        finish(.failed(failure))
    }

    private mutating func finish(_ outcome: Outcome) -> Action {
        if hasSession {
            state = .deletingSession(then: outcome)
            return .deleteSession
        }
        state = .done
        switch outcome {
        case .cancelled: return .reportCancelled
        case .failed(let failure): return .fail(failure)
        }
    }

    /// 401/403/404/410 from the upload URL: its token expired or the session is gone.
    static func isSessionGone(_ failure: RequestFailure) -> Bool {
        guard let status = failure.status else { return false }
        return [401, 403, 404, 410].contains(status)
    }

    /// 416, or a 400 whose code speaks of ranges: the client and the server disagree.
    static func isRangeDisagreement(_ failure: RequestFailure) -> Bool {
        guard let status = failure.status else { return false }
        if status == 416 { return true }
        return status == 400 && (failure.code?.lowercased().contains("range") ?? false)
    }
}
