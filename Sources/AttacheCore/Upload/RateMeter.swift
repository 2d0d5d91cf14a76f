/// A moving average of throughput over the last few seconds, for rates and ETAs that
/// follow the transfer without jumping on every chunk.
public struct RateMeter: Hashable, Sendable {
    /// The averaging window, in seconds.
    public var window: Double
    private var samples: [(time: Double, total: Int64)] = []

    public init(window: Double = 5) {
        self.window = window
    }

    /// Notes that `total` bytes have moved by `time` (seconds on any monotonic clock).
    public mutating func record(total: Int64, at time: Double) {
        if let last = samples.last, time - last.time < 0.05 {
            // Many chunks in a burst: keep one sample per 50 ms.
            samples[samples.count - 1].total = total
        } else {
            samples.append((time, total))
        }
        while let first = samples.first, samples.count > 2, time - first.time > window {
            samples.removeFirst()
        }
    }

    /// Bytes per second over the window, or `nil` before there is enough to tell.
    public var bytesPerSecond: Double? {
        guard let first = samples.first, let last = samples.last, last.time - first.time >= 0.2 else { return nil }
        return Double(last.total - first.total) / (last.time - first.time)
    }

    /// Seconds until `remaining` bytes are done at the current rate.
    public func secondsRemaining(for remaining: Int64) -> Double? {
        guard let rate = bytesPerSecond, rate > 1 else { return nil }
        return Double(remaining) / rate
    }

    public static func == (a: RateMeter, b: RateMeter) -> Bool {
        a.window == b.window && a.samples.elementsEqual(b.samples) { $0.time == $1.time && $0.total == $1.total }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(window)
        hasher.combine(samples.count)
    }
}
