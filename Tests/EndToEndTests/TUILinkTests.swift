import Foundation
import GraphEmulator
import Testing

/// Files Outlook cannot take, in the screen: asked, then shared from OneDrive as a link.
extension TUITests {
    /// A 40 MiB file for a draft of a tenant whose messages take 35 MiB: Outlook refuses it
    /// part-way, its session is deleted, and the screen asks to share it as a link; yes
    /// sends it to OneDrive, the row says so, the details name the link, and the draft's
    /// body has it. Nothing is left on the message.
    @Test func aMessagePastItsMaximumSizeIsOfferedAsALink() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        var configuration = EmulatorConfiguration()
        configuration.maximumMessageSize = EmulatorConfiguration.newTenantMessageSize
        try await CLIHarness.with(configuration) { harness in
            let file = try harness.makeFile("footage.mov", size: 40 * Self.mib, seed: 231)
            let draft = try await harness.postJSON("/me/messages", ["subject": "Footage for review"])
            let item = try #require(draft["id"] as? String)
            let tmux = try launch(harness, width: 120, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the new draft") { $0.contains { $0.contains("Footage for review") } }
            // The draft is the newest: first in the list. `:` types the file's path.
            try tmux.send("a", ":")
            try tmux.send("-l", file.path)
            try tmux.send("Enter", "Enter")
            try await tmux.waitFor("the question after Outlook's refusal", timeout: .seconds(60)) { screen in
                screen.contains { $0.contains("The message would pass its organization's maximum size.") }
                    && screen.contains { $0.contains("“footage.mov” (40.0 MiB) from your OneDrive") }
            }
            #expect(try await harness.openSessions().isEmpty, "the session Outlook refused is deleted")
            try tmux.send("y")
            #expect(try tmux.tmux(["capture-pane", "-p", "-t", tmux.name]).contains("failed: past the message's"))
            try await tmux.waitFor("shared", timeout: .seconds(60)) { screen in
                screen.contains { $0.contains("footage.mov → OneDrive link") && $0.contains("done · link in the message") }
            }
            try tmux.send("Enter")
            let details = try await tmux.waitFor("the details") { $0.contains { $0.contains("link ") && $0.contains("/share/") } }
            #expect(details.contains { $0.contains("why a link") && $0.contains("maximum size") }, "\(details)")
            try tmux.send("Escape")

            #expect(try await harness.attachments("messages", item).isEmpty)
            let drive = try await harness.http(.GET, harness.emulator.origin + "/_emulator/drive")
            let files = try #require((try JSONSerialization.jsonObject(with: drive.body) as? [String: Any])?["items"] as? [[String: Any]])
            #expect(files.map { $0["sha256"] as? String } == [file.sha256])
            let link = try #require((files.first?["links"] as? [[String: Any]])?.first?["webUrl"] as? String)
            let body = try await harness.json("/me/messages/\(item)?$select=body")["body"] as? [String: Any]
            #expect((body?["content"] as? String ?? "").contains(link))
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }
}
