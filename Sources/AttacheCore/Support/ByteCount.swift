/// A byte count printed the way transfer tools print it: `0 B`, `512 B`, `3.0 MiB`, `150.0 MiB`.
public struct ByteCount: CustomStringConvertible, Hashable, Sendable {
    public var bytes: Int64

    public init(_ bytes: Int64) {
        self.bytes = bytes
    }

    public init(_ bytes: Int) {
        self.bytes = Int64(bytes)
    }

    public var description: String { description(rounding: .toNearestOrAwayFromZero) }

    /// As ``description``, its tenth rounded by `rule`: progress rounds down, so it never
    /// shows more than the server holds.
    public func description(rounding rule: FloatingPointRoundingRule) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        guard bytes >= 1024 || bytes <= -1024 else { return "\(bytes) B" }
        var value = Double(bytes)
        var unit = 0
        while abs(value) >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return "\(Self.oneDecimal(value, rounding: rule)) \(units[unit])"
    }

    /// `value` with one decimal, without Foundation's locale-dependent formatting.
    static func oneDecimal(_ value: Double, rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> String {
        let tenths = Int64((value * 10).rounded(rule))
        let sign = tenths < 0 ? "-" : ""
        let magnitude = abs(tenths)
        return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}
