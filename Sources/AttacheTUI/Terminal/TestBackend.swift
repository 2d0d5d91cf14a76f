import Foundation

/// A terminal for tests (after ratatui's `TestBackend`): a grid of cells that every
/// ``ScreenDiff`` is drawn into, keys the test scripts, and a window the test resizes.
/// Nothing is shown anywhere; the real terminal is ``NCursesBackend``.
///
/// The screen changes only by the diffs drawn, cell by cell, never by taking the frame the
/// app rendered, so a wrong diff shows as a wrong screen. It starts, and comes back after
/// each resize, filled with ``unpainted`` cells, so a frame that should have been drawn
/// whole but was not shows too.
///
/// Keys go through a pipe whose read end is ``inputDescriptor``, so the app's loop sleeps
/// in `poll` and wakes for them as it does for a keyboard.
///
/// A test double, kept in the library beside the protocol it implements: it changes with
/// that protocol, touches no terminal, and any target can use it (test targets cannot import
/// one another).
@MainActor
public final class TestBackend: TerminalBackend {
    /// What the app asked of the terminal, in order.
    public enum Call: Hashable, Sendable {
        case start
        case stop
        /// After a SIGWINCH: the window's new size was taken.
        case resized
        /// A frame: its diff's runs, and the cells they wrote (a wide character counts two).
        case draw(runs: Int, cells: Int)
        /// Ctrl-Z: the terminal was given back and taken again (the process is not stopped).
        case suspended
    }

    /// One frame drawn: the diff as the app sent it, and the cells it wrote.
    public struct Frame: Hashable, Sendable {
        public var diff: ScreenDiff
        public var cells: Int
    }

    /// What a cell holds until a frame draws it: no view draws `▚`.
    public static let unpainted = Cell(text: "▚")

    /// What the terminal shows now.
    public private(set) var screen: ScreenBuffer
    /// Every frame drawn, oldest first.
    public private(set) var frames: [Frame] = []
    /// Every start, stop, resize and frame, oldest first.
    public private(set) var calls: [Call] = []
    /// Between ``start()`` and ``stop()``.
    public private(set) var isStarted = false
    /// The window's size, which the terminal takes on ``resized()`` (ncurses reads it after a
    /// SIGWINCH) or before it reports a ``Key/resize`` key.
    public private(set) var windowSize: (width: Int, height: Int)
    public let unicode: Bool

    private var pendingKeys: [Key] = []
    private let readDescriptor: Int32
    private let writeDescriptor: Int32

    /// A terminal of `width` × `height` cells; `unicode: false` makes the views use their
    /// ASCII stand-ins.
    public init(width: Int, height: Int, unicode: Bool = true) {
        self.unicode = unicode
        windowSize = (width, height)
        screen = Self.unpaintedScreen(width: width, height: height)
        var fds: [Int32] = [0, 0]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
        for fd in fds where fd >= 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    // MARK: What the test does

    /// Queues keys, as if typed: the loop finds them at its next `poll`.
    public func press(_ keys: Key...) {
        pendingKeys += keys
        // One byte per key rings the descriptor; the keys themselves wait in `pendingKeys`.
        // A full pipe is still readable, so a failed write loses no wake-up.
        var bytes = [UInt8](repeating: 1, count: keys.count)
        _ = write(writeDescriptor, &bytes, bytes.count)
    }

    /// Queues each character of `text` as a key.
    public func type(_ text: String) {
        for character in text { press(.character(character)) }
    }

    /// Changes the window's size, as dragging a terminal's corner does: what the app sees
    /// changes only once it is told, by a SIGWINCH (then ``resized()``) or a ``Key/resize``.
    public func resize(width: Int, height: Int) {
        windowSize = (width, height)
    }

    /// The number of cells that still show ``unpainted``.
    public var unpaintedCells: Int {
        screen.cells.filter { $0 == Self.unpainted }.count
    }

    // MARK: TerminalBackend

    public var size: (width: Int, height: Int) { (screen.width, screen.height) }

    public var inputDescriptor: Int32 { readDescriptor }

    public func start() throws {
        isStarted = true
        calls.append(.start)
    }

    public func stop() {
        isStarted = false
        calls.append(.stop)
    }

    /// Writes each run where it says, as `mvaddstr` would, clipped to the row.
    public func draw(_ diff: ScreenDiff) {
        var cells = 0
        for run in diff.runs where run.y < screen.height && run.x < screen.width {
            cells += screen.put(run.text, x: run.x, y: run.y, role: run.role)
        }
        frames.append(Frame(diff: diff, cells: cells))
        calls.append(.draw(runs: diff.runs.count, cells: cells))
    }

    public func readKeys() -> [Key] {
        var scratch = [UInt8](repeating: 0, count: 256)
        while read(readDescriptor, &scratch, scratch.count) > 0 {}
        let keys = pendingKeys
        pendingKeys = []
        // ncurses, when it handles SIGWINCH itself, resizes before it reports KEY_RESIZE.
        if keys.contains(.resize) { takeWindowSize() }
        return keys
    }

    public func resized() {
        takeWindowSize()
        calls.append(.resized)
    }

    /// What a shell would leave on the screen while the app was stopped is not to be
    /// trusted: the screen is painted over, and the window's size taken, as after `fg`.
    public func suspend() {
        takeWindowSize()
        calls.append(.suspended)
    }

    // MARK: Helpers

    /// A resized terminal's contents are not to be trusted: paint them over.
    private func takeWindowSize() {
        screen = Self.unpaintedScreen(width: windowSize.width, height: windowSize.height)
    }

    private static func unpaintedScreen(width: Int, height: Int) -> ScreenBuffer {
        var buffer = ScreenBuffer(width: width, height: height)
        buffer.fill(buffer.bounds, with: unpainted.text, role: unpainted.role)
        return buffer
    }
}
