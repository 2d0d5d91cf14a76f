/// The bytes an upload session still expects, as its `NextExpectedRanges` lists them.
///
/// The server may list several runs (parts of the file it has not received), each in
/// one of three forms. Everything outside these runs is held by the server.
public struct ExpectedRanges: Hashable, Sendable, CustomStringConvertible {
    /// The runs, sorted by start and merged where they touch.
    public private(set) var ranges: [ByteRange]

    public init(_ ranges: [ByteRange]) {
        self.ranges = Self.normalise(ranges)
    }

    /// Parses the strings of a `NextExpectedRanges` array.
    /// - Throws: ``ExpectedRanges/ParseError`` naming the entry that is not a range.
    public init(parsing entries: [String]) throws(ParseError) {
        var parsed: [ByteRange] = []
        for entry in entries {
            guard let range = ByteRange(parsing: entry) else { throw ParseError(entry: entry) }
            parsed.append(range)
        }
        self.init(parsed)
    }

    /// The session expects the whole file: `["0-"]`.
    public static let everything = ExpectedRanges([ByteRange(start: 0)])

    /// Nothing is expected any more.
    public static let nothing = ExpectedRanges([])

    /// The first run still missing from a file of `total` bytes, as a half-open range.
    public func firstMissing(total: Int64) -> Range<Int64>? {
        for range in ranges {
            if let clamped = range.clamped(toTotal: total) { return clamped }
        }
        return nil
    }

    /// The runs still missing from a file of `total` bytes.
    public func missing(total: Int64) -> [Range<Int64>] {
        ranges.compactMap { $0.clamped(toTotal: total) }
    }

    /// The runs the server holds: the complement of the missing runs within the file.
    public func confirmed(total: Int64) -> [Range<Int64>] {
        var result: [Range<Int64>] = []
        var cursor: Int64 = 0
        for gap in missing(total: total) {
            if gap.lowerBound > cursor { result.append(cursor..<gap.lowerBound) }
            cursor = max(cursor, gap.upperBound)
        }
        if cursor < total { result.append(cursor..<total) }
        return result
    }

    /// How many bytes of a file of `total` bytes the server holds.
    public func confirmedBytes(total: Int64) -> Int64 {
        total - missing(total: total).reduce(0) { $0 + Int64($1.count) }
    }

    public var description: String {
        "[" + ranges.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }

    /// An entry of `NextExpectedRanges` that is not `"n"`, `"n-"` or `"n-m"`.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var entry: String
        public var description: String { "the server listed an expected range that is not a byte range: \"\(entry)\"" }
    }

    private static func normalise(_ ranges: [ByteRange]) -> [ByteRange] {
        let sorted = ranges.sorted { $0.start < $1.start }
        var merged: [ByteRange] = []
        for range in sorted {
            guard var last = merged.last else {
                merged.append(range)
                continue
            }
            guard let lastEnd = last.end else { continue }  // an open run already covers the rest
            // Touching or overlapping; `lastEnd` may be `Int64.max`, so no `lastEnd + 1`.
            if range.start <= lastEnd || range.start - lastEnd == 1 {
                if let end = range.end {
                    last.end = max(lastEnd, end)
                } else {
                    last.end = nil
                }
                merged[merged.count - 1] = last
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}
