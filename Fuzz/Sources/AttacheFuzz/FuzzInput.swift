/// One input from libFuzzer, and the views of it the targets read.
struct FuzzInput {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The bytes as UTF-8, invalid sequences replaced: as attache reads a header or a body
    /// (`String(buffer:)`), so a target sees what the code it calls would see.
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The lines of ``text``; a final newline ends the last line rather than adding an empty
    /// one, so that seed files can end the way editors write them.
    var lines: [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.count > 1, lines.last == "" { lines.removeLast() }
        return lines
    }

    /// A number made from the bytes, the same every time for the same input: for the
    /// parts of a target that need one value more (a moment, a length) than the text gives.
    var hash: UInt64 {
        // FNV-1a: short, and any change of a byte changes it.
        bytes.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
