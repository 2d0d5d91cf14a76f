import Synchronization

/// Watches a request body on its way out: it has stalled when no byte has been taken by the
/// connection for a while. A slow link that keeps moving never stalls, however long the
/// range takes; once the body is all sent, the wait for the reply is the HTTP client's
/// read timeout's to judge.
final class StallWatch: Sendable {
    private struct State {
        var lastMove: ContinuousClock.Instant
        var sent = false
    }

    private let state: Mutex<State>
    let limit: Duration

    init(limit: Duration) {
        self.limit = limit
        self.state = Mutex(State(lastMove: .now))
    }

    /// Bytes were taken by the connection.
    func moved() {
        state.withLock { $0.lastMove = .now }
    }

    /// The whole body was taken.
    func sentAll() {
        state.withLock { $0.sent = true }
    }

    /// Returns when the body has stalled for ``limit``; runs until cancelled otherwise.
    func waitForStall() async throws {
        while true {
            let (lastMove, sent) = state.withLock { ($0.lastMove, $0.sent) }
            let now = ContinuousClock.now
            if !sent, now - lastMove >= limit { return }
            try await Task.sleep(for: sent ? limit : max(.milliseconds(50), lastMove + limit - now))
        }
    }
}
