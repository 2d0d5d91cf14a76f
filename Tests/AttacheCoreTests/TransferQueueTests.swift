import Clocks
import Foundation
import Logging
import Synchronization
import Testing

@testable import AttacheCore

/// A performer that runs each transfer until the test ends it, or until the queue cancels
/// its task (a stop's grace over): then it ends as the stop asked, a cancel or an interrupt.
final class ScriptedPerformer: TransferPerformer {
    let clock: AttacheClock
    var journal: TransferJournal? { nil }
    private let waiting = Mutex<[String: CheckedContinuation<TransferOutcome, Never>]>([:])
    private let started = Mutex<[String]>([])

    init(clock: AttacheClock) {
        self.clock = clock
    }

    func retargeted(to target: TransferTarget) -> any TransferPerformer { self }

    /// The files whose runs have begun, in order (a resumed one again).
    var runs: [String] { started.withLock { $0 } }

    func run(_ job: UploadJob, resuming record: TransferRecord?, stop: StopSignal, report: @escaping @Sendable (TransferUpdate) -> Void) async
        -> TransferOutcome
    {
        let name = job.file.name
        started.withLock { $0.append(name) }
        // What the test waits for: the queue reads `starting` before the run has begun.
        report(.checking("running"))
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiting.withLock { $0[name] = continuation }
                if Task.isCancelled { end(name, stop.requested == .cancel ? .cancelled : .interrupted) }
            }
        } onCancel: {
            end(name, stop.requested == .cancel ? .cancelled : .interrupted)
        }
        report(.finished(outcome))
        return outcome
    }

    /// Ends the run of `name` with `outcome`, if it is running.
    func end(_ name: String, _ outcome: TransferOutcome) {
        waiting.withLock { $0.removeValue(forKey: name) }?.resume(returning: outcome)
    }
}

/// ``TransferQueue`` with scripted runs and a manual clock: how many run at once, what a
/// pause, a cancel and a resume do to a transfer's phase, and the grace a stop gives.
@Suite("The transfer queue, on scripted runs")
struct TransferQueueTests {
    static let item = ItemReference(kind: .message, id: "AAMkM")

    static func job(_ name: String) -> UploadJob {
        UploadJob(file: LocalFile(path: "/nowhere/" + name, name: name, size: 10, modified: 0), item: item, plan: .singleRequest)
    }

    /// The queue's snapshot of `id` once `condition` holds (the queue folds updates in as
    /// they come, on its own time).
    static func snapshot(_ queue: TransferQueue, _ id: TransferID, _ condition: (TransferSnapshot) -> Bool) async -> TransferSnapshot? {
        for await event in await queue.events() {
            guard case .changed(let snapshot) = event, snapshot.id == id else { continue }
            if condition(snapshot) { return snapshot }
        }
        return nil
    }

    @Test func atMostTheConcurrencyRunsAndTheNextStartsWhenOneEnds() async throws {
        let time = ManualClock()
        let performer = ScriptedPerformer(clock: time.clock)
        let queue = TransferQueue(uploader: performer, concurrency: 2, logger: Logger(label: "test"))
        let ids = [await queue.enqueue(Self.job("a")), await queue.enqueue(Self.job("b")), await queue.enqueue(Self.job("c"))]
        _ = await Self.snapshot(queue, ids[1]) { $0.phase == .checking("running") }
        #expect(await queue.snapshot(ids[2])?.phase == .queued)
        #expect(performer.runs == ["a", "b"])
        performer.end("a", .attached(AttachmentInfo(id: "A")))
        _ = await Self.snapshot(queue, ids[2]) { $0.phase == .checking("running") }
        #expect(performer.runs == ["a", "b", "c"])
        performer.end("b", .attached(AttachmentInfo(id: "B")))
        performer.end("c", .attached(AttachmentInfo(id: "C")))
        _ = await Self.snapshot(queue, ids[2]) { $0.phase.isTerminal }
    }

    /// A pause says so at once; the run is given the grace on the clock, then stopped, and
    /// reads paused; a resume runs it again. Clearing the finished ones leaves it.
    @Test func aPauseIsAPhaseAndAResumeRunsItAgain() async throws {
        let time = ManualClock()
        let performer = ScriptedPerformer(clock: time.clock)
        let queue = TransferQueue(uploader: performer, concurrency: 4, logger: Logger(label: "test"))
        let id = await queue.enqueue(Self.job("p"))
        _ = await Self.snapshot(queue, id) { $0.phase == .checking("running") }
        #expect(await queue.pause(id, grace: .seconds(3)))
        #expect(await queue.snapshot(id)?.stopping == .pausing)
        #expect(await time.waitForSleepers())
        time.advance(by: .seconds(3))
        let paused = await Self.snapshot(queue, id) { $0.phase.isTerminal }
        #expect(paused?.phase == .paused)
        #expect(paused?.stopping == nil)
        #expect(await queue.clearFinished() == 0)
        #expect(await queue.resume(id))
        _ = await Self.snapshot(queue, id) { $0.phase == .checking("running") }
        #expect(performer.runs == ["p", "p"])
        performer.end("p", .attached(AttachmentInfo(id: "P")))
        _ = await Self.snapshot(queue, id) { $0.phase.isTerminal }
        #expect(await queue.clearFinished() == 1)
    }

    /// A cancel reads "cancelling" at once, and cancelled once the grace is over; a queued
    /// transfer that never started is cancelled at once.
    @Test func aCancelSaysSoAtOnceAndEndsAfterTheGrace() async throws {
        let time = ManualClock()
        let performer = ScriptedPerformer(clock: time.clock)
        let queue = TransferQueue(uploader: performer, concurrency: 1, logger: Logger(label: "test"))
        let running = await queue.enqueue(Self.job("r"))
        let waiting = await queue.enqueue(Self.job("w"))
        _ = await Self.snapshot(queue, running) { $0.phase == .checking("running") }
        await queue.cancel(waiting)
        #expect(await queue.snapshot(waiting)?.phase == .cancelled)
        await queue.cancel(running, grace: .seconds(3))
        #expect(await queue.snapshot(running)?.stopping == .cancelling)
        #expect(await time.waitForSleepers())
        time.advance(by: .milliseconds(2_999))
        #expect(await queue.snapshot(running)?.phase == .checking("running"), "still within its grace")
        time.advance(by: .milliseconds(1))
        let ended = await Self.snapshot(queue, running) { $0.phase.isTerminal }
        #expect(ended?.phase == .cancelled)
        #expect(performer.runs == ["r"])
    }
}
