import Foundation
import Logging
import NIOCore
import _NIOFileSystem

/// Performs what ``UploadStateMachine`` decides for one file: the requests, the waits, the
/// journal writes and the progress reports. All decisions stay in the state machine.
public struct AttachmentUploader: Sendable {
    public var graph: GraphClient
    public var retryPolicy: RetryPolicy
    /// Where each step is recorded; `nil` keeps no record.
    public var journal: TransferJournal?
    /// What the journal stores as the Graph root (`embedded` for the built-in emulator).
    public var journalGraphBase: String
    var logger: Logger

    public init(graph: GraphClient, retryPolicy: RetryPolicy = RetryPolicy(), journal: TransferJournal?, journalGraphBase: String? = nil, logger: Logger) {
        self.graph = graph
        self.retryPolicy = retryPolicy
        self.journal = journal
        self.journalGraphBase = journalGraphBase ?? graph.baseURL
        self.logger = logger
    }

    /// Uploads `job.file` to `job.item`, or picks up `record` where it stopped.
    ///
    /// Stops when the calling task is cancelled, after `stop` says why: a cancel deletes the
    /// session, an interrupt keeps it for a resume.
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
        var session: UploadURL?
        var sessionStartedAt = Date()
        var recordID: String?
        /// This process's hold on the journal row, so no other attache drives the same session.
        var claim: TransferClaim?
        var generator = SystemRandomNumberGenerator()

        init(uploader: AttachmentUploader, job: UploadJob, stop: StopSignal, report: @escaping @Sendable (TransferUpdate) -> Void) {
            self.uploader = uploader
            self.job = job
            self.stop = stop
            self.report = report
            self.machine = UploadStateMachine(fileSize: job.file.size, plan: job.plan, maximumAttempts: uploader.retryPolicy.maximumAttempts)
        }

        var graph: GraphClient { uploader.graph }
        var logger: Logger { uploader.logger }
        var fileName: String { job.file.name }

        mutating func perform(resuming record: TransferRecord?) async -> TransferOutcome {
            let action: UploadStateMachine.Action
            if let record {
                if let holder = takeClaim(record.id) {
                    // Its row and session belong to the other run: leave both as they are.
                    return .failed("\(holder) is uploading it right now; leave it to that one")
                }
                recordID = record.id
                report(.journaled(recordID: record.id))
                if let problem = await changedFileProblem(record) {
                    // The session holds bytes of another file: it is of no use to anyone.
                    if let url = record.uploadURL { await deleteSession(url) }
                    await journal(.failed, error: problem)
                    return .failed(problem)
                }
                sessionStartedAt = record.sessionStartedAt ?? record.createdAt
                if let url = record.uploadURL {
                    session = url
                    action = machine.resume()
                } else {
                    action = machine.resumeWithoutSession()
                }
            } else {
                await beginJournal()
                action = machine.start()
            }
            let handle: ReadFileHandle
            do {
                handle = try await FileSystem.shared.openFile(forReadingAt: FilePath(job.file.path))
            } catch {
                let text = "'\(job.file.path)' cannot be read (\(Self.describe(fileError: error)))"
                await journal(.failed, error: text)
                return .failed(text)
            }
            let outcome = await drive(from: action, handle: handle)
            // Closed outside this task's cancellation, which would make `close()` bail out early.
            await Task { try? await handle.close() }.value
            return outcome
        }

        // MARK: The loop

        mutating func drive(from first: UploadStateMachine.Action, handle: ReadFileHandle) async -> TransferOutcome {
            var action = first
            var lastFailure: GraphError?
            while true {
                if Task.isCancelled, !Self.isCleanup(action) {
                    action = stopAction()
                }
                switch action {
                case .postAttachment:
                    report(.starting)
                    await journal(.uploading)
                    do {
                        let contents = try await handle.readChunk(fromAbsoluteOffset: 0, length: .bytes(job.file.size))
                        guard Int64(contents.readableBytes) == job.file.size else {
                            return await finishFailed("'\(job.file.path)' changed while it was read")
                        }
                        report(.bytesSent(job.file.size))
                        let info = try await graph.postAttachment(
                            name: fileName, contentType: job.file.contentType, contents: contents, to: job.item)
                        report(.confirmed(.nothing))
                        return await finishAttached(info)
                    } catch let error as GraphError {
                        lastFailure = error
                        action = machine.postFailed(error.requestFailure)
                    } catch is CancellationError {
                        action = stopAction()
                    } catch {
                        return await finishFailed("'\(job.file.path)' cannot be read (\(Self.describe(fileError: error)))")
                    }

                case .createSession:
                    if await cancelledElsewhere() { return .cancelled }
                    report(.starting)
                    sessionStartedAt = Date()
                    do {
                        let created = try await graph.createUploadSession(name: fileName, size: job.file.size, on: job.item)
                        session = created.uploadURL
                        let startedAt = sessionStartedAt
                        await journalUpdate { record in
                            record.uploadURL = created.uploadURL
                            record.sessionExpires = created.expirationDateTime
                            record.sessionStartedAt = startedAt
                            record.confirmedBytes = 0
                            record.state = .uploading
                        }
                        report(.sessionOpened(created.nextExpectedRanges))
                        action = machine.sessionCreated(expecting: created.nextExpectedRanges)
                    } catch let error as GraphError {
                        lastFailure = error
                        action = machine.sessionCreationFailed(error.requestFailure)
                    } catch {
                        action = stopAction()
                    }

                case .putRange(let range):
                    guard let url = session else { return await finishFailed("internal error: a range without a session") }
                    let report = self.report
                    do {
                        let reply = try await graph.putRange(
                            range, of: handle, totalSize: job.file.size, to: url, fileName: fileName,
                            onBytesSent: { report(.bytesSent($0)) })
                        switch reply {
                        case .accepted(let status):
                            let confirmed = status.nextExpectedRanges.confirmedBytes(total: job.file.size)
                            await journalUpdate { $0.confirmedBytes = confirmed }
                            report(.confirmed(status.nextExpectedRanges))
                            action = machine.rangeAccepted(expecting: status.nextExpectedRanges)
                        case .completed(let attachmentID):
                            report(.confirmed(.nothing))
                            await journalUpdate {
                                $0.confirmedBytes = $0.fileSize
                                $0.uploadURL = nil
                            }
                            session = nil
                            action = machine.uploadCompleted(attachmentID: attachmentID)
                        }
                    } catch let error as GraphError {
                        lastFailure = error
                        logger.info("range failed", metadata: ["file": "\(fileName)", "range": "\(range.lowerBound)-\(range.upperBound - 1)", "error": "\(error.requestFailure)"])
                        action = machine.rangeFailed(error.requestFailure)
                    } catch {
                        action = stopAction()
                    }

                case .querySession:
                    guard let url = session else { return await finishFailed("internal error: a query without a session") }
                    report(.checking("asking the session where it stands"))
                    do {
                        let status = try await graph.sessionStatus(url, fileName: fileName)
                        let confirmed = status.nextExpectedRanges.confirmedBytes(total: job.file.size)
                        await journalUpdate { $0.confirmedBytes = confirmed }
                        report(.confirmed(status.nextExpectedRanges))
                        action = machine.sessionStatus(expecting: status.nextExpectedRanges)
                    } catch let error as GraphError {
                        lastFailure = error
                        action = machine.sessionQueryFailed(error.requestFailure)
                        if UploadStateMachine.isSessionGone(error.requestFailure) {
                            session = nil
                            await journalUpdate { $0.uploadURL = nil }
                        }
                    } catch {
                        action = stopAction()
                    }

                case .findAttachment:
                    if await cancelledElsewhere() { return .cancelled }
                    report(.checking("looking for the attachment on the item"))
                    do {
                        let found = try await graph.findAttachment(
                            named: fileName, minimumSize: job.file.size, modifiedSince: sessionStartedAt, on: job.item)
                        action = machine.attachmentSearchFinished(foundID: found?.id)
                        if let found, case .succeed = action {
                            return await finishAttached(found)
                        }
                    } catch let error as GraphError {
                        lastFailure = error
                        action = machine.attachmentSearchFailed(error.requestFailure)
                    } catch {
                        action = stopAction()
                    }

                case .deleteSession:
                    if let url = session {
                        await deleteSession(url)
                        session = nil
                        await journalUpdate { $0.uploadURL = nil }
                    }
                    action = machine.sessionDeleted()

                case .wait(let attempt, let retryAfter, let reason):
                    let delay = uploader.retryPolicy.delay(forAttempt: attempt, retryAfter: retryAfter, using: &generator)
                    report(.retrying(delay: delay, attempt: attempt, reason: reason.description))
                    await journalUpdate { $0.lastError = reason.description }
                    do {
                        try await Task.sleep(for: delay)
                        action = machine.waitElapsed()
                    } catch {
                        action = stopAction()
                    }

                case .succeed(let attachmentID):
                    let info = (try? await graph.attachment(attachmentID, of: job.item))
                        ?? AttachmentInfo(id: attachmentID, name: fileName, size: job.file.size)
                    return await finishAttached(info)

                case .fail(let failure):
                    var text = failure.description
                    if let hint = lastFailure?.hint, failure.requestFailure != nil, !lastFailure!.isUploadSession { text += "; \(hint)" }
                    if let requestID = lastFailure?.requestID, failure.requestFailure != nil { text += " (request-id \(requestID))" }
                    return await finishFailed(text)

                case .reportCancelled:
                    await journal(.cancelled, error: nil)
                    return .cancelled

                case .reportInterrupted:
                    await journal(.interrupted, error: nil)
                    return .interrupted

                case .none:
                    return await finishFailed("internal error: the upload stalled")
                }
            }
        }

        /// `DELETE` the session, even when this task is cancelled: a cancel must not leave it open.
        func deleteSession(_ url: UploadURL) async {
            let graph = self.graph
            let name = fileName
            let deleted = await Task { () -> Bool in
                do {
                    try await graph.deleteSession(url, fileName: name)
                    return true
                } catch let error as GraphError {
                    return error.status == 404
                } catch {
                    return false
                }
            }.value
            if !deleted { logger.warning("could not delete the upload session", metadata: ["file": "\(fileName)"]) }
        }

        static func isCleanup(_ action: UploadStateMachine.Action) -> Bool {
            switch action {
            case .deleteSession, .succeed, .fail, .reportCancelled, .reportInterrupted: true
            default: false
            }
        }

        mutating func stopAction() -> UploadStateMachine.Action {
            switch stop.requested {
            case .interrupt: machine.interrupt()
            case .cancel, nil: machine.cancel()
            }
        }

        // MARK: Endings

        func finishAttached(_ info: AttachmentInfo) async -> TransferOutcome {
            await journalUpdate {
                $0.state = .done
                $0.attachmentID = info.id
                $0.uploadURL = nil
                $0.confirmedBytes = $0.fileSize
                $0.lastError = nil
            }
            return .attached(info)
        }

        func finishFailed(_ text: String) async -> TransferOutcome {
            await journal(.failed, error: text)
            return .failed(text)
        }

        // MARK: Journal

        /// `attache cancel` in another process deleted the session and marked the row: a lost
        /// session then means stop, not start over.
        func cancelledElsewhere() async -> Bool {
            guard let journal = uploader.journal, let recordID else { return false }
            return (try? await journal.record(recordID))?.state == .cancelled
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

        mutating func beginJournal() async {
            guard let journal = uploader.journal else { return }
            do {
                let fingerprint = try await FileFingerprint.compute(path: job.file.path, size: job.file.size)
                // Claimed before the row exists, so a resume elsewhere never sees it unclaimed.
                let id = TransferJournal.newID()
                _ = takeClaim(id)
                let record = try await journal.begin(
                    id: id, file: job.file, item: job.item, plan: job.plan, graphBase: uploader.journalGraphBase, fingerprint: fingerprint)
                recordID = record.id
                report(.journaled(recordID: record.id))
            } catch {
                logger.warning("could not record the transfer in the journal", metadata: ["error": "\(error)"])
            }
        }

        func journal(_ state: TransferRecord.State, error: String? = nil) async {
            await journalUpdate { record in
                record.state = state
                if let error { record.lastError = error }
                if state == .cancelled || state == .failed { record.uploadURL = nil }
            }
        }

        func journalUpdate(_ change: @escaping @Sendable (inout TransferRecord) -> Void) async {
            guard let journal = uploader.journal, let recordID else { return }
            do {
                try await journal.update(recordID, change)
            } catch {
                logger.warning("could not update the journal", metadata: ["error": "\(error)"])
            }
        }

        /// The reason a journaled file may no longer be resumed, or `nil` when it is unchanged.
        func changedFileProblem(_ record: TransferRecord) async -> String? {
            let current: LocalFile
            do {
                current = try LocalFile.inspect(record.filePath)
            } catch {
                return error.description
            }
            if current.size != record.fileSize || abs(current.modified - record.fileModified) > 0.001 {
                return InputFileError(.changed, path: record.filePath, detail: "size or modification time differ").description
            }
            if let fingerprint = try? await FileFingerprint.compute(path: record.filePath, size: record.fileSize), fingerprint != record.fingerprint {
                return InputFileError(.changed, path: record.filePath, detail: "contents differ").description
            }
            return nil
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
