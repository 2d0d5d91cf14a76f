import AttacheTUI
import Foundation
import Testing

/// The test terminal itself: it must show what the diffs say, not what the app meant.
@Suite("The test terminal")
@MainActor
struct TestBackendTests {
    static func frame(_ lines: String..., width: Int = 10) -> ScreenBuffer {
        var buffer = ScreenBuffer(width: width, height: lines.count)
        for (y, line) in lines.enumerated() { buffer.put(line, x: 0, y: y) }
        return buffer
    }

    /// Whether `descriptor` has something to read, without waiting.
    static func readable(_ descriptor: Int32) -> Bool {
        var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        return poll(&fds, 1, 0) == 1
    }

    @Test func diffsAreAppliedCellByCell() {
        let backend = TestBackend(width: 10, height: 2)
        let first = Self.frame("hello", "world")
        backend.draw(ScreenDiff(from: nil, to: first))
        #expect(backend.screen == first)
        #expect(backend.frames.last?.cells == 20)

        let second = Self.frame("jello", "world")
        backend.draw(ScreenDiff(from: first, to: second))
        #expect(backend.screen == second)
        #expect(backend.frames.last?.cells == 1)
        #expect(backend.calls == [.draw(runs: 2, cells: 20), .draw(runs: 1, cells: 1)])

        // A diff made against another frame than the one shown leaves a wrong screen: back
        // to the first frame, diffed against the first frame, changes nothing.
        backend.draw(ScreenDiff(from: first, to: first))
        #expect(backend.screen != first)
        #expect(backend.screen.line(0) == "jello     ")
    }

    @Test func wideCharactersCountTwoCells() {
        let backend = TestBackend(width: 6, height: 1)
        let frame = Self.frame("写真ab", width: 6)
        backend.draw(ScreenDiff(from: nil, to: frame))
        #expect(backend.screen == frame)
        #expect(backend.frames.last?.cells == 6)
        #expect(backend.screen.line(0) == "写真ab")
    }

    @Test func unpaintedUntilDrawnAndAfterAResize() {
        let backend = TestBackend(width: 4, height: 2)
        #expect(backend.unpaintedCells == 8)
        backend.draw(ScreenDiff(from: nil, to: ScreenBuffer(width: 4, height: 2)))
        #expect(backend.unpaintedCells == 0)

        // The window changes; the terminal takes its size only when told.
        backend.resize(width: 6, height: 3)
        #expect(backend.size.width == 4 && backend.size.height == 2)
        backend.resized()
        #expect(backend.size.width == 6 && backend.size.height == 3)
        #expect(backend.unpaintedCells == 18)
        #expect(backend.calls.last == .resized)
    }

    @Test func keysRingTheDescriptorUntilRead() {
        let backend = TestBackend(width: 4, height: 2)
        #expect(!Self.readable(backend.inputDescriptor))
        backend.press(.up, .enter)
        backend.type("q")
        #expect(Self.readable(backend.inputDescriptor))
        #expect(backend.readKeys() == [.up, .enter, .character("q")])
        #expect(!Self.readable(backend.inputDescriptor))
        #expect(backend.readKeys().isEmpty)
    }

    /// ncurses, handling SIGWINCH itself, takes the new size before it reports KEY_RESIZE.
    @Test func aResizeKeyTakesTheWindowSize() {
        let backend = TestBackend(width: 4, height: 2)
        backend.resize(width: 8, height: 3)
        backend.press(.resize)
        #expect(backend.readKeys() == [.resize])
        #expect(backend.size.width == 8 && backend.size.height == 3)
        #expect(!backend.calls.contains(.resized))
    }

    @Test func startAndStopAreRecorded() throws {
        let backend = TestBackend(width: 4, height: 2)
        try backend.start()
        #expect(backend.isStarted)
        backend.stop()
        #expect(!backend.isStarted)
        #expect(backend.calls == [.start, .stop])
    }
}
