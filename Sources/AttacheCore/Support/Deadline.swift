/// Runs work that must end by a point in time, whatever the peer does.
///
/// The HTTP client's own deadline covers a reply's head only, and its read timeout starts
/// again with each byte: a body that trickles a byte a second is never cut off by either.
/// Reading a body under ``run(by:_:)`` bounds the whole reply.
enum Deadline {
    /// `operation`'s result, or `nil` when `deadline` came first (the operation is then
    /// cancelled and waited for, which the HTTP client's body stream honours at once).
    ///
    /// Cancelling the caller cancels the operation, and its `CancellationError` comes
    /// through as it is.
    static func run<T: Sendable>(
        by deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            // The first to finish decides: a result, a failure, or the time running out. A
            // body cut short by the cancellation that follows is never mistaken for a whole one.
            defer { group.cancelAll() }
            guard let first = try await group.next() else { return nil }
            return first
        }
    }
}
