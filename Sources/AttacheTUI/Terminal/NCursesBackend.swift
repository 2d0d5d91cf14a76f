import AttacheCore
import CNCurses
import Foundation

/// The ncursesw backend: the one file that talks to ncurses, only on the main actor.
///
/// It draws only the runs a ``ScreenDiff`` names (ncurses then sends the terminal only what
/// differs), maps theme roles to colour pairs and attributes, and restores the terminal on
/// every way out: `stop()`, and a crash, through handlers that put back the saved `termios`.
@MainActor
public final class NCursesBackend: TerminalBackend {
    private let theme: Theme
    private let useColor: Bool
    private var attributes: [Role: attr_t] = [:]
    private var started = false
    public private(set) var unicode = true

    public init(theme: Theme, noColor: Bool) {
        self.theme = theme
        self.useColor = !noColor
    }

    public var inputDescriptor: Int32 { STDIN_FILENO }

    public var size: (width: Int, height: Int) {
        var rows: Int32 = 0
        var columns: Int32 = 0
        attache_getmaxyx(attache_stdscr(), &rows, &columns)
        return (Int(columns), Int(rows))
    }

    public func start() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError(description: "attache's screen needs a terminal; for scripts use a subcommand (see attache --help)")
        }
        // The locale says what the terminal shows: UTF-8, or (LANG=C, POSIX) ASCII alone, which
        // the views then draw with (`+-|#`). A terminal the locale does not call UTF-8 may
        // well not be, and text it cannot show would come out as garbage.
        setlocale(LC_ALL, "")
        unicode = String(cString: nl_langinfo(nl_item(CODESET))) == "UTF-8"
        if initialized {
            // Once more after a stop (the screen opening anew): ncurses is set up already,
            // and a refresh takes the terminal back from the shell.
            CrashRestore.install()
            refresh()
        } else {
            // initscr on a terminal terminfo does not know prints its own line and exits.
            try Self.checkTerminal()
            CrashRestore.install()
            guard initscr() != nil else { throw TerminalError(description: "ncurses could not start on this terminal (is TERM right?)") }
            initialized = true
            hasAlternateScreen = attache_has_alternate_screen() != 0
        }
        started = true
        raw()
        noecho()
        nonl()
        keypad(attache_stdscr(), true)
        nodelay(attache_stdscr(), true)
        set_escdelay(25)
        attache_enable_mouse()
        curs_set(0)
        setUpAttributes()
        erase()
        refresh()
    }

    /// Checks that `TERM` names a terminal the screen can run on: one terminfo knows, that
    /// can move the cursor. Ask before anything else is set up, so a refusal costs nothing.
    /// - Throws: ``TerminalError`` saying what is wrong and what to do, for exit code 64.
    public static func checkTerminal(_ term: String? = ProcessInfo.processInfo.environment["TERM"]) throws(TerminalError) {
        let name = term ?? ""
        switch attache_check_terminal() {
        case 0:
            return
        case 1 where name.isEmpty:
            throw TerminalError(description: "TERM is not set, so attache cannot tell how to draw its screen; set it (such as TERM=xterm-256color), or use a subcommand (see attache --help)")
        case 1:
            throw TerminalError(
                description: "TERM=\(name.terminalSafe) is a terminal this system has no description of (terminfo); set TERM to one it has, such as xterm-256color, or install its description (apt-get install ncurses-term)")
        default:
            throw TerminalError(
                description: "TERM=\(name.terminalSafe) cannot place the cursor, which attache's screen needs; use a terminal that can (such as xterm-256color), or a subcommand (see attache --help)")
        }
    }

    /// `initscr` ran: ncurses may be started only once per process.
    private var initialized = false
    /// The terminal keeps the shell's screen apart while the app draws (`smcup`).
    private var hasAlternateScreen = true

    public func stop() {
        guard started else { return }
        started = false
        if !hasAlternateScreen {
            // No alternate screen (`linux`, `vt100`): the last frame would stay, and the
            // shell would write over its hint line.
            erase()
            refresh()
        }
        curs_set(1)
        endwin()
        CrashRestore.uninstall()
    }

    /// Ctrl-Z: gives the terminal back to the shell and stops the process, as SIGTSTP does;
    /// when the shell continues it (`fg`), takes the terminal again. The app then draws a
    /// whole frame, since the shell wrote over the screen meanwhile.
    public func suspend() {
        guard started else { return }
        stop()
        // Stopped by the default action, whatever handler ncurses set up for a SIGTSTP that
        // comes from outside. The loop may run on a thread that blocks the signal (Swift's
        // executors do): unblocked here, raise delivers it before it returns, which it does
        // once the shell continues the process.
        let previous = signal(SIGTSTP, SIG_DFL)
        var only = sigset_t()
        var mask = sigset_t()
        sigemptyset(&only)
        sigaddset(&only, SIGTSTP)
        pthread_sigmask(SIG_UNBLOCK, &only, &mask)
        raise(SIGTSTP)
        pthread_sigmask(SIG_SETMASK, &mask, nil)
        signal(SIGTSTP, previous)
        try? start()
        resized()
    }

    private func setUpAttributes() {
        let colors = useColor && has_colors() && theme.usesColor
        if colors {
            start_color()
            use_default_colors()
        }
        // A theme's colours as this terminal can show them (eight, on `xterm` or the console).
        let palette = TerminalPalette(colors: Int(attache_colors()))
        for (index, role) in Role.allCases.enumerated() {
            var style = theme.style(for: role)
            style = colors ? palette.fit(style) : style.withoutColor
            var value = attache_a_normal()
            if colors, index + 1 < Int(attache_color_pairs()) {
                init_pair(Int16(index + 1), Self.color(style.foreground), Self.color(style.background))
                value |= attache_color_pair(Int32(index + 1))
            }
            if style.bold { value |= attache_a_bold() }
            if style.dim { value |= attache_a_dim() }
            if style.reverse { value |= attache_a_reverse() }
            if style.underline { value |= attache_a_underline() }
            attributes[role] = value
        }
    }

    /// A colour as ncurses numbers it (one the terminal has: see ``TerminalPalette``).
    static func color(_ color: TerminalColor) -> Int16 {
        switch color {
        case .terminalDefault: -1
        case .index(let index): Int16(index)
        }
    }

    public func draw(_ diff: ScreenDiff) {
        let (width, height) = size
        for run in diff.runs where run.y < height && run.x < width {
            attache_put(Int32(run.y), Int32(run.x), run.text, attributes[run.role] ?? attache_a_normal())
        }
        refresh()
    }

    /// Forgets what is on the screen, so the next frame is drawn whole.
    public func invalidate() {
        clearok(attache_stdscr(), true)
    }

    /// The app, not ncurses, catches SIGWINCH (ncurses' handler would only speak up at the
    /// next key): read the new size from the terminal and tell ncurses.
    public func resized() {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0, size.ws_col > 0 {
            resizeterm(Int32(size.ws_row), Int32(size.ws_col))
        }
        invalidate()
    }

    public func readKeys() -> [Key] {
        var keys: [Key] = []
        var character: wint_t = 0
        while true {
            let result = wget_wch(attache_stdscr(), &character)
            if result == ERR { break }
            if result == attache_key_code_yes() {
                if Int32(character) == attache_key_mouse() {
                    var x: Int32 = 0
                    var y: Int32 = 0
                    var kind: Int32 = 0
                    if attache_get_mouse(&x, &y, &kind) == 1 {
                        let action: MouseEvent.Action = kind == 1 ? .wheelUp : kind == 2 ? .wheelDown : .click
                        keys.append(.mouse(MouseEvent(x: Int(x), y: Int(y), action)))
                    }
                } else if let key = Self.functionKey(Int32(character)) {
                    keys.append(key)
                }
            } else if let key = Self.characterKey(UInt32(character)) {
                keys.append(key)
            }
        }
        return keys
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case attache_key_up(): .up
        case attache_key_down(): .down
        case attache_key_left(): .left
        case attache_key_right(): .right
        case attache_key_npage(): .pageDown
        case attache_key_ppage(): .pageUp
        case attache_key_home(): .home
        case attache_key_end(): .end
        case attache_key_enter(): .enter
        case attache_key_backspace(): .backspace
        case attache_key_btab(): .backTab
        case attache_key_dc(): .delete
        case attache_key_resize(): .resize
        default: nil
        }
    }

    static func characterKey(_ value: UInt32) -> Key? {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(value + 96)!))
        default:
            guard let scalar = Unicode.Scalar(value), value >= 32 else { return nil }
            return .character(Character(scalar))
        }
    }
}

/// Puts the terminal back if the process dies on a signal while the screen is up.
enum CrashRestore {
    /// Written once, before the handlers that read it are installed; read only in them.
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var haveSaved = false
    static let fatalSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    static func install() {
        haveSaved = tcgetattr(STDIN_FILENO, &saved) == 0
        for number in fatalSignals {
            signal(number) { received in
                if CrashRestore.haveSaved { tcsetattr(STDIN_FILENO, TCSANOW, &CrashRestore.saved) }
                // Leave the alternate screen, show the cursor, reset colours: async-signal-safe writes.
                let reset: [UInt8] = Array("\u{1B}[?1049l\u{1B}[?25h\u{1B}[0m\r\n".utf8)
                reset.withUnsafeBufferPointer { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }

    static func uninstall() {
        for number in fatalSignals { signal(number, SIG_DFL) }
    }
}
