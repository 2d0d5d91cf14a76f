import Foundation

/// The clock every wait and timer of a transfer, and of the emulator's limits, reads: the
/// pacer's windows, the stall watch, retry waits, the queue's times, Outlook's windows.
///
/// Live, it is the monotonic `ContinuousClock` (and the wall clock for dates); in tests, a
/// ``ManualClock`` that moves only when the test moves it. A test of pacing, stalls or retries then runs
/// in milliseconds, never sleeps, and never skips an assertion because the machine is slow.
public struct AttacheClock: Clock, Sendable {
    public typealias Duration = Swift.Duration
    public typealias Instant = ClockInstant

    private let source: any Source

    /// What a clock is made of: a present, a way to wait for a moment, and the wall time.
    public protocol Source: Sendable {
        var now: ClockInstant { get }
        func sleep(until deadline: ClockInstant) async throws
        /// The wall-clock date at `instant`, for what is shown or stamped as a date.
        func date(at instant: ClockInstant) -> Date
    }

    public init(_ source: any Source) {
        self.source = source
    }

    public var now: ClockInstant { source.now }
    public var minimumResolution: Duration { .nanoseconds(1) }

    public func sleep(until deadline: ClockInstant, tolerance: Duration? = nil) async throws {
        try await source.sleep(until: deadline)
    }

    /// The wall-clock date now: `Date()` live, the manual clock's own in tests.
    public var date: Date { source.date(at: now) }

    /// The process's monotonic clock, from one epoch for the whole process.
    public static let live = AttacheClock(Live())

    private struct Live: Source {
        static let epoch = ContinuousClock.now
        var now: ClockInstant { ClockInstant(sinceEpoch: ContinuousClock.now - Self.epoch) }
        func sleep(until deadline: ClockInstant) async throws {
            try await ContinuousClock().sleep(until: Self.epoch + deadline.sinceEpoch)
        }
        func date(at instant: ClockInstant) -> Date {
            Date().addingTimeInterval((instant.sinceEpoch - now.sinceEpoch).seconds)
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `Double` (AttacheCore and the emulator have their own).
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
