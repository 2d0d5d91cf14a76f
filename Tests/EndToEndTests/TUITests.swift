import Foundation
import GraphEmulator
import Testing

/// The real binary's screen, in tmux, against the emulator over loopback.
@Suite("The terminal UI under tmux", .serialized)
struct TUITests {
    static let mib = 1024 * 1024

    /// A slow link (each 320 KiB range answered after 100 ms), so a 20 MB upload takes seconds.
    static var slowLink: EmulatorConfiguration { EmulatorConfiguration(rangeDelay: .milliseconds(100)) }

    /// `environment` is set in tmux's session; `path`, when given, is the command's own `PATH`
    /// (tmux keeps its server's for the shell it starts).
    /// `term`, when given, is the command's own `TERM` (tmux sets its own for what it starts).
    func launch(
        _ harness: CLIHarness, width: Int = 120, height: Int = 40, extra: String = "", environment: [String: String] = [:], path: String? = nil,
        term: String? = nil, epilogue: String = ""
    ) throws -> TmuxSession {
        var command = Self.commandLine(harness)
        if let path { command = "PATH='\(path)' " + command }
        if let term { command = "TERM='\(term)' " + command }
        // A home of its own (gone with the harness's folder), unless the test gives one.
        var environment = environment
        if environment["HOME"] == nil { environment["HOME"] = try Self.home(of: harness) }
        // No editor of the developer's opens under a test: an empty body unless a test gives one.
        if environment["EDITOR"] == nil { environment["EDITOR"] = "true" }
        if environment["VISUAL"] == nil { environment["VISUAL"] = "" }
        return try TmuxSession.start(command + " " + extra, width: width, height: height, directory: harness.workDirectory, environment: environment, epilogue: epilogue)
    }

    /// `HOME` for what a test starts: a folder beside the harness's files, made when first asked.
    static func home(of harness: CLIHarness) throws -> String {
        let home = (harness.workDirectory as NSString).deletingLastPathComponent + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        return home
    }

    /// The shell line that starts the binary against the harness's emulator.
    static func commandLine(_ harness: CLIHarness) -> String {
        ([CLIHarness.binary] + harness.connection + ["--chunk-size", "327680", "--start-dir", harness.workDirectory]).map { "'\($0)'" }.joined(separator: " ")
    }

    /// Whether the screen, with its escape sequences, sets any foreground or background colour.
    static func hasColor(_ tmux: TmuxSession) throws -> Bool {
        let raw = try tmux.tmux(["capture-pane", "-p", "-e", "-t", tmux.name])
        return raw.contains(/\x{1B}\[(?:3[0-7]|4[0-7]|9[0-7]|38;5;\d+|48;5;\d+)m/)
    }

    static func row(_ screen: [String], _ name: String) -> String? {
        screen.first { $0.contains(name) && $0.contains("%") }
    }

    static func percent(_ row: String) -> Int? {
        guard let match = row.firstMatch(of: /(\d+)%/) else { return nil }
        return Int(match.1)
    }

    @Test func attachWatchResizeCancelAndQuit() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(Self.slowLink) { harness in
            let item = try await harness.firstItem("messages")
            let big = try harness.makeFile("big20.bin", size: 20 * Self.mib, seed: 21)
            _ = try harness.makeFile("second.bin", size: 20 * Self.mib, seed: 22)
            let tmux = try launch(harness)
            defer { tmux.kill() }

            // The demo mailbox, at once.
            try await tmux.waitFor("the demo mailbox") { screen in
                screen.contains { $0.contains("Quarterly report — Q3 figures") } && screen.contains { $0.contains("Transfers") }
            }

            // a: the picker, with each file's size and path.
            try tmux.send("a")
            // One condition for the whole row: a capture can catch a frame half drawn.
            try await tmux.waitFor("the file picker, with big20.bin's size and path") { screen in
                screen.contains { $0.contains("Attach to: Quarterly report") }
                    && screen.contains { $0.contains("big20.bin") && $0.contains("20.0 MiB") && $0.contains("session") }
            }
            try tmux.send("j", "Enter")

            // The bar advances, range by range.
            var seen = Set<Int>()
            try await tmux.waitFor("big20.bin to make progress", timeout: .seconds(30)) { screen in
                if let row = Self.row(screen, "big20.bin"), let value = Self.percent(row), value > 0, value < 100 { seen.insert(value) }
                return seen.count >= 2
            }
            let moving = try tmux.capture()
            let row = try #require(Self.row(moving, "big20.bin"))
            #expect((row.contains("█") || row.contains("▓")) && row.contains("░"))
            #expect(row.contains("uploading"))

            // Resize mid-transfer: the layout reflows to the new width at once.
            try tmux.resize(width: 80, height: 24)
            let narrow = try await tmux.waitFor("the 80-column layout") { screen in
                screen.count == 24 && screen.contains { $0.hasPrefix("─ Messages") } && Self.row(screen, "big20.bin") != nil
                    && screen.allSatisfy { $0.count <= 80 }
            }
            #expect(!narrow.contains { $0.contains("┬") })  // stacked panes below 90 columns
            try tmux.resize(width: 120, height: 40)
            try await tmux.waitFor("the 120-column layout again") { $0.contains { $0.contains("┬─ Attachments") } }
            try await tmux.waitFor("more progress after the resize", timeout: .seconds(30)) { screen in
                if let row = Self.row(screen, "big20.bin"), let value = Self.percent(row), value > 0, value < 100 { seen.insert(value) }
                return seen.count >= 3
            }

            // Done: the attachment shows in the detail pane with its size.
            try await tmux.waitFor("big20.bin done at 100%", timeout: .seconds(60)) { screen in
                Self.row(screen, "big20.bin").map { $0.contains("done") && $0.contains("100%") } == true
            }
            // The file's own size, which the screen knows; not Graph's, with Outlook's overhead.
            try await tmux.waitFor("the attachment in the detail pane") { screen in
                screen.contains { $0.contains("│ big20.bin") && $0.contains("20.0 MiB") && !$0.contains("~") }
            }
            let attached = try await harness.attachments("messages", item)
            let attachmentID = try #require(attached.first { $0["name"] as? String == "big20.bin" }?["id"] as? String)
            #expect(try await harness.valueDigest("messages", item, attachmentID).sha256 == big.sha256)

            // A second transfer, cancelled with c and a confirmation: its session is gone.
            try tmux.send("a")
            try await tmux.waitFor("the file picker again") { $0.contains { $0.contains("Attach to:") } }
            try tmux.send("j", "j", "Enter")
            try await tmux.waitFor("second.bin uploading", timeout: .seconds(30)) { screen in
                (Self.row(screen, "second.bin").flatMap(Self.percent) ?? 0) > 0
            }
            #expect(try await harness.openSessions().count == 1)
            try tmux.send("j", "c")
            try await tmux.waitFor("the confirmation") { $0.contains { $0.contains("Cancel the upload of second.bin?") } }
            try tmux.send("y")
            // Its session deleted, the row claims no share of the file (no percentage).
            try await tmux.waitFor("second.bin cancelled", timeout: .seconds(20)) { screen in
                screen.contains { $0.contains("second.bin") && $0.contains("cancelled") && !$0.contains("%") }
            }
            #expect(try await harness.openSessions().isEmpty)
            #expect(try await harness.stats()["deletedSessions"] == 1)
            #expect(try await harness.attachments("messages", item).count == 1)

            // q with nothing running quits at once, and the terminal comes back.
            try tmux.send("q")
            let after = try await tmux.waitFor("attache to exit") { $0.contains { $0.contains("attache-exited-") } }
            #expect(after.contains("attache-exited-0"))
            #expect(!after.contains { $0.contains("─ Transfers") })
        }
    }

    /// In a shared mailbox, the title says whose mailbox the screen shows.
    @Test func theTitleNamesASharedMailbox() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let tmux = try launch(harness, extra: "--mailbox \(EmulatorConfiguration.sharedMailbox)")
            defer { tmux.kill() }
            let screen = try await tmux.waitFor("the shared mailbox") { screen in
                screen.contains { $0.contains("Team newsletter") }
            }
            #expect(screen.first?.contains(EmulatorConfiguration.sharedMailbox) == true, "\(screen.first ?? "")")
        }
    }

    /// A subject that would set the title and clear the screen shows escaped, and does neither.
    @Test func serverTextShowsEscapedOnTheScreen() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            _ = try await harness.postJSON("/me/messages", ["subject": "Evil \u{1B}]2;pwned\u{07}\u{1B}[2J subject"])
            let tmux = try launch(harness)
            defer { tmux.kill() }
            let screen = try await tmux.waitFor("the escaped subject") { screen in
                // Its start: at 120 columns the sender column leaves the subject 34.
                screen.contains { $0.contains("Evil \\x1b]2;pwned\\x07\\x1b[2J sub") }
            }
            #expect(screen.contains { $0.contains("Quarterly report") }, "the rest of the list is still there")
            let title = try tmux.tmux(["display-message", "-p", "-t", tmux.name, "#{pane_title}"])
            #expect(!title.contains("pwned"))
        }
    }

    /// `c` while the last range is in flight, which the server has already turned into the
    /// attachment: the screen once said "cancelled" for a file that was attached.
    @Test func aCancelThatComesTooLateSaysAttached() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.withHostileProxy(rule: { exchange in
            exchange.isUploadURL && exchange.method == "PUT" && exchange.isFinalRange ? .forwardLate(.seconds(30)) : .forward
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("almost.bin", size: 3_500_000, seed: 24)
            let tmux = try launch(harness)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("a")
            try await tmux.waitFor("the file picker") { $0.contains { $0.contains("almost.bin") } }
            try tmux.send("j", "Enter")
            // The final range reached the emulator, which made the attachment; its reply waits.
            var attached: [[String: Any]] = []
            try await Eventually.until { attached = try await harness.attachments("messages", item); return !attached.isEmpty }
            let attachmentID = try #require(attached.first?["id"] as? String)
            try tmux.send("c")
            try await tmux.waitFor("the confirmation") { $0.contains { $0.contains("Cancel the upload of almost.bin?") } }
            try tmux.send("y")
            try await tmux.waitFor("almost.bin reported attached", timeout: .seconds(30)) { screen in
                Self.row(screen, "almost.bin")?.contains("attached before the cancel") == true
            }
            #expect(try await harness.attachments("messages", item).count == 1)
            #expect(try await harness.valueDigest("messages", item, attachmentID).sha256 == file.sha256)
            #expect(try await harness.openSessions().isEmpty)
        }
    }

    @Test func sigtermMidUploadRestoresTheTerminalAndKeepsTheSession() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(Self.slowLink) { harness in
            _ = try harness.makeFile("big.bin", size: 20 * Self.mib, seed: 23)
            let tmux = try launch(harness)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("a")
            try await tmux.waitFor("the file picker") { $0.contains { $0.contains("Attach to:") } }
            try tmux.send("j", "Enter")
            try await tmux.waitFor("progress", timeout: .seconds(30)) { (Self.row($0, "big.bin").flatMap(Self.percent) ?? 0) > 0 }
            let pid = try #require(Self.pid(of: harness.stateDirectory))
            kill(pid, SIGTERM)
            let after = try await tmux.waitFor("attache to exit") { $0.contains { $0.contains("attache-exited-") } }
            #expect(after.contains("attache-exited-130"))
            #expect(after.contains { $0.contains("1 upload interrupted; `attache resume` finishes it") })
            let status = try await harness.attache("status", ["--json"])
            #expect(status.jsonLines.first?["state"] as? String == "interrupted")
            #expect(try await harness.openSessions().count == 1)
            let resumed = try await harness.attache("resume", [])
            #expect(resumed.status == 0, "\(resumed.stderr)")
        }
    }

    /// A crash (here SIGSEGV from outside, which takes the same path as a real one) must
    /// leave a usable shell: the main screen back, and echo and line editing on again.
    @Test func aCrashStillRestoresTheTerminal() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let modes = "echo terminal-modes: $(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' ')"
            let tmux = try launch(harness, epilogue: modes)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            let pid = try #require(Self.pid(of: harness.stateDirectory))
            kill(pid, SIGSEGV)
            let after = try await tmux.waitFor("the shell after the crash") { $0.contains { $0.contains("terminal-modes:") } }
            #expect(after.contains("attache-exited-\(128 + SIGSEGV)"))
            #expect(after.contains { $0.hasPrefix("terminal-modes: icanon echo") }, "\(after.joined(separator: "\n"))")
            #expect(!after.contains { $0.contains("─ Transfers") })
        }
    }

    /// What a killed run left is picked up when the screen opens: only the ranges the
    /// server lacks are sent, and the bar runs to done.
    @Test func theScreenResumesWhatAKilledRunLeft() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(Self.slowLink) { harness in
            let item = try await harness.firstItem("messages")
            let size = 20 * Self.mib
            let file = try harness.makeFile("left.bin", size: size, seed: 24)
            let upload = try harness.launch("upload", [file.path, "--message", item, "--chunk-size", "327680"])
            try await Eventually.until(timeout: .seconds(30)) { try await harness.openSessions().first?["received"] as? Int ?? 0 >= 3 * Self.mib }
            upload.signal(SIGKILL)
            _ = try await upload.finish()
            let held = try #require(try await harness.openSessions().first?["received"] as? Int)
            #expect(held >= 3 * Self.mib && held < size)
            let sentBefore = try await harness.stats()["putBytes"] ?? 0

            let tmux = try launch(harness)
            defer { tmux.kill() }
            try await tmux.waitFor("the resume notice") { $0.contains { $0.contains("resuming 1 unfinished transfer from an earlier run") } }
            try await tmux.waitFor("left.bin done, shown with its message", timeout: .seconds(60)) { screen in
                Self.row(screen, "left.bin").map { $0.contains("done") && $0.contains("Quarterly report") } == true
            }
            let attached = try await harness.attachments("messages", item)
            let attachmentID = try #require(attached.first { $0["name"] as? String == "left.bin" }?["id"] as? String)
            #expect(try await harness.valueDigest("messages", item, attachmentID).sha256 == file.sha256)
            // Only what the server lacked was sent again.
            #expect(try await harness.stats()["putBytes"] == sentBefore + size - held)
            #expect(try await harness.openSessions().isEmpty)
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
            #expect(try await harness.attache("status", ["--json"]).stdout.isEmpty)
        }
    }

    @Test func aTinyTerminalIsToldSo() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let tmux = try launch(harness, width: 40, height: 10)
            defer { tmux.kill() }
            try await tmux.waitFor("the size message") { $0.joined(separator: " ").contains("attache needs at least 50×12") }
            try tmux.resize(width: 70, height: 20)
            try await tmux.waitFor("the screen once there is room") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("C-c")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    @Test func noColorAndThemes() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let bad = try await CLIHarness.run(["--theme", "neon"] + harness.connection)
            #expect(bad.status == 64)
            #expect(bad.stderr.contains("no theme 'neon'"))
            let notATerminal = try await CLIHarness.run(harness.connection)
            #expect(notATerminal.status == 64)
            #expect(notATerminal.stderr.contains("needs a terminal"))
            for (theme, noColor, colored) in [("default", "", true), ("default", "1", false), ("light", "", true), ("monochrome", "", false), ("high-contrast", "", true)] {
                let tmux = try launch(harness, extra: "--theme \(theme)", environment: ["NO_COLOR": noColor])
                defer { tmux.kill() }
                try await tmux.waitFor("the \(theme) screen") { $0.contains { $0.contains("Quarterly report") } }
                let raw = try tmux.tmux(["capture-pane", "-p", "-e", "-t", tmux.name])
                #expect(try Self.hasColor(tmux) == colored, "theme \(theme), NO_COLOR=\(noColor): \(raw.prefix(200).debugDescription)")
                try tmux.send("q")
                try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
            }
        }
    }

    /// The pid of the `attache` process using this state directory.
    static func pid(of stateDirectory: String) -> pid_t? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = pid_t(entry),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if arguments.first?.hasSuffix("/attache") == true, arguments.contains(stateDirectory) { return pid }
        }
        return nil
    }
}

extension TUITests {
    @Test func newDraftFilterHelpAndTabs() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let tmux = try launch(harness, width: 100, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("n")
            try await tmux.waitFor("the recipients prompt") { $0.contains { $0.contains("New message: to") } }
            try tmux.send("Enter")
            try await tmux.waitFor("the subject prompt") { $0.contains { $0.contains("New message: subject") } }
            try tmux.send("-l", "Relatório final 旅行")
            try tmux.send("Enter")
            try await tmux.waitFor("the new draft, selected") { screen in
                screen.contains { $0.contains("created the draft") } && screen.contains { $0.contains("Attachments · Relatório final 旅行") }
            }
            let drafts = try await harness.json("/me/messages?$select=subject&$top=50")
            #expect((drafts["value"] as? [[String: Any]])?.contains { $0["subject"] as? String == "Relatório final 旅行" } == true)
            try tmux.send("/")
            try tmux.send("-l", "kyoto")
            try await tmux.waitFor("the filtered list") { screen in
                screen.contains { $0.contains("1 of 6") } && screen.contains { $0.contains("旅行の写真 (Kyoto trip photos)") }
                    && !screen.contains { $0.contains("Quarterly report") }
            }
            try tmux.send("Escape")
            try await tmux.waitFor("the whole list again") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("2")
            try await tmux.waitFor("the events tab") { $0.contains { $0.contains("Design review: attache TUI") } }
            try tmux.send("?")
            try await tmux.waitFor("the help") { $0.contains { $0.contains("Keys") } && $0.contains { $0.contains("attach files to the selected item") } }
            try tmux.send("Escape", "q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }
}
