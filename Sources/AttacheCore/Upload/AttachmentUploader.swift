import Clocks
import Crypto
import Foundation
import Logging
import NIOCore
import _NIOFileSystem

/// Uploads one file, or picks up a journaled one: makes the run's row (``TransferRecorder``)
/// or takes the journaled one back (``ResumeReconciler``), opens the file and what keeps it
/// honest (``SourceFileGuard``), and hands the rest to ``UploadDriver`` over the live
/// world (``LiveUploadEffects``). Every decision stays in ``UploadStateMachine``.
struct AttachmentUploader: Sendable {
    public var graph: GraphClient
    public var retryPolicy: RetryPolicy
    /// Where each step is recorded; `nil` keeps no record.
    public var journal: TransferJournal?
    /// What the journal stores as the Graph root (`embedded` for the built-in emulator).
    public var journalGraphBase: String
    /// Read each attachment back (`$value`) once made and compare its SHA-256 with the file's.
    public var verify: Bool
    /// The clock retry waits are kept by.
    public var clock: AttacheClock
    var logger: Logger

    public init(
        graph: GraphClient, retryPolicy: RetryPolicy = RetryPolicy(), journal: TransferJournal?, journalGraphBase: String? = nil,
        verify: Bool = false, clock: AttacheClock? = nil, logger: Logger
    ) {
        self.graph = graph
        self.clock = clock ?? graph.clock
        self.retryPolicy = retryPolicy
        self.journal = journal
        self.journalGraphBase = journalGraphBase ?? graph.baseURL
        self.verify = verify
        self.logger = logger
    }

    /// This uploader, sending to `target` instead: another account's or mailbox's Graph.
    public func retargeted(to target: TransferTarget) -> AttachmentUploader {
        var copy = self
        copy.graph = target.graph
        copy.journalGraphBase = target.journalBase
        return copy
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
        var recorder = TransferRecorder(journal: journal, logger: logger)
        var outcome = await perform(job, resuming: record, recorder: &recorder, stop: stop, report: report)
        if case .failed(var error) = outcome, let reason = error.shareReason {
            if let linked = job.sharedInstead(because: reason), stop.requested == nil {
                // Outlook cannot take it (what it held of the file is gone with its session):
                // the same file goes to OneDrive, as a new transfer in the journal.
                logger.info("outlook cannot take the file; sharing it as a link", metadata: ["file": "\(job.file.name)", "reason": "\(reason)"])
                let said = error.description + "; shared as a OneDrive link instead"
                await recorder.update { $0.lastError = said }
                recorder.releaseClaim()
                report(.sharingInstead(linked))
                recorder = TransferRecorder(journal: journal, logger: logger)
                outcome = await perform(linked, resuming: nil, recorder: &recorder, stop: stop, report: report)
            } else if job.linkFallback == nil, !job.plan.isDrive {
                error.advice.insert(.shareAsLink, at: 0)
                outcome = .failed(error)
            }
        }
        recorder.releaseClaim()
        report(.finished(outcome))
        return outcome
    }

    private func perform(
        _ job: UploadJob, resuming journaled: TransferRecord?, recorder: inout TransferRecorder, stop: StopSignal,
        report: @escaping @Sendable (TransferUpdate) -> Void
    ) async -> TransferOutcome {
        func failure(_ kind: UploadError.Kind, _ reason: String) -> UploadError {
            UploadError(kind, reason: reason, fileName: job.file.name, item: job.item)
        }
        var record: TransferRecord?
        var search = AttachmentSearch(name: job.file.name, minimumSize: job.file.size)
        if let journaled {
            switch await ResumeReconciler.reconcile(journaled, recorder: &recorder) {
            case .failure(let notOurs):
                // Its row and session belong to another run: leave both as they are.
                return .failed(failure(.heldElsewhere, notOurs.reason))
            case .success(let resumed):
                record = resumed
                report(.journaled(recordID: resumed.id))
                if job.plan.isDrive, let driveItemID = resumed.attachmentID {
                    // Its bytes are on OneDrive already: only the link is left.
                    report(.confirmed(.nothing))
                    return await linkPlacer.place(job, driveItemID: driveItemID, recorder: &recorder, report: report)
                }
                search = resumed.attachmentSearch()
                if job.plan == .singleRequest {
                    // A lost POST's candidate is read back: it must hash like the file.
                    search.sha256 = try? await FileDigest.sha256(path: job.file.path)
                }
            }
        } else if job.plan.isDrive, let refusal = await linkPlacer.refusal(for: job) {
            return .failed(refusal)
        } else if let problem = await recorder.begin(job, graphBase: journalGraphBase) {
            return .failed(problem)
        } else if let id = recorder.recordID {
            report(.journaled(recordID: id))
        }

        let handle: ReadFileHandle
        do {
            // A resumed file may have been swapped for a FIFO since, which an open would wait
            // on for ever. Shielded: a cancel must not pass for an unreadable file (the stop
            // takes effect in the driver, as a cancel or an interrupt).
            try LocalFile.checkRegular(job.file.path)
            let path = FilePath(platformPath: job.file.path)
            handle = try await shielded { try await FileSystem.shared.openFile(forReadingAt: path) }
        } catch {
            let problem =
                error as? InputFileError
                ?? InputFileError(LocalFile.isMissing(error) ? .notFound : .unreadable, path: job.file.path, detail: LocalFile.describe(fileError: error))
            // No file to send: only the session's clean-up goes through the effects.
            let effects = LiveUploadEffects(graph: graph, job: job, handle: nil, fileGuard: nil, clock: clock, logger: logger)
            var driver = UploadDriver(
                job: job, effects: effects, recorder: recorder, search: search, stop: stop, retryPolicy: retryPolicy, verify: verify, logger: logger,
                report: report)
            // A session the file can never finish is of no use: delete it.
            if let url = record?.uploadURL, await effects.deleteSession(url) == nil { driver.undeletedSession = url }
            let outcome = await driver.finishFailed(UploadError(problem, item: job.item))
            recorder = driver.recorder
            return outcome
        }
        let (fileGuard, change) = await openGuard(handle, job: job, resuming: record)
        var uploadHosts: LiveUploadEffects.UploadHosts?
        if let journal, case .uploadSession = job.plan {
            let known = await journal.uploadOrigin(graphBase: journalGraphBase, mailbox: graph.mailbox)
            uploadHosts = .init(journal: journal, graphBase: journalGraphBase, mailbox: graph.mailbox, known: known)
        }
        let effects = LiveUploadEffects(
            graph: graph, job: job, handle: handle, fileGuard: fileGuard, clock: clock, logger: logger, uploadHosts: uploadHosts)
        var driver = UploadDriver(
            job: job, effects: effects, recorder: recorder, search: search, stop: stop, retryPolicy: retryPolicy, verify: verify, logger: logger,
            report: report)
        if let started = record?.sessionStartedAt ?? record?.createdAt { driver.sessionStartedAt = started }
        var action: UploadStateMachine.Action
        if let url = record?.uploadURL {
            // Before any request, the server's clock is unknown: the local one stands in.
            let expires = UploadDriver.instant(of: record?.sessionExpires, serverTimeThen: clock.date, then: clock.now)
            action = driver.step { try $0.resume(session: url, expiresAt: expires) }
        } else if record != nil {
            action = driver.step { try $0.resumeWithoutSession() }
        } else {
            action = driver.step { try $0.start() }
        }
        if let change { action = driver.step { try $0.fileChanged(change.description) } }
        var outcome = await driver.run(from: action)
        recorder = driver.recorder
        if job.plan.isDrive, case .attached(let item) = outcome {
            outcome = await linkPlacer.place(job, driveItemID: item.id, recorder: &recorder, report: report)
        }
        // Closed outside this task's cancellation, which would make `close()` bail out early.
        await shielded { try? await handle.close() }
        return outcome
    }

    /// The step after a file for OneDrive is up: its link, in the item.
    var linkPlacer: LinkPlacer {
        LinkPlacer(graph: graph, retryPolicy: retryPolicy, clock: clock, logger: logger)
    }

    /// Takes the file's identity; for a resume, also checks the file against the journal.
    private func openGuard(_ handle: ReadFileHandle, job: UploadJob, resuming record: TransferRecord?) async -> (SourceFileGuard?, SourceFileGuard.Change?) {
        let (file, now) = (job.file, clock.date)
        let opened: SourceFileGuard
        do {
            switch try await shielded({ try await SourceFileGuard.open(handle, checked: file, now: now) }) {
            case .failure(let change): return (nil, change)
            case .success(let guardian): opened = guardian
            }
        } catch {
            return (nil, SourceFileGuard.Change("it can no longer be read"))
        }
        if let record, let fingerprint = try? await FileFingerprint.compute(path: record.filePath, size: record.fileSize),
            fingerprint != record.fingerprint
        {
            return (opened, SourceFileGuard.Change("its contents differ from when the upload began"))
        }
        return (opened, nil)
    }
}

