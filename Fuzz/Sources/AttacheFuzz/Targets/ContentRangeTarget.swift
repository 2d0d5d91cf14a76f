@testable import GraphEmulator

/// The emulator's reading of a client's `Content-Range: bytes {start}-{end}/{total}`: it
/// reads what a client sends, as attache reads what a server sends.
///
/// Input: the header's value.
enum ContentRangeTarget {
    static func run(_ input: FuzzInput) {
        guard let range = ContentRange(parsing: input.text) else { return }
        expect(range.start >= 0 && range.end >= range.start, "\(input.text): \(range.start)-\(range.end)")
        expect(
            ContentRange(parsing: "bytes \(range.start)-\(range.end)/\(range.total)") == range,
            "\(input.text) does not read the same once written back")
        // The handler asks for the length only of a range inside the file, as every range it
        // accepts is; there it must be exact.
        if range.end < range.total {
            expect(range.length == range.end - range.start + 1 && range.length >= 1, "\(input.text): length \(range.length)")
        }
    }
}
