import Foundation
import GraphEmulator
import Testing

/// The habits of terminal mail programs (aerc, neomutt, lazygit), in the real binary under
/// tmux against the emulator: a message log, a help that pages and searches, and the small
/// keys users reach for.
extension TUITests {
    /// `!` shows every message the status line said, after it went: a message said twice in
    /// a row once, with how many times; an error said once, not the Graph error's own
    /// "could not download …" inside "could not save …". It pages and searches as the help.
    @Test func theMessageLogKeepsWhatTheStatusLineSaid() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.withHostileProxy(rule: { exchange in
            guard exchange.method == "GET", exchange.target.contains("/$value") || exchange.target.contains("/%24value") else { return .forward }
            return .answer(.graphError(404, code: "ErrorItemNotFound", message: "The specified object was not found in the store."))
        }) { harness, _ in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("kept.bin", size: 40_000, seed: 121)
            #expect(try await harness.attache("upload", [file.path, "--message", item]).status == 0)
            let downloads = harness.workDirectory + "/dl"
            try FileManager.default.createDirectory(atPath: downloads, withIntermediateDirectories: true)
            let tmux = try launch(harness, width: 120, height: 30, environment: ["XDG_DOWNLOAD_DIR": downloads])
            defer { tmux.kill() }
            try await tmux.waitFor("the attachment in its pane") { $0.contains { $0.contains("│ kept.bin") } }

            // Said twice: R, once the first has said what it did, then R again.
            try tmux.send("R")
            try await tmux.waitFor("R's report") { $0.joined().contains("refreshed: 5 messages, nothing new") }
            try tmux.send("R")
            // The first report stays on the status line while the second refresh runs: the
            // log's count is what says the second one came back.
            try tmux.send("!")
            try await tmux.waitFor("the second report in the log") { $0.joined().contains("refreshed: 5 messages, nothing new (×2)") }
            try tmux.send("Escape")
            try await tmux.waitFor("the list again") { screen in
                !screen.contains { $0.contains("─ Message log") } && screen.contains { $0.contains("│ kept.bin") }
            }
            // An error: saving an attachment the server will not give.
            try tmux.send("Tab", "s")
            try await tmux.waitFor("the save prompt") { $0.contains { $0.contains("Save “kept.bin” as") } }
            try tmux.send("Enter")
            let failed = try await tmux.waitFor("the save failed") { Self.sentences($0).contains("could not save kept.bin") }
            #expect(!Self.sentences(failed).contains("could not download"), "\(Self.sentences(failed))")

            try tmux.send("!")
            let log = try await tmux.waitFor("the log") { $0.contains { $0.contains("─ Message log") } }
            let said = Self.sentences(log)
            #expect(said.contains("refreshed: 5 messages, nothing new (×2)"), "\(said)")
            #expect(said.contains("could not save kept.bin: HTTP 404 ErrorItemNotFound"), "\(said)")
            #expect(!said.contains("could not download"), "\(said)")
            // Each line has its time of day.
            #expect(log.contains { $0.contains("refreshed: 5 messages") && $0.contains(/\d\d:\d\d:\d\d/) })
            #expect(!FileManager.default.fileExists(atPath: downloads + "/kept.bin"))

            // Searched as the help is: the match is counted in the window's foot.
            try tmux.send("/")
            try tmux.send("-l", "404")
            try tmux.send("Enter")
            try await tmux.waitFor("the search counted") { $0.contains { $0.contains("“404”: 1 line") } }
            try tmux.send("Escape")
            try await tmux.waitFor("the log closed") { !$0.contains { $0.contains("─ Message log") } }
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// `?` pages as `less` does, as wide as the terminal allows: Space and PgDn a page, `G`
    /// the end, `g` the top, `/` a search lit and counted, `n` the next match.
    @Test func theHelpPagesAndSearches() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let tmux = try launch(harness, width: 150, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("?")
            let first = try await tmux.waitFor("the help's first page") { screen in
                screen.contains { $0.contains("─ Keys · 1–") } && screen.contains { $0.contains("Everywhere") }
            }
            // As wide as the terminal allows (140 columns at most), not the 78 it was.
            let top = try #require(first.first { $0.contains("─ Keys") })
            #expect(top.trimmingCharacters(in: .whitespaces).count >= 140, "\(top)")
            let total = try #require(top.firstMatch(of: /of (\d+)/).flatMap { Int($0.1) })

            try tmux.send("Space")
            try await tmux.waitFor("the second page") { $0.contains { $0.contains("─ Keys · ") && !$0.contains("─ Keys · 1–") } }
            try tmux.send("G")
            try await tmux.waitFor("the last page, with the mouse") { screen in
                screen.contains { $0.contains("–\(total) of \(total)") } && screen.contains { $0.contains("Mouse") }
            }
            try tmux.send("g")
            try await tmux.waitFor("the top again") { $0.contains { $0.contains("─ Keys · 1–") } }

            // Search: the view moves to the match, which is lit and counted.
            try tmux.send("/")
            try tmux.send("-l", "suspend")
            try await tmux.waitFor("the search typed") { $0.contains { $0.contains("/suspend") } }
            try tmux.send("Enter")
            let found = try await tmux.waitFor("the match in view") { screen in
                screen.contains { $0.contains("Ctrl-Z") && $0.contains("suspend") } && screen.contains { $0.contains("“suspend”: ") }
            }
            #expect(found.contains { $0.contains("“suspend”: 1 line") }, "\(found)")
            let raw = try tmux.tmux(["capture-pane", "-p", "-e", "-t", tmux.name])
            #expect(raw.split(separator: "\n").contains { $0.contains("suspend to the shell") && $0.contains("\u{1B}[") })
            try tmux.send("Escape")
            try await tmux.waitFor("the help closed") { !$0.contains { $0.contains("─ Keys") } }
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// A screen already open takes over, within seconds and without a restart, a transfer
    /// another attache left when it was killed (its claim is free), and finishes it from
    /// where the server stands; while that one runs, it is left alone.
    @Test func anOpenScreenTakesOverATransferAKilledRunLeft() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(Self.slowLink) { harness in
            let item = try await harness.firstItem("messages")
            let size = 20 * Self.mib
            let file = try harness.makeFile("orphan.bin", size: size, seed: 131)
            let tmux = try launch(harness)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            let upload = try harness.launch("upload", [file.path, "--message", item, "--chunk-size", "327680"])
            try await Eventually.until(timeout: .seconds(30)) { try await harness.openSessions().first?["received"] as? Int ?? 0 >= 3 * Self.mib }
            // Running in the other process: not taken (its claim is held).
            let running = try tmux.capture()
            #expect(!running.contains { $0.contains("orphan.bin") }, "\(running)")
            upload.signal(SIGKILL)
            _ = try await upload.finish()
            let held = try #require(try await harness.openSessions().first?["received"] as? Int)
            try await tmux.waitFor("taken over", timeout: .seconds(30)) { screen in
                Self.sentences(screen).contains("taking over orphan.bin") || screen.contains { $0.contains("orphan.bin") }
            }
            try await tmux.waitFor("orphan.bin done", timeout: .seconds(90)) { screen in
                screen.contains { $0.contains("orphan.bin") && $0.contains("done") }
            }
            let attached = try await harness.attachments("messages", item)
            let id = try #require(attached.first { $0["name"] as? String == "orphan.bin" }?["id"] as? String)
            #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
            #expect(attached.filter { $0["name"] as? String == "orphan.bin" }.count == 1)
            // From where the server stood: the file once, and at most the ranges cut short again.
            let sent = try await harness.stats()["putBytes"] ?? 0
            #expect(sent >= size && sent <= size + 3 * 327_680, "\(sent) bytes sent for \(size), \(held) held at the kill")
            #expect(try await harness.openSessions().isEmpty)
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }
}
