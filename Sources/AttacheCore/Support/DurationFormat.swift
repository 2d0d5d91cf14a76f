/// Durations and rates as transfer tools print them.
public enum TransferFormat {
    /// `0:07`, `12:34`, `1:02:03`.
    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        // A wait a server asked for may be any number: past 9999 hours, say so rather than trap.
        guard seconds < 36_000_000 else { return ">9999h" }
        let total = Int(seconds.rounded(.up))
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        let secs = total % 60
        if hours > 0 { return "\(hours):\(String(minutes).leftPadded(to: 2)):\(String(secs).leftPadded(to: 2))" }
        return "\(minutes):\(String(secs).leftPadded(to: 2))"
    }

    /// `45 s`, `2 min 5 s`, `1 h 2 min`: a span as a sentence says it, rounded down.
    public static func span(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "a while" }
        guard seconds < 36_000_000 else { return "over 9999 h" }
        guard seconds >= 1 else { return "less than a second" }
        let total = Int(seconds)
        let (hours, minutes, secs) = (total / 3600, (total % 3600) / 60, total % 60)
        if hours > 0 { return minutes > 0 ? "\(hours) h \(minutes) min" : "\(hours) h" }
        if minutes > 0 { return secs > 0 ? "\(minutes) min \(secs) s" : "\(minutes) min" }
        return "\(secs) s"
    }

    /// `12.3 MiB/s`.
    public static func rate(_ bytesPerSecond: Double?) -> String {
        guard let bytesPerSecond, bytesPerSecond.isFinite, bytesPerSecond > 0 else { return "--" }
        return "\(ByteCount(Int64(bytesPerSecond)))/s"
    }

    /// `1.2s`, `850ms`.
    public static func elapsed(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        return "\(ByteCount.oneDecimal(seconds))s"
    }
}
