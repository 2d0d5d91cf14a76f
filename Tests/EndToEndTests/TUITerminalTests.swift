import Foundation
import Testing

/// The terminals attache runs on, in the real binary under tmux: eight colours, terminals
/// that cannot draw a screen or keep one apart, job control, and a locale of ASCII alone.
extension TUITests {
    /// Cells drawn black on the terminal's own background, in a capture with its escapes:
    /// their text, or the empty list. Reverse video is left out (its black is the background).
    static func blackOnDefault(_ raw: String) -> [String] {
        var foreground: Int? = nil
        var background: Int? = nil
        var reverse = false
        var found: [String] = []
        var current = ""
        func flush() {
            if !current.trimmingCharacters(in: .whitespaces).isEmpty { found.append(current) }
            current = ""
        }
        var scalars = raw.unicodeScalars[...]
        while let scalar = scalars.first {
            scalars = scalars.dropFirst()
            if scalar == "\u{1B}", scalars.first == "[" {
                scalars = scalars.dropFirst()
                var parameters = ""
                while let next = scalars.first, !("@"..."~").contains(next) {
                    parameters.unicodeScalars.append(next)
                    scalars = scalars.dropFirst()
                }
                let final = scalars.first
                scalars = scalars.dropFirst()
                guard final == "m" else { continue }
                flush()
                var codes = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }[...]
                if codes.isEmpty { codes = [0] }
                while let code = codes.first {
                    codes = codes.dropFirst()
                    switch code {
                    case 0: (foreground, background, reverse) = (nil, nil, false)
                    case 7: reverse = true
                    case 27: reverse = false
                    case 30...37: foreground = code - 30
                    case 90...97: foreground = code - 90 + 8
                    case 39: foreground = nil
                    case 40...47: background = code - 40
                    case 100...107: background = code - 100 + 8
                    case 49: background = nil
                    case 38, 48:
                        // 38;5;N or 38;2;R;G;B
                        let mode = codes.first
                        codes = codes.dropFirst()
                        let value = mode == 5 ? codes.first : nil
                        codes = codes.dropFirst(mode == 5 ? 1 : 3)
                        if code == 38 { foreground = value } else { background = value }
                    default: break
                    }
                }
                continue
            }
            if scalar == "\n" {
                flush()
                continue
            }
            if foreground == 0, background == nil, !reverse { current.unicodeScalars.append(scalar) } else { flush() }
        }
        flush()
        return found
    }

    @Test func theBlackOnDefaultCheckFindsWhatItLooksFor() {
        #expect(Self.blackOnDefault("\u{1B}[30mhidden\u{1B}[0m shown") == ["hidden"])
        #expect(Self.blackOnDefault("\u{1B}[30;46mon cyan\u{1B}[7;49m reversed") == [])
        #expect(Self.blackOnDefault("\u{1B}[2m\u{1B}[39mdim\u{1B}[38;5;0m black too") == [" black too"])
    }

    /// Defect 2: on eight colours (`TERM=xterm`, `TERM=linux`), no built-in theme draws text
    /// black on the terminal's own background (the dim grey of the default theme once did,
    /// and vanished on a dark one): not on the main screen, in the picker, nor in the help.
    @Test func eightColourTerminalsDrawNoTextBlackOnTheDefaultBackground() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            _ = try harness.makeFile("a-file.txt", size: 1_234, seed: 3)
            for (theme, term) in [("default", "xterm"), ("light", "xterm"), ("monochrome", "xterm"), ("high-contrast", "xterm"), ("default", "linux")] {
                try await checkNoBlackOnDefault(harness, theme: theme, term: term)
            }
        }
    }

    func checkNoBlackOnDefault(_ harness: CLIHarness, theme: String, term: String) async throws {
        let tmux = try launch(harness, extra: "--theme \(theme)", environment: ["NO_COLOR": ""], term: term)
        defer { tmux.kill() }
        try await tmux.waitFor("the \(theme) screen on \(term)") { $0.contains { $0.contains("Quarterly report") } && $0.contains { $0.contains("q quit") } }
        let main = try tmux.tmux(["capture-pane", "-p", "-e", "-t", tmux.name])
        try tmux.send("a")
        try await tmux.waitFor("the picker") { $0.contains { $0.contains("a-file.txt") } }
        try tmux.send("j", "Space")
        try await tmux.waitFor("one marked") { $0.contains { $0.contains("1 marked") } }
        let picker = try tmux.tmux(["capture-pane", "-p", "-e", "-t", tmux.name])
        try tmux.send("u", "Escape", "?")
        try await tmux.waitFor("the help") { $0.contains { $0.contains("Keys") } }
        let help = try tmux.tmux(["capture-pane", "-p", "-e", "-t", tmux.name])
        for raw in [main, picker, help] {
            #expect(Self.blackOnDefault(raw).isEmpty, "theme \(theme) on \(term): \(Self.blackOnDefault(raw))")
        }
        // Colours are there all the same (but for monochrome).
        #expect(try Self.hasColor(tmux) == (theme != "monochrome"), "theme \(theme) on \(term)")
        try tmux.send("Escape", "q")
        try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
    }

    /// Defect 3: `TERM=dumb` (no cursor to place) and a TERM terminfo does not know are refused
    /// with a sentence and exit 64, before anything starts; not ncurses' bare line and exit 1.
    @Test func aTerminalThatCannotDrawTheScreenIsRefusedWithASentence() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            for (term, said) in [("dumb", "TERM=dumb cannot place the cursor"), ("no-such-terminal-42", "TERM=no-such-terminal-42 is a terminal this system has no description of")] {
                let tmux = try launch(harness, term: term)
                defer { tmux.kill() }
                let screen = try await tmux.waitFor("attache to exit on TERM=\(term)") { $0.contains { $0.contains("attache-exited-") } }
                #expect(screen.contains("attache-exited-64"), "\(screen)")
                let text = screen.joined()
                #expect(text.contains(said), "\(text)")
                #expect(!text.contains("Error opening terminal"))
                // Nothing was started: no journal row, no emulator data written for the screen.
                #expect(!text.contains("Quarterly report"))
            }
        }
    }

    /// Defect 3: a terminal without an alternate screen (`vt100`, `linux`) keeps what was
    /// drawn after the program ends; attache clears its last frame, so the shell does not write
    /// over its hint line.
    @Test func withoutAnAlternateScreenTheLastFrameIsClearedOnQuit() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            for term in ["vt100", "linux"] {
                let tmux = try launch(harness, width: 100, height: 30, term: term)
                defer { tmux.kill() }
                try await tmux.waitFor("the screen on \(term)") { $0.contains { $0.contains("Quarterly report") } && $0.contains { $0.contains("q quit") } }
                try tmux.send("q")
                let after = try await tmux.waitFor("attache to exit") { $0.contains { $0.contains("attache-exited-") } }
                #expect(after.contains("attache-exited-0"))
                let left = after.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.contains("attache-exited-") }
                #expect(left.isEmpty, "left on \(term): \(left)")
            }
        }
    }

    /// Ctrl-Z suspends as in any terminal program: the terminal goes back to the shell (what
    /// is typed there stays there), and `fg` brings the whole screen back. Started where no
    /// shell can continue it, it says so and stays.
    @Test func ctrlZSuspendsAndFgBringsTheScreenBack() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            _ = try harness.makeFile("a-file.txt", size: 1_234, seed: 3)
            let tmux = try TmuxSession.start(
                "env PS1='shell$ ' bash --norc --noprofile -i", width: 100, height: 30, directory: harness.workDirectory,
                environment: ["HOME": try Self.home(of: harness)])
            defer { tmux.kill() }
            try await tmux.waitFor("the shell") { $0.contains { $0.hasPrefix("shell$") } }
            try tmux.send("-l", Self.commandLine(harness))
            try tmux.send("Enter")
            try await tmux.waitFor("the screen") { $0.contains { $0.contains("Quarterly report") } && $0.contains { $0.contains("q quit") } }
            try tmux.send("C-z")
            try await tmux.waitFor("the shell, with attache stopped") { screen in
                screen.contains { $0.contains("Stopped") } && screen.last { !$0.isEmpty }?.hasPrefix("shell$") == true
            }
            let stopped = try tmux.capture()
            #expect(!stopped.contains { $0.contains("─ Transfers") })
            // Typed in the shell, acted on by the shell alone: `a` opens no picker.
            try tmux.send("-l", "echo a typed-in-the-shell")
            try tmux.send("Enter")
            try await tmux.waitFor("the shell's echo") { $0.contains { $0 == "a typed-in-the-shell" } }
            try tmux.send("-l", "fg")
            try tmux.send("Enter")
            let back = try await tmux.waitFor("the whole screen again") { screen in
                screen.first?.hasPrefix(" attache ") == true && screen.contains { $0.contains("Quarterly report") }
                    && screen.contains { $0.contains("q quit") } && !screen.contains { $0.contains("typed-in-the-shell") }
            }
            #expect(!back.contains { $0.contains("Attach to:") })
            // It works as before: the picker opens, and q quits.
            try tmux.send("a")
            try await tmux.waitFor("the picker") { $0.contains { $0.contains("a-file.txt") } }
            try tmux.send("Escape", "q")
            try await tmux.waitFor("the shell again") { $0.last { !$0.isEmpty }?.hasPrefix("shell$") == true && !$0.contains { $0.contains("─ Transfers") } }
            try tmux.send("-l", "echo status-$?")
            try tmux.send("Enter")
            try await tmux.waitFor("its exit status") { $0.contains("status-0") }
        }
        try await CLIHarness.with { harness in
            // `sh -c`, which tmux starts it with here, has no job control.
            let tmux = try launch(harness, width: 100, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the screen") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("C-z")
            try await tmux.waitFor("why it stays") { $0.joined().contains("cannot bring it back (no job control)") }
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// `LANG=C` (or `LC_ALL=C`): the terminal is taken at its word, ASCII alone: boxes and
    /// bars in `+-|#`, accents dropped, what ASCII has no letter for as `?`, columns kept.
    @Test func theCLocaleDrawsInASCII() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(Self.slowLink) { harness in
            _ = try harness.makeFile("big.bin", size: 8 * Self.mib, seed: 3)
            for variable in ["LANG", "LC_ALL"] {
                let environment = variable == "LANG" ? ["LANG": "C", "LC_ALL": ""] : ["LC_ALL": "C", "LANG": "C.UTF-8"]
                let tmux = try launch(harness, width: 120, height: 30, environment: environment)
                defer { tmux.kill() }
                let screen = try await tmux.waitFor("the screen in ASCII") { screen in
                    screen.contains { $0.contains("Quarterly report - Q3 figures") } && screen.contains { $0.contains("q quit") }
                }
                for line in screen { #expect(line.allSatisfy { $0.isASCII }, "\(variable)=C: \(line)") }
                #expect(screen.contains { $0.hasPrefix("- Messages ----") }, "\(screen)")
                #expect(screen.contains { $0.contains("+- Attachments") })
                #expect(screen.contains { $0.contains("Relatorio trimestral: numeros de") })
                #expect(screen.contains { $0.contains("Cafe ?? menu for the offsite") })
                if variable == "LANG" {
                    try tmux.send("a")
                    try await tmux.waitFor("the picker") { $0.contains { $0.contains("big.bin") } }
                    try tmux.send("j", "Enter")
                    let moving = try await tmux.waitFor("a bar in ASCII", timeout: .seconds(30)) { screen in
                        Self.row(screen, "big.bin").map { $0.contains("#") && ($0.contains("-") || $0.contains("=")) } == true
                    }
                    for line in moving { #expect(line.allSatisfy { $0.isASCII }, "\(line)") }
                    try tmux.send("C-c")
                    try await tmux.waitFor("attache to exit") { $0.contains { $0.contains("attache-exited-") } }
                } else {
                    try tmux.send("q")
                    try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
                }
            }
        }
    }
}
