import Foundation
@testable import AttacheCore

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds, the decimals some servers send, and the
/// three HTTP-date forms; then the wait attache's retry policy makes of it.
///
/// Input: the header's value.
enum RetryAfterTarget {
    static func run(_ input: FuzzInput) {
        let text = input.text
        let parsed = RetryAfter.parse(text, now: Fixtures.now)
        if let parsed {
            expect(parsed >= .zero && parsed <= RetryAfter.longest, "\(text): \(parsed) is outside 0...\(RetryAfter.longest)")
        }
        // Spaces around the value do not change it.
        expect(RetryAfter.parse(" \(text) ", now: Fixtures.now) == parsed, "\(text): spaces around it change it")
        // Plain seconds mean exactly that many, up to the cap.
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.count <= 18, trimmed.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let seconds = Int64(trimmed) {
            expect(parsed == .seconds(min(seconds, 86_400)), "\(text): \(String(describing: parsed)), not \(seconds) s")
        }
        // Whatever the header said, the policy waits at least its back-off and at most its
        // cap for a server's word.
        var random = SplitMix64(seed: input.hash)
        let policy = RetryPolicy()
        for attempt in [1, 2, 6, Int.max] {
            let delay = policy.delay(forAttempt: attempt, retryAfter: parsed, using: &random)
            expect(
                delay >= .zero && delay <= max(policy.maximumDelay, policy.maximumRetryAfter) + .milliseconds(1),
                "\(text): attempt \(attempt) waits \(delay)")
            _ = TransferFormat.clock(delay.seconds)
        }
        // A date the header could name, in one of the three forms: a moment as far from now
        // as the input says.
        let offset = Int64(input.hash % 200_000) - 100_000
        let form = httpDateForms[Int((input.hash >> 32) % 3)]
        let written = form.string(from: Fixtures.now.addingTimeInterval(TimeInterval(offset)))
        expect(RetryAfter.parse(written, now: Fixtures.now) == .seconds(min(max(offset, 0), 86_400)), "\(written) is not \(offset) s from now")
    }

    /// IMF-fixdate, RFC 850 and asctime, as servers write them. Made once: a `DateFormatter`
    /// takes about a millisecond to make.
    static let httpDateForms: [DateFormatter] =
        ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"].map { format in
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            return formatter
        }
}

/// A small seeded generator, so a target's random choices repeat for the same input.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
