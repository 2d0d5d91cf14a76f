import Foundation

/// Reads a `Retry-After` header: delay-seconds (`120`, and the `1.5` some servers send) or an
/// HTTP-date (RFC 9110 §10.2.3).
///
/// Whatever the header says, the result is a finite, non-negative duration of at most
/// ``longest``: a server cannot make attache trap on an overflow (`1e300`,
/// `99999999999999999999`) or sleep for years (a date in 9999). How long attache then
/// actually waits is ``RetryPolicy``'s call.
public enum RetryAfter {
    /// The most any reply is taken to ask for: a day.
    public static let longest: Duration = .seconds(86_400)

    public static func parse(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if let first = trimmed.first, first.isASCII, first.isNumber {
            // Read as a number even in forms HTTP does not allow (`1.5`, `1e300`): a server
            // that writes a huge number means "a long time", which the cap then bounds.
            guard let seconds = Double(trimmed), !seconds.isNaN else { return nil }
            return clamp(seconds)
        }
        guard let date = httpDate(trimmed) else { return nil }
        return clamp(date.timeIntervalSince(now))
    }

    static func clamp(_ seconds: Double) -> Duration {
        guard seconds.isFinite else { return longest }
        let bounded = min(max(seconds, 0), longest.seconds)
        return .milliseconds(Int64((bounded * 1000).rounded(.up)))
    }

    /// IMF-fixdate, and the two obsolete forms RFC 9110 still asks recipients to read.
    static func httpDate(_ text: String) -> Date? {
        // All three are ASCII. Foundation's DateFormatter traps on some text that is not
        // (an `S` and a run of combining marks: "Incorrect range CFRange"), so a server must
        // not get such a header to it.
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
