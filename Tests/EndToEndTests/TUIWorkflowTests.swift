import Foundation
import GraphEmulator
import Testing

/// The workflow around an attachment, in the real binary under tmux, against the emulator.
extension TUITests {
    /// `R` keeps the item, not the row: a message that arrives above the selection leaves it
    /// on the same message, and `a` attaches there.
    @Test func refreshKeepsTheItemWhenAMessageArrivesAbove() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let tmux = try launch(harness, width: 100, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("j", "j")
            try await tmux.waitFor("the third message selected") { $0.contains { $0.contains("Attachments · 旅行の写真") } }
            _ = try await harness.postJSON("/me/messages", ["subject": "Just arrived", "body": ["contentType": "text", "content": "hello"]])
            try tmux.send("R")
            try await tmux.waitFor("the new message at the top") { screen in
                guard let list = screen.firstIndex(where: { $0.hasPrefix("─ Messages") }) else { return false }
                return screen[list + 1].contains("Just arrived")
            }
            try tmux.send("a")
            try await tmux.waitFor("the picker, for the same message") { $0.contains { $0.contains("Attach to: 旅行の写真 (Kyoto trip photos)") } }
            try tmux.send("Escape", "q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// With `NO_COLOR` there are no colours, and the selected row is in reverse video.
    @Test func noColorMarksTheSelectionInReverseVideo() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let tmux = try launch(harness, width: 100, height: 30, environment: ["NO_COLOR": "1"])
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Signed contract scan") } }
            try tmux.send("j")
            try await tmux.waitFor("the second message selected") { $0.contains { $0.contains("Attachments · Relatório trimestral") } }
            let raw = try tmux.tmux(["capture-pane", "-p", "-e", "-t", tmux.name]).split(separator: "\n").map(String.init)
            let selected = try #require(raw.first { $0.contains("Relatório trimestral") && !$0.contains("Attachments") })
            let other = try #require(raw.first { $0.contains("Signed contract scan") })
            #expect(selected.contains("\u{1B}[7m"), "\(selected.debugDescription)")
            #expect(!other.contains("\u{1B}[7m"), "\(other.debugDescription)")
            #expect(try !Self.hasColor(tmux))
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// At 60x15 the transfers pane has three rows: with five small files done ahead of it,
    /// the big one that is running is the one in view, and the title says where it is.
    @Test func aRunningTransferIsInViewInASmallTerminal() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(Self.slowLink) { harness in
            for index in 1...5 { _ = try harness.makeFile("a\(index).txt", size: 2_000 + index, seed: UInt64(index)) }
            _ = try harness.makeFile("zz-big.bin", size: 12 * Self.mib, seed: 9)
            let tmux = try launch(harness, width: 60, height: 15)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("a")
            try await tmux.waitFor("the picker") { $0.contains { $0.contains("zz-big.bin") } }
            // Mark every file: the first entry is `..`.
            try tmux.send("j", "Space", "Space", "Space", "Space", "Space", "Space")
            try await tmux.waitFor("six marked") { $0.contains { $0.contains("6 marked") } }
            try tmux.send("Enter")
            let screen = try await tmux.waitFor("the big file running, in view", timeout: .seconds(30)) { screen in
                guard let row = Self.row(screen, "zz-big.bin"), let value = Self.percent(row) else { return false }
                return value > 0 && value < 100 && screen.contains { $0.contains("of 6") }
            }
            #expect(screen.contains { $0.contains("Transfers") && $0.contains("5 done") }, "\(screen.joined(separator: "\n"))")
            // Ctrl-C keeps the big one for `attache resume`, and says so.
            try tmux.send("C-c")
            try await tmux.waitFor("attache to exit, interrupted") { $0.contains("attache-exited-130") }
        }
    }

    /// In the picker: `:` and a typed path with Tab opens a folder, `/` filters it as one
    /// types, Space marks, Enter attaches, and the bytes on the server are the file's.
    @Test func typedPathAndFilterInThePickerThenAttach() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            try FileManager.default.createDirectory(atPath: harness.workDirectory + "/deep/er", withIntermediateDirectories: true)
            let report = try harness.makeFile("deep/er/Relatório final.pdf", size: 1_500_000, seed: 5)
            _ = try harness.makeFile("deep/er/notes.txt", size: 3_000, seed: 6)
            _ = try harness.makeFile("deep/er/relax.mp3", size: 4_000, seed: 7)
            let item = try await harness.firstItem("messages")
            let tmux = try launch(harness, width: 100, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("a")
            try await tmux.waitFor("the picker") { $0.contains { $0.contains("Attach to: Quarterly report") } }
            try tmux.send(":")
            try tmux.send("-l", "de")
            try tmux.send("Tab")
            try tmux.send("-l", "e")
            try tmux.send("Tab")
            try await tmux.waitFor("the completed path") { $0.contains { $0.contains("path: ") && $0.contains("/deep/er/") } }
            try tmux.send("Enter")
            try await tmux.waitFor("the folder opened") { $0.contains { $0.contains("notes.txt") } }
            try tmux.send("/")
            try tmux.send("-l", "relato")
            try await tmux.waitFor("the filtered folder") { screen in
                screen.contains { $0.contains("Relatório final.pdf") } && !screen.contains { $0.contains("notes.txt") }
                    && !screen.contains { $0.contains("relax.mp3") }
            }
            try tmux.send("Enter", "Space")
            try await tmux.waitFor("one marked") { $0.contains { $0.contains("1 marked") } }
            try tmux.send("Enter")
            try await tmux.waitFor("attached", timeout: .seconds(30)) { $0.contains { $0.contains("attached Relatório final.pdf") } }
            let attachments = try await harness.attachments("messages", item)
            let attachment = try #require(attachments.first { $0["name"] as? String == "Relatório final.pdf" })
            let digest = try await harness.valueDigest("messages", item, try #require(attachment["id"] as? String))
            #expect(digest.sha256 == report.sha256)
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }
}

extension TUITests {
    /// In the attachments pane: `s` saves the bytes where the prompt says (hashed), `o`
    /// hands a private copy to xdg-open, `x` then `y` deletes the attachment on the server.
    @Test func saveOpenAndDeleteAnAttachment() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("report.bin", size: 5 * Self.mib + 123, seed: 31)
            let upload = try await harness.attache("upload", [file.path, "--message", item])
            #expect(upload.status == 0, "\(upload.stderr)")
            let downloads = harness.workDirectory + "/dl"
            let bin = harness.workDirectory + "/bin"
            try FileManager.default.createDirectory(atPath: downloads, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
            // A stand-in for xdg-open that records what it was given to open.
            let opened = harness.workDirectory + "/opened.txt"
            try "#!/bin/sh\nsha256sum \"$1\" > '\(opened).part' && mv '\(opened).part' '\(opened)'\n".write(toFile: bin + "/xdg-open", atomically: true, encoding: .utf8)
            chmod(bin + "/xdg-open", 0o755)
            let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let tmux = try launch(harness, width: 120, height: 30, environment: ["XDG_DOWNLOAD_DIR": downloads], path: path)
            defer { tmux.kill() }
            try await tmux.waitFor("the attachment in its pane") { $0.contains { $0.contains("report.bin") } }
            try tmux.send("Tab")
            try tmux.send("s")
            try await tmux.waitFor("the save prompt, in the download folder") { screen in
                screen.contains { $0.contains("Save “report.bin” as") } && screen.contains { $0.contains("/dl/report.bin") }
            }
            try tmux.send("Enter")
            try await tmux.waitFor("saved", timeout: .seconds(30)) { $0.joined().contains("saved report.bin") }
            #expect(try RawDownloadTests.sha256(ofFile: downloads + "/report.bin") == file.sha256)
            // Again, over the file now there: asked first, then replaced whole.
            try "old".write(toFile: downloads + "/report.bin", atomically: true, encoding: .utf8)
            try tmux.send("s")
            try await tmux.waitFor("the save prompt again") { $0.contains { $0.contains("Save “report.bin” as") } }
            try tmux.send("Enter")
            try await tmux.waitFor("the question about the file there") { $0.joined().contains("is there already. Replace it with") }
            try tmux.send("y")
            try await tmux.waitFor("saved over it", timeout: .seconds(30)) { $0.joined().contains("saved report.bin") }
            #expect(try RawDownloadTests.sha256(ofFile: downloads + "/report.bin") == file.sha256)

            try tmux.send("o")
            let afterOpen = try await tmux.waitFor("opened", timeout: .seconds(30)) { $0.joined().contains("opened report.bin") || $0.joined().contains("could not open") }
            #expect(afterOpen.joined().contains("opened report.bin"), "\(afterOpen.filter { $0.contains("open") })")
            let said = try await Self.eventually { try? String(contentsOfFile: opened, encoding: .utf8) }
            #expect(said.hasPrefix(file.sha256), "\(said)")
            // The private copy is the file, in a folder of its own, readable by its owner alone.
            let copy = String(said.split(separator: " ", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let folder = (copy as NSString).deletingLastPathComponent
            let mode = (try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o700)
            // Kept while the screen runs (the program it went to may still be reading it).
            #expect(FileManager.default.fileExists(atPath: copy))
            defer { try? FileManager.default.removeItem(atPath: folder) }

            try tmux.send("x")
            try await tmux.waitFor("the question") { $0.joined().contains("Delete “report.bin”") }
            try tmux.send("y")
            try await tmux.waitFor("deleted", timeout: .seconds(30)) { $0.joined().contains("deleted report.bin") }
            let left = try await harness.attachments("messages", item)
            #expect(!left.contains { $0["name"] as? String == "report.bin" })
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
            // The copy `o` made goes with the screen.
            #expect(!FileManager.default.fileExists(atPath: folder), "\(folder) is left")
        }
    }

    /// `S` then `y` sends the selected draft: Outlook gives it a new id in Sent Items, and
    /// the list says it is no longer a draft. Enter reads a received message's sender.
    @Test func sendADraftAndReadAMessage() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let tmux = try launch(harness, width: 140, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox, with its drafts") { screen in
                screen.contains { $0.contains("draft") && $0.contains("Quarterly report") }
            }
            try tmux.send("S")
            try await tmux.waitFor("the question") { $0.joined().contains("Send the draft “Quarterly report — Q3 figures” now?") }
            try tmux.send("y")
            try await tmux.waitFor("sent, and no longer a draft", timeout: .seconds(30)) { screen in
                screen.joined().contains("sent “Quarterly report — Q3 figures”")
                    && screen.contains { $0.contains("Quarterly report") && !$0.contains("draft") }
            }
            let list = try await harness.json("/me/messages?$select=subject,isDraft&$top=50")
            let sent = (list["value"] as? [[String: Any]] ?? []).filter { $0["subject"] as? String == "Quarterly report — Q3 figures" }
            #expect(sent.count == 1 && sent.first?["isDraft"] as? Bool == false, "\(sent)")
            #expect(try await harness.stats()["sentMessages"] == 1)
            // A message that is not a draft is not sent.
            try tmux.send("g")
            try tmux.send("S")
            try await tmux.waitFor("the refusal") { $0.joined().contains("is not a draft") }
            // Enter reads it: the sender, and the text.
            try tmux.send("Enter")
            try await tmux.waitFor("the read view") { screen in
                screen.contains { $0.contains("From") && $0.contains("@") } && screen.joined().contains("Message · Quarterly report")
            }
            try tmux.send("Escape", "q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// Polls `value` until it gives something, for at most ten seconds.
    static func eventually<T>(_ value: () throws -> T?) async throws -> T {
        guard let found = try await Eventually.value(timeout: .seconds(10), every: .milliseconds(50), value) else { throw CancellationError() }
        return found
    }
}

extension TUITests {
    /// The mouse as the terminal reports it (X10 sequences through tmux): a click selects a
    /// row and a tab, the wheel moves the selection.
    @Test func theMouseSelectsAndScrolls() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        /// `ESC [ M b x y`: a button (0 the left, 64/65 the wheel) at a 0-based cell.
        func mouse(_ button: Int, x: Int, y: Int) -> String {
            "\u{1B}[M" + String(UnicodeScalar(UInt8(32 + button))) + String(UnicodeScalar(UInt8(33 + x))) + String(UnicodeScalar(UInt8(33 + y)))
        }
        try await CLIHarness.with { harness in
            let tmux = try launch(harness, width: 100, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Signed contract scan") } }
            // Row 4: the title, the pane's title, then the third message.
            try tmux.send("-l", mouse(0, x: 10, y: 4) + mouse(3, x: 10, y: 4))
            try await tmux.waitFor("the third message selected") { $0.contains { $0.contains("Attachments · 旅行の写真") } }
            try tmux.send("-l", mouse(65, x: 10, y: 4))
            try await tmux.waitFor("the wheel, down to the last") { $0.contains { $0.contains("Attachments · Signed contract") } }
            try tmux.send("-l", mouse(64, x: 10, y: 4))
            try await tmux.waitFor("the wheel, up three") { $0.contains { $0.contains("Attachments · Relatório") } }
            // The Events tab in the title bar.
            let screen = try tmux.capture()
            let column = try #require(screen[0].range(of: "Events").map { screen[0].distance(from: screen[0].startIndex, to: $0.lowerBound) })
            try tmux.send("-l", mouse(0, x: column + 1, y: 0) + mouse(3, x: column + 1, y: 0))
            try await tmux.waitFor("the events tab") { $0.contains { $0.hasPrefix("─ Events") } }
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }
}

extension TUITests {
    /// `~` is `$HOME`, as in a shell (it was the password database's home): in the picker,
    /// in its `:` prompt (where `~/` typed after the folder starts again from home), and in
    /// the save prompt, which never makes a file of a folder's name that is not there.
    @Test func tildeIsHomeAsTheShellSaysAndASaveNeverMakesAFileOfAFolder() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("report.bin", size: 300_000, seed: 41)
            #expect(try await harness.attache("upload", [file.path, "--message", item]).status == 0)
            let home = harness.workDirectory + "/home of mine"
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            _ = try harness.makeFile("home of mine/only-at-home.txt", size: 1_000, seed: 42)
            let tmux = try launch(harness, width: 110, height: 30, environment: ["HOME": home])
            defer { tmux.kill() }
            try await tmux.waitFor("the attachment in its pane") { $0.contains { $0.contains("report.bin") } }

            try tmux.send("a")
            try await tmux.waitFor("the picker") { $0.contains { $0.contains("Attach to: Quarterly report") } }
            try tmux.send("~")
            try await tmux.waitFor("$HOME in the picker") { $0.contains { $0.contains("only-at-home.txt") } }
            try tmux.send("h", ":")
            try await tmux.waitFor("the path prompt, filled with the folder") { $0.contains { $0.contains("path: ") && $0.contains(harness.workDirectory) } }
            try tmux.send("-l", "~/only")
            try await tmux.waitFor("~/ starting again from home") { $0.contains { $0.contains("path: ~/only") } }
            try tmux.send("Tab", "Enter")
            try await tmux.waitFor("the file at home marked") { $0.contains { $0.contains("1 marked") } }
            // Esc with a file marked asks before it drops it.
            try tmux.send("Escape")
            try await tmux.waitFor("the question") { $0.joined().contains("drop the file marked") }
            try tmux.send("y")
            try await tmux.waitFor("the picker closed") { !$0.contains { $0.contains("Attach to:") } }

            // The save prompt: `~/Downloads` where $HOME has no such folder.
            try tmux.send("Tab", "s")
            try await tmux.waitFor("the save prompt") { $0.contains { $0.contains("Save “report.bin” as") } }
            try tmux.send("C-u")
            try tmux.send("-l", "~/Downloads/")
            try tmux.send("Enter")
            try await tmux.waitFor("no such folder") { $0.joined().contains("there is no folder") }
            try tmux.send("C-u")
            try tmux.send("-l", "~/Downloads")
            try tmux.send("Enter")
            try await tmux.waitFor("asked, not a file made") { screen in
                screen.joined().contains("There is no folder") && screen.joined().contains("“Downloads”")
            }
            try tmux.send("n")
            #expect(!FileManager.default.fileExists(atPath: home + "/Downloads"))

            try FileManager.default.createDirectory(atPath: home + "/Downloads", withIntermediateDirectories: true)
            try tmux.send("s")
            try await tmux.waitFor("the save prompt again") { $0.contains { $0.contains("Save “report.bin” as") } }
            try tmux.send("C-u")
            try tmux.send("-l", "~/Downloads")
            try tmux.send("Enter")
            try await tmux.waitFor("saved in $HOME/Downloads", timeout: .seconds(30)) { $0.joined().contains("saved report.bin") }
            #expect(try RawDownloadTests.sha256(ofFile: home + "/Downloads/report.bin") == file.sha256)
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }
}
