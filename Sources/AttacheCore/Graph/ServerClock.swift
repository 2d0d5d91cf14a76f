import Foundation
import Synchronization

/// What time it is on Graph's side, learnt from the `Date` header of its replies: the only
/// clock that can tell whether an attachment was made before or after an upload began
/// (Graph stamps attachments with its own time, and the local clock may be off by minutes).
///
/// Each reply gives a lower bound: the server wrote `Date` (whole seconds, rounded down)
/// before the reply arrived, so when it arrived the server's time was at least that. Moved
/// back along the local monotonic clock, it bounds the server's time at any earlier or later
/// instant, whatever the local wall clock says.
public final class ServerClock: Sendable {
    private struct Observation {
        var serverDate: Date
        var receivedAt: ContinuousClock.Instant
    }

    private let latest = Mutex<Observation?>(nil)

    public init() {}

    /// Notes the `Date` of a reply that has just arrived.
    public func observe(dateHeader: String, receivedAt: ContinuousClock.Instant = .now) {
        guard let date = GraphDate.parseHTTP(dateHeader) else { return }
        latest.withLock { $0 = Observation(serverDate: date, receivedAt: receivedAt) }
    }

    /// The earliest the server's time can have been at `instant` (a moment on the local
    /// monotonic clock), or `nil` while no reply has said.
    public func earliestServerTime(at instant: ContinuousClock.Instant) -> Date? {
        latest.withLock { observation in
            guard let observation else { return nil }
            let offset = (instant - observation.receivedAt).seconds
            return observation.serverDate.addingTimeInterval(offset)
        }
    }
}
