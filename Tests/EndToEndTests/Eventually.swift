import Foundation

/// Waiting on what another process or a server does: the one place these tests look at real
/// time. Each waits for a condition to hold, never for a fixed while, and gives up after a
/// bound so a test that cannot pass fails instead of hanging the suite.
enum Eventually {
    /// Asks `condition` every `interval` until it holds; false when it did not within `timeout`.
    @discardableResult
    static func until(
        timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(10), _ condition: () async throws -> Bool
    ) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await condition() { return true }
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: interval)
        }
    }

    /// The first value `produce` gives, asked every `interval`; `nil` when none came within `timeout`.
    static func value<T>(
        timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(10), _ produce: () async throws -> T?
    ) async rethrows -> T? {
        var found: T?
        try await until(timeout: timeout, every: interval) {
            found = try await produce()
            return found != nil
        }
        return found
    }
}
