import Foundation

/// So many bytes uploaded per window, as Outlook limits a mailbox (150 MB per 5 minutes):
/// written `150MB/5m`, `30000000/20s` or `1.5GiB/1h`.
public struct UploadBudget: Hashable, Sendable, CustomStringConvertible {
    public var bytes: Int64
    public var window: Duration

    public init(bytes: Int64, window: Duration) {
        self.bytes = bytes
        self.window = window
    }

    /// Outlook's documented limit per app per mailbox: 150 MB (taken as MiB) per 5 minutes.
    public static let outlook = UploadBudget(bytes: 150 * 1024 * 1024, window: .seconds(300))

    /// The budget named by `text`; the error says what is wrong with it.
    public init(parsing text: String) throws(ParseError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw ParseError(text: text, reason: "write it as SIZE/TIME, such as 150MB/5m") }
        guard let bytes = Self.bytes(String(parts[0])), bytes > 0 else {
            throw ParseError(text: text, reason: "\"\(parts[0])\" is not a size (such as 150MB, 30000000 or 2GiB)")
        }
        guard let seconds = Self.seconds(String(parts[1])), seconds > 0 else {
            throw ParseError(text: text, reason: "\"\(parts[1])\" is not a time (such as 5m, 20s or 1h)")
        }
        self.init(bytes: bytes, window: .milliseconds(Int64((seconds * 1000).rounded())))
    }

    public var description: String {
        let seconds = window.components.seconds
        let time = seconds % 3600 == 0 ? "\(seconds / 3600)h" : seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds)s"
        return "\(ByteCount(bytes)) per \(time)"
    }

    /// What is wrong with a budget's text.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String { "\"\(text)\": \(reason)" }
    }

    /// A size as the budget's first half is written (`35MB`, `1.5GiB`, `30000000`); `nil` when
    /// it is not one.
    public static func size(parsing text: String) -> Int64? {
        bytes(text)
    }

    static func bytes(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number.isFinite else { return nil }
        let units: [String: Double] = [
            "": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "k": 1024, "kib": 1024, "m": 1_048_576, "mib": 1_048_576,
            "g": 1_073_741_824, "gib": 1_073_741_824,
        ]
        guard let unit = units[trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()] else { return nil }
        let value = number * unit
        guard value < 1e15 else { return nil }
        return Int64(value.rounded())
    }

    static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number.isFinite else { return nil }
        let units: [String: Double] = ["": 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600]
        guard let unit = units[trimmed.dropFirst(digits.count).lowercased()] else { return nil }
        let value = number * unit
        guard value < 1e7 else { return nil }
        return value
    }
}
