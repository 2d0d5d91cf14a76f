import Foundation
@testable import AttacheCore

/// Graph's timestamps (`2019-09-25T01:09:30.7671707Z`, `2019-09-24T23:27:43Z`, event times
/// with no zone): `GraphDate.parse`, and `format` of what it read; and the `Date` header of
/// any reply (`GraphDate.parseHTTP`), which `ServerClock` learns Graph's time from.
///
/// Input: the timestamp, read both ways.
enum GraphDateTarget {
    static func run(_ input: FuzzInput) {
        let text = input.text
        checkHTTP(text)
        guard let date = GraphDate.parse(text) else { return }
        let seconds = date.timeIntervalSince1970
        expect(seconds.isFinite, "\(text): \(seconds)")
        // Dates are written within the years 0001 to 9999, where the format holds them.
        let shown = min(max(seconds, GraphDate.earliest), GraphDate.latest)
        // Written again to the second, it reads back as that second (the next one when the
        // fraction rounds up to it), and writes the same once more.
        let written = GraphDate.format(date)
        guard let again = GraphDate.parse(written) else {
            expect(false, "\(text) is written \(written), which does not read back")
            return
        }
        let whole = shown.rounded(.down)
        let back = again.timeIntervalSince1970
        expect(back == whole || back == whole + 1, "\(text) → \(written) → \(back), not \(whole)")
        expect(GraphDate.format(again) == written, "\(written) is not written the same once read")
        // With the fraction, it reads back within Double's resolution of the moment.
        let precise = GraphDate.formatPrecise(date)
        let preciseBack = GraphDate.parse(precise)?.timeIntervalSince1970
        expect(preciseBack.map { abs($0 - shown) < 0.001 } ?? false, "\(text) → \(precise) → \(String(describing: preciseBack))")
        _ = GraphDate.formatMinute(date)
        // A canonical timestamp reads as Foundation reads it. (Before 1583 Foundation counts
        // Julian days, where ISO 8601 and Graph go on with Gregorian ones.)
        if text.utf8.count == 20, text.hasSuffix("Z"), text >= "1583", let foundation = iso8601.date(from: text) {
            expect(
                foundation == date,
                "\(text): \(seconds) s after 1970, but Foundation reads \(foundation.timeIntervalSince1970)")
        }
    }

    /// An HTTP date read, written as servers write it, reads back the same.
    static func checkHTTP(_ text: String) {
        guard let date = GraphDate.parseHTTP(text) else { return }
        let seconds = date.timeIntervalSince1970
        expect(seconds.isFinite && seconds == seconds.rounded(.down), "\(text): \(seconds)")
        // (Foundation counts Julian days before 1583, as above.)
        guard seconds >= -12_212_553_600 else { return }
        let written = imfFixdate.string(from: date)
        expect(GraphDate.parseHTTP(written) == date, "\(text) → \(written) does not read back")
    }

    static let imfFixdate: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }()

    /// Not `Sendable`; used from the fuzzer's one thread only.
    nonisolated(unsafe) static let iso8601: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }()
}
