import Crypto
import Foundation
import Logging
import NIOCore
import _NIOFileSystem

/// Performs what ``UploadStateMachine`` decides for one file: the requests, the waits, the
/// checks of the file, the journal writes and the progress reports. Every decision stays in
/// the state machine.
public struct AttachmentUploader: Sendable {
    public var graph: GraphClient
    public var retryPolicy: RetryPolicy
    /// Where each step is recorded; `nil` keeps no record.
    public var journal: TransferJournal?
    /// What the journal stores as the Graph root (`embedded` for the built-in emulator).
    public var journalGraphBase: String
    /// Read each attachment back (`$value`) once made and compare its SHA-256 with the file's.
    public var verify: Bool
    var logger: Logger

    public init(
        graph: GraphClient, retryPolicy: RetryPolicy = RetryPolicy(), journal: TransferJournal?, journalGraphBase: String? = nil,
        verify: Bool = false, logger: Logger
    ) {
        self.graph = graph
        self.retryPolicy = retryPolicy
        self.journal = journal
        self.journalGraphBase = journalGraphBase ?? graph.baseURL
        self.verify = verify
        self.logger = logger
    }

    /// Uploads `job.file` to `job.item`, or picks up `record` where it stopped.
    ///
    /// Stops when `stop` asks, between requests; a request in flight is cut short only when
    /// the calling task is cancelled too. A cancel deletes the session, an interrupt keeps
    /// it for a resume.
    public func run(
        _ job: UploadJob,
        resuming record: TransferRecord? = nil,
        stop: StopSignal = StopSignal(),
        report: @escaping @Sendable (TransferUpdate) -> Void
    ) async -> TransferOutcome {
        var run = Run(uploader: self, job: job, stop: stop, report: report)
        let outcome = await run.perform(resuming: record)
        run.releaseClaim()
        report(.finished(outcome))
        return outcome
    }
}

extension AttachmentUploader {
    /// The mutable state of one run; lives only inside ``run(_:resuming:stop:report:)``.
    struct Run {
        let uploader: AttachmentUploader
        let job: UploadJob
        let stop: StopSignal
        let report: @Sendable (TransferUpdate) -> Void
        var machine: UploadStateMachine
        /// When the session or the POST began, on this machine's clock: shown, never compared.
        var sessionStartedAt = Date()
        /// How this upload's attachment is told from others after a lost reply.
        var search: AttachmentSearch
        /// Why the journal could not record a step, once it could not: the transfer then
        /// stops, since what it did could no longer be resumed or cancelled from the journal.
        var journalFailure: String?
        /// A session whose `DELETE` could not be made (its host unreachable): it stays in
        /// the journal, for a resume or a cancel, until it is deleted or expires.
        var undeletedSession: UploadURL?
        var recordID: String?
        /// The upload URL the journal holds, kept in step with the machine's session.
        var journaledSession: UploadURL?
        /// This process's hold on the journal row, so no other attache drives the same session.
        var claim: TransferClaim?
        var generator = SystemRandomNumberGenerator()
        /// The last request failure, with everything the server said.
        var lastFailure: GraphError?
        /// What is known of the attachment once one exists (from the POST or the search).
        var attachment: AttachmentInfo?
        /// An attachment of a changed file that could not be removed.
        var attachmentLeft: String?
        var fileGuard: SourceFileGuard?

        init(uploader: AttachmentUploader, job: UploadJob, stop: StopSignal, report: @escaping @Sendable (TransferUpdate) -> Void) {
            self.uploader = uploader
            self.job = job
            self.stop = stop
            self.report = report
            self.machine = UploadStateMachine(fileSize: job.file.size, plan: job.plan, maximumAttempts: uploader.retryPolicy.maximumAttempts)
            self.search = AttachmentSearch(name: job.file.name, minimumSize: job.file.size)
        }

        /// The session the journal must hold: the machine's, or one that could not be deleted.
        var sessionToJournal: UploadURL? { machine.session ?? undeletedSession }

        var logger: Logger { uploader.logger }
        var fileName: String { job.file.name }

        /// The client for the next request: cleanups after a stop get less time, so a dead
        /// server cannot hold a Ctrl-C for minutes.
        var graph: GraphClient {
            guard machine.isStopping else { return uploader.graph }
            var graph = uploader.graph
            graph.requestTimeout = .seconds(10)
            return graph
        }

        func error(_ kind: UploadError.Kind, _ reason: String) -> UploadError {
            UploadError(kind, reason: reason, fileName: fileName, item: job.item)
        }

        mutating func perform(resuming journaled: TransferRecord?) async -> TransferOutcome {
            var record = journaled
            if var resumed = record {
                if let holder = takeClaim(resumed.id) {
                    // Its row and session belong to the other run: leave both as they are.
                    return .failed(error(.heldElsewhere, "\(holder) is uploading it right now; it is left to that one"))
                }
                // Read again now that it is ours: another run may have finished it meanwhile.
                if let journal = uploader.journal, let fresh = try? await journal.record(resumed.id) {
                    guard fresh.state.isUnfinished else {
                        return .failed(error(.heldElsewhere, "another attache ended it meanwhile (\(fresh.state.rawValue))"))
                    }
                    // The URL as this process reaches it (rebased), unless the session is gone.
                    if fresh.uploadURL == nil { resumed.uploadURL = nil }
                    resumed.sessionStartedAt = fresh.sessionStartedAt
                    resumed.serverStartedAt = fresh.serverStartedAt
                    resumed.priorAttachmentIDs = fresh.priorAttachmentIDs
                    record = resumed
                }
                recordID = resumed.id
                journaledSession = resumed.uploadURL
                report(.journaled(recordID: resumed.id))
                sessionStartedAt = resumed.sessionStartedAt ?? resumed.createdAt
                search = resumed.attachmentSearch()
                if job.plan == .singleRequest {
                    // A lost POST's candidate is read back: it must hash like the file.
                    search.sha256 = try? await FileDigest.sha256(path: job.file.path)
                }
            } else if let failure = await beginJournal() {
                return .failed(failure)
            }
            let handle: ReadFileHandle
            do {
                // Apart from this task: a cancel must not pass for an unreadable file (the stop
                // takes effect in the loop, as a cancel or an interrupt).
                // A resumed file may have been swapped for a FIFO since, which an open would
                // wait on for ever.
                try LocalFile.checkRegular(job.file.path)
                let path = FilePath(job.file.path)
                handle = try await Task { try await FileSystem.shared.openFile(forReadingAt: path) }.value
            } catch {
                let problem =
                    error as? InputFileError
                    ?? InputFileError(Self.isMissing(error) ? .notFound : .unreadable, path: job.file.path, detail: Self.describe(fileError: error))
                // A session the file can never finish is of no use: delete it.
                if let url = record?.uploadURL { _ = await deleteSession(url) }
                return await finishFailed(UploadError(problem, item: job.item))
            }
            var action: UploadStateMachine.Action
            if let url = record?.uploadURL {
                action = step { try $0.resume(session: url) }
            } else if record != nil {
                action = step { try $0.resumeWithoutSession() }
            } else {
                action = step { try $0.start() }
            }
            if let change = await openGuard(handle, resuming: record) {
                action = step { try $0.fileChanged(change.description) }
            }
            let outcome = await drive(from: action, handle: handle)
            // Closed outside this task's cancellation, which would make `close()` bail out early.
            await Task { try? await handle.close() }.value
            return outcome
        }

        /// Takes the file's identity; for a resume, also checks the file against the journal.
        mutating func openGuard(_ handle: ReadFileHandle, resuming record: TransferRecord?) async -> SourceFileGuard.Change? {
            let file = job.file
            do {
                // Apart from this task: a cancel must not pass for an unreadable file.
                switch try await Task(operation: { try await SourceFileGuard.open(handle, checked: file) }).value {
                case .failure(let change): return change
                case .success(let opened): fileGuard = opened
                }
            } catch {
                return SourceFileGuard.Change("it can no longer be read")
            }
            if let record, let fingerprint = try? await FileFingerprint.compute(path: record.filePath, size: record.fileSize),
                fingerprint != record.fingerprint
            {
                return SourceFileGuard.Change("its contents differ from when the upload began")
            }
            return nil
        }

        // MARK: The loop

        mutating func drive(from first: UploadStateMachine.Action, handle: ReadFileHandle) async -> TransferOutcome {
            var action = first
            while true {
                // A stop asked for between steps: the machine says what it means now.
                if let reason = stop.requested, !machine.isStopping, let next = machine.stop(reason, requestInFlight: false) {
                    action = next
                }
                await journalSessionIfChanged()
                if journalFailure != nil, !machine.isStopping,
                    let next = machine.stop(journaledSession == machine.session ? .interrupt : .cancel, requestInFlight: false)
                {
                    // Kept when the journal holds it, for a resume once it can be written;
                    // deleted when it does not, since nothing could find it again.
                    action = next
                }
                switch action {
                case .postAttachment:
                    action = await post(handle)

                case .createSession:
                    if !machine.isStopping, await cancelledElsewhere() {
                        action = step { try $0.cancelledElsewhere() }
                        continue
                    }
                    report(.starting)
                    sessionStartedAt = Date()
                    let sentAt = ContinuousClock.now
                    do {
                        let graph = self.graph
                        let (name, size, item) = (fileName, job.file.size, job.item)
                        // Never cut short: a session the server made while its reply was
                        // on the way would be left behind, unknown to the journal. Once it
                        // is in, the stop (a cancel deletes it) takes effect at the next step.
                        // Beside it, what the item already holds of that name: listed
                        // before any range can land, so a lost final reply is never taken
                        // to have made one of those.
                        let (created, prior) = try await Task { () async throws -> (UploadSession, Set<String>?) in
                            async let prior = try? graph.attachmentIDs(named: name, on: item)
                            let created = try await graph.createUploadSession(name: name, size: size, on: item)
                            return (created, await prior)
                        }.value
                        search.excluded = prior
                        search.createdSince = graph.serverClock.earliestServerTime(at: sentAt)
                        // Recorded before anything else happens to it: no session is ever forgotten.
                        let (startedAt, serverStart) = (sessionStartedAt, search.createdSince)
                        let priorIDs = prior.map { $0.sorted() }
                        if await journalUpdate({ record in
                            record.uploadURL = created.uploadURL
                            record.sessionExpires = created.expirationDateTime
                            record.sessionStartedAt = startedAt
                            record.serverStartedAt = serverStart
                            record.priorAttachmentIDs = priorIDs
                            record.confirmedBytes = 0
                            record.state = .uploading
                        }) {
                            journaledSession = created.uploadURL
                        }
                        report(.sessionOpened(created.nextExpectedRanges))
                        action = step { try $0.sessionCreated(created.uploadURL, expecting: created.nextExpectedRanges) }
                    } catch let error as GraphError {
                        lastFailure = error
                        action = step { try $0.sessionCreationFailed(error.requestFailure) }
                    } catch {
                        action = stopped(requestInFlight: true, else: action)
                    }

                case .putRange(let range, let url):
                    action = await put(range, to: url, handle: handle, current: action)

                case .querySession(let url):
                    report(.checking("asking the session where it stands"))
                    do {
                        let graph = self.graph
                        let name = fileName
                        let status = try await request { try await graph.sessionStatus(url, fileName: name) }
                        let confirmed = status.nextExpectedRanges.confirmedBytes(total: job.file.size)
                        await journalUpdate { $0.confirmedBytes = confirmed }
                        report(.confirmed(status.nextExpectedRanges))
                        action = step { try $0.sessionStatus(expecting: status.nextExpectedRanges) }
                    } catch let error as GraphError {
                        lastFailure = error
                        action = step { try $0.sessionQueryFailed(error.requestFailure) }
                    } catch {
                        action = stopped(requestInFlight: true, else: action)
                    }

                case .findAttachment:
                    if !machine.isStopping, await cancelledElsewhere() {
                        action = step { try $0.cancelledElsewhere() }
                        continue
                    }
                    report(.checking("looking for the attachment on the item"))
                    do {
                        let graph = self.graph
                        let (search, item) = (self.search, job.item)
                        let found = try await request { try await graph.findAttachment(search, on: item) }
                        attachment = found
                        action = step { try $0.attachmentSearchFinished(foundID: found?.id) }
                    } catch let error as GraphError {
                        lastFailure = error
                        action = step { try $0.attachmentSearchFailed(error.requestFailure) }
                    } catch {
                        action = stopped(requestInFlight: true, else: action)
                    }

                case .deleteSession(let url):
                    let existed = await deleteSession(url)
                    if existed == nil { undeletedSession = url }
                    action = step { try $0.sessionDeleted(existed: existed) }

                case .deleteAttachment(let id):
                    report(.checking("removing the attachment of the changed file"))
                    let graph = self.graph
                    let item = job.item
                    let removed = await Task { (try? await graph.deleteAttachment(id, of: item)) != nil }.value
                    if !removed {
                        attachmentLeft = id
                        logger.warning("could not remove the attachment of a changed file", metadata: ["file": "\(fileName)"])
                    }
                    action = step { try $0.attachmentDeleted() }

                case .confirmFile(let id):
                    report(.checking("checking the file is what was sent"))
                    if let change = await confirmFile(handle) {
                        action = step { try $0.fileChanged(change.description) }
                    } else {
                        action = step { try $0.fileConfirmed() }
                        if case .succeed = action, attachment?.id != id { attachment = nil }
                    }

                case .wait(let attempt, let retryAfter, let reason):
                    let delay = uploader.retryPolicy.delay(forAttempt: attempt, retryAfter: retryAfter, using: &generator)
                    if reason.isThrottling {
                        // Every transfer to the mailbox holds back until the wait is over.
                        if let retryAfter = reason.retryAfter { await uploader.graph.pacer.hold(for: retryAfter) }
                        report(.waiting(delay: delay, reason: "Outlook is throttling this mailbox"))
                    } else {
                        report(.retrying(delay: delay, attempt: attempt, reason: reason.description))
                    }
                    await journalUpdate { $0.lastError = reason.description }
                    if await sleep(for: delay) {
                        action = step { try $0.waitElapsed() }
                    } else {
                        action = stopped(requestInFlight: false, else: action)
                    }

                case .succeed(let attachmentID):
                    if machine.stopping == .cancel, journalFailure == nil { report(.cancelCameTooLate) }
                    // No metadata read after the final 201: its `Location` gave the id, and
                    // the rest is what was sent (a round trip the protocol does not need).
                    let info = attachment ?? AttachmentInfo(id: attachmentID, name: fileName, contentType: job.file.contentType, size: job.file.size)
                    let outcome = await finishAttached(info)
                    if let journalFailure, case .attached = outcome {
                        return .failed(error(.journalUnwritable, "it was attached as \(info.id), but \(journalFailure), so `attache status` may still list it; a resume finds the attachment and sends nothing again"))
                    }
                    return outcome

                case .fail(let failure):
                    var error = UploadError(failure, last: lastFailure, file: fileName, item: job.item)
                    if let attachmentLeft {
                        error.reason += "; its attachment \(attachmentLeft) could not be removed: delete it by hand"
                    }
                    if undeletedSession != nil {
                        error.reason += "; its session could not be deleted and is kept: `attache resume` continues it, `attache cancel` discards it"
                    }
                    if let journalFailure { error.reason += "; besides, \(journalFailure)" }
                    return await finishFailed(error)

                case .reportCancelled:
                    await journal(.cancelled)
                    if let journalFailure {
                        return .failed(error(.journalUnwritable, "\(journalFailure), so the upload stopped; its session was deleted\(undeletedSession == nil ? "" : " (or, if its host could not be reached, it expires by itself)") and nothing was attached"))
                    }
                    return .cancelled

                case .reportInterrupted:
                    await journal(.interrupted)
                    if let journalFailure {
                        let held = ByteCount(machine.confirmedBytes).description(rounding: .down)
                        return .failed(error(.journalUnwritable, "\(journalFailure), so the upload stopped at \(held) of \(ByteCount(job.file.size)) with its session kept: make room, then `attache resume`"))
                    }
                    return .interrupted
                }
            }
        }

        /// Feeds one event to the machine; an event it cannot take ends the upload as an
        /// internal error (cleaning up what it can) rather than carrying on in a wrong state.
        mutating func step(_ event: (inout UploadStateMachine) throws -> UploadStateMachine.Action) -> UploadStateMachine.Action {
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

        /// Runs a request; once the upload is stopping, in a task of its own, so the cancel of
        /// this one cannot cut short the cleanup that the stop itself asked for.
        func request<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
            guard machine.isStopping else { return try await body() }
            return try await Task { try await body() }.value
        }

        /// Sleeps, waking early when a stop is asked for; false when it did not sleep it all.
        func sleep(for delay: Duration) async -> Bool {
            let deadline = ContinuousClock.now + delay
            while ContinuousClock.now < deadline {
                if stop.requested != nil || Task.isCancelled { return false }
                try? await Task.sleep(for: min(.milliseconds(100), deadline - ContinuousClock.now))
            }
            return true
        }

        // MARK: The file

        /// How the file changed since it was opened, or `nil`. Run apart from this task: a
        /// cancel must not make a read fail and pass for a changed file.
        func checkFile(_ handle: ReadFileHandle) async -> SourceFileGuard.Change? {
            guard let fileGuard else { return nil }
            return await Task { await fileGuard.check(handle) }.value
        }

        /// As ``checkFile(_:)``, and every range sent compared with the file.
        func confirmFile(_ handle: ReadFileHandle) async -> SourceFileGuard.Change? {
            guard let fileGuard else { return nil }
            return await Task { await fileGuard.confirm(handle) }.value
        }

        // MARK: Sending

        static let budgetWait = "waiting for Outlook's upload budget"

        /// Waits until the mailbox's upload budget lets `bytes` go; `nil` when a stop came first.
        func pace(_ bytes: Int64) async -> UploadPacer.Ticket? {
            let (report, stop) = (self.report, self.stop)
            do {
                return try await uploader.graph.pacer.reserve(
                    bytes, onWait: { report(.waiting(delay: $0, reason: Self.budgetWait)) }, shouldStop: { stop.requested != nil })
            } catch {
                return nil
            }
        }

        /// Tells the pacer how a paced send ended (`failure` nil: the server took it). Refused
        /// by a 429, it does not count, and a 429's `Retry-After` holds the mailbox back and
        /// teaches the pacer; any other failure counts, but as nothing the server was seen to take.
        func endPaced(_ ticket: UploadPacer.Ticket, failure: (any Error)? = nil) async {
            let pacer = uploader.graph.pacer
            let refusal = failure as? GraphError
            switch (failure, refusal?.status, refusal?.retryAfter) {
            case (nil, _, _): await pacer.sent(ticket)
            case (_, 429, let retryAfter?): await pacer.throttled(ticket, retryAfter: retryAfter)
            case (_, 429, nil): await pacer.refused(ticket)
            default: await pacer.sent(ticket, accepted: false)
            }
        }

        mutating func post(_ handle: ReadFileHandle) async -> UploadStateMachine.Action {
            report(.starting)
            await journal(.uploading)
            if journalFailure != nil { return stopped(requestInFlight: false, else: .postAttachment) }
            if let change = await checkFile(handle) { return step { try $0.fileChanged(change.description) } }
            let contents: ByteBuffer
            do {
                contents = try await handle.readChunk(fromAbsoluteOffset: 0, length: .bytes(job.file.size))
            } catch where Task.isCancelled {
                return stopped(requestInFlight: false, else: .postAttachment)
            } catch {
                return step { try $0.fileChanged("it can no longer be read") }
            }
            // Read whole, then checked again: the POST carries exactly these bytes.
            if let change = await checkFile(handle) { return step { try $0.fileChanged(change.description) } }
            let size = job.file.size
            guard Int64(contents.readableBytes) == size else {
                let detail = "it holds \(contents.readableBytes) bytes, not \(size)"
                return step { try $0.fileChanged(detail) }
            }
            // Nothing past the end either: a file that says it is smaller than it is (one of
            // the kernel's, say) must not be attached cut short.
            if let beyond = try? await handle.readChunk(fromAbsoluteOffset: size, length: .bytes(1)), beyond.readableBytes > 0 {
                return step { try $0.fileChanged("it holds more than the \(size) bytes its size says") }
            }
            let digest = contents.withUnsafeReadableBytes { SHA256.hash(data: $0) }
            fileGuard?.recordSent(0..<size, digest: digest)
            // The request's body: the file in base64, in a small JSON envelope.
            guard let ticket = await pace((size + 2) / 3 * 4 + 1024) else { return stopped(requestInFlight: false, else: .postAttachment) }
            // Should its reply be lost, what it made is found by Graph's clock and these bytes.
            let sentAt = ContinuousClock.now
            search.sha256 = digest.hexString
            search.startedAt = sentAt
            search.createdSince = uploader.graph.serverClock.earliestServerTime(at: sentAt)
            sessionStartedAt = Date()
            let (startedAt, serverStart) = (sessionStartedAt, search.createdSince)
            await journalUpdate {
                $0.sessionStartedAt = startedAt
                $0.serverStartedAt = serverStart
            }
            if journalFailure != nil {
                await uploader.graph.pacer.refused(ticket)
                return stopped(requestInFlight: false, else: .postAttachment)
            }
            report(.bytesSent(job.file.size))
            do {
                let graph = self.graph
                let (name, type, item) = (fileName, job.file.contentType, job.item)
                let info = try await request { try await graph.postAttachment(name: name, contentType: type, contents: contents, to: item) }
                await endPaced(ticket)
                report(.confirmed(.nothing))
                attachment = info
                return step { try $0.attachmentPosted(id: info.id) }
            } catch let error as GraphError {
                await endPaced(ticket, failure: error)
                lastFailure = error
                return step { try $0.postFailed(error.requestFailure) }
            } catch {
                await endPaced(ticket, failure: error)
                return stopped(requestInFlight: true, else: .postAttachment)
            }
        }

        mutating func put(
            _ range: Range<Int64>, to url: UploadURL, handle: ReadFileHandle, current: UploadStateMachine.Action
        ) async -> UploadStateMachine.Action {
            if let change = await checkFile(handle) { return step { try $0.fileChanged(change.description) } }
            guard let ticket = await pace(Int64(range.count)) else { return stopped(requestInFlight: false, else: current) }
            let report = self.report
            let digest = RangeDigest()
            let reply: RangeReply
            do {
                let graph = self.graph
                let (size, name) = (job.file.size, fileName)
                reply = try await request {
                    try await graph.putRange(
                        range, of: handle, totalSize: size, to: url, fileName: name,
                        onChunk: { chunk in
                            digest.update(chunk)
                            report(.bytesSent(Int64(chunk.readableBytes)))
                        })
                }
            } catch is CancellationError {
                await endPaced(ticket, failure: CancellationError())
                return stopped(requestInFlight: true, else: current)
            } catch {
                await endPaced(ticket, failure: error)
                // A failure may be the file's doing (it shrank under the reader): ask it first.
                if let change = await checkFile(handle) { return step { try $0.fileChanged(change.description) } }
                guard let error = error as? GraphError else {
                    return step { try $0.fileChanged("it could not be read while sending (\(error))") }
                }
                lastFailure = error
                logger.info(
                    "range failed",
                    metadata: ["file": "\(fileName)", "range": "\(range.lowerBound)-\(range.upperBound - 1)", "error": "\(error.requestFailure)"])
                return step { try $0.rangeFailed(error.requestFailure) }
            }
            await endPaced(ticket)
            if let sent = digest.finalize(expecting: Int64(range.count)) { fileGuard?.recordSent(range, digest: sent) }
            switch reply {
            case .accepted(let status):
                let confirmed = status.nextExpectedRanges.confirmedBytes(total: job.file.size)
                await journalUpdate { $0.confirmedBytes = confirmed }
                report(.confirmed(status.nextExpectedRanges))
                return step { try $0.rangeAccepted(expecting: status.nextExpectedRanges) }
            case .completed(let attachmentID):
                report(.confirmed(.nothing))
                if await journalUpdate({
                    $0.confirmedBytes = $0.fileSize
                    $0.uploadURL = nil
                }) {
                    journaledSession = nil
                }
                return step { try $0.uploadCompleted(attachmentID: attachmentID) }
            }
        }

        /// `DELETE` the session, even when this task is cancelled: a cancel must not leave it
        /// open. Returns whether it was there (`nil` when that could not be learnt).
        func deleteSession(_ url: UploadURL) async -> Bool? {
            let graph = self.graph
            let name = fileName
            let existed = await Task { () -> Bool? in
                do {
                    try await graph.deleteSession(url, fileName: name)
                    return true
                } catch let error as GraphError {
                    // Gone already: completed, expired, or its token no longer valid.
                    return [401, 403, 404, 410].contains(error.status ?? 0) ? false : nil
                } catch {
                    return nil
                }
            }.value
            if existed == nil { logger.warning("could not delete the upload session", metadata: ["file": "\(fileName)"]) }
            return existed
        }

        // MARK: Endings

        mutating func finishAttached(_ info: AttachmentInfo) async -> TransferOutcome {
            if uploader.verify, let mismatch = await verifyAttachment(info) {
                // Attached, but not as sent: the attachment stays for the user to see.
                await journalUpdate { $0.attachmentID = info.id }
                return await finishFailed(mismatch)
            }
            await journalUpdate {
                $0.state = .done
                $0.attachmentID = info.id
                $0.uploadURL = nil
                $0.confirmedBytes = $0.fileSize
                $0.lastError = nil
                $0.errorCode = nil
            }
            return .attached(info)
        }

        /// Reads the attachment back and hashes it beside the file; the error when they differ.
        func verifyAttachment(_ info: AttachmentInfo) async -> UploadError? {
            report(.checking("reading the attachment back to compare SHA-256"))
            do {
                let file = try await FileDigest.sha256(path: job.file.path)
                let graph = self.graph
                let item = job.item
                let attached = try await request { try await graph.downloadAttachment(info.id, of: item, to: nil) }
                guard file == attached.sha256 else {
                    return error(
                        .verificationFailed,
                        "it was attached as \(info.id), but its bytes differ from the file (sha256 \(attached.sha256), file \(file)); delete it and upload again")
                }
                report(.verified(sha256: file))
                return nil
            } catch {
                return self.error(.verificationFailed, "it was attached as \(info.id), but could not be read back to verify: \(error)")
            }
        }

        /// Records the failure. A session that could not be deleted stays in the row, which
        /// is then left interrupted, so that `attache resume` or `attache cancel` can still
        /// reach it (its host was unreachable; the hint says to resume).
        mutating func finishFailed(_ error: UploadError) async -> TransferOutcome {
            let kept = undeletedSession
            await journalUpdate { record in
                record.state = kept == nil ? .failed : .interrupted
                record.lastError = error.description
                record.errorCode = error.code
                record.uploadURL = kept
            }
            return .failed(error)
        }

        // MARK: Journal

        /// `attache cancel` in another process deleted the session and marked the row: a lost
        /// session then means stop, not start over.
        func cancelledElsewhere() async -> Bool {
            guard let journal = uploader.journal, let recordID else { return false }
            return (try? await journal.record(recordID))?.state == .cancelled
        }

        /// Writes the machine's session to the journal when it changed (opened, gone, deleted),
        /// so the row never names a session that is gone, nor misses one that is open.
        mutating func journalSessionIfChanged() async {
            guard sessionToJournal != journaledSession else { return }
            let session = sessionToJournal
            if await journalUpdate({ $0.uploadURL = session }) { journaledSession = session }
        }

        /// Takes the journal row `id` for this run; returns who holds it when another process does.
        mutating func takeClaim(_ id: String) -> TransferClaim.Holder? {
            guard let journal = uploader.journal else { return nil }
            do {
                switch try journal.claim(id) {
                case .claimed(let claim): self.claim = claim
                case .heldElsewhere(let holder): return holder
                case .notNeeded: break
                }
            } catch {
                logger.warning("could not claim the transfer; another attache could resume it at the same time", metadata: ["error": "\(error)"])
            }
            return nil
        }

        /// Lets go of the row, removing its lock file: a run that ends has nothing to guard.
        mutating func releaseClaim() {
            claim?.removeFile()
            claim = nil
        }

        /// Records the new transfer before any request; the error when it cannot be, since
        /// an upload the journal does not know could be neither resumed nor cancelled.
        mutating func beginJournal() async -> UploadError? {
            guard let journal = uploader.journal else { return nil }
            let fingerprint: String
            do {
                // Apart from this task: a cancel must not pass for an unreadable file.
                let file = job.file
                fingerprint = try await Task { try await FileFingerprint.compute(path: file.path, size: file.size) }.value
            } catch {
                let problem = InputFileError(Self.isMissing(error) ? .notFound : .unreadable, path: job.file.path, detail: Self.describe(fileError: error))
                return UploadError(problem, item: job.item)
            }
            // Claimed before the row exists, so a resume elsewhere never sees it unclaimed.
            let id = TransferJournal.newID()
            _ = takeClaim(id)
            do {
                let record = try await journal.begin(
                    id: id, file: job.file, item: job.item, plan: job.plan, graphBase: uploader.journalGraphBase, fingerprint: fingerprint)
                recordID = record.id
                report(.journaled(recordID: record.id))
                return nil
            } catch {
                logger.error("could not record the transfer in the journal", metadata: ["error": "\(error)"])
                return self.error(.journalUnwritable, "the transfer journal \(Self.describe(journalError: error)), so nothing was sent")
            }
        }

        mutating func journal(_ state: TransferRecord.State) async {
            let kept = undeletedSession
            await journalUpdate { record in
                record.state = state
                if state == .cancelled || state == .failed { record.uploadURL = kept }
            }
        }

        /// Writes `change` to the row; false when the journal refused it, which stops the
        /// transfer at its next step (``journalFailure``).
        @discardableResult
        mutating func journalUpdate(_ change: @escaping @Sendable (inout TransferRecord) -> Void) async -> Bool {
            guard let journal = uploader.journal, let recordID else { return true }
            do {
                try await journal.update(recordID, change)
                return true
            } catch {
                logger.error("could not update the journal", metadata: ["error": "\(error)"])
                if journalFailure == nil { journalFailure = "the transfer journal \(Self.describe(journalError: error))" }
                return false
            }
        }

        /// `/path/journal.sqlite cannot be written (database or disk is full)`.
        static func describe(journalError error: any Error) -> String {
            if let error = error as? JournalError { return "\(error.path) \(error.problem)" }
            return "cannot be written (\(type(of: error)))"
        }

        static func isMissing(_ error: any Error) -> Bool {
            (error as? FileSystemError)?.code == .notFound
        }

        static func describe(fileError error: any Error) -> String {
            if let error = error as? FileSystemError {
                switch error.code {
                case .notFound: return "no such file"
                case .permissionDenied: return "permission denied"
                default: return error.message
                }
            }
            return "\(error)"
        }
    }
}
