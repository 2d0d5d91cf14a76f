import Foundation

/// Graph's timestamps: `2019-09-25T01:09:30.7671707Z`, `2019-09-24T23:27:43Z`, and event
/// times without a zone (`2026-11-26T09:00:00.0000000`, read as UTC). Up to 7 fractional digits.
public enum GraphDate {
    public static func parse(_ text: String) -> Date? {
        let utf8 = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= utf8.count else { return nil }
            var value = 0
            for byte in utf8[from..<(from + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard utf8.count >= 19,
            let year = number(0, 4), utf8[4] == UInt8(ascii: "-"),
            let month = number(5, 2), utf8[7] == UInt8(ascii: "-"),
            let day = number(8, 2), utf8[10] == UInt8(ascii: "T") || utf8[10] == UInt8(ascii: " "),
            let hour = number(11, 2), utf8[13] == UInt8(ascii: ":"),
            let minute = number(14, 2), utf8[16] == UInt8(ascii: ":"),
            let second = number(17, 2)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < utf8.count, utf8[index] >= 48, utf8[index] <= 57 {
                fraction += Double(utf8[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < utf8.count {
            switch utf8[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = utf8[index] == UInt8(ascii: "+") ? 1 : -1
                guard let hours = number(index + 1, 2) else { return nil }
                let minutesAt = utf8.count > index + 3 && utf8[index + 3] == UInt8(ascii: ":") ? index + 4 : index + 3
                let minutes = number(minutesAt, 2) ?? 0
                offsetSeconds = sign * (hours * 3600 + minutes * 60)
                index = utf8.count
            default:
                return nil
            }
        }
        guard index == utf8.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
            return nil
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// An HTTP `Date` in its one current form, IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`),
    /// as every server writes it; `nil` for anything else.
    public static func parseHTTP(_ text: String) -> Date? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 29, utf8[3] == UInt8(ascii: ","), utf8[4] == 32, utf8[7] == 32, utf8[11] == 32, utf8[16] == 32,
            utf8[19] == UInt8(ascii: ":"), utf8[22] == UInt8(ascii: ":"), utf8[25] == 32,
            String(decoding: utf8[26...], as: UTF8.self) == "GMT"
        else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for byte in utf8[from..<(from + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let day = number(5, 2), let monthIndex = months.firstIndex(of: String(decoding: utf8[8..<11], as: UTF8.self)),
            let year = number(12, 4), let hour = number(17, 2), let minute = number(20, 2), let second = number(23, 2),
            (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    /// `2019-09-24T23:27:43Z`.
    public static func format(_ date: Date) -> String {
        let (y, mo, d, h, mi, s, _) = components(date)
        return "\(pad(y, 4))-\(pad(mo, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2))Z"
    }

    /// `2019-09-24 23:27`: to the minute, in UTC, for lists people read.
    public static func formatMinute(_ date: Date) -> String {
        String(format(date).prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// `2019-09-25T01:09:30.7671707Z`: seven fractional digits, as Outlook writes them.
    public static func formatPrecise(_ date: Date) -> String {
        let (y, mo, d, h, mi, s, ticks) = components(date)
        return "\(pad(y, 4))-\(pad(mo, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(ticks, 7))Z"
    }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: a date from a server's number is
    /// shown within these, never converted to an integer it does not fit.
    static let earliest: Double = -62_135_596_800
    static let latest: Double = 253_402_300_799

    static func components(_ date: Date) -> (Int, Int, Int, Int, Int, Int, Int) {
        let raw = date.timeIntervalSince1970
        let interval = raw.isNaN ? 0 : min(max(raw, earliest), latest)
        var whole = Int(interval.rounded(.down))
        var ticks = Int(((interval - Double(whole)) * 10_000_000).rounded())
        if ticks >= 10_000_000 {
            whole += 1
            ticks -= 10_000_000
        }
        let days = Int((Double(whole) / 86_400).rounded(.down))
        let secondsOfDay = whole - days * 86_400
        let (y, mo, d) = civilFromDays(days)
        return (y, mo, d, secondsOfDay / 3600, (secondsOfDay % 3600) / 60, secondsOfDay % 60, ticks)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    // Howard Hinnant's civil-calendar algorithms: exact, with no time-zone database involved.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
