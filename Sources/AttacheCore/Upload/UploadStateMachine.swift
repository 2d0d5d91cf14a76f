/// The decisions of one file's upload, with no I/O: every event returns the ``Action`` the
/// caller must perform next, and the caller reports the outcome as the next event.
///
/// The rules it keeps:
/// - a file whose request fits Graph's 4 MiB goes in one `POST`; a larger one through an
///   upload session with ranged `PUT`s (see ``UploadPlan``);
/// - a 429 with `Retry-After` is waited out as often as it comes, never counted as a failure;
/// - an outage (no reply, a gateway's 502/504, a 503 naming no wait) is ridden out for a
///   time, not a count of tries: up to ``outageTolerance``, never past the session's expiry,
///   and not for an upload host that never answered the session;
/// - after any failure of a range it asks the session where it stands before sending
///   again ("ask the session, do not guess"), so at most one range is re-sent;
/// - when a session is gone and the final range may have landed, or a `POST` got no reply,
///   it looks for the attachment before starting over, so nothing is attached twice;
/// - every session it opens is deleted when the upload fails or is cancelled, and before
///   another is opened; only an interrupt keeps it, for a resume;
/// - the file is confirmed unchanged once its attachment exists; a file that changed
///   costs its session, or its attachment.
///
/// An event that cannot happen in the current state throws ``InvalidTransition``: a bug in
/// the caller, which it reports as an internal error rather than carrying on.
import Clocks

struct UploadStateMachine: Sendable {
    /// What the caller must do next.
    public enum Action: Hashable, Sendable {
        /// `POST …/attachments` with the whole file.
        case postAttachment
        /// `POST …/attachments/createUploadSession`.
        case createSession
        /// `PUT` these bytes of the file to the session's upload URL.
        case putRange(Range<Int64>, session: UploadURL)
        /// `GET` the upload URL to learn which bytes the server holds.
        case querySession(UploadURL)
        /// Look on the item for an attachment this upload may already have made.
        case findAttachment
        /// `DELETE` the upload URL, whether or not the session still exists.
        case deleteSession(UploadURL)
        /// Remove an attachment this upload made of a file that changed meanwhile.
        case deleteAttachment(id: String)
        /// The attachment exists: check that the file is still what was sent.
        case confirmFile(attachmentID: String)
        /// Sleep, then call ``waitElapsed()``. `attempt` counts consecutive failures;
        /// `retryAfter` is the server's own floor for the wait.
        case wait(attempt: Int, retryAfter: Duration?, reason: RequestFailure)
        /// The attachment exists and holds the file: done.
        case succeed(attachmentID: String)
        /// Done, without an attachment; the session and any attachment made are gone.
        case fail(UploadFailure)
        /// Done: cancelled, any session deleted.
        case reportCancelled
        /// Done: stopped with the session kept, so it can be resumed.
        case reportInterrupted
    }

    /// An event the current state cannot take.
    public struct InvalidTransition: Error, Hashable, Sendable, CustomStringConvertible {
        public var event: String
        public var state: String
        public var description: String { "the upload got \"\(event)\" while \(state)" }
    }

    private enum AfterSearch: Hashable, Sendable {
        /// Nothing found: send the file again in one `POST`.
        case post
        /// Nothing found: open a new session.
        case newSession
        /// Nothing found: the cancel took effect.
        case cancel
        /// Nothing found after a `201` without `Location`: fail, sending nothing again.
        case failCompleted
        /// Nothing found after the session said it expects nothing more.
        case failDisagreement(String)
    }

    private enum AfterDelete: Hashable, Sendable {
        case cancel(finalMayHaveLanded: Bool)
        case fail(UploadFailure)
    }

    private enum Pending: Hashable, Sendable {
        case post
        case createSession
        case query(finalMayHaveLanded: Bool)
        case find(then: AfterSearch)
    }

    private enum State: Hashable, Sendable {
        case idle
        case posting
        case creatingSession
        case putting(Range<Int64>)
        case querying(finalMayHaveLanded: Bool)
        case finding(then: AfterSearch)
        case waiting(Pending)
        case confirmingFile(attachmentID: String)
        case deletingSession(then: AfterDelete)
        case deletingAttachment(then: UploadFailure)
        case done
    }

    /// The file's size in bytes.
    public let fileSize: Int64
    /// The path this file takes.
    public let plan: UploadPlan
    /// Consecutive failures (or ranges that gained nothing) tolerated before giving up.
    public let maximumAttempts: Int
    /// Upload sessions started before giving up on expiring ones.
    public let maximumSessions: Int
    /// How long an outage is ridden out before the upload gives up.
    public let outageTolerance: Duration

    /// The time of the event being taken, which the caller sets before each: the machine
    /// reads no clock of its own.
    public var now: ClockInstant
    /// When the current session expires, on the same clock; an outage is not ridden out past it.
    public private(set) var sessionExpires: ClockInstant?
    /// When the outage under way began: the first of the failures in a row with no reply.
    public private(set) var outageBegan: ClockInstant?

    private var state: State = .idle
    /// The open session, as long as it may exist on the server.
    public private(set) var session: UploadURL?
    /// The current session has answered a range or a query: its URL works.
    private var sessionAnswered = false
    private var failures = 0
    /// Ranges in a row the server accepted without holding more than it ever had.
    private var stalls = 0
    /// The most the current session has ever said it holds: a server whose count falls back
    /// and climbs again is making no progress, however often it climbs.
    private(set) var mostConfirmed: Int64 = 0
    /// Bytes of the file asked to be sent in ranges, over every session.
    public private(set) var bytesRequested: Int64 = 0
    private var sessionsStarted = 0
    /// Why the upload is stopping, once it is.
    public private(set) var stopping: StopReason?

    /// What the server last said it still expects; `nil` before a session exists.
    public private(set) var expected: ExpectedRanges?

    public init(
        fileSize: Int64, plan: UploadPlan, maximumAttempts: Int = 6, maximumSessions: Int = 3, outageTolerance: Duration = .seconds(300),
        now: ClockInstant = ClockInstant(sinceEpoch: .zero)
    ) {
        self.fileSize = fileSize
        self.plan = plan
        self.maximumAttempts = max(1, maximumAttempts)
        self.maximumSessions = max(1, maximumSessions)
        self.outageTolerance = max(.zero, outageTolerance)
        self.now = now
    }

    /// Bytes the server has confirmed holding.
    public var confirmedBytes: Int64 {
        guard let expected else { return 0 }
        return expected.confirmedBytes(total: fileSize)
    }

    /// True once the machine has reached an end (success, failure, cancel or interrupt).
    public var isFinished: Bool { state == .done }

    /// Cleaning up or ending: what it asks for now must be done even though the task is
    /// being cancelled (a `DELETE`, a last look for the attachment).
    public var isStopping: Bool { stopping != nil }

    /// The most a file may be sent in ranges: once per session the machine may open, and a
    /// few ranges again after failures (a cut body costs at most a range).
    public var sendLimit: Int64 {
        Int64(maximumSessions) * fileSize + 8 * rangeLength
    }

    private var rangeLength: Int64 {
        plan.rangeLength ?? AttachmentLimits.defaultRangeLength
    }

    // MARK: Starting

    /// Begins a fresh upload.
    public mutating func start() throws(InvalidTransition) -> Action {
        guard state == .idle else { throw invalid("start") }
        switch plan {
        case .singleRequest:
            state = .posting
            return .postAttachment
        case .uploadSession, .driveSession:
            return beginSession()
        }
    }

    /// Picks up an upload whose session already exists (after a restart): asks it first.
    public mutating func resume(session url: UploadURL, expiresAt: ClockInstant? = nil) throws(InvalidTransition) -> Action {
        guard state == .idle else { throw invalid("resume") }
        session = url
        sessionExpires = expiresAt
        sessionAnswered = true
        sessionsStarted = 1
        state = .querying(finalMayHaveLanded: true)
        return .querySession(url)
    }

    /// Picks up an upload whose session is lost, where a previous run may have finished it.
    public mutating func resumeWithoutSession() throws(InvalidTransition) -> Action {
        guard state == .idle else { throw invalid("resume without a session") }
        state = .finding(then: plan == .singleRequest ? .post : .newSession)
        return .findAttachment
    }

    // MARK: Single POST

    public mutating func attachmentPosted(id: String) throws(InvalidTransition) -> Action {
        guard state == .posting else { throw invalid("attachment posted") }
        outageBegan = nil
        state = .confirmingFile(attachmentID: id)
        return .confirmFile(attachmentID: id)
    }

    public mutating func postFailed(_ failure: RequestFailure) throws(InvalidTransition) -> Action {
        guard state == .posting else { throw invalid("post failed") }
        if case .noReply = failure {
            // The attachment may have been made even though the reply was lost.
            return retry(after: failure, then: .find(then: .post))
        }
        if failure.isRetryable { return retry(after: failure, then: .post) }
        return finish(failing: .rejected(failure))
    }

    // MARK: Upload session

    /// A new session; `expiresAt` is its expiry on the caller's clock, when known.
    public mutating func sessionCreated(_ url: UploadURL, expecting ranges: ExpectedRanges, expiresAt: ClockInstant? = nil) throws(InvalidTransition) -> Action {
        guard state == .creatingSession else { throw invalid("session created") }
        session = url
        sessionExpires = expiresAt
        outageBegan = nil
        failures = 0
        stalls = 0
        mostConfirmed = 0
        return proceed(expecting: ranges, finalMayHaveLanded: false)
    }

    public mutating func sessionCreationFailed(_ failure: RequestFailure) throws(InvalidTransition) -> Action {
        guard state == .creatingSession else { throw invalid("session creation failed") }
        if failure.code == "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize" {
            // The server finds the file too small for a session: one POST will do.
            state = .posting
            return .postAttachment
        }
        if failure.isRetryable { return retry(after: failure, then: .createSession) }
        return finish(failing: .rejected(failure))
    }

    public mutating func rangeAccepted(expecting ranges: ExpectedRanges) throws(InvalidTransition) -> Action {
        guard case .putting = state else { throw invalid("range accepted") }
        failures = 0
        outageBegan = nil
        sessionAnswered = true
        let before = max(confirmedBytes, mostConfirmed)
        let now = ranges.confirmedBytes(total: fileSize)
        if now <= before, ranges.firstMissing(total: fileSize) != nil {
            // Accepted, yet the server holds no more than it ever did: a server that keeps
            // doing this (or falls back to 0 and climbs again) would be sent bytes for ever.
            stalls += 1
            guard stalls < maximumAttempts else {
                expected = ranges
                return finish(failing: .serverDisagrees("it accepted \(stalls) ranges in a row without holding more than \(before) bytes"))
            }
        } else {
            stalls = 0
            mostConfirmed = now
        }
        return proceed(expecting: ranges, finalMayHaveLanded: true)
    }

    /// The final range landed: 201, with the id from `Location` when it could be read.
    public mutating func uploadCompleted(attachmentID: String?) throws(InvalidTransition) -> Action {
        guard case .putting = state else { throw invalid("upload completed") }
        session = nil
        outageBegan = nil
        expected = .nothing
        guard let attachmentID else {
            // Done, says the server, but not where: look, and never send the file again.
            state = .finding(then: .failCompleted)
            return .findAttachment
        }
        state = .confirmingFile(attachmentID: attachmentID)
        return .confirmFile(attachmentID: attachmentID)
    }

    public mutating func rangeFailed(_ failure: RequestFailure) throws(InvalidTransition) -> Action {
        guard case .putting(let range) = state else { throw invalid("range failed") }
        let wasFinal = range.upperBound == fileSize
        // Refused for now (a 429 with Retry-After), not taken: like the pacer, the send limit
        // does not count it.
        if failure.isThrottling { bytesRequested -= Int64(range.count) }
        if failure.isSessionGone {
            // An answer to this PUT: it did not land. Whether an earlier one did is what a
            // query after a lost reply finds out, not this.
            return sessionLost(failure, finalMayHaveLanded: false)
        }
        if failure.isRangeDisagreement {
            failures += 1
            guard failures < maximumAttempts else {
                return finish(failing: .serverDisagrees("it kept refusing bytes \(range.lowerBound)-\(range.upperBound - 1): \(failure)"))
            }
            state = .querying(finalMayHaveLanded: wasFinal)
            return .querySession(session!)
        }
        if failure.isRetryable || failure.isMalformed {
            // The server may have kept part of the body: ask before sending again.
            return retry(after: failure, then: .query(finalMayHaveLanded: wasFinal))
        }
        return finish(failing: .rejected(failure))
    }

    public mutating func sessionStatus(expecting ranges: ExpectedRanges) throws(InvalidTransition) -> Action {
        guard case .querying(let finalMayHaveLanded) = state else { throw invalid("session status") }
        sessionAnswered = true
        outageBegan = nil
        return proceed(expecting: ranges, finalMayHaveLanded: finalMayHaveLanded)
    }

    public mutating func sessionQueryFailed(_ failure: RequestFailure) throws(InvalidTransition) -> Action {
        guard case .querying(let finalMayHaveLanded) = state else { throw invalid("session query failed") }
        if failure.isSessionGone {
            return sessionLost(failure, finalMayHaveLanded: finalMayHaveLanded)
        }
        if failure.isRetryable || failure.isMalformed {
            return retry(after: failure, then: .query(finalMayHaveLanded: finalMayHaveLanded))
        }
        return finish(failing: .rejected(failure))
    }

    // MARK: Looking for an attachment already made

    public mutating func attachmentSearchFinished(foundID: String?) throws(InvalidTransition) -> Action {
        guard case .finding(let then) = state else { throw invalid("attachment search finished") }
        outageBegan = nil
        if let foundID {
            state = .confirmingFile(attachmentID: foundID)
            return .confirmFile(attachmentID: foundID)
        }
        switch then {
        case .post:
            state = .posting
            return .postAttachment
        case .newSession:
            return beginSession()
        case .cancel:
            return finish(.cancel(finalMayHaveLanded: false))
        case .failCompleted:
            return finish(failing: .completedWithoutAttachment)
        case .failDisagreement(let detail):
            return finish(failing: .serverDisagrees(detail))
        }
    }

    public mutating func attachmentSearchFailed(_ failure: RequestFailure) throws(InvalidTransition) -> Action {
        guard case .finding(let then) = state else { throw invalid("attachment search failed") }
        if then == .cancel {
            // No way to know whether it landed; the cancel stands, and resume would look again.
            return finish(.cancel(finalMayHaveLanded: false))
        }
        if failure.isRetryable { return retry(after: failure, then: .find(then: then)) }
        return finish(failing: .rejected(failure))
    }

    // MARK: The file

    /// The attachment holds what was sent, and the file still is what was sent.
    public mutating func fileConfirmed() throws(InvalidTransition) -> Action {
        guard case .confirmingFile(let id) = state else { throw invalid("file confirmed") }
        state = .done
        return .succeed(attachmentID: id)
    }

    /// The file changed since the upload began: what was sent is a mix of versions.
    public mutating func fileChanged(_ detail: String) throws(InvalidTransition) -> Action {
        switch state {
        case .confirmingFile(let id):
            state = .deletingAttachment(then: .fileChanged(detail))
            return .deleteAttachment(id: id)
        case .idle, .posting, .creatingSession, .putting, .querying, .waiting, .finding:
            return finish(failing: .fileChanged(detail))
        case .deletingSession, .deletingAttachment, .done:
            throw invalid("file changed")
        }
    }

    /// The `DELETE` of the attachment is over, whether it worked or not.
    public mutating func attachmentDeleted() throws(InvalidTransition) -> Action {
        guard case .deletingAttachment(let failure) = state else { throw invalid("attachment deleted") }
        state = .done
        return .fail(failure)
    }

    // MARK: Waiting, stopping, cleaning up

    public mutating func waitElapsed() throws(InvalidTransition) -> Action {
        guard case .waiting(let pending) = state else { throw invalid("wait elapsed") }
        switch pending {
        case .post:
            state = .posting
            return .postAttachment
        case .createSession:
            state = .creatingSession
            return .createSession
        case .query(let finalMayHaveLanded):
            state = .querying(finalMayHaveLanded: finalMayHaveLanded)
            return .querySession(session!)
        case .find(let then):
            state = .finding(then: then)
            return .findAttachment
        }
    }

    /// Asks the upload to stop: a cancel deletes the session, an interrupt keeps it.
    ///
    /// - Parameter requestInFlight: the request of the current step was under way when
    ///   the stop cut it short, so it may have taken effect on the server.
    /// - Returns: the next action, or `nil` to go on with the current one (an upload that
    ///   is already cleaning up or ending finishes that first).
    public mutating func stop(_ reason: StopReason, requestInFlight: Bool) -> Action? {
        guard stopping == nil else { return nil }
        stopping = reason
        switch state {
        case .done, .deletingSession, .deletingAttachment, .confirmingFile:
            return nil
        case .finding(let then):
            if reason == .interrupt {
                state = .done
                return .reportInterrupted
            }
            // An earlier attempt may have landed: the cancel waits for the answer.
            state = .finding(then: then == .post || then == .newSession ? .cancel : then)
            return .findAttachment
        default:
            break
        }
        if reason == .interrupt {
            state = .done
            return .reportInterrupted
        }
        switch state {
        case .posting where requestInFlight:
            state = .finding(then: .cancel)
            return .findAttachment
        case .putting(let range):
            return finish(.cancel(finalMayHaveLanded: requestInFlight && range.upperBound == fileSize))
        case .querying(let finalMayHaveLanded), .waiting(.query(let finalMayHaveLanded)):
            return finish(.cancel(finalMayHaveLanded: finalMayHaveLanded))
        case .waiting(.find):
            state = .finding(then: .cancel)
            return .findAttachment
        default:
            return finish(.cancel(finalMayHaveLanded: false))
        }
    }

    /// Another attache cancelled this transfer (and deleted its session): stop, touching nothing.
    public mutating func cancelledElsewhere() throws(InvalidTransition) -> Action {
        switch state {
        case .deletingSession, .deletingAttachment, .confirmingFile, .done:
            throw invalid("cancelled elsewhere")
        default:
            session = nil
            state = .done
            return .reportCancelled
        }
    }

    /// The `DELETE` of the session is over.
    ///
    /// - Parameter existed: `true` when it answered 204 (the session was there, so its
    ///   final range had not landed), `false` when it was already gone, `nil` when unknown.
    public mutating func sessionDeleted(existed: Bool?) throws(InvalidTransition) -> Action {
        guard case .deletingSession(let then) = state else { throw invalid("session deleted") }
        session = nil
        switch then {
        case .fail(let failure):
            state = .done
            return .fail(failure)
        case .cancel(let finalMayHaveLanded):
            if finalMayHaveLanded, existed != true {
                // Gone already: it may have become the attachment just before the cancel.
                state = .finding(then: .cancel)
                return .findAttachment
            }
            state = .done
            return .reportCancelled
        }
    }

    /// Ends on a bug in the caller: the session (if any) is deleted, then the upload fails.
    public mutating func internalFailure(_ error: InvalidTransition) -> Action {
        switch state {
        case .done:
            return .fail(.internalError(error.description))
        case .deletingSession, .deletingAttachment:
            state = .done
            return .fail(.internalError(error.description))
        default:
            return finish(failing: .internalError(error.description))
        }
    }

    // MARK: Helpers

    private mutating func beginSession() -> Action {
        guard session == nil else {
            // Never two at once: the open one would be forgotten on the server.
            return finish(failing: .internalError("a new session was asked for while one was open"))
        }
        guard sessionsStarted < maximumSessions else {
            return finish(failing: .sessionsKeptExpiring(sessionsStarted))
        }
        sessionsStarted += 1
        sessionAnswered = false
        expected = nil
        state = .creatingSession
        return .createSession
    }

    private mutating func proceed(expecting ranges: ExpectedRanges, finalMayHaveLanded: Bool) -> Action {
        expected = ranges
        guard let missing = ranges.firstMissing(total: fileSize) else {
            // The server holds every byte (or lists none within the file) but made no
            // attachment we know of. Look once; never open another session on its word.
            state = .finding(then: .failDisagreement("it expects no more bytes (\(ranges)) yet made no attachment"))
            return .findAttachment
        }
        let end = min(missing.upperBound, missing.lowerBound + rangeLength)
        let range = missing.lowerBound..<end
        guard bytesRequested + Int64(range.count) <= sendLimit else {
            // Whatever the server says, a file is not sent over and over: each session may
            // send it once, with a few ranges again after failures.
            return finish(
                failing: .serverDisagrees(
                    "it was sent \(ByteCount(bytesRequested)) for a file of \(ByteCount(fileSize)) without holding all of it; attache stops rather than send more"))
        }
        bytesRequested += Int64(range.count)
        state = .putting(range)
        return .putRange(range, session: session!)
    }

    private mutating func sessionLost(_ failure: RequestFailure, finalMayHaveLanded: Bool) -> Action {
        session = nil
        sessionExpires = nil
        if finalMayHaveLanded {
            // Checked first: a single-range upload whose only reply was lost never had its
            // session answer, yet may well be attached.
            state = .finding(then: .newSession)
            return .findAttachment
        }
        guard sessionAnswered else {
            // A session that refuses its very first request was never usable: a new one
            // from the same server would fare no better.
            return finish(failing: .uploadURLRefused(failure))
        }
        return beginSession()
    }

    private mutating func retry(after failure: RequestFailure, then pending: Pending) -> Action {
        if failure.isThrottling {
            // Pacing, not failure: wait as long as the server asks, however often it asks.
            state = .waiting(pending)
            outageBegan = nil
            return .wait(attempt: failures + 1, retryAfter: failure.retryAfter, reason: failure)
        }
        failures += 1
        // An upload host that never answered this session is no outage but a host out of
        // reach (a firewall, a wrong address): counted, so it is said in seconds.
        if failure.isOutage, outageTolerance > .zero, session == nil || sessionAnswered {
            // Ridden out for a time, however many tries it takes (the back-off is capped),
            // and only while the session it would resume can still be there.
            let began = outageBegan ?? now
            outageBegan = began
            let expired = sessionExpires.map { now >= $0 } ?? false
            guard began.duration(to: now) < outageTolerance, !expired else {
                return finish(failing: .unreachable(failure, lasted: began.duration(to: now), attempts: failures, sessionExpired: expired))
            }
            state = .waiting(pending)
            return .wait(attempt: failures, retryAfter: failure.retryAfter, reason: failure)
        }
        outageBegan = nil
        guard failures < maximumAttempts else {
            return finish(failing: .gaveUp(failure, attempts: failures))
        }
        state = .waiting(pending)
        return .wait(attempt: failures, retryAfter: failure.retryAfter, reason: failure)
    }

    private mutating func finish(failing failure: UploadFailure) -> Action {
        finish(.fail(failure))
    }

    private mutating func finish(_ then: AfterDelete) -> Action {
        if let session {
            state = .deletingSession(then: then)
            return .deleteSession(session)
        }
        switch then {
        case .fail(let failure):
            state = .done
            return .fail(failure)
        case .cancel(let finalMayHaveLanded):
            if finalMayHaveLanded {
                state = .finding(then: .cancel)
                return .findAttachment
            }
            state = .done
            return .reportCancelled
        }
    }

    private func invalid(_ event: String) -> InvalidTransition {
        InvalidTransition(event: event, state: "\(state)")
    }


}
