@testable import AttacheCore

/// `NextExpectedRanges` entries (`"n-m"`, `"n-"`, `"n"`) and the sets made of them.
///
/// Input: the first line is a file size in bytes; each other line is one entry, as the
/// server would list it.
enum RangesTarget {
    static func run(_ input: FuzzInput) {
        let lines = input.lines
        let total = lines.first.flatMap { Int64.parseDecimal($0) } ?? 0
        let entries = Array(lines.dropFirst())
        for entry in entries { RangeInvariants.check(entry: entry) }
        do {
            let set = try ExpectedRanges(parsing: entries)
            RangeInvariants.check(set, parsedFrom: entries.compactMap { ByteRange(parsing: $0) }, total: total)
        } catch {
            // The error names an entry that was given and does not parse.
            expect(entries.contains(error.entry) && ByteRange(parsing: error.entry) == nil, "refused for \"\(error.entry)\"")
        }
    }
}
