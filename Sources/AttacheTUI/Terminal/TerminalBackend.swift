/// What the app needs from a terminal: its size, drawing the changed runs of a frame, and
/// the keys pressed. The ncurses backend is the real one.
@MainActor
public protocol TerminalBackend: AnyObject {
    /// Columns and rows.
    var size: (width: Int, height: Int) { get }
    /// Whether the terminal shows UTF-8 (else views use ASCII stand-ins).
    var unicode: Bool { get }
    /// The descriptor to poll for keys.
    var inputDescriptor: Int32 { get }
    func start() throws
    func stop()
    /// Draws the runs, then shows the result at once.
    func draw(_ diff: ScreenDiff)
    /// Every key waiting, without blocking.
    func readKeys() -> [Key]
    /// Takes the terminal's new size after a SIGWINCH; the next frame is drawn whole.
    func resized()
    /// Ctrl-Z: gives the terminal back and stops the process until the shell continues it,
    /// then takes the terminal (and its size) again; the next frame is drawn whole.
    func suspend()
}

/// The terminal could not be used.
public struct TerminalError: Error, CustomStringConvertible {
    public var description: String
}
