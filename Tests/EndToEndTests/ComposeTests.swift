import Foundation
import GraphEmulator
import NIOHTTP1
import Testing

/// `attache mail`, `reply`, `forward` and `send`, run as a user would against the emulator:
/// what left is read from the emulator's record of each send, with the attachments the
/// message had at that moment.
@Suite("Composing and sending with files")
struct ComposeTests {
    /// The emulator's record of each message sent.
    static func sends(_ harness: CLIHarness) async throws -> [[String: Any]] {
        (try await harness.json(harness.emulator.origin + "/_emulator/stats")["sends"] as? [[String: Any]]) ?? []
    }

    /// Name → SHA-256 of the attachments a send carried.
    static func carried(_ send: [String: Any]) -> [String: String] {
        var found: [String: String] = [:]
        for attachment in send["attachments"] as? [[String: Any]] ?? [] {
            if let name = attachment["name"] as? String, let sha = attachment["sha256"] as? String { found[name] = sha }
        }
        return found
    }

    /// The subjects of the drafts in the mailbox.
    static func drafts(_ harness: CLIHarness) async throws -> [String] {
        let value = try #require(try await harness.json("/me/messages?$select=id,subject,isDraft&$top=100")["value"] as? [[String: Any]])
        return value.filter { $0["isDraft"] as? Bool == true }.compactMap { $0["subject"] as? String }
    }

    static func id(_ harness: CLIHarness, _ subject: String) async throws -> String {
        try await WorkflowCommandsTests.id(harness, "messages", subject)
    }

    @Test func mailSendsOneMessageOnceBothFilesLanded() async throws {
        try await CLIHarness.with { harness in
            let small = try harness.makeFile("notes.txt", size: 1_000_000, seed: 1)
            let large = try harness.makeFile("logs.tar", size: 40_000_000, seed: 2)
            let before = try await Self.drafts(harness)
            let result = try await harness.attache(
                "mail", ["--to", "Inês Sousa <ines.sousa@contoso.test>", "--cc", "jose.mueller@contoso.test", "--subject", "Nightly logs",
                         "--body", "Logs attached.", "--importance", "high", small.path, large.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasSuffix("sent \"Nightly logs\" with 2 attachments\n"), "\(result.stdout)")
            let sends = try await Self.sends(harness)
            try #require(sends.count == 1)
            #expect(Self.carried(sends[0]) == ["notes.txt": small.sha256, "logs.tar": large.sha256])
            #expect(sends[0]["to"] as? [String] == ["ines.sousa@contoso.test"])
            #expect(sends[0]["cc"] as? [String] == ["jose.mueller@contoso.test"])
            #expect(sends[0]["body"] as? String == "Logs attached.")
            #expect(try await harness.stats()["sentMessages"] == 1)
            #expect(try await harness.stats()["completedSessions"] == 1)
            #expect(try await harness.openSessions().isEmpty)
            // No draft is left behind: it went to Sent Items.
            #expect(try await Self.drafts(harness) == before)
        }
    }

    @Test func mailUnderThirtyPercentFaultsStillSendsOnceWithBothFiles() async throws {
        var configuration = SoakTests.configuration
        configuration.faultInjection = FaultInjection(
            rate: 0.3, seed: 7, kinds: SoakTests.kinds, retryAfterSeconds: 1, slowReplyDelay: .milliseconds(300))
        try await CLIHarness.with(configuration) { harness in
            let small = try harness.makeFile("summary.txt", size: 1_000_000, seed: 3)
            let large = try harness.makeFile("scan.pdf", size: 40_000_000, seed: 4)
            let result = try await harness.attache(
                "mail", ["--to", "ines.sousa@contoso.test", "--subject", "Scan", "--parallel", "1", small.path, large.path, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.jsonLines.last?["sent"] as? Bool == true, "\(result.stdout)")
            let sends = try await Self.sends(harness)
            try #require(sends.count == 1)
            #expect(Self.carried(sends[0]) == ["summary.txt": small.sha256, "scan.pdf": large.sha256])
            let faults = try await harness.faults()
            let stats = try await harness.json(harness.emulator.origin + "/_emulator/stats")
            #expect(faults.values.reduce(0, +) >= 2, "\(stats)")
            #expect(try await harness.openSessions().isEmpty)
        }
    }

    @Test func aMissingFileSendsNothingAndMakesNoDraft() async throws {
        try await CLIHarness.with { harness in
            let real = try harness.makeFile("real.txt", size: 1000)
            let before = try await Self.drafts(harness)
            let result = try await harness.attache(
                "mail", ["--to", "ines.sousa@contoso.test", "--subject", "Missing", real.path, harness.workDirectory + "/nowhere.pdf"])
            #expect(result.status == 6, "\(result.stderr)")
            #expect(result.stderr.contains("nowhere.pdf"), "\(result.stderr)")
            #expect(result.stderr.contains("nothing was made or sent"))
            #expect(try await Self.drafts(harness) == before)
            let stats = try await harness.stats()
            #expect(stats["sentMessages"] == 0)
            #expect(stats["postAttachmentRequests"] == 0)
        }
    }

    @Test func badRecipientsAndFlagsAreRefusedInOneLine() async throws {
        try await CLIHarness.with { harness in
            for arguments in [
                ["--subject", "No one"],
                ["--to", "not-an-address"],
                ["--to", "a@b.test", "--importance", "urgent"],
                ["--to", "a@b.test", "--body", "x", "--body-file", "-"],
            ] {
                let result = try await harness.attache("mail", arguments)
                #expect(result.status == 64, "\(arguments): \(result.stderr)")
                #expect(!result.stderr.isEmpty)
            }
            #expect(try await harness.stats()["sentMessages"] == 0)
        }
    }

    @Test func dryRunPrintsThePlanAndSendsNothing() async throws {
        try await CLIHarness.with { harness in
            let small = try harness.makeFile("small.txt", size: 1000)
            let large = try harness.makeFile("large.bin", size: 5_000_000)
            let before = try await Self.drafts(harness)
            let result = try await harness.attache(
                "mail", ["--to", "ines.sousa@contoso.test", "--bcc", "Legal <legal@contoso.test>", "--subject", "Plan", "--dry-run", small.path, large.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("to: ines.sousa@contoso.test\n"), "\(result.stdout)")
            #expect(result.stdout.contains("bcc: Legal <legal@contoso.test>\n"))
            #expect(result.stdout.contains("small.txt (1000 B): one POST\n"), "\(result.stdout)")
            #expect(result.stdout.contains("large.bin (4.8 MiB): upload session, 2 ranges"), "\(result.stdout)")
            #expect(try await Self.drafts(harness) == before)
            let stats = try await harness.stats()
            #expect(stats["sentMessages"] == 0)
            #expect(stats["createSessionRequests"] == 0)
        }
    }

    @Test func bodyFromStandardInputAndHTML() async throws {
        try await CLIHarness.with { harness in
            let bodyFile = harness.workDirectory + "/body.html"
            try "<p>Report <b>attached</b></p>".write(toFile: bodyFile, atomically: true, encoding: .utf8)
            let result = try await harness.attache("mail", ["--to", "ines.sousa@contoso.test", "--subject", "HTML", "--html", "--body-file", bodyFile])
            #expect(result.status == 0, "\(result.stderr)")
            let sends = try await Self.sends(harness)
            #expect(sends.first?["bodyType"] as? String == "html")
            #expect(sends.first?["body"] as? String == "<p>Report <b>attached</b></p>")
        }
    }

    @Test func sendAsWithoutTheRightIsExplainedAndTheDraftDeletedOrKept() async throws {
        try await CLIHarness.with { harness in
            let before = try await Self.drafts(harness)
            let file = try harness.makeFile("a.txt", size: 100)
            let denied = try await harness.attache("mail", ["--to", "ines.sousa@contoso.test", "--subject", "As boss", "--from", "boss@contoso.test", file.path])
            #expect(denied.status == 4, "\(denied.stderr)")
            #expect(denied.stderr.contains("ErrorSendAsDenied"), "\(denied.stderr)")
            #expect(denied.stderr.contains("Send As or Send on Behalf"))
            #expect(denied.stderr.contains("the draft was deleted"))
            #expect(try await Self.drafts(harness) == before)
            let kept = try await harness.attache(
                "mail", ["--to", "ines.sousa@contoso.test", "--subject", "As boss", "--from", "boss@contoso.test", "--keep-draft", "--json", file.path])
            #expect(kept.status == 4)
            #expect(kept.jsonLines.last?["draftKept"] as? Bool == true, "\(kept.stdout)")
            #expect(try await Self.drafts(harness).contains("As boss"))
            #expect(try await harness.stats()["sentMessages"] == 0)
        }
    }

    @Test func replyAndForwardCarryTheirFiles() async throws {
        try await CLIHarness.with { harness in
            let original = try await Self.id(harness, "Relatório trimestral: números de setembro")
            let report = try harness.makeFile("relatorio.pdf", size: 3_500_000, seed: 5)
            let reply = try await harness.attache("reply", ["--message", original, "--body", "Segue o relatório.", report.path])
            #expect(reply.status == 0, "\(reply.stderr)")
            var sends = try await Self.sends(harness)
            try #require(sends.count == 1)
            #expect(sends[0]["subject"] as? String == "RE: Relatório trimestral: números de setembro")
            #expect(sends[0]["to"] as? [String] == ["ines.sousa@contoso.test"])
            #expect((sends[0]["body"] as? String)?.contains("Segue o relatório.") == true)
            #expect(Self.carried(sends[0]) == ["relatorio.pdf": report.sha256])

            // A forward carries the message's own attachments and the files given.
            let menu = try await Self.id(harness, "Café ☕ menu for the offsite")
            let allergies = try harness.makeFile("allergies.txt", size: 2000, seed: 6)
            #expect(try await harness.attache("upload", [allergies.path, "--message", menu]).status == 0)
            let extra = try harness.makeFile("map.png", size: 2_500_000, seed: 7)
            let forward = try await harness.attache("forward", ["--message", menu, "--to", "ken@contoso.test", "--body", "FYI", extra.path])
            #expect(forward.status == 0, "\(forward.stderr)")
            sends = try await Self.sends(harness)
            try #require(sends.count == 2)
            #expect(sends[1]["subject"] as? String == "FW: Café ☕ menu for the offsite")
            #expect(sends[1]["to"] as? [String] == ["ken@contoso.test"])
            #expect(Self.carried(sends[1]) == ["allergies.txt": allergies.sha256, "map.png": extra.sha256])

            let all = try await harness.attache("reply", ["--message", menu, "--all", "--body", "Thanks"])
            #expect(all.status == 0, "\(all.stderr)")
            sends = try await Self.sends(harness)
            #expect(Set(sends.last?["to"] as? [String] ?? []) == ["jose.mueller@contoso.test", "ines.sousa@contoso.test"])
        }
    }

    @Test func sendWaitsForAnUploadAnotherAttacheRuns() async throws {
        try await CLIHarness.with(EmulatorConfiguration(rangeDelay: .milliseconds(40))) { harness in
            let draft = try await Self.id(harness, "Signed contract scan for legal")
            let scan = try harness.makeFile("contract.pdf", size: 8_000_000, seed: 8)
            let upload = try await harness.launchUpload(scan.path, to: draft, until: 327_680)
            let send = try await harness.attache("send", ["--message", draft])
            #expect(send.status == 0, "\(send.stderr)")
            #expect(send.stderr.contains("waiting for the upload of 'contract.pdf'"), "\(send.stderr)")
            let uploaded = try await upload.finish()
            #expect(uploaded.status == 0, "\(uploaded.stderr)")
            let sends = try await Self.sends(harness)
            try #require(sends.count == 1)
            #expect(Self.carried(sends[0]) == ["contract.pdf": scan.sha256])
        }
    }

    @Test func sendRefusesWhileAnUploadToTheDraftIsUnfinished() async throws {
        try await CLIHarness.with(EmulatorConfiguration(rangeDelay: .milliseconds(40))) { harness in
            let draft = try await Self.id(harness, "Signed contract scan for legal")
            let scan = try harness.makeFile("contract.pdf", size: 8_000_000, seed: 8)
            let upload = try await harness.launchUpload(scan.path, to: draft, until: 327_680)
            let refused = try await harness.attache("send", ["--message", draft, "--no-wait"])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("still running in another attache"), "\(refused.stderr)")
            upload.signal(SIGINT)
            _ = try await upload.finish()
            // Interrupted, and no attache runs it: the send names the way on.
            let stopped = try await harness.attache("send", ["--message", draft])
            #expect(stopped.status == 1)
            #expect(stopped.stderr.contains("'contract.pdf' stopped at"), "\(stopped.stderr)")
            #expect(stopped.stderr.contains("attache resume"), "\(stopped.stderr)")
            #expect(try await harness.stats()["sentMessages"] == 0)
        }
    }

    @Test func anUploadToADraftSentElsewhereSaysSo() async throws {
        try await CLIHarness.with(EmulatorConfiguration(rangeDelay: .milliseconds(40))) { harness in
            let draft = try await Self.id(harness, "Signed contract scan for legal")
            let scan = try harness.makeFile("contract.pdf", size: 8_000_000, seed: 8)
            let upload = try await harness.launchUpload(scan.path, to: draft, until: 327_680)
            // Sent from somewhere else (Outlook on the web): straight to Graph.
            let sent = try await harness.http(.POST, "/me/messages/\(draft)/send")
            #expect(sent.status == 202)
            let result = try await upload.finish()
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stderr.contains("was sent or deleted elsewhere while the file was uploading"), "\(result.stderr)")
            #expect(Self.carried(try await Self.sends(harness).first ?? [:]).isEmpty)
        }
    }
}

extension ComposeTests {
    @Test func anInlineImageKeepsItsContentIdByPostAndBySession() async throws {
        try await CLIHarness.with { harness in
            let logo = try harness.makeFile("logo.png", size: 20_000, seed: 11)
            let photo = try harness.makeFile("photo.jpg", size: 6_000_000, seed: 12)
            let result = try await harness.attache(
                "mail", ["--to", "ines.sousa@contoso.test", "--subject", "Inline", "--html",
                         "--body", #"<p><img src="cid:logo"><img src="cid:photo1"></p>"#,
                         "--inline", "logo=\(logo.path)", "--inline", "photo1=\(photo.path)"])
            #expect(result.status == 0, "\(result.stderr)")
            let sends = try await Self.sends(harness)
            try #require(sends.count == 1)
            let attachments = sends[0]["attachments"] as? [[String: Any]] ?? []
            let byName = Dictionary(attachments.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
            #expect(byName["logo.png"]?["contentId"] as? String == "logo")
            #expect(byName["logo.png"]?["isInline"] as? Bool == true)
            #expect(byName["photo.jpg"]?["contentId"] as? String == "photo1")
            #expect(byName["photo.jpg"]?["isInline"] as? Bool == true)
            #expect(byName["photo.jpg"]?["sha256"] as? String == photo.sha256)
            #expect(try await harness.stats()["completedSessions"] == 1)
            let bad = try await harness.attache("mail", ["--to", "a@b.test", "--inline", "logo"])
            #expect(bad.status == 64)
        }
    }
}

extension ComposeTests {
    /// In a shared mailbox, Graph takes no upload session: the draft is made in one's own
    /// mailbox, sent as the shared one, and the big file goes through a session there.
    @Test func mailFromASharedMailboxIsSentAsIt() async throws {
        try await CLIHarness.with { harness in
            let big = try harness.makeFile("minutes.pdf", size: 5_000_000, seed: 13)
            let result = try await harness.attache(
                "mail", ["--mailbox", EmulatorConfiguration.sharedMailbox, "--to", "ines.sousa@contoso.test", "--subject", "Minutes", big.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("made in your own mailbox, sent as \(EmulatorConfiguration.sharedMailbox)"), "\(result.stderr)")
            #expect(result.stderr.contains("the sent copy is kept in your own Sent Items"))
            let sends = try await Self.sends(harness)
            try #require(sends.count == 1)
            #expect(sends[0]["from"] as? String == EmulatorConfiguration.sharedMailbox)
            #expect(Self.carried(sends[0]) == ["minutes.pdf": big.sha256])
        }
    }
}

extension ComposeTests {
    /// Ctrl-C during `attache mail` sends nothing and keeps the draft with its sessions, for
    /// `attache resume` then `attache send`.
    @Test func anInterruptedMailKeepsItsDraftForResumeThenSend() async throws {
        try await CLIHarness.with(EmulatorConfiguration(rangeDelay: .milliseconds(40))) { harness in
            let big = try harness.makeFile("video.mp4", size: 8_000_000, seed: 14)
            let running = try harness.launch("mail", ["--to", "ines.sousa@contoso.test", "--subject", "Video", "--chunk-size", "327680", big.path])
            _ = try await Eventually.until { (try await harness.openSessions().first?["received"] as? Int ?? 0) >= 327_680 || !running.process.isRunning }
            running.signal(SIGINT)
            let result = try await running.finish()
            #expect(result.status == 130, "\(result.stderr)")
            #expect(result.stderr.contains("the draft is kept as message"), "\(result.stderr)")
            #expect(try await harness.stats()["sentMessages"] == 0)
            #expect(try await Self.drafts(harness).contains("Video"))
            let resumed = try await harness.attache("resume")
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let draft = try await Self.id(harness, "Video")
            let sent = try await harness.attache("send", ["--message", draft])
            #expect(sent.status == 0, "\(sent.stderr)")
            let sends = try await Self.sends(harness)
            #expect(Self.carried(sends.first ?? [:]) == ["video.mp4": big.sha256])
        }
    }
}

extension ComposeTests {
    /// An inline image interrupted, whose session then expired, is started afresh by
    /// `attache resume`: still inline, under its content id (the journal keeps it).
    @Test func anInlineImageResumedAfreshStaysInline() async throws {
        try await CLIHarness.with(EmulatorConfiguration(rangeDelay: .milliseconds(40))) { harness in
            let photo = try harness.makeFile("photo.jpg", size: 6_000_000, seed: 17)
            let running = try harness.launch(
                "mail", ["--to", "ines.sousa@contoso.test", "--subject", "Photo", "--html", "--body", #"<img src="cid:p1">"#,
                         "--chunk-size", "327680", "--inline", "p1=\(photo.path)"])
            _ = try await Eventually.until { (try await harness.openSessions().first?["received"] as? Int ?? 0) >= 327_680 || !running.process.isRunning }
            running.signal(SIGINT)
            #expect(try await running.finish().status == 130)
            let session = try #require(try await harness.openSessions().first?["id"] as? String)
            _ = try await harness.http(.POST, harness.emulator.origin + "/_emulator/sessions/\(session)/expire")
            let resumed = try await harness.attache("resume")
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(try await harness.stats()["createSessionRequests"] == 2, "a session of its own for the fresh start")
            let sent = try await harness.attache("send", ["--message", try await Self.id(harness, "Photo")])
            #expect(sent.status == 0, "\(sent.stderr)")
            let attachment = try #require((try await Self.sends(harness).first?["attachments"] as? [[String: Any]])?.first)
            #expect(attachment["contentId"] as? String == "p1")
            #expect(attachment["isInline"] as? Bool == true)
            #expect(attachment["sha256"] as? String == photo.sha256)
        }
    }
}

extension ComposeTests {
    /// With --link, a file past the tenant's maximum message size goes to OneDrive and its
    /// link into the body; the message leaves once the small file is attached and the link
    /// is written, with the link in its body.
    @Test func mailWithLinkSendsWhatOutlookCannotTakeAsALink() async throws {
        var configuration = EmulatorConfiguration()
        configuration.maximumMessageSize = EmulatorConfiguration.newTenantMessageSize
        try await CLIHarness.with(configuration) { harness in
            let small = try harness.makeFile("notes.txt", size: 1_000, seed: 15)
            let footage = try harness.makeFile("footage.bin", size: 40 * 1024 * 1024, seed: 16)
            let result = try await harness.attache(
                "mail", ["--to", "ines.sousa@contoso.test", "--subject", "Footage", "--body", "Footage below.", "--link", small.path, footage.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasSuffix("sent \"Footage\" with 1 attachment and 1 OneDrive link\n"), "\(result.stdout)")
            let sends = try await Self.sends(harness)
            try #require(sends.count == 1)
            #expect(Self.carried(sends[0]) == ["notes.txt": small.sha256])
            let drive = try await harness.json(harness.emulator.origin + "/_emulator/drive")
            let item = try #require((drive["items"] as? [[String: Any]])?.first)
            #expect(item["sha256"] as? String == footage.sha256)
            let link = try #require((item["links"] as? [[String: Any]])?.first?["webUrl"] as? String)
            #expect((sends[0]["body"] as? String)?.contains(link) == true, "\(sends[0]["body"] ?? "")")
        }
    }
}
