import Foundation

/// How Outlook writes times: `2019-09-24T23:27:43Z` for metadata,
/// `2019-09-25T01:09:30.7671707Z` for session expiry, `2026-11-27T09:00:00.0000000` for event times.
enum GraphTimestamp {
    static func seconds(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    static func ticks(_ date: Date) -> String {
        // A Double holds an instant of this era to about 0.2 µs: round to the millisecond the
        // store keeps, so the same expiry always prints the same.
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let whole = milliseconds / 1000
        let ticks = (milliseconds % 1000) * 10_000
        let base = seconds(Date(timeIntervalSince1970: Double(whole))).dropLast()  // drop the Z
        return "\(base).\(String(ticks).leftPadded(to: 7))Z"
    }

    /// `date` cut to whole milliseconds, the precision the store keeps, so a time written
    /// now reads back the same from the database later.
    static func storable(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// A `dateTimeTimeZone` value in UTC.
    static func local(_ date: Date) -> JSONValue {
        .object([
            ("dateTime", .string(String(ticks(date).dropLast()))),
            ("timeZone", .string("UTC")),
        ])
    }
}
