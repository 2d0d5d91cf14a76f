import Clocks
import Crypto
import Foundation
import Logging
import NIOCore

/// Performs what ``UploadStateMachine`` decides for one file, through ``UploadEffects``: it
/// turns each action into requests, waits and checks, reports what happened to the machine
/// as its next event, records each step (``TransferRecorder``) and reports progress. It
/// decides nothing itself: what to do after a failure, a lost reply, a stop or a change of
/// the file is the machine's.
struct UploadDriver {
    let job: UploadJob
    let effects: any UploadEffects
    let stop: StopSignal
    let report: @Sendable (TransferUpdate) -> Void
    let retryPolicy: RetryPolicy
    /// Read each attachment back once made and compare it with the file.
    let verify: Bool
    let logger: Logger
    var machine: UploadStateMachine
    var recorder: TransferRecorder
    /// How this upload's attachment is told from others after a lost reply.
    var search: AttachmentSearch
    /// When the session or the POST began, on this machine's clock: shown, never compared.
    var sessionStartedAt = Date()
    var generator = SystemRandomNumberGenerator()
    /// The last request failure, with everything the server said.
    var lastFailure: GraphError?
    /// What is known of the attachment once one exists (from the POST or the search).
    var attachment: AttachmentInfo?
    /// An attachment of a changed file that could not be removed.
    var attachmentLeft: String?
    /// A session whose `DELETE` could not be made (its host unreachable): it stays in the
    /// journal, for a resume or a cancel, until it is deleted or expires.
    var undeletedSession: UploadURL?
    /// The list of the attachments of the file's name that the item held when the session
    /// was asked for, on its way (``settlePriorListing()``).
    var priorListing: Task<Set<String>?, Never>?

    init(
        job: UploadJob, effects: any UploadEffects, recorder: TransferRecorder, search: AttachmentSearch, stop: StopSignal,
        retryPolicy: RetryPolicy, verify: Bool, logger: Logger, report: @escaping @Sendable (TransferUpdate) -> Void
    ) {
        self.job = job
        self.effects = effects
        self.recorder = recorder
        self.search = search
        self.stop = stop
        self.retryPolicy = retryPolicy
        self.verify = verify
        self.logger = logger
        self.report = report
        self.machine = UploadStateMachine(
            fileSize: job.file.size, plan: job.plan, maximumAttempts: retryPolicy.maximumAttempts, outageTolerance: retryPolicy.outageTolerance,
            now: effects.clock.now)
    }

    var fileName: String { job.file.name }

    /// The session the journal must hold: the machine's, or one that could not be deleted.
    var sessionToJournal: UploadURL? { machine.session ?? undeletedSession }

    func error(_ kind: UploadError.Kind, _ reason: String) -> UploadError {
        UploadError(kind, reason: reason, fileName: fileName, item: job.item)
    }

    // MARK: The loop

    /// Runs from `first` (the machine's answer to a start or a resume) to the end.
    mutating func run(from first: UploadStateMachine.Action) async -> TransferOutcome {
        var action = first
        while true {
            // A stop asked for between steps: the machine says what it means now.
            if let reason = stop.requested, !machine.isStopping, let next = machine.stop(reason, requestInFlight: false) {
                action = next
            }
            await recorder.record(session: sessionToJournal)
            if recorder.failure != nil, !machine.isStopping,
                let next = machine.stop(recorder.journaledSession == machine.session ? .interrupt : .cancel, requestInFlight: false)
            {
                // Kept when the journal holds it, for a resume once it can be written;
                // deleted when it does not, since nothing could find it again.
                action = next
            }
            if machine.isStopping { effects.cleaningUp() }
            switch action {
            case .postAttachment:
                action = await post()

            case .createSession:
                if !machine.isStopping, await recorder.cancelledElsewhere() {
                    action = step { try $0.cancelledElsewhere() }
                    continue
                }
                action = await createSession()

            case .putRange(let range, let url):
                if range.upperBound == job.file.size { await settlePriorListing() }
                action = await put(range, to: url, current: action)

            case .querySession(let url):
                report(.checking("asking the session where it stands"))
                do {
                    let effects = self.effects
                    let status = try await request { try await effects.sessionStatus(url) }
                    let confirmed = status.nextExpectedRanges.confirmedBytes(total: job.file.size)
                    await recorder.update { $0.confirmedBytes = confirmed }
                    report(.confirmed(status.nextExpectedRanges))
                    action = step { try $0.sessionStatus(expecting: status.nextExpectedRanges) }
                } catch let error as GraphError {
                    lastFailure = error
                    action = step { try $0.sessionQueryFailed(error.requestFailure) }
                } catch {
                    action = stopped(requestInFlight: true, else: action)
                }

            case .findAttachment:
                if !machine.isStopping, await recorder.cancelledElsewhere() {
                    action = step { try $0.cancelledElsewhere() }
                    continue
                }
                report(.checking("looking for the attachment on the item"))
                await settlePriorListing()
                do {
                    let (effects, search) = (self.effects, self.search)
                    let found = try await request { try await effects.findAttachment(search) }
                    attachment = found
                    action = step { try $0.attachmentSearchFinished(foundID: found?.id) }
                } catch let error as GraphError {
                    lastFailure = error
                    action = step { try $0.attachmentSearchFailed(error.requestFailure) }
                } catch {
                    action = stopped(requestInFlight: true, else: action)
                }

            case .deleteSession(let url):
                let existed = await effects.deleteSession(url)
                if existed == nil { undeletedSession = url }
                action = step { try $0.sessionDeleted(existed: existed) }

            case .deleteAttachment(let id):
                report(.checking("removing the attachment of the changed file"))
                if !(await effects.deleteAttachment(id)) {
                    attachmentLeft = id
                    logger.warning("could not remove the attachment of a changed file", metadata: ["file": "\(fileName)"])
                }
                action = step { try $0.attachmentDeleted() }

            case .confirmFile(let id):
                report(.checking("checking the file is what was sent"))
                if let change = await effects.confirmFile() {
                    action = step { try $0.fileChanged(change.description) }
                } else {
                    action = step { try $0.fileConfirmed() }
                    if case .succeed = action, attachment?.id != id { attachment = nil }
                }

            case .wait(let attempt, let retryAfter, let reason):
                action = await wait(attempt: attempt, retryAfter: retryAfter, reason: reason, current: action)

            case .succeed(let attachmentID):
                if machine.stopping == .cancel, recorder.failure == nil { report(.cancelCameTooLate) }
                // No metadata read after the final 201: its `Location` gave the id, and the
                // rest is what was sent (a round trip the protocol does not need).
                let info = attachment ?? AttachmentInfo(id: attachmentID, name: fileName, contentType: job.file.contentType, size: job.file.size)
                let outcome = await finishAttached(info)
                if let journalFailure = recorder.failure, case .attached = outcome {
                    return .failed(
                        error(
                            .journalUnwritable,
                            "it was attached as \(info.id), but \(journalFailure), so the journal may still list it unfinished; resumed, it finds the attachment and sends nothing again"
                        ))
                }
                return outcome

            case .fail(let failure):
                var error = UploadError(failure, last: lastFailure, file: fileName, item: job.item)
                    .itemGoneMidUpload(began: machine.bytesRequested > 0, confirmed: max(machine.confirmedBytes, machine.mostConfirmed), fileSize: job.file.size)
                if let attachmentLeft {
                    error.reason += "; its attachment \(attachmentLeft) could not be removed: delete it by hand"
                }
                if undeletedSession != nil {
                    error.reason += "; its session could not be deleted and is kept"
                    error.advice = [.resume, .cancel]
                }
                if let journalFailure = recorder.failure { error.reason += "; besides, \(journalFailure)" }
                return await finishFailed(error)

            case .reportCancelled:
                await recorder.record(state: .cancelled, keptSession: undeletedSession)
                if let journalFailure = recorder.failure {
                    let kept = undeletedSession == nil ? "" : " (or, if its host could not be reached, it expires by itself)"
                    return .failed(error(.journalUnwritable, "\(journalFailure), so the upload stopped; its session was deleted\(kept) and nothing was attached"))
                }
                return .cancelled

            case .reportInterrupted:
                await recorder.record(state: .interrupted, keptSession: undeletedSession)
                if let journalFailure = recorder.failure {
                    let held = ByteCount(machine.confirmedBytes).description(rounding: .down)
                    var failure = error(
                        .journalUnwritable, "\(journalFailure), so the upload stopped at \(held) of \(ByteCount(job.file.size)) with its session kept")
                    failure.note = "make room"
                    failure.advice = [.resume]
                    return .failed(failure)
                }
                return .interrupted
            }
        }
    }

    /// Feeds one event to the machine; an event it cannot take ends the upload as an
    /// internal error (cleaning up what it can) rather than carrying on in a wrong state.
    mutating func step(_ event: (inout UploadStateMachine) throws -> UploadStateMachine.Action) -> UploadStateMachine.Action {
        machine.now = effects.clock.now
        do {
            return try event(&machine)
        } catch {
            logger.error("the upload took a step it cannot take", metadata: ["file": "\(fileName)", "error": "\(error)"])
            let invalid = error as? UploadStateMachine.InvalidTransition ?? .init(event: "\(error)", state: "unknown")
            return machine.internalFailure(invalid)
        }
    }

    /// The task was cancelled while `current` was under way.
    mutating func stopped(requestInFlight: Bool, else current: UploadStateMachine.Action) -> UploadStateMachine.Action {
        // Nobody said why: keep the session, which a resume can still use.
        machine.stop(stop.requested ?? .interrupt, requestInFlight: requestInFlight) ?? current
    }

    /// Runs a request; once the upload is stopping, ``shielded(_:)``, so the cancel of this
    /// task cannot cut short the cleanup that the stop itself asked for.
    func request<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard machine.isStopping else { return try await body() }
        return try await shielded(body)
    }

    /// A server's date on the effects' clock: `then` (on the clock) was `serverTimeThen` on
    /// the server. The server's number is clamped (a day at most), never trusted in arithmetic.
    static func instant(of serverDate: String?, serverTimeThen: Date?, then: ClockInstant) -> ClockInstant? {
        guard let serverDate, let date = GraphDate.parse(serverDate), let serverTimeThen else { return nil }
        let remaining = date.timeIntervalSince(serverTimeThen)
        guard remaining.isFinite else { return nil }
        return then + .milliseconds(Int64(min(max(remaining, 0), 86_400) * 1000))
    }

    // MARK: Steps

    mutating func createSession() async -> UploadStateMachine.Action {
        report(.starting)
        sessionStartedAt = Date()
        let sentAt = ContinuousClock.now
        let sentOnClock = effects.clock.now
        // Beside it, what the item already holds of that name, so that a lost final reply is
        // never taken to have made one of those: no range can make an attachment before the
        // last, which waits for this list.
        let effects = self.effects
        priorListing = Task { await effects.attachmentsNamedLikeTheFile() }
        do {
            let created = try await effects.createSession()
            search.excluded = nil
            search.createdSince = effects.serverTime(at: sentAt)
            // Recorded before anything else happens to it: no session is ever forgotten. Once
            // it is in, a stop (a cancel deletes it) takes effect at the next step.
            await recorder.record(opened: created, startedAt: sessionStartedAt, serverStart: search.createdSince)
            report(.sessionOpened(created.nextExpectedRanges))
            let expires = Self.instant(of: created.expirationDateTime, serverTimeThen: search.createdSince, then: sentOnClock)
            return step { try $0.sessionCreated(created.uploadURL, expecting: created.nextExpectedRanges, expiresAt: expires) }
        } catch let error as GraphError {
            lastFailure = error
            return step { try $0.sessionCreationFailed(error.requestFailure) }
        } catch {
            return stopped(requestInFlight: true, else: .createSession)
        }
    }

    /// Waits for the list of what the item held before the session, and keeps it in the
    /// search and the journal: before the final range, which alone can make the attachment.
    mutating func settlePriorListing() async {
        guard let listing = priorListing else { return }
        priorListing = nil
        let prior = await listing.value
        search.excluded = prior
        let ids = prior.map { $0.sorted() }
        await recorder.update { $0.priorAttachmentIDs = ids }
    }

    static let budgetWait = "waiting for Outlook's upload budget"

    /// Waits until the mailbox's upload budget lets `bytes` go; `nil` when a stop came first.
    func pace(_ bytes: Int64) async -> UploadPacer.Ticket? {
        let (report, stop) = (self.report, self.stop)
        return await effects.pace(bytes, onWait: { report(.waiting(delay: $0, reason: Self.budgetWait)) }, shouldStop: { stop.requested != nil })
    }

    mutating func wait(attempt: Int, retryAfter: Duration?, reason: RequestFailure, current: UploadStateMachine.Action) async -> UploadStateMachine.Action {
        let delay = retryPolicy.delay(forAttempt: attempt, retryAfter: retryAfter, using: &generator)
        if reason.isThrottling {
            // Every transfer to the mailbox holds back until the wait is over.
            if let retryAfter = reason.retryAfter { await effects.holdMailbox(for: retryAfter) }
            report(.waiting(delay: delay, reason: "Outlook is throttling this mailbox"))
        } else if let began = machine.outageBegan {
            report(.offline(delay: delay, attempt: attempt, lasted: began.duration(to: effects.clock.now), reason: reason.description))
        } else {
            report(.retrying(delay: delay, attempt: attempt, reason: reason.description))
        }
        await recorder.update { $0.lastError = reason.description }
        if await sleep(for: delay) { return step { try $0.waitElapsed() } }
        return stopped(requestInFlight: false, else: current)
    }

    /// Sleeps on the effects' clock, waking early when a stop is asked for; false when it
    /// did not sleep it all.
    func sleep(for delay: Duration) async -> Bool {
        let clock = effects.clock
        let deadline = clock.now.advanced(by: delay)
        while clock.now < deadline {
            if stop.requested != nil || Task.isCancelled { return false }
            // A tenth of a second at a time, on the clock, so a stop is heard.
            try? await clock.sleep(until: min(deadline, clock.now.advanced(by: .milliseconds(100))))
        }
        return true
    }

    mutating func post() async -> UploadStateMachine.Action {
        report(.starting)
        await recorder.record(state: .uploading, keptSession: nil)
        if recorder.failure != nil { return stopped(requestInFlight: false, else: .postAttachment) }
        if let change = await effects.checkFile() { return step { try $0.fileChanged(change.description) } }
        let contents: ByteBuffer
        do {
            contents = try await effects.readWholeFile()
        } catch let mismatch as LiveUploadEffects.SizeMismatch {
            return step { try $0.fileChanged(mismatch.description) }
        } catch where Task.isCancelled {
            return stopped(requestInFlight: false, else: .postAttachment)
        } catch {
            return step { try $0.fileChanged("it can no longer be read") }
        }
        // Read whole, then checked again: the POST carries exactly these bytes.
        if let change = await effects.checkFile() { return step { try $0.fileChanged(change.description) } }
        let size = job.file.size
        let digest = contents.withUnsafeReadableBytes { Array(SHA256.hash(data: $0)) }
        effects.recordSent(0..<size, sha256: digest)
        // The request's body: the file in base64, in a small JSON envelope.
        guard let ticket = await pace((size + 2) / 3 * 4 + 1024) else { return stopped(requestInFlight: false, else: .postAttachment) }
        // Should its reply be lost, what it made is found by Graph's clock and these bytes.
        let sentAt = ContinuousClock.now
        search.sha256 = digest.hexString
        search.startedAt = sentAt
        search.createdSince = effects.serverTime(at: sentAt)
        sessionStartedAt = Date()
        let (startedAt, serverStart) = (sessionStartedAt, search.createdSince)
        await recorder.update {
            $0.sessionStartedAt = startedAt
            $0.serverStartedAt = serverStart
        }
        if recorder.failure != nil {
            await effects.endPaced(ticket, failure: NeverSent())
            return stopped(requestInFlight: false, else: .postAttachment)
        }
        report(.bytesSent(size))
        do {
            let effects = self.effects
            let info = try await request { try await effects.post(contents) }
            await effects.endPaced(ticket, failure: nil)
            report(.confirmed(.nothing))
            attachment = info
            return step { try $0.attachmentPosted(id: info.id) }
        } catch let error as GraphError {
            await effects.endPaced(ticket, failure: error)
            lastFailure = error
            return step { try $0.postFailed(error.requestFailure) }
        } catch {
            await effects.endPaced(ticket, failure: error)
            return stopped(requestInFlight: true, else: .postAttachment)
        }
    }

    mutating func put(_ range: Range<Int64>, to url: UploadURL, current: UploadStateMachine.Action) async -> UploadStateMachine.Action {
        if let change = await effects.checkFile() { return step { try $0.fileChanged(change.description) } }
        guard let ticket = await pace(Int64(range.count)) else { return stopped(requestInFlight: false, else: current) }
        let report = self.report
        // Only a file written just before the upload has what it sends hashed (SourceFileGuard).
        let digest = effects.hashesWhatIsSent ? RangeDigest() : nil
        let reply: RangeReply
        do {
            let effects = self.effects
            reply = try await request {
                try await effects.put(range, to: url) { chunk in
                    digest?.update(chunk)
                    report(.bytesSent(Int64(chunk.readableBytes)))
                }
            }
        } catch is CancellationError {
            await effects.endPaced(ticket, failure: CancellationError())
            return stopped(requestInFlight: true, else: current)
        } catch {
            await effects.endPaced(ticket, failure: error)
            // A failure may be the file's doing (it shrank under the reader): ask it first.
            if let change = await effects.checkFile() { return step { try $0.fileChanged(change.description) } }
            guard let error = error as? GraphError else {
                return step { try $0.fileChanged("it could not be read while sending (\(type(of: error)))") }
            }
            lastFailure = error
            logger.info(
                "range failed",
                metadata: ["file": "\(fileName)", "range": "\(range.lowerBound)-\(range.upperBound - 1)", "error": "\(error.requestFailure)"])
            return step { try $0.rangeFailed(error.requestFailure) }
        }
        await effects.endPaced(ticket, failure: nil)
        if let sent = digest?.finalize(expecting: Int64(range.count)) { effects.recordSent(range, sha256: Array(sent)) }
        switch reply {
        case .accepted(let status):
            let confirmed = status.nextExpectedRanges.confirmedBytes(total: job.file.size)
            await recorder.update { $0.confirmedBytes = confirmed }
            report(.confirmed(status.nextExpectedRanges))
            return step { try $0.rangeAccepted(expecting: status.nextExpectedRanges) }
        case .completed(let attachmentID):
            report(.confirmed(.nothing))
            await recorder.recordCompleted()
            return step { try $0.uploadCompleted(attachmentID: attachmentID) }
        }
    }

    // MARK: Endings

    mutating func finishAttached(_ info: AttachmentInfo) async -> TransferOutcome {
        if verify {
            report(.checking("reading the attachment back to compare SHA-256"))
            switch await AttachmentVerifier.verify(info, effects: effects, job: job) {
            case .failure(let mismatch):
                // Attached, but not as sent: the attachment stays for the user to see.
                await recorder.update { $0.attachmentID = info.id }
                return await finishFailed(mismatch)
            case .success(let sha256):
                report(.verified(sha256: sha256))
            }
        }
        // A file for OneDrive is done once its link is in the item (``LinkPlacer``): until
        // then its row stays unfinished, holding the drive item, for a resume to finish.
        let state: TransferRecord.State = job.plan.isDrive ? .uploading : .done
        await recorder.update {
            $0.state = state
            $0.attachmentID = info.id
            $0.uploadURL = nil
            $0.confirmedBytes = $0.fileSize
            $0.lastError = nil
            $0.errorCode = nil
        }
        return .attached(info)
    }

    /// Records the failure. A session that could not be deleted stays in the row, which is
    /// then left interrupted, so that `attache resume` or `attache cancel` can still reach it
    /// (its host was unreachable; the advice says to resume).
    mutating func finishFailed(_ error: UploadError) async -> TransferOutcome {
        let kept = undeletedSession
        await recorder.update { record in
            record.state = kept == nil ? .failed : .interrupted
            record.lastError = error.description
            record.errorCode = error.code
            record.uploadURL = kept
        }
        return .failed(error)
    }
}
