import Foundation
@testable import AttacheCore

/// What must hold of every range set attache makes of a `NextExpectedRanges`, checked
/// against a model written apart from it: offsets as `Int128`, so no sum or `end + 1`
/// of the model can overflow, and sets as sorted, merged half-open intervals.
enum RangeInvariants {
    /// File sizes every set is asked about, besides the input's own: none, Graph's smallest
    /// session, the seed's file, Outlook's largest, and the largest an `Int64` holds.
    static let totals: [Int64] = [0, 1, 2_097_152, 3_483_322, 157_286_400, .max]

    /// One entry: a parse gives a range that prints as something that parses back to it.
    static func check(entry: String) {
        guard let range = ByteRange(parsing: entry) else { return }
        expect(range.start >= 0, "\(entry): start \(range.start) is negative")
        if let end = range.end { expect(end >= range.start, "\(entry): end \(end) before start \(range.start)") }
        expect(ByteRange(parsing: range.description) == range, "\(entry): \(range) does not parse back to itself")
    }

    /// A parsed set, against the ranges it was made of (`parsed`, before merging).
    static func check(_ set: ExpectedRanges, parsedFrom parsed: [ByteRange], total: Int64) {
        let runs = set.ranges
        for (index, run) in runs.enumerated() {
            expect(run.start >= 0, "\(set): a run starts before 0")
            if let end = run.end { expect(end >= run.start, "\(set): a run ends before it starts") }
            if index > 0 {
                let previous = runs[index - 1]
                guard let previousEnd = previous.end else {
                    expect(false, "\(set): an open run is followed by another")
                    return
                }
                // Sorted, and merged where they touch: a gap of at least one byte between runs.
                expect(Int128(run.start) > Int128(previousEnd) + 1, "\(set): runs \(previous) and \(run) overlap or touch")
            }
        }
        // Merging keeps every offset and adds none.
        expect(intervals(of: runs) == union(parsed.map(interval(of:))), "\(set) does not cover what \(parsed) covers")
        // It prints as a JSON array of entries that parse back to the same set.
        let printed = try? JSONDecoder().decode([String].self, from: Data(set.description.utf8))
        expect(printed.flatMap { try? ExpectedRanges(parsing: $0) } == set, "\(set) does not parse back to itself")
        for size in [total] + totals { check(set, total: size) }
    }

    /// What the set says of a file of `total` bytes.
    static func check(_ set: ExpectedRanges, total: Int64) {
        let file = Interval(lower: 0, upper: Int128(total))
        let expectedMissing = union(set.ranges.map(interval(of:))).compactMap { intersect($0, file) }
        let missing = set.missing(total: total)
        expect(missing.map(interval(of:)) == expectedMissing, "\(set) in \(total) bytes: missing \(missing)")
        for run in missing {
            expect(!run.isEmpty && run.lowerBound >= 0 && run.upperBound <= total, "\(set) in \(total) bytes: missing \(run) is outside the file")
        }
        expect(set.firstMissing(total: total) == missing.first, "\(set) in \(total) bytes: first missing is not the first of missing")
        let confirmed = set.confirmed(total: total)
        expect(confirmed.map(interval(of:)) == complement(expectedMissing, in: file), "\(set) in \(total) bytes: confirmed \(confirmed)")
        let held = set.confirmedBytes(total: total)
        let heldModel = Int128(total) - expectedMissing.reduce(Int128(0)) { $0 + $1.upper - $1.lower }
        expect(Int128(held) == heldModel && held >= 0 && held <= total, "\(set) in \(total) bytes: \(held) bytes confirmed, not \(heldModel)")
    }

    // MARK: The model

    /// `lower..<upper`, in a type whose arithmetic cannot overflow for any `Int64` offset.
    struct Interval: Equatable {
        var lower: Int128
        var upper: Int128
    }

    /// Past the end of any file: where an open run ends.
    static let unbounded = Int128(Int64.max) + 2

    static func interval(of range: ByteRange) -> Interval {
        Interval(lower: Int128(range.start), upper: range.end.map { Int128($0) + 1 } ?? unbounded)
    }

    static func interval(of range: Range<Int64>) -> Interval {
        Interval(lower: Int128(range.lowerBound), upper: Int128(range.upperBound))
    }

    static func intervals(of runs: [ByteRange]) -> [Interval] { runs.map(interval(of:)) }

    /// Sorted, merged where they overlap or touch, empty ones dropped.
    static func union(_ intervals: [Interval]) -> [Interval] {
        var merged: [Interval] = []
        for next in intervals.filter({ $0.lower < $0.upper }).sorted(by: { $0.lower < $1.lower }) {
            if let last = merged.last, next.lower <= last.upper {
                merged[merged.count - 1].upper = max(last.upper, next.upper)
            } else {
                merged.append(next)
            }
        }
        return merged
    }

    static func intersect(_ a: Interval, _ b: Interval) -> Interval? {
        let lower = max(a.lower, b.lower)
        let upper = min(a.upper, b.upper)
        return lower < upper ? Interval(lower: lower, upper: upper) : nil
    }

    /// `within` less the sorted, disjoint `intervals`.
    static func complement(_ intervals: [Interval], in within: Interval) -> [Interval] {
        var result: [Interval] = []
        var cursor = within.lower
        for interval in intervals {
            if interval.lower > cursor { result.append(Interval(lower: cursor, upper: interval.lower)) }
            cursor = max(cursor, interval.upper)
        }
        if cursor < within.upper { result.append(Interval(lower: cursor, upper: within.upper)) }
        return result
    }
}
