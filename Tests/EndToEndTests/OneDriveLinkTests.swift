import Foundation
import GraphEmulator
import Testing

/// Past Outlook's limits, `attache upload --link` puts the file on the sender's OneDrive and
/// a line with its sharing link in the item's body, as Outlook on the web does; the real
/// binary against the emulator over loopback, every file hashed on the drive.
@Suite("Files shared from OneDrive")
struct OneDriveLinkTests {
    static let mib = 1024 * 1024
    static let fragment = 327_680

    /// The emulator as a new tenant is: messages up to 35 MiB.
    static var newTenant: EmulatorConfiguration {
        var configuration = EmulatorConfiguration()
        configuration.maximumMessageSize = EmulatorConfiguration.newTenantMessageSize
        return configuration
    }

    /// The emulator's record of the drives: `items` (with their SHA-256 and links) and `sessions`.
    func drive(_ harness: CLIHarness) async throws -> [String: Any] {
        let reply = try await harness.http(.GET, harness.emulator.origin + "/_emulator/drive")
        return try #require(try JSONSerialization.jsonObject(with: reply.body) as? [String: Any])
    }

    func driveItems(_ harness: CLIHarness) async throws -> [[String: Any]] {
        try #require(try await drive(harness)["items"] as? [[String: Any]])
    }

    func driveSessions(_ harness: CLIHarness) async throws -> [[String: Any]] {
        try #require(try await drive(harness)["sessions"] as? [[String: Any]])
    }

    func body(_ harness: CLIHarness, _ collection: String, _ item: String) async throws -> String {
        let body = try await harness.json("/me/\(collection)/\(item)?$select=body")["body"] as? [String: Any]
        return body?["content"] as? String ?? ""
    }

    func newDraft(_ harness: CLIHarness, _ subject: String) async throws -> String {
        let draft = try await harness.postJSON("/me/messages", ["subject": subject, "body": ["contentType": "html", "content": "<html><body><p>Hello,</p></body></html>"]])
        return try #require(draft["id"] as? String)
    }

    @Test func aFileOverOutlooksLimitBecomesALinkInTheMessage() async throws {
        try await CLIHarness.with { harness in
            let item = try await newDraft(harness, "Scans")
            let file = try harness.makeFile("scans.bin", size: 200 * Self.mib, seed: 221)
            // Without --link: refused before anything is sent, the flag named.
            let refused = try await harness.attache("upload", [file.path, "--message", item])
            #expect(refused.status == 6, "\(refused.stderr)")
            #expect(refused.stderr.contains("--link shares it from your OneDrive as a link instead"), "\(refused.stderr)")
            #expect(try await driveItems(harness).isEmpty)

            let shared = try await harness.attache("upload", [file.path, "--message", item, "--link", "--json"])
            #expect(shared.status == 0, "\(shared.stderr)")
            let line = try #require(shared.jsonLines.first)
            #expect(line["status"] as? String == "shared")
            #expect(line["sharedAs"] as? String == "link")
            #expect(line["why"] as? String == "overOutlooksLimit")
            let webURL = try #require(line["webUrl"] as? String)
            let items = try await driveItems(harness)
            #expect(items.count == 1)
            #expect(items.first?["id"] as? String == line["driveItemId"] as? String)
            #expect(items.first?["sha256"] as? String == file.sha256)
            #expect(items.first?["path"] as? String == "/drive/root:/Attachments/attache/scans.bin")
            #expect((items.first?["links"] as? [[String: Any]])?.first?["scope"] as? String == "organization")
            // The body keeps what it held, and has the link once.
            let body = try await body(harness, "messages", item)
            #expect(body.contains("<p>Hello,</p>"))
            #expect(body.components(separatedBy: webURL).count == 2, "\(body)")
            #expect(body.contains("scans.bin"))
            // Fragments of 10 MiB, each sent once.
            let stats = try await harness.stats()
            #expect(stats["drivePutBytes"] == 200 * Self.mib)
            #expect(stats["drivePutRequests"] == 20)
            #expect(try await harness.attachments("messages", item).isEmpty)
            #expect(try await harness.attache("status", ["--json"]).stdout.isEmpty)
        }
    }

    @Test func aMessagePastItsMaximumSizeFailsOverToALinkWithNothingLeftOnIt() async throws {
        try await CLIHarness.with(Self.newTenant) { harness in
            let item = try await newDraft(harness, "Footage")
            let file = try harness.makeFile("footage.bin", size: 40 * Self.mib, seed: 222)
            let refused = try await harness.attache("upload", [file.path, "--message", item])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("ErrorMessageSizeExceeded"), "\(refused.stderr)")
            #expect(refused.stderr.contains("--link shares it from your OneDrive"), "\(refused.stderr)")
            #expect(try await harness.openSessions().isEmpty, "the session Outlook refused is deleted")

            let shared = try await harness.attache("upload", [file.path, "--message", item, "--link", "--json"])
            #expect(shared.status == 0, "\(shared.stderr)")
            #expect(shared.stderr.contains("'footage.bin': the message would pass its organization's maximum size, so it goes to your OneDrive"), "\(shared.stderr)")
            let line = try #require(shared.jsonLines.first)
            #expect(line["sharedAs"] as? String == "link")
            #expect(line["why"] as? String == "messageSizeExceeded")
            #expect(try await driveItems(harness).first?["sha256"] as? String == file.sha256)
            #expect(try await harness.attachments("messages", item).isEmpty)
            #expect(try await harness.openSessions().isEmpty)
            #expect(try await body(harness, "messages", item).contains(try #require(line["webUrl"] as? String)))
        }
    }

    @Test func aSharedMailboxsRefusalBecomesALink() async throws {
        try await CLIHarness.with { harness in
            let shared = ["--mailbox", EmulatorConfiguration.sharedMailbox]
            let listed = try await harness.attache("ls", ["messages", "--json"] + shared)
            let received = try #require(listed.jsonLines.first { ($0["subject"] as? String)?.hasPrefix("Team newsletter") == true }?["id"] as? String)
            let file = try harness.makeFile("deck.pdf", size: 4 * Self.mib, seed: 223)
            // A received message's body cannot change: refused before anything goes up.
            let notDraft = try await harness.attache("upload", [file.path, "--message", received, "--link-all"] + shared)
            #expect(notDraft.status != 0)
            #expect(notDraft.stderr.contains("was sent or received already, so it cannot be changed"), "\(notDraft.stderr)")
            #expect(try await harness.stats()["driveSessionRequests"] == 0)

            let draft = try await harness.postJSON("/users/\(EmulatorConfiguration.sharedMailbox)/messages", ["subject": "Deck for the team"])
            let item = try #require(draft["id"] as? String)
            let linked = try await harness.attache("upload", [file.path, "--message", item, "--link", "--json"] + shared)
            #expect(linked.status == 0, "\(linked.stderr)")
            let line = try #require(linked.jsonLines.first)
            #expect(line["why"] as? String == "sharedMailbox")
            // On the sender's own OneDrive, hashing like the file; the link in the shared draft.
            #expect(try await driveItems(harness).first?["sha256"] as? String == file.sha256)
            let body = try await harness.json("/users/\(EmulatorConfiguration.sharedMailbox)/messages/\(item)?$select=body")["body"] as? [String: Any]
            #expect((body?["content"] as? String ?? "").contains(try #require(line["webUrl"] as? String)))
        }
    }

    @Test func killNineMidwayThenResumeSendsAtMostOneFragmentAgain() async throws {
        var configuration = EmulatorConfiguration()
        configuration.rangeDelay = .milliseconds(20)
        try await CLIHarness.with(configuration) { harness in
            let item = try await newDraft(harness, "Archive")
            let size = 20 * Self.mib
            let file = try harness.makeFile("archive.bin", size: size, seed: 224)
            let running = try harness.launch("upload", [file.path, "--message", item, "--link-all", "--fragment-size", "\(Self.fragment)", "--json"])
            try await Eventually.until(timeout: .seconds(60)) {
                (try await driveSessions(harness).first?["received"] as? Int ?? 0) >= size * 4 / 10 || !running.process.isRunning
            }
            running.signal(SIGKILL)
            _ = try await running.finish()
            let held = try #require(try await driveSessions(harness).first?["received"] as? Int)
            #expect(held < size)
            let status = try await harness.attache("status", ["--json"])
            #expect(status.jsonLines.first?["method"] as? String == "link", "\(status.stdout)")
            let sentBefore = try await harness.stats()["drivePutBytes"] ?? 0

            let resumed = try await harness.attache("resume", ["--json"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.jsonLines.first?["sharedAs"] as? String == "link")
            let sent = (try await harness.stats()["drivePutBytes"] ?? 0) - sentBefore
            // The fragment in flight at the kill may land after `held` was read: then it is
            // not sent again either.
            #expect(sent <= size - held && sent >= size - held - Self.fragment, "\(sent) after \(held) held")
            #expect(sentBefore + sent <= size + Self.fragment)
            #expect(try await driveItems(harness).map { $0["sha256"] as? String } == [file.sha256])
            #expect(try await harness.attache("status", ["--json"]).stdout.isEmpty)
        }
    }

    @Test func cancelDeletesTheDriveSession() async throws {
        var configuration = EmulatorConfiguration()
        configuration.rangeDelay = .milliseconds(20)
        try await CLIHarness.with(configuration) { harness in
            let item = try await newDraft(harness, "Draft")
            let file = try harness.makeFile("big.bin", size: 20 * Self.mib, seed: 225)
            let running = try harness.launch("upload", [file.path, "--message", item, "--link-all", "--fragment-size", "\(Self.fragment)", "--json"])
            try await Eventually.until(timeout: .seconds(60)) {
                (try await driveSessions(harness).first?["received"] as? Int ?? 0) >= 2 * Self.mib || !running.process.isRunning
            }
            running.signal(SIGINT)
            let stopped = try await running.finish()
            #expect(stopped.status == 130, "\(stopped.stderr)")
            #expect(try await driveSessions(harness).count == 1)
            let cancelled = try await harness.attache("cancel", ["--all"])
            #expect(cancelled.status == 0, "\(cancelled.stderr)")
            #expect(try await driveSessions(harness).isEmpty)
            #expect(try await harness.stats()["driveDeletedSessions"] == 1)
            #expect(try await driveItems(harness).isEmpty)
            #expect(try await body(harness, "messages", item).contains("big.bin") == false)
        }
    }

    /// Three files shared through a link that fails one fragment in three (503s, 429s, cut
    /// bodies, lost replies, expired sessions, slow replies): each lands once, byte-exact,
    /// read back through its download URL with --verify, its link in the body once.
    @Test func sharesLandWholeThroughAFaultyLinkAndReadBackTheSame() async throws {
        var configuration = EmulatorConfiguration()
        configuration.faultInjection = FaultInjection(rate: 0.3, seed: 2207, retryAfterSeconds: 1, slowReplyDelay: .milliseconds(300))
        try await CLIHarness.with(configuration) { harness in
            let item = try await newDraft(harness, "Logs")
            let files = try (0..<3).map { try harness.makeFile("log-\($0).tar", size: 6 * Self.mib + $0 * 1000, seed: 230 + UInt64($0)) }
            let shared = try await harness.attache(
                "upload", files.map(\.path) + ["--message", item, "--link-all", "--fragment-size", "\(4 * Self.fragment)", "--verify", "--json"])
            #expect(shared.status == 0, "\(shared.stderr)")
            #expect(shared.jsonLines.count == 3)
            for line in shared.jsonLines {
                #expect(line["status"] as? String == "shared")
                #expect(line["verified"] as? Bool == true)
            }
            let items = try await driveItems(harness)
            #expect(Set(items.compactMap { $0["sha256"] as? String }) == Set(files.map(\.sha256)))
            #expect(items.count == 3, "no file landed twice: \(items.map { $0["name"] ?? "" })")
            let body = try await body(harness, "messages", item)
            for line in shared.jsonLines {
                let url = try #require(line["webUrl"] as? String)
                #expect(body.components(separatedBy: url).count == 2)
            }
            #expect(try await harness.faults().values.reduce(0, +) > 0, "faults were injected")
            #expect(try await driveSessions(harness).isEmpty)
        }
    }

    @Test func aFragmentSizeOneDriveWouldRefuseIsNeverSent() async throws {
        try await CLIHarness.with { harness in
            let file = try harness.makeFile("a.bin", size: Self.mib, seed: 226)
            let refused = try await harness.attache("upload", [file.path, "--message", "x", "--link-all", "--fragment-size", "400000"])
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("not a multiple of 327680"), "\(refused.stderr)")
        }
    }
}
