/// A moment on an ``AttacheClock``: how long after the clock's epoch.
public struct ClockInstant: InstantProtocol, Hashable, Sendable, CustomStringConvertible {
    /// The time since the clock began.
    public var sinceEpoch: Duration

    public init(sinceEpoch: Duration) {
        self.sinceEpoch = sinceEpoch
    }

    public func advanced(by duration: Duration) -> ClockInstant {
        ClockInstant(sinceEpoch: sinceEpoch + duration)
    }

    public func duration(to other: ClockInstant) -> Duration {
        other.sinceEpoch - sinceEpoch
    }

    public static func < (lhs: ClockInstant, rhs: ClockInstant) -> Bool {
        lhs.sinceEpoch < rhs.sinceEpoch
    }

    public static func + (lhs: ClockInstant, rhs: Duration) -> ClockInstant { lhs.advanced(by: rhs) }
    public static func - (lhs: ClockInstant, rhs: Duration) -> ClockInstant { lhs.advanced(by: .zero - rhs) }
    public static func - (lhs: ClockInstant, rhs: ClockInstant) -> Duration { rhs.duration(to: lhs) }

    /// Seconds since the epoch, for values people read (times in a snapshot, a rate).
    public var seconds: Double {
        let (whole, fraction) = sinceEpoch.components
        return Double(whole) + Double(fraction) / 1e18
    }

    public var description: String { "t+\(sinceEpoch)" }
}
