import Foundation
import Synchronization

/// A clock that moves only when told: a test advances it, and the sleepers whose moment has
/// come wake, in the order of their moments. Its wall time starts at a date the test picks.
///
/// Sleeps are honest about cancellation: a cancelled sleeper wakes at once with
/// `CancellationError`, as `Task.sleep` does.
public final class ManualClock: AttacheClock.Source, Sendable {
    private struct Sleeper {
        var deadline: ClockInstant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = ClockInstant(sinceEpoch: .zero)
        var sleepers: [UInt64: Sleeper] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    private let startDate: Date

    /// - Parameter date: the wall-clock date at the clock's epoch.
    public init(date: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.startDate = date
    }

    /// This clock, as the clock type the code under test takes.
    public var clock: AttacheClock { AttacheClock(self) }

    public var now: ClockInstant { state.withLock { $0.now } }

    public func date(at instant: ClockInstant) -> Date {
        startDate.addingTimeInterval(instant.seconds)
    }

    /// How many tasks are asleep on this clock now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest moment a sleeper waits for, if any sleeps.
    public var nextDeadline: ClockInstant? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    public func sleep(until deadline: ClockInstant) async throws {
        let id = state.withLock { state -> UInt64 in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time on by `duration`, waking every sleeper whose moment has come.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time on to `instant` (never back), waking every sleeper whose moment has come.
    public func advance(to instant: ClockInstant) {
        let woken = state.withLock { state -> [Sleeper] in
            if instant > state.now { state.now = instant }
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for key in due.keys { state.sleepers[key] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    /// Waits (on the real scheduler, not on time) until at least `count` tasks sleep on
    /// this clock, so a test advances it only once the code under test is waiting.
    /// - Returns: false when that did not happen within `attempts` yields of the scheduler.
    @discardableResult
    public func waitForSleepers(_ count: Int = 1, attempts: Int = 1_000_000) async -> Bool {
        for _ in 0..<attempts {
            if sleeperCount >= count { return true }
            await Task.yield()
        }
        return sleeperCount >= count
    }
}
