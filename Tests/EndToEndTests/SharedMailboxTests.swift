import Foundation
import GraphEmulator
import Testing

/// `--mailbox`: another user's mailbox through `/users/{address}`, as a delegate, with
/// Graph's known issue (no upload session there with delegated permissions) said as such.
@Suite("Shared mailboxes")
struct SharedMailboxTests {
    @Test func aDelegateListsAttachesSmallFilesAndIsToldWhyNotLargeOnes() async throws {
        try await CLIHarness.with { harness in
            let shared = ["--mailbox", EmulatorConfiguration.sharedMailbox]
            let listed = try await harness.attache("ls", ["messages", "--json"] + shared)
            #expect(listed.status == 0, "\(listed.stderr)")
            let item = try #require(listed.jsonLines.first { ($0["subject"] as? String)?.hasPrefix("Team newsletter") == true }?["id"] as? String)

            let small = try harness.makeFile("minutes.txt", size: 200_000, seed: 141)
            let attached = try await harness.attache("upload", [small.path, "--message", item, "--json"] + shared)
            #expect(attached.status == 0, "\(attached.stderr)")
            let id = try #require(attached.jsonLines.first?["attachmentId"] as? String)
            let digest = try await harness.valueDigest("messages", item, id, mailbox: "users/\(EmulatorConfiguration.sharedMailbox)")
            #expect(digest.sha256 == small.sha256)

            let large = try harness.makeFile("deck.pdf", size: 4 * 1024 * 1024, seed: 142)
            let refused = try await harness.attache("upload", [large.path, "--message", item, "--json"] + shared)
            #expect(refused.status == 4, "\(refused.stderr)")
            #expect(refused.stderr.contains("Graph refuses upload sessions in another user's mailbox (shared@attache.test) with delegated permissions, a known issue"), "\(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1)
            #expect((refused.jsonLines.first?["error"] as? [String: Any])?["code"] as? String == "ErrorAccessDenied")
            #expect(try await harness.openSessions().isEmpty)
        }
    }

    @Test func aMailboxOneIsNoDelegateOfIsRefused() async throws {
        try await CLIHarness.with(EmulatorConfiguration(fixtures: [.demo, .walkthrough])) { harness in
            let refused = try await harness.attache("ls", ["messages", "--mailbox", "megan@walkthrough.test"])
            #expect(refused.status == 4, "\(refused.stderr)")
            #expect(refused.stderr.contains("HTTP 403"), "\(refused.stderr)")
            let bad = try await harness.attache("ls", ["messages", "--mailbox", "not-an-address"])
            #expect(bad.status == 64)
        }
    }
}
