import Foundation
import GraphEmulator
import Testing

/// `attache rm`, `send`, `show`, `upload --notify` and `ls --search`, run as a user would.
@Suite("The workflow commands")
struct WorkflowCommandsTests {
    /// The id of the demo message or event with this subject.
    static func id(_ harness: CLIHarness, _ collection: String, _ subject: String) async throws -> String {
        let value = try #require(try await harness.json("/me/\(collection)?$select=id,subject&$top=50")["value"] as? [[String: Any]])
        return try #require(value.first { $0["subject"] as? String == subject }?["id"] as? String)
    }

    static func short(_ id: String) -> String {
        id.count > 24 ? "\(id.prefix(12))…\(id.suffix(8))" : id
    }

    @Test func rmDeletesEachAttachmentAndNamesTheOneNotThere() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("events")
            var ids: [String] = []
            for name in ["agenda.pdf", "notes.txt", "kept.txt"] {
                let file = try harness.makeFile(name, size: 1000, seed: UInt64(ids.count + 1))
                let uploaded = try await harness.attache("upload", [file.path, "--event", item, "--json"])
                ids.append(try #require(uploaded.jsonLines.first?["attachmentId"] as? String))
            }
            let result = try await harness.attache("rm", ["--event", item, ids[0], "AAMkADnothing=", ids[1]])
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stdout == """
                deleted "agenda.pdf" (\(ids[0])) from event \(Self.short(item))
                deleted "notes.txt" (\(ids[1])) from event \(Self.short(item))

                """)
            #expect(result.stderr == "attache: error: attachment AAMkADnothing= of event \(Self.short(item)) not found; nothing was deleted for it\n")
            let left = try await harness.attachments("events", item).compactMap { $0["name"] as? String }
            #expect(left == ["kept.txt"])
            let none = try await harness.attache("rm", ["--event", item])
            #expect(none.status == 64)
        }
    }

    @Test func sendSendsADraftOnceAndRefusesTheRest() async throws {
        try await CLIHarness.with { harness in
            let draft = try await Self.id(harness, "messages", "Quarterly report — Q3 figures")
            let sent = try await harness.attache("send", ["--message", draft])
            #expect(sent.status == 0, "\(sent.stderr)")
            #expect(sent.stdout == "sent \"Quarterly report — Q3 figures\"\n")
            #expect(try await harness.stats()["sentMessages"] == 1)
            // The draft's id is gone: it moved to Sent Items.
            let again = try await harness.attache("send", ["--message", draft])
            #expect(again.status == 3)
            #expect(again.stderr.hasPrefix("attache: error: message \(Self.short(draft)) not found"))
            #expect(!again.stderr.contains("\n") || again.stderr.split(separator: "\n").count == 1)
            let moved = try await Self.id(harness, "messages", "Quarterly report — Q3 figures")
            let notDraft = try await harness.attache("send", ["--message", moved])
            #expect(notDraft.status == 1)
            #expect(notDraft.stderr == "attache: error: \"Quarterly report — Q3 figures\" (message \(Self.short(moved))) is not a draft: only drafts can be sent; reply to it or forward it in Outlook instead; nothing was sent\n")
            #expect(try await harness.stats()["sentMessages"] == 1)
        }
    }

    @Test func uploadWithNotifySendsTheAttendeesAnUpdate() async throws {
        try await CLIHarness.with { harness in
            let event = try await Self.id(harness, "events", "Design review: attache TUI")
            let file = try harness.makeFile("slides.pdf", size: 4 * 1024 * 1024, seed: 9)
            let result = try await harness.attache("upload", [file.path, "--event", event, "--notify"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasSuffix("sent the 2 attendees of event \(Self.short(event)) an update\n"), "\(result.stdout)")
            let stats = try await harness.stats()
            #expect(stats["attendeeNotifications"] == 2)
            #expect(stats["completedSessions"] == 1)
            // Not for messages: their recipients get what is sent.
            let message = try await harness.firstItem("messages")
            let refused = try await harness.attache("upload", [file.path, "--message", message, "--notify"])
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("--notify goes with --event"))
            // Someone else's meeting: the files stay, the refusal says why.
            let theirs = try await Self.id(harness, "events", "会議: 予算の見直し")
            let small = try harness.makeFile("memo.txt", size: 100, seed: 3)
            let notOrganizer = try await harness.attache("upload", [small.path, "--event", theirs, "--notify"])
            #expect(notOrganizer.status == 1)
            #expect(notOrganizer.stderr.contains("is organized by someone else"), "\(notOrganizer.stderr)")
            #expect(try await harness.attachments("events", theirs).count == 1)
            #expect(try await harness.stats()["attendeeNotifications"] == 2)
        }
    }

    @Test func lsSearchFindsMessagesByTextAndEventsBySubject() async throws {
        try await CLIHarness.with { harness in
            let cafe = try await harness.attache("ls", ["messages", "--search", "cafe"])
            #expect(cafe.status == 0, "\(cafe.stderr)")
            let lines = cafe.stdout.split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.last?.hasSuffix("  Café ☕ menu for the offsite") == true)
            let json = try await harness.attache("ls", ["messages", "--search", "inês", "--json"])
            #expect(json.jsonLines.compactMap { $0["subject"] as? String } == ["Quarterly report — Q3 figures", "Relatório trimestral: números de setembro"])
            #expect(json.jsonLines.last?["from"] as? String == "Inês Sousa <ines.sousa@contoso.test>")
            let events = try await harness.attache("ls", ["events", "--search", "lisboa", "--json"])
            #expect(events.jsonLines.compactMap { $0["subject"] as? String } == ["Offsite in Lisboa 🇵🇹"])
            let nothing = try await harness.attache("ls", ["messages", "--search", "zzz"])
            #expect(nothing.status == 0)
            #expect(nothing.stdout.isEmpty)
            #expect(nothing.stderr == "no messages match \"zzz\"\n")
        }
    }

    @Test func showPrintsPeopleTimesAndTheBody() async throws {
        try await CLIHarness.with { harness in
            let draft = try await Self.id(harness, "messages", "Quarterly report — Q3 figures")
            let message = try await harness.attache("show", ["--message", draft])
            #expect(message.status == 0, "\(message.stderr)")
            #expect(message.stdout.contains("from:    Demo User <demo@attache.test>\n"), "\(message.stdout)")
            #expect(message.stdout.contains("to:      Inês Sousa <ines.sousa@contoso.test>\n"))
            #expect(message.stdout.contains("cc:      José Müller <jose.mueller@contoso.test>\n"))
            #expect(message.stdout.contains("draft:   yes"))
            #expect(message.stdout.hasSuffix("\n\nHi Inês,\nAttached are the Q3 figures & the summary slides.\nRevenue is up 4% on Q2.\nBest,\nDemo\n"))
            let event = try await Self.id(harness, "events", "Design review: attache TUI")
            let shown = try await harness.attache("show", ["--event", event, "--json"])
            let object = try #require(shown.jsonLines.first)
            #expect((object["organizer"] as? [String: Any])?["name"] as? String == "Demo User")
            #expect((object["attendees"] as? [[String: Any]])?.compactMap { $0["response"] as? String } == ["accepted", "tentativelyAccepted"])
            let text = try await harness.attache("show", ["--event", event])
            #expect(text.stdout.contains("attendees: Inês Sousa <ines.sousa@contoso.test> (required): accepted\n"), "\(text.stdout)")
            #expect(text.stdout.contains("           José Müller <jose.mueller@contoso.test> (optional): tentative\n"))
            let missing = try await harness.attache("show", ["--message", "AAMkADnothing="])
            #expect(missing.status == 3)
            #expect(missing.stderr == "attache: error: message AAMkADnothing= not found\n")
        }
    }
}
