import Synchronization

/// Draws, request by request, whether a ranged `PUT` meets a fault and which, from the
/// seeded generator of a ``FaultInjection``; counts what it hands out.
final class FaultSchedule: Sendable {
    /// One fault drawn for one request.
    struct Draw: Sendable {
        var kind: FaultInjection.Kind
        /// In [0, 1), for the faults that need one: where to cut a body.
        var fraction: Double
        var injection: FaultInjection
    }

    private struct State {
        var injection: FaultInjection?
        var generator: SeededGenerator
        var injected: [FaultInjection.Kind: Int] = [:]
    }

    private let state: Mutex<State>

    init(_ injection: FaultInjection?) {
        state = Mutex(State(injection: injection, generator: SeededGenerator(seed: injection?.seed ?? 0)))
    }

    /// The fault for the next request, or `nil`. A session that has taken no bytes yet
    /// neither expires nor turns its URL away: a new session refusing its first range looks
    /// like a bad upload URL, which clients rightly give up on.
    func draw(sessionHasBytes: Bool) -> Draw? {
        state.withLock { state in
            guard let injection = state.injection, injection.rate > 0 else { return nil }
            guard Double.random(in: 0..<1, using: &state.generator) < injection.rate else { return nil }
            let kind = injection.kinds[Int.random(in: 0..<injection.kinds.count, using: &state.generator)]
            let fraction = Double.random(in: 0..<1, using: &state.generator)
            if kind == .expireSession || kind == .unauthorized, !sessionHasBytes { return nil }
            state.injected[kind, default: 0] += 1
            return Draw(kind: kind, fraction: fraction, injection: injection)
        }
    }

    /// Faults handed out so far, by kind.
    var injected: [FaultInjection.Kind: Int] {
        state.withLock { $0.injected }
    }

    /// Starts over with `injection` (or none), its generator freshly seeded.
    func replace(with injection: FaultInjection?) {
        state.withLock { $0 = State(injection: injection, generator: SeededGenerator(seed: injection?.seed ?? 0)) }
    }
}
