import Foundation
import GraphEmulator
import Testing

extension TUITests {
    /// `n` asks for recipients (Tab completes from the listed messages), a subject, and opens
    /// `$EDITOR` for the body; then `a` attaches and `S` sends: the message leaves with them.
    @Test func composeWithRecipientsAndAnEditorBodyThenAttachAndSend() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let file = try harness.makeFile("agenda.pdf", size: 3 * Self.mib, seed: 41)
            // The editor: writes the body into the file it is given, as a person would.
            let editor = harness.workDirectory + "/.editor.sh"
            try "#!/bin/sh\nprintf 'Hello from the editor.\\nSee the agenda.\\n' > \"$1\"\n".write(toFile: editor, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: editor)
            let tmux = try launch(harness, width: 140, height: 30, environment: ["EDITOR": editor])
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("n")
            try await tmux.waitFor("the recipients prompt") { $0.contains { $0.contains("New message: to") } }
            try tmux.send("-l", "ine")
            try tmux.send("Tab")
            try await tmux.waitFor("the recipient completed") { $0.contains { $0.contains("Inês Sousa <ines.sousa@contoso.test>,") } }
            try tmux.send("-l", "ken@contoso.test")
            try tmux.send("Enter")
            try await tmux.waitFor("the subject prompt") { $0.contains { $0.contains("New message: subject") } }
            try tmux.send("-l", "Agenda for Monday")
            try tmux.send("Enter")
            try await tmux.waitFor("the new draft with its recipients", timeout: .seconds(30)) { screen in
                screen.contains { $0.contains("draft: Inês S") && $0.contains("Agenda for Monday") }
            }
            try tmux.send("a")
            try await tmux.waitFor("the picker") { $0.contains { $0.contains("agenda.pdf") } }
            try tmux.send("j", "Space", "Enter")
            try await tmux.waitFor("attached", timeout: .seconds(60)) { $0.joined().contains("attached agenda.pdf") }
            try tmux.send("S")
            try await tmux.waitFor("the question") { $0.joined().contains("Send the draft “Agenda for Monday” now?") }
            try tmux.send("y")
            try await tmux.waitFor("sent", timeout: .seconds(30)) { $0.joined().contains("sent “Agenda for Monday”") }
            let stats = try await harness.json(harness.emulator.origin + "/_emulator/stats")
            let sends = stats["sends"] as? [[String: Any]] ?? []
            try #require(sends.count == 1, "\(stats)")
            #expect(sends[0]["to"] as? [String] == ["ines.sousa@contoso.test", "ken@contoso.test"])
            #expect(sends[0]["body"] as? String == "Hello from the editor.\nSee the agenda.\n")
            let carried = (sends[0]["attachments"] as? [[String: Any]] ?? []).compactMap { $0["sha256"] as? String }
            #expect(carried == [file.sha256])
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// `f` forwards the selected message to whom is typed, with the editor's text above it.
    @Test func forwardFromTheList() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let editor = harness.workDirectory + "/.editor.sh"
            try "#!/bin/sh\nprintf 'FYI' > \"$1\"\n".write(toFile: editor, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: editor)
            let tmux = try launch(harness, width: 140, height: 30, environment: ["EDITOR": editor])
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("j")
            try tmux.send("f")
            try await tmux.waitFor("the forward prompt") { $0.contains { $0.contains("Forward “Relatório trimestral") } }
            try tmux.send("-l", "legal@contoso.test")
            try tmux.send("Enter")
            try await tmux.waitFor("the forward, a draft", timeout: .seconds(30)) { screen in
                screen.contains { $0.contains("draft: legal@") && $0.contains("FW: Relatório") }
            }
            let list = try await harness.json("/me/messages?$select=subject,body,isDraft&$top=50")
            let forward = (list["value"] as? [[String: Any]] ?? []).first { ($0["subject"] as? String)?.hasPrefix("FW: ") == true }
            #expect(((forward?["body"] as? [String: Any])?["content"] as? String)?.contains("FYI") == true, "\(String(describing: forward))")
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }
}
