import Foundation
import GraphEmulator
import Testing

extension TUITests {
    /// `S` on a draft while a file is on its way to it asks to send once it lands, waits, and
    /// the message leaves with the file (the emulator's record of the send lists it).
    @Test func sendDuringAnUploadWaitsForIt() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(Self.slowLink) { harness in
            let big = try harness.makeFile("big.bin", size: 24 * Self.mib, seed: 31)
            let tmux = try launch(harness, width: 140, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox, with its drafts") { screen in
                screen.contains { $0.contains("draft") && $0.contains("Quarterly report") }
            }
            try tmux.send("a")
            try await tmux.waitFor("the picker") { $0.contains { $0.contains("big.bin") } }
            try tmux.send("j", "Space", "Enter")
            try await tmux.waitFor("the upload running", timeout: .seconds(30)) { screen in
                guard let row = Self.row(screen, "big.bin"), let value = Self.percent(row) else { return false }
                return value < 100
            }
            try tmux.send("S")
            try await tmux.waitFor("the question naming the upload") { screen in
                let text = screen.joined()
                return text.contains("Send the draft “Quarterly report — Q3 figures” when the upload of") && text.contains("'big.bin' finishes?")
            }
            try tmux.send("y")
            try await tmux.waitFor("sent once it landed", timeout: .seconds(60)) { $0.joined().contains("sent “Quarterly report — Q3 figures”") }
            let stats = try await harness.json(harness.emulator.origin + "/_emulator/stats")
            let sends = stats["sends"] as? [[String: Any]] ?? []
            try #require(sends.count == 1, "\(stats)")
            let carried = (sends[0]["attachments"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0["sha256"] as? String ?? "") }
            #expect(carried.contains { $0 == ("big.bin", big.sha256) }, "\(carried)")
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }
}

extension TUITests {
    /// An upload to the draft that another attache runs (`attache upload` in a shell) keeps
    /// `S` from sending it, and the refusal says why.
    @Test func sendRefusesWhileAnotherAttacheUploadsToTheDraft() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(EmulatorConfiguration(rangeDelay: .milliseconds(60))) { harness in
            let draft = try await WorkflowCommandsTests.id(harness, "messages", "Signed contract scan for legal")
            let scan = try harness.makeFile("scan.pdf", size: 8_000_000, seed: 51)
            let upload = try await harness.launchUpload(scan.path, to: draft, until: 327_680)
            let tmux = try launch(harness, width: 140, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Signed contract scan") } }
            try tmux.send("G")
            try await tmux.waitFor("the draft selected") { $0.contains { $0.contains("Attachments · Signed contract scan") } }
            try tmux.send("S")
            try await tmux.waitFor("the question") { $0.joined().contains("Send the draft “Signed contract scan for legal” now?") }
            try tmux.send("y")
            try await tmux.waitFor("the refusal") { screen in
                let text = screen.joined()
                return text.contains("was not sent") && text.contains("still running in another attache")
            }
            #expect(try await harness.stats()["sentMessages"] == 0)
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
            upload.signal(SIGINT)
            _ = try await upload.finish()
        }
    }
}
