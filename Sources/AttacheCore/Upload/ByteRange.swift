/// A run of bytes in a file, as upload sessions speak of it: `"start-end"` (inclusive),
/// `"start-"` or `"start"` (open: from `start` to the end of the file).
public struct ByteRange: Hashable, Sendable, CustomStringConvertible {
    /// The first byte of the run.
    public var start: Int64
    /// The last byte of the run, inclusive; `nil` when the run goes to the end of the file.
    public var end: Int64?

    public init(start: Int64, end: Int64? = nil) {
        self.start = start
        self.end = end
    }

    /// Parses one entry of `NextExpectedRanges`: `"n"`, `"n-"` or `"n-m"`.
    public init?(parsing text: some StringProtocol) {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return nil }
        let parts = trimmed.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let start = Int64.parseDecimal(parts[0]), start >= 0 else { return nil }
        if parts.count == 1 || parts[1].isEmpty {
            self.init(start: start)
            return
        }
        guard let end = Int64.parseDecimal(parts[1]), end >= start else { return nil }
        self.init(start: start, end: end)
    }

    /// The half-open range of offsets this run covers in a file of `total` bytes,
    /// or `nil` when it lies wholly past the end.
    public func clamped(toTotal total: Int64) -> Range<Int64>? {
        // `end` comes from a server: `end + 1` must not overflow for one at `Int64.max`.
        let upper = end.map { $0 < total ? $0 + 1 : total } ?? total
        guard start < upper else { return nil }
        return start..<upper
    }

    public var description: String {
        if let end { return "\(start)-\(end)" }
        return "\(start)-"
    }
}

extension Int64 {
    /// Parses ASCII decimal digits only; no sign, no spaces.
    static func parseDecimal(_ text: some StringProtocol) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int64(text)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { !$0.isWhitespace }) else { return s[s.endIndex...] }
        let last = s.lastIndex(where: { !$0.isWhitespace })!
        return s[first...last]
    }
}
