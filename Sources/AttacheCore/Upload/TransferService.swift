import Clocks
import Foundation
import Logging

/// The one place where transfers are started, resumed, cancelled and verified, and where
/// the claims that keep two processes off one session are taken. The command line and the
/// screen only call it and show what ``events()`` publishes, so they can never disagree
/// about what became of a file.
public struct TransferService: Sendable {
    public let graph: GraphClient
    public let journal: TransferJournal
    /// The queue behind the one door: the front ends never reach it (tests do, with
    /// `@testable`), so every decision about a transfer is made behind this service.
    let queue: TransferQueue
    /// What the journal records as this connection's Graph root (`embedded` for the
    /// built-in emulator): a transfer recorded for another root is not this one's to touch.
    public let graphBase: String
    /// How long to wait and try again, and how long an outage is ridden out.
    public let retryPolicy: RetryPolicy
    /// Where upload URLs recorded by an earlier run now live, when that moved (the embedded
    /// emulator listens on a new port each run); `nil` keeps them as recorded.
    public let uploadOrigin: String?
    let logger: Logger

    public init(
        graph: GraphClient, journal: TransferJournal, graphBase: String, uploadOrigin: String? = nil, concurrency: Int = 4,
        retryPolicy: RetryPolicy = RetryPolicy(), verify: Bool = false, clock: AttacheClock? = nil, logger: Logger
    ) {
        self.retryPolicy = retryPolicy
        self.graph = graph
        self.journal = journal
        self.graphBase = graphBase
        self.uploadOrigin = uploadOrigin
        self.logger = logger
        let uploader = AttachmentUploader(
            graph: graph, retryPolicy: retryPolicy, journal: journal, journalGraphBase: graphBase, verify: verify, clock: clock, logger: logger)
        self.queue = TransferQueue(uploader: uploader, concurrency: concurrency, logger: logger)
    }

    // MARK: Starting and watching

    /// Queues one file for its item; it starts when a slot is free. It goes to `target`
    /// (another account or mailbox than the service's own), or to the service's.
    @discardableResult
    public func upload(_ job: UploadJob, to target: TransferTarget? = nil) async -> TransferID {
        await queue.enqueue(job, to: target)
    }

    /// Every change from now on, starting with the state of each transfer.
    public func events() async -> AsyncStream<TransferEvent> {
        await queue.events()
    }

    /// Seconds on the queue's clock, the clock of ``TransferSnapshot``'s times.
    public var now: Double { queue.now }

    /// Cancels a queued or running transfer: its session is deleted, unless the server made
    /// the attachment before the cancel took effect, which is then reported attached.
    public func cancel(_ id: TransferID) async {
        await queue.cancel(id)
    }

    /// Pauses one queued or running transfer, keeping its session (see ``TransferQueue/pause(_:grace:)``).
    @discardableResult
    public func pause(_ id: TransferID) async -> Bool {
        await queue.pause(id)
    }

    /// Continues a paused or interrupted transfer from where its session stands, sending no
    /// confirmed byte again (see ``TransferQueue/resume(_:)``).
    @discardableResult
    public func resume(_ id: TransferID) async -> Bool {
        await queue.resume(id)
    }

    /// Queues a finished transfer again: an interrupted one resumes its session, a failed or
    /// cancelled one starts afresh.
    @discardableResult
    public func retry(_ id: TransferID) async -> Bool {
        await queue.retry(id)
    }

    /// Starts a failed or cancelled transfer again as a OneDrive link in its item (see
    /// ``TransferQueue/shareInstead(_:as:)``).
    @discardableResult
    public func shareInstead(_ id: TransferID, as share: DriveShare) async -> Bool {
        await queue.shareInstead(id, as: share)
    }

    /// Forgets the finished transfers (not the paused ones); returns how many.
    @discardableResult
    public func clearFinished() async -> Int {
        await queue.clearFinished()
    }

    /// Forgets one finished transfer; false when it has not finished (or is unknown).
    @discardableResult
    public func remove(_ id: TransferID) async -> Bool {
        await queue.remove(id)
    }

    /// The transfers, in the order they were queued.
    public var snapshots: [TransferSnapshot] {
        get async { await queue.snapshots }
    }

    /// Stops every transfer, keeping sessions for a resume; requests in flight get a moment
    /// to finish so the journal knows what landed.
    public func interruptAll() async {
        await queue.interruptAll()
    }

    /// ``interruptAll()``, then waits until every transfer has stopped (requests in flight
    /// get the queue's grace, then their cleanups a few seconds more).
    /// - Returns: how many transfers were unfinished when asked.
    @discardableResult
    public func interruptAllAndWait() async -> Int {
        let events = await queue.events()
        let unfinished = await queue.snapshots.filter { !$0.phase.isTerminal }
        await queue.interruptAll()
        guard !unfinished.isEmpty else { return 0 }
        let ids = Set(unfinished.map(\.id))
        let clock = queue.clock
        let limit = Task {
            try? await clock.sleep(for: TransferQueue.stopGrace + .seconds(5))
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var running = ids
                for await event in events {
                    guard case .changed(let snapshot) = event, snapshot.phase.isTerminal else { continue }
                    running.remove(snapshot.id)
                    if running.isEmpty { return }
                }
            }
            group.addTask { await limit.value }
            await group.next()
            group.cancelAll()
            limit.cancel()
        }
        return unfinished.count
    }

    // MARK: The journal

    /// Transfers that can still be resumed or cancelled, oldest first.
    public func unfinished() async throws -> [TransferRecord] {
        try await journal.unfinished()
    }

    // MARK: Resuming

    /// The journal's unfinished transfers, sorted into those this process can pick up and
    /// those it must leave alone.
    public struct ResumePlan: Sendable {
        public struct Resumable: Sendable {
            public var job: UploadJob
            public var record: TransferRecord
        }

        public var resumable: [Resumable] = []
        /// Sent to another Graph root: resuming them here would ask the wrong server.
        public var otherGraph: [TransferRecord] = []
        /// Running in another attache right now.
        public var runningElsewhere: [(TransferRecord, TransferClaim.Holder)] = []
    }

    public func planResume(_ records: [TransferRecord]) -> ResumePlan {
        var plan = ResumePlan()
        for var record in records {
            guard record.graphBase == graphBase else {
                plan.otherGraph.append(record)
                continue
            }
            if let holder = journal.holder(of: record.id) {
                plan.runningElsewhere.append((record, holder))
                continue
            }
            record.uploadURL = rebased(record.uploadURL)
            // A row's sizes are believed only within what an upload can have had: a damaged
            // or hand-edited journal's -1 or 2^63 - 1 would trap the progress line and the
            // screen, or overflow what the upload may send. A size that is not the file's
            // fails the resume at its first check ("its size went from … to …").
            let planned = Self.plan(of: record)
            record.fileSize = min(max(0, record.fileSize), DriveShare.largestFile(linking: planned.isDrive))
            record.confirmedBytes = min(max(0, record.confirmedBytes), record.fileSize)
            var job = UploadJob(file: record.localFile, item: record.item, plan: planned, share: record.share)
            // Inline it was, inline it stays: also when the resume has to start it afresh.
            job.contentId = record.contentId
            plan.resumable.append(.init(job: job, record: record))
        }
        return plan
    }

    /// How a journaled transfer goes on: as it began, in the ranges or fragments it used.
    static func plan(of record: TransferRecord) -> UploadPlan {
        switch record.method {
        case UploadPlan.singleRequest.method:
            return .singleRequest
        case UploadPlan.driveSession(fragmentLength: 0).method:
            // As for ranges: a length no upload could have used is replaced by the default.
            let length = (try? UploadPlan.validate(fragmentLength: record.rangeLength)).map { record.rangeLength } ?? UploadPlan.defaultFragmentLength
            return .driveSession(fragmentLength: length)
        default:
            return .uploadSession(rangeLength: rangeLength(of: record))
        }
    }

    /// The range length a journaled session goes on with: its own, unless the row holds one
    /// no upload could have used (0, negative, past 4 MiB: a damaged or hand-edited journal),
    /// which would send empty ranges or trap; then the default.
    static func rangeLength(of record: TransferRecord) -> Int64 {
        do {
            try UploadPlan.validate(rangeLength: record.rangeLength)
            return record.rangeLength
        } catch {
            return AttachmentLimits.defaultRangeLength
        }
    }

    /// Queues what `plan` found resumable; each asks its session where it stands first.
    @discardableResult
    public func resume(_ plan: ResumePlan) async -> [TransferID] {
        var ids: [TransferID] = []
        for entry in plan.resumable {
            ids.append(await queue.enqueue(entry.job, resuming: entry.record))
        }
        return ids
    }

    // MARK: Cancelling from the journal

    /// What cancelling a journaled transfer found.
    public enum CancelResult: Sendable, Hashable {
        /// Cancelled. `sessionDeleted` says whether a live session was deleted (else none
        /// was open any more, and no attachment had been made).
        case cancelled(sessionDeleted: Bool)
        /// Too late: the server had already made the attachment (its final range, or its
        /// POST, landed before the run that sent it stopped). The journal now says done.
        case alreadyAttached(AttachmentInfo)
        /// Another attache is running it right now; left alone.
        case runningElsewhere(TransferClaim.Holder)
        /// Recorded for another Graph root; left alone.
        case otherGraph(String)
        /// Whether it was attached could not be learnt; the row is left unfinished.
        case failed(UploadError)
    }

    /// Cancels a transfer no run of this process is driving: deletes its session, and when
    /// no live session was there, looks for the attachment the last run may have made
    /// before calling it cancelled. Attachments found that way are kept and reported.
    public func cancel(record: TransferRecord) async -> CancelResult {
        guard record.graphBase == graphBase else { return .otherGraph(record.graphBase) }
        var claim: TransferClaim?
        switch try? journal.claim(record.id) {
        case .heldElsewhere(let holder): return .runningElsewhere(holder)
        case .claimed(let taken): claim = taken
        case .notNeeded, nil: break
        }
        defer { claim?.removeFile() }
        let failure = { (error: GraphError) in
            UploadError(
                UploadError.kind(rejecting: error.requestFailure, atUploadURL: error.isUploadSession),
                reason: "could not tell whether it was attached: \(error.requestFailure)", fileName: record.fileName, item: record.item,
                graphCode: error.code, status: error.status, requestID: error.requestID, cause: error)
        }
        let internalError = { (detail: String) in
            CancelResult.failed(UploadError(.internalError, reason: detail, fileName: record.fileName, item: record.item))
        }
        // The machine decides, as for a running transfer: what is deleted, and whether the
        // attachment is looked for. Picked up where the journal left it, then cancelled.
        let plan = Self.plan(of: record)
        if plan.isDrive, let driveItemID = record.attachmentID {
            // Up on OneDrive, its link not yet in the item: nothing is shared until it is, so
            // the file is taken off OneDrive again.
            do {
                try await graph.deleteDriveItem(driveItemID)
            } catch let error as GraphError where error.status == 404 {
                // Gone already.
            } catch let error as GraphError {
                return .failed(failure(error))
            } catch {
                return internalError("\(error)")
            }
            try? await journal.update(record.id) { $0.state = .cancelled }
            return .cancelled(sessionDeleted: false)
        }
        var machine = UploadStateMachine(fileSize: record.fileSize, plan: plan)
        var action: UploadStateMachine.Action
        do {
            if let url = rebased(record.uploadURL) {
                action = try machine.resume(session: url)
            } else {
                action = try machine.resumeWithoutSession()
            }
        } catch {
            return internalError("\(error)")
        }
        action = machine.stop(.cancel, requestInFlight: false) ?? action
        var sessionDeleted = false
        // A cancel takes a delete, a search and an end: a handful of steps, never a loop.
        for _ in 0..<8 {
            do {
                switch action {
                case .deleteSession(let url):
                    do {
                        try await graph.deleteSession(url, fileName: record.fileName)
                        sessionDeleted = true
                        try? await journal.update(record.id) { $0.uploadURL = nil }
                        action = try machine.sessionDeleted(existed: true)
                    } catch let error as GraphError where error.requestFailure.isSessionGone {
                        // Gone: expired, deleted, or completed into the attachment.
                        try? await journal.update(record.id) { $0.uploadURL = nil }
                        action = try machine.sessionDeleted(existed: false)
                    }

                case .findAttachment:
                    // A POST's candidate is read back and must hash like the file (see AttachmentSearch).
                    let sha256 = record.method == "post" ? try? await FileDigest.sha256(path: record.filePath) : nil
                    let search = record.attachmentSearch(sha256: sha256)
                    let found =
                        if let share = record.share {
                            try await graph.findSharedFile(search, size: record.fileSize, in: share)
                        } else {
                            try await graph.findAttachment(search, on: record.item)
                        }
                    if let found, record.share != nil {
                        // On OneDrive, but never shared: taken off again, as the cancel asks.
                        try await graph.deleteDriveItem(found.id)
                        try? await journal.update(record.id) { $0.state = .cancelled }
                        return .cancelled(sessionDeleted: sessionDeleted)
                    }
                    if let found {
                        try? await journal.update(record.id) {
                            $0.state = .done
                            $0.attachmentID = found.id
                            $0.confirmedBytes = $0.fileSize
                            $0.lastError = nil
                            $0.errorCode = nil
                        }
                        return .alreadyAttached(found)
                    }
                    action = try machine.attachmentSearchFinished(foundID: nil)

                case .reportCancelled:
                    // A session deleted was there, so its final range had not landed: nothing attached.
                    try? await journal.update(record.id) { $0.state = .cancelled }
                    return .cancelled(sessionDeleted: sessionDeleted)

                default:
                    return internalError("a cancel from the journal took a step it cannot take (\(action))")
                }
            } catch let error as GraphError {
                return .failed(failure(error))
            } catch {
                return internalError("\(error)")
            }
        }
        return internalError("a cancel from the journal did not end")
    }

    /// `url` moved to ``uploadOrigin`` when there is one.
    func rebased(_ url: UploadURL?) -> UploadURL? {
        guard let url, let uploadOrigin else { return url }
        return url.rebased(onto: uploadOrigin)
    }
}
