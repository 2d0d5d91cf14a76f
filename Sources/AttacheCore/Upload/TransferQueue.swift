import Clocks
import Foundation
import Logging

/// Runs uploads for one mailbox, at most `concurrency` at once (Outlook allows four
/// concurrent requests per app and mailbox), and publishes every change as a
/// ``TransferEvent`` to each subscriber of ``events()``.
actor TransferQueue {
    private struct Entry {
        var snapshot: TransferSnapshot
        var resuming: TransferRecord?
        /// Where it goes, when not to the queue's own uploader's Graph.
        var target: TransferTarget?
        var stop = StopSignal()
        var task: Task<Void, Never>?
        var meter = RateMeter(window: TransferQueue.rateWindow)
        /// Asked to resume while its pause was still taking effect: resume once it has.
        var resumeWhenStopped = false
    }

    private let uploader: any TransferPerformer
    /// Transfers allowed to run at once.
    public let concurrency: Int
    private let logger: Logger
    /// The clock of the snapshots' times and of the grace a stop gives.
    nonisolated let clock: AttacheClock
    private let epoch: ClockInstant

    private var entries: [TransferID: Entry] = [:]
    private var order: [TransferID] = []
    private var nextID = 1
    private var subscribers: [UUID: AsyncStream<TransferEvent>.Continuation] = [:]

    private let updates: AsyncStream<(TransferID, TransferUpdate)>
    private let updateSink: AsyncStream<(TransferID, TransferUpdate)>.Continuation
    private var consumer: Task<Void, Never>?

    init(uploader: any TransferPerformer, concurrency: Int = 4, logger: Logger) {
        self.uploader = uploader
        self.concurrency = max(1, concurrency)
        self.logger = logger
        self.clock = uploader.clock
        self.epoch = uploader.clock.now
        (updates, updateSink) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    deinit {
        updateSink.finish()
        consumer?.cancel()
    }

    /// Seconds since the queue was made: the clock of ``TransferSnapshot``'s times.
    public nonisolated var now: Double {
        epoch.duration(to: clock.now).seconds
    }

    // MARK: Commands

    /// Adds a transfer; it starts as soon as a slot is free. Pass `resuming` to continue a
    /// journaled transfer instead of starting afresh.
    @discardableResult
    public func enqueue(_ job: UploadJob, resuming record: TransferRecord? = nil, to target: TransferTarget? = nil) -> TransferID {
        startConsumerIfNeeded()
        let id = nextID
        nextID += 1
        var snapshot = TransferSnapshot(id: id, job: job)
        snapshot.recordID = record?.id
        if let record {
            snapshot.confirmedBytes = record.confirmedBytes
            snapshot.confirmedRanges = record.confirmedBytes > 0 ? [0..<record.confirmedBytes] : []
        }
        entries[id] = Entry(snapshot: snapshot, resuming: record, target: target)
        order.append(id)
        publish(id)
        pump()
        return id
    }

    /// How long a request in flight may go on after a stop, so that what it did is known
    /// (a range that landed is recorded, not lost) before it is cut short.
    public static let stopGrace: Duration = .seconds(3)

    /// Seconds of confirmations the rate averages over: long enough that ranges confirmed
    /// seconds apart on a slow link give a steady rate, short enough to follow a change.
    public static let rateWindow: Double = 20

    /// Cancels a queued or running transfer: its session is deleted. A request in flight
    /// gets `grace` to finish first.
    public func cancel(_ id: TransferID, grace: Duration = TransferQueue.stopGrace) {
        guard let entry = entries[id], !entry.snapshot.phase.isTerminal else { return }
        stop(id, for: .cancel, grace: grace)
    }

    /// Stops everything, keeping sessions so a later `attache resume` can finish them. Each
    /// request in flight gets `grace` to finish, so the journal knows what it did.
    public func interruptAll(grace: Duration = TransferQueue.stopGrace) {
        for id in order {
            guard let entry = entries[id], !entry.snapshot.phase.isTerminal else { continue }
            stop(id, for: .interrupt, grace: grace)
        }
    }

    /// Stops one transfer that has not ended, for `reason`. A running one is asked to stop,
    /// and its task cancelled after `grace`, so a request in flight can finish and the journal
    /// knows what landed; one that never started ends at once, cancelled or interrupted.
    private func stop(_ id: TransferID, for reason: StopReason, grace: Duration, pausing: Bool = false) {
        guard var entry = entries[id] else { return }
        let stopping: TransferSnapshot.Stopping = reason == .cancel ? .cancelling : pausing ? .pausing : .interrupting
        if let task = entry.task {
            entry.stop.request(reason)
            // A cancel outranks a pause or an interrupt already asked for.
            if entry.snapshot.stopping == nil || stopping == .cancelling { entry.snapshot.stopping = stopping }
            entries[id] = entry
            cancel(task, after: grace)
        } else {
            entry.snapshot.phase = reason == .cancel ? .cancelled : pausing ? .paused : .interrupted
            entry.snapshot.finishedAt = now
            entries[id] = entry
        }
        publish(id)
    }

    /// Queues a failed, cancelled or interrupted transfer again. An interrupted (or paused)
    /// one picks up its journaled session where the server says it stands, so no confirmed
    /// byte is sent twice; a failed or cancelled one starts afresh.
    @discardableResult
    public func retry(_ id: TransferID) async -> Bool {
        guard let entry = entries[id] else { return false }
        switch entry.snapshot.phase {
        case .interrupted, .paused:
            return await resume(id)
        case .failed, .cancelled:
            requeue(id, resuming: nil, checkingFile: true)
            return true
        default:
            return false
        }
    }

    /// Starts a failed or cancelled transfer again as a OneDrive link (``DriveShare``): the
    /// same file, to the same item, from its first byte. False when it has not ended so, or
    /// is a link already.
    public func shareInstead(_ id: TransferID, as share: DriveShare) async -> Bool {
        guard var entry = entries[id], !entry.snapshot.job.plan.isDrive else { return false }
        var share = share
        switch entry.snapshot.phase {
        case .failed(let error): share.reason = error.shareReason ?? share.reason
        case .cancelled: break
        default: return false
        }
        if entry.snapshot.fileSize > AttachmentLimits.maximumFileSize { share.reason = .overOutlooksLimit }
        let job = entry.snapshot.job
        entry.snapshot.job = .sharing(job.file, to: job.item, as: share, itemTitle: job.itemTitle)
        entries[id] = entry
        requeue(id, resuming: nil, checkingFile: true)
        return true
    }

    /// Pauses a queued or running transfer: like an interrupt, for this one only. Its upload
    /// session is kept; a request in flight gets `grace` to finish first, so what landed is
    /// known. It reads ``TransferSnapshot/Stopping/pausing`` until its run stops, then
    /// ``TransferSnapshot/Phase/paused``; ``resume(_:)`` continues it.
    /// - Returns: false when there is no such transfer, or it has ended or is stopping.
    @discardableResult
    public func pause(_ id: TransferID, grace: Duration = TransferQueue.stopGrace) -> Bool {
        guard let entry = entries[id], !entry.snapshot.phase.isTerminal, entry.snapshot.stopping == nil else { return false }
        entries[id]?.resumeWhenStopped = false
        stop(id, for: .interrupt, grace: grace, pausing: true)
        pump()
        return true
    }

    /// Continues a paused (or interrupted) transfer from its session's next expected ranges:
    /// the bytes the server confirmed are not sent again. With no session left (it expired,
    /// or the transfer was paused before it began), it starts afresh. A transfer whose pause
    /// is still taking effect resumes as soon as it has.
    /// - Returns: false when there is no such transfer, or it is not paused or interrupted.
    @discardableResult
    public func resume(_ id: TransferID) async -> Bool {
        guard var entry = entries[id] else { return false }
        if entry.snapshot.stopping == .pausing, !entry.snapshot.phase.isTerminal {
            entry.resumeWhenStopped = true
            entries[id] = entry
            return true
        }
        guard entry.snapshot.phase == .interrupted || entry.snapshot.phase == .paused else { return false }
        var record: TransferRecord?
        if let recordID = entry.snapshot.recordID, let journal = uploader.journal,
            let found = try? await journal.record(recordID), found.state.isUnfinished
        {
            record = found
        }
        // The journal read let other calls in: check it is still ours to resume.
        guard let phase = entries[id]?.snapshot.phase, phase == .interrupted || phase == .paused, entries[id]?.task == nil else { return false }
        requeue(id, resuming: record)
        return true
    }

    /// Forgets every finished transfer (attached, failed, cancelled, interrupted), but not
    /// the paused ones, which wait for ``resume(_:)``.
    /// - Returns: how many were forgotten.
    @discardableResult
    public func clearFinished() -> Int {
        let finished = order.filter { id in
            guard let snapshot = entries[id]?.snapshot else { return false }
            return snapshot.phase.isFinished
        }
        for id in finished {
            entries[id] = nil
            broadcast(.removed(id))
        }
        order.removeAll { finished.contains($0) }
        return finished.count
    }

    /// Queues `id` again, afresh or picking up `record`, with a new stop signal. With
    /// `checkingFile` (a failed or cancelled one retried), the file is checked again as it is
    /// now: one that changed (and failed for it) goes as it now is, and one that is gone fails
    /// at once, saying so. A resume keeps the job: its run checks the file against the
    /// journal's fingerprint itself.
    private func requeue(_ id: TransferID, resuming record: TransferRecord?, checkingFile: Bool = false) {
        guard var entry = entries[id] else { return }
        var job = entry.snapshot.job
        if checkingFile {
            do {
                job = try job.checkedAgain()
            } catch {
                entry.snapshot.phase = .failed(UploadError(error, item: job.item))
                entry.snapshot.finishedAt = now
                entries[id] = entry
                publish(id)
                return
            }
        }
        var snapshot = TransferSnapshot(id: id, job: job)
        if let record {
            snapshot.recordID = record.id
            snapshot.confirmedBytes = entry.snapshot.confirmedBytes
            snapshot.confirmedRanges = entry.snapshot.confirmedRanges
            snapshot.bytesSent = entry.snapshot.bytesSent
        }
        entry.snapshot = snapshot
        entry.resuming = record
        entry.stop = StopSignal()
        entry.task = nil
        entry.resumeWhenStopped = false
        entry.meter = RateMeter(window: TransferQueue.rateWindow)
        entries[id] = entry
        publish(id)
        pump()
    }

    /// Forgets a finished transfer.
    @discardableResult
    public func remove(_ id: TransferID) -> Bool {
        guard let entry = entries[id], entry.snapshot.phase.isTerminal else { return false }
        entries[id] = nil
        order.removeAll { $0 == id }
        broadcast(.removed(id))
        return true
    }

    // MARK: Observing

    /// The transfers, in the order they were queued.
    public var snapshots: [TransferSnapshot] {
        order.compactMap { entries[$0]?.snapshot }
    }

    public func snapshot(_ id: TransferID) -> TransferSnapshot? {
        entries[id]?.snapshot
    }

    /// A stream of every change from now on, starting with the current state of each transfer.
    public func events() -> AsyncStream<TransferEvent> {
        let (stream, continuation) = AsyncStream<TransferEvent>.makeStream(bufferingPolicy: .unbounded)
        let key = UUID()
        for snapshot in snapshots { continuation.yield(.changed(snapshot)) }
        subscribers[key] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(key) }
        }
        return stream
    }

    // MARK: Internals

    private func cancel(_ task: Task<Void, Never>, after grace: Duration) {
        guard grace > .zero else {
            task.cancel()
            return
        }
        let clock = self.clock
        Task {
            try? await clock.sleep(for: grace)
            task.cancel()
        }
    }

    private func unsubscribe(_ key: UUID) {
        subscribers[key] = nil
    }

    private func startConsumerIfNeeded() {
        guard consumer == nil else { return }
        let updates = self.updates
        consumer = Task { [weak self] in
            for await (id, update) in updates {
                await self?.apply(update, to: id)
            }
        }
    }

    private func pump() {
        var running = entries.values.filter { $0.task != nil && !$0.snapshot.phase.isTerminal }.count
        for id in order where running < concurrency {
            guard var entry = entries[id], entry.task == nil, entry.snapshot.phase == .queued else { continue }
            entry.snapshot.phase = .starting
            entry.snapshot.startedAt = now
            let job = entry.snapshot.job
            let record = entry.resuming
            let stop = entry.stop
            let uploader = entry.target.map { self.uploader.retargeted(to: $0) } ?? self.uploader
            let sink = self.updateSink
            entry.task = Task {
                _ = await uploader.run(job, resuming: record, stop: stop) { update in
                    sink.yield((id, update))
                }
            }
            entries[id] = entry
            running += 1
            publish(id)
        }
    }

    private func apply(_ update: TransferUpdate, to id: TransferID) {
        guard var entry = entries[id] else { return }
        let t = now
        let size = entry.snapshot.fileSize
        switch update {
        case .journaled(let recordID):
            entry.snapshot.recordID = recordID
        case .starting:
            entry.snapshot.phase = .starting
            entry.snapshot.inFlightBytes = 0
            // A new session or a single request: nothing of this file was there before.
            if entry.snapshot.confirmedBeforeRun == nil { entry.snapshot.confirmedBeforeRun = 0 }
        case .sessionOpened(let expected):
            entry.snapshot.phase = .uploading
            entry.snapshot.offlineSince = nil
            entry.snapshot.confirmedBytes = expected.confirmedBytes(total: size)
            if entry.snapshot.confirmedBeforeRun == nil { entry.snapshot.confirmedBeforeRun = entry.snapshot.confirmedBytes }
            entry.snapshot.confirmedRanges = expected.confirmed(total: size)
            entry.snapshot.inFlightBytes = 0
            entry.snapshot.confirmedAt = t
            entry.meter.record(total: entry.snapshot.confirmedBytes, at: t)
        case .bytesSent(let count):
            if case .starting = entry.snapshot.phase {} else { entry.snapshot.phase = .uploading }
            entry.snapshot.inFlightBytes += count
            entry.snapshot.bytesSent += count
        case .confirmed(let expected):
            entry.snapshot.phase = .uploading
            entry.snapshot.offlineSince = nil
            entry.snapshot.confirmedBytes = expected.confirmedBytes(total: size)
            // A resume's run begins by asking its session: what it holds came before this run.
            if entry.snapshot.confirmedBeforeRun == nil { entry.snapshot.confirmedBeforeRun = entry.snapshot.confirmedBytes }
            entry.snapshot.confirmedRanges = expected.confirmed(total: size)
            entry.snapshot.inFlightBytes = 0
            // Rate and time left follow what the server holds, not what was handed over.
            entry.snapshot.confirmedAt = t
            entry.meter.record(total: entry.snapshot.confirmedBytes, at: t)
            entry.snapshot.bytesPerSecond = entry.meter.bytesPerSecond
        case .retrying(let delay, let attempt, let reason):
            entry.snapshot.phase = .retrying(retryAt: t + delay.seconds, attempt: attempt, reason: reason)
            entry.snapshot.offlineSince = nil
            entry.snapshot.retries += 1
            entry.snapshot.lastRetryReason = reason
            entry.snapshot.inFlightBytes = 0
        case .offline(let delay, let attempt, let lasted, let reason):
            entry.snapshot.phase = .retrying(retryAt: t + delay.seconds, attempt: attempt, reason: reason)
            entry.snapshot.offlineSince = entry.snapshot.offlineSince ?? t - lasted.seconds
            entry.snapshot.retries += 1
            entry.snapshot.lastRetryReason = reason
            entry.snapshot.inFlightBytes = 0
        case .waiting(let delay, let reason):
            entry.snapshot.phase = .waiting(until: t + delay.seconds, reason: reason)
            entry.snapshot.offlineSince = nil
            entry.snapshot.inFlightBytes = 0
        case .checking(let what):
            entry.snapshot.phase = .checking(what)
            entry.snapshot.inFlightBytes = 0
        case .verified(let sha256):
            entry.snapshot.verifiedSHA256 = sha256
        case .cancelCameTooLate:
            entry.snapshot.cancelCameTooLate = true
        case .sharingInstead(let job):
            // A new transfer of the same file, to OneDrive: nothing of it is there yet.
            entry.snapshot.job = job
            entry.snapshot.phase = .starting
            entry.snapshot.confirmedBytes = 0
            entry.snapshot.confirmedRanges = []
            entry.snapshot.confirmedBeforeRun = 0
            entry.snapshot.inFlightBytes = 0
            entry.snapshot.bytesPerSecond = nil
            entry.meter = RateMeter(window: TransferQueue.rateWindow)
        case .shared(let link):
            entry.snapshot.sharedLink = link
        case .finished(let outcome):
            switch outcome {
            case .attached(let info):
                entry.snapshot.phase = .attached(info)
                entry.snapshot.confirmedBytes = size
                entry.snapshot.confirmedRanges = size > 0 ? [0..<size] : []
            case .failed(let error):
                entry.snapshot.phase = .failed(error)
            case .cancelled:
                entry.snapshot.phase = .cancelled
            case .interrupted:
                // Stopped with its session kept: paused when the user asked for it.
                entry.snapshot.phase = entry.snapshot.stopping == .pausing ? .paused : .interrupted
            }
            // A pause that came too late (the file was attached, or failed) is no pause.
            entry.snapshot.stopping = nil
            entry.snapshot.offlineSince = nil
            entry.snapshot.inFlightBytes = 0
            entry.snapshot.finishedAt = t
            entry.task = nil
        }
        entries[id] = entry
        publish(id)
        if case .finished = update {
            if entry.resumeWhenStopped, entry.snapshot.phase == .paused {
                Task { await self.resume(id) }
            }
            pump()
        }
    }

    private func publish(_ id: TransferID) {
        guard let snapshot = entries[id]?.snapshot else { return }
        broadcast(.changed(snapshot))
    }

    private func broadcast(_ event: TransferEvent) {
        for continuation in subscribers.values { continuation.yield(event) }
    }
}
