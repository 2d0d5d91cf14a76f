import Testing

@testable import AttacheTUI

@Suite("Measuring and placing text")
struct ScreenBufferTests {
    @Test("display widths", arguments: [
        ("a", 1), ("é", 1), ("e\u{301}", 1), ("旅", 2), ("☕", 2), ("🇵🇹", 2), ("😀", 2), ("한", 2), ("Ａ", 2),
        ("❤️", 1), ("👨‍👩‍👧", 6), ("👍🏽", 2), ("\u{7}", 4), ("\u{202E}", 8), ("─", 1), ("█", 1), ("…", 1),
    ])
    func widths(text: String, columns: Int) {
        #expect(DisplayWidth.of(Character(text)) == columns)
    }

    @Test func stringsAndTruncation() {
        #expect(DisplayWidth.of("旅行の写真 (Kyoto)") == 18)
        #expect(DisplayWidth.truncate("旅行の写真", to: 5) == "旅行…")
        #expect(DisplayWidth.truncate("旅行の写真", to: 6) == "旅行…")
        #expect(DisplayWidth.truncate("abc", to: 3) == "abc")
        #expect(DisplayWidth.pad("☕x", to: 5) == "☕x  ")
        #expect(DisplayWidth.pad("12", to: 4, alignRight: true) == "  12")
    }

    @Test func wideCharactersTakeTwoCellsAndAreClippedWhole() {
        var buffer = ScreenBuffer(width: 7, height: 2)
        #expect(buffer.put("a旅b", x: 0, y: 0) == 4)
        #expect(buffer.line(0) == "a旅b   ")
        #expect(buffer[1, 0].width == 2)
        #expect(buffer[2, 0].width == 0)
        // Only one column left for a wide character: a space stands in.
        buffer.put("xxxxx旅", x: 0, y: 1, limit: 6)
        #expect(buffer.line(1) == "xxxxx  ")
        #expect(buffer.line(1).count == 7)
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var buffer = ScreenBuffer(width: 6, height: 1)
        buffer.put("旅行", x: 0, y: 0)
        buffer.put("x", x: 1, y: 0)
        #expect(buffer.line(0) == " x行  ")
        buffer.put("y", x: 2, y: 0)
        #expect(buffer.line(0) == " xy   ")
    }

    /// Text from a server can neither act on the terminal nor hide: its control characters
    /// show escaped, as on the command line, and take the columns they are shown in.
    @Test func controlCharactersShowEscaped() {
        var buffer = ScreenBuffer(width: 25, height: 1)
        let hostile = "a\u{1B}]0;x\u{07}\rb\u{202E}c"
        buffer.put(hostile, x: 0, y: 0)
        #expect(buffer.line(0) == "a\\x1b]0;x\\x07\\rb\\u{202E}c")
        #expect(DisplayWidth.of(hostile) == DisplayWidth.of(buffer.line(0)))
        #expect(DisplayWidth.pad(hostile, to: 30).count == hostile.count + 30 - DisplayWidth.of(hostile))
        for cell in buffer.cells { #expect(!cell.text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }) }
    }

    @Test func diffsDrawOnlyWhatChanged() {
        var old = ScreenBuffer(width: 10, height: 2)
        old.put("hello", x: 0, y: 0)
        var new = old
        new.put("j", x: 0, y: 0)
        new.put("旅", x: 6, y: 1, role: .title)
        let diff = ScreenDiff(from: old, to: new)
        #expect(diff.runs == [
            ScreenDiff.Run(x: 0, y: 0, role: .normal, text: "j"),
            ScreenDiff.Run(x: 6, y: 1, role: .title, text: "旅"),
        ])
        #expect(ScreenDiff(from: new, to: new).isEmpty)
        #expect(ScreenDiff(from: nil, to: new).runs.count >= 2)
    }

    @Test func aChangeInTheSecondHalfOfAWideCharacterRedrawsIt() {
        var old = ScreenBuffer(width: 4, height: 1)
        old.put("旅", x: 0, y: 0)
        var new = old
        new.paint(Rect(x: 1, y: 0, width: 1, height: 1), role: .selection)
        let diff = ScreenDiff(from: old, to: new)
        #expect(diff.runs.first?.x == 0)
        #expect(diff.runs.first?.text == "旅")
    }
}
