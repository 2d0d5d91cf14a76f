import Clocks
import Synchronization

/// Watches a ranged `PUT` on its way out. Its body has stalled when no byte has been taken
/// by the connection for ``limit``; a slow link that keeps moving never stalls, however long
/// the range takes. Once the body is all handed over, its reply's head must come within
/// ``limit`` too (the last bytes may still be draining from the kernel's buffer meanwhile).
/// Once the head is in, the watch has nothing more to say: the reply's body has its own
/// deadline (see ``GraphClient/send(_:_:authorization:headers:body:operation:timeout:replyLimit:onHead:)``).
final class StallWatch: Sendable {
    /// Why the request was given up on.
    enum Stall: Error, Sendable, Hashable {
        /// No byte of the body was taken for ``StallWatch/limit``.
        case bodyStalled
        /// The body was all handed over, and no reply began within ``StallWatch/limit``.
        case noReply
    }

    private struct State {
        var lastMove: ClockInstant
        /// When the whole body had been handed over.
        var sentAt: ClockInstant?
        var headArrived = false
    }

    private let state: Mutex<State>
    let limit: Duration
    let clock: AttacheClock

    init(limit: Duration, clock: AttacheClock = .live) {
        self.limit = limit
        self.clock = clock
        self.state = Mutex(State(lastMove: clock.now))
    }

    /// Bytes were taken by the connection.
    func moved() {
        let now = clock.now
        state.withLock { $0.lastMove = now }
    }

    /// The whole body was handed over.
    func sentAll() {
        let now = clock.now
        state.withLock { $0.sentAt = now }
    }

    /// The reply's head came.
    func headArrived() {
        state.withLock { $0.headArrived = true }
    }

    /// Returns when the body has stalled, or its reply has not begun in time; runs until
    /// cancelled otherwise. It looks again at least every ``checkEvery``, so that a change
    /// (the body's end, the reply's head) is seen in time.
    func waitForStall() async throws -> Stall {
        while true {
            let (lastMove, sentAt, headArrived) = state.withLock { ($0.lastMove, $0.sentAt, $0.headArrived) }
            let now = clock.now
            var due = now.advanced(by: Self.checkEvery)
            if headArrived {
                // The reply is coming: its deadline is the request's.
            } else if let sentAt {
                if sentAt.duration(to: now) >= limit { return .noReply }
                due = sentAt.advanced(by: limit)
            } else {
                if lastMove.duration(to: now) >= limit { return .bodyStalled }
                due = lastMove.advanced(by: limit)
            }
            try await clock.sleep(until: min(now.advanced(by: Self.checkEvery), max(now.advanced(by: .milliseconds(50)), due)))
        }
    }

    /// The longest the watch sleeps between looks.
    static let checkEvery: Duration = .milliseconds(250)
}
