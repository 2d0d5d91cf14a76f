import Foundation
import GraphEmulator
import Testing

/// Outlook's upload host has answered working upload URLs with 401 for days at a time
/// (msgraph-sdk-javascript #1923, python-o365 #1027). A 401 on a session that had worked
/// means the session, and what it held, is out of reach: attache opens a new one and sends
/// the file from where the new session says (byte 0), resuming nothing the old one lost.
@Suite("An upload URL that starts answering 401")
struct RevokedUploadURLTests {
    static let size = 4 * 1024 * 1024 + 12_345

    /// Turns the only open session's upload URL away from now on.
    static func revokeTheSession(_ harness: CLIHarness) async throws {
        let session = try #require(try await harness.openSessions().first?["id"] as? String)
        let revoked = try await harness.http(.POST, harness.emulator.origin + "/_emulator/sessions/\(session)/revoke")
        #expect(revoked.status == 204)
    }

    /// Midway: the next range gets 401, a new session takes the whole file, byte-exact.
    @Test func a401MidwayEndsByteExactThroughANewSession() async throws {
        try await CLIHarness.with(EmulatorConfiguration(rangeDelay: .milliseconds(100))) { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("revoked.bin", size: Self.size, seed: 2101)
            let running = try await harness.launchUpload(file.path, to: item, until: 3 * 327_680)
            try await Self.revokeTheSession(harness)
            let result = try await running.finish(within: .seconds(120))
            #expect(result.status == 0, "\(result.stderr)")
            let line = try #require(result.jsonLines.first)
            #expect(line["status"] as? String == "attached", "\(line)")
            let id = try #require(line["attachmentId"] as? String)
            #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
            #expect(try await harness.attachments("messages", item).filter { $0["name"] as? String == "revoked.bin" }.count == 1)
            let stats = try await harness.stats()
            #expect(stats["revokedSessions"] == 1)
            #expect(stats["createSessionRequests"] == 2, "\(stats)")
            // The new session was sent the whole file: the old one's bytes were not assumed held.
            let putBytes = try #require(stats["putBytes"])
            #expect(putBytes >= Self.size + 3 * 327_680, "\(stats)")
            #expect(try await harness.attache("status", ["--json"]).stdout.isEmpty)
        }
    }

    /// After a restart: the journal's session now answers 401, so the resume looks for the
    /// attachment, finds none, and starts a new session from byte 0, byte-exact.
    @Test func aResumeWhoseSessionAnswers401StartsANewOneFromByteZero() async throws {
        try await CLIHarness.with(EmulatorConfiguration(rangeDelay: .milliseconds(100))) { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("restarted.bin", size: Self.size, seed: 2102)
            let running = try await harness.launchUpload(file.path, to: item, until: 3 * 327_680)
            running.signal(SIGKILL)
            _ = try await running.finish()
            try await Self.revokeTheSession(harness)
            let resumed = try await harness.attache("resume", ["--json"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let line = try #require(resumed.jsonLines.first)
            #expect(line["status"] as? String == "attached", "\(line)")
            let id = try #require(line["attachmentId"] as? String)
            #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
            let stats = try await harness.stats()
            #expect(stats["createSessionRequests"] == 2, "\(stats)")
            #expect(try #require(stats["putBytes"]) >= Self.size + 3 * 327_680, "\(stats)")
            #expect(try await harness.attache("status", ["--json"]).stdout.isEmpty)
        }
    }
}
