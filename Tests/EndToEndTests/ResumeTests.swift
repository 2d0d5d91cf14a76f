import Foundation
import GraphEmulator
import Testing

/// Stopping an upload midway (Ctrl-C, SIGTERM, or a kill -9) and finishing it with
/// `attache resume`: the server's `NextExpectedRanges` decide what is sent again.
@Suite("Interrupt, resume, cancel")
struct ResumeTests {
    static let size = 100 * 1024 * 1024
    static let chunk = 327_680

    func resumeAndCheck(_ harness: CLIHarness, file: (path: String, sha256: String), item: String) async throws {
        let status = try await harness.attache("status", ["--json"])
        let row = try #require(status.jsonLines.first)
        #expect(status.jsonLines.count == 1)
        #expect(row["hasSession"] as? Bool == true)
        let confirmedBefore = try #require(row["confirmedBytes"] as? Int)
        let heldBefore = try #require(try await harness.openSessions().first?["received"] as? Int)
        #expect(confirmedBefore <= heldBefore)
        let sentBefore = try await harness.stats()["putBytes"] ?? 0

        let resumed = try await harness.attache("resume", ["--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let line = try #require(resumed.jsonLines.first)
        #expect(line["status"] as? String == "attached")
        #expect(line["transfer"] as? String == row["transfer"] as? String)
        let digest = try await harness.valueDigest("messages", item, try #require(line["attachmentId"] as? String))
        #expect(digest.sha256 == file.sha256)
        // Only what the server lacked went again: the total is the file plus at most one range.
        let sent = try await harness.stats()["putBytes"] ?? 0
        #expect(sent - sentBefore == Self.size - heldBefore)
        #expect(sent <= Self.size + Self.chunk)
        #expect(try await harness.attachments("messages", item).count == 1)
        #expect(try await harness.openSessions().isEmpty)
        #expect(try await harness.attache("status", ["--json"]).stdout.isEmpty)
    }

    @Test("Ctrl-C keeps the session; resume finishes it", arguments: [SIGINT, SIGTERM])
    func interruptThenResume(signal: Int32) async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("large.bin", size: Self.size, seed: 11)
            let running = try await harness.launchUpload(file.path, to: item, until: 10 * 1024 * 1024)
            running.signal(signal)
            let stopped = try await running.finish()
            #expect(stopped.status == 130, "\(stopped.stderr)")
            #expect(stopped.stderr.contains("attache: interrupted 'large.bin' at "))
            #expect(stopped.stderr.contains("`attache resume t"))
            #expect(stopped.jsonLines.first?["status"] as? String == "interrupted")
            #expect(try await harness.openSessions().count == 1)
            try await resumeAndCheck(harness, file: file, item: item)
        }
    }

    @Test func killNineThenResume() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("large.bin", size: Self.size, seed: 12)
            let running = try await harness.launchUpload(file.path, to: item, until: 20 * 1024 * 1024)
            running.signal(SIGKILL)
            _ = try await running.finish()
            let status = try await harness.attache("status", ["--json"])
            #expect(status.jsonLines.first?["state"] as? String == "uploading")
            try await resumeAndCheck(harness, file: file, item: item)
        }
    }

    @Test func cancelDeletesTheSessionOfAnInterruptedUpload() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("large.bin", size: Self.size, seed: 13)
            let running = try await harness.launchUpload(file.path, to: item, until: 5 * 1024 * 1024)
            running.signal(SIGINT)
            _ = try await running.finish()
            #expect(try await harness.openSessions().count == 1)
            let cancelled = try await harness.attache("cancel", ["--all"])
            #expect(cancelled.status == 0, "\(cancelled.stderr)")
            #expect(cancelled.stdout.contains("('large.bin' → message "))
            #expect(cancelled.stdout.contains("session deleted"))
            #expect(try await harness.openSessions().isEmpty)
            #expect(try await harness.stats()["deletedSessions"] == 1)
            let status = try await harness.attache("status", ["--all", "--json"])
            #expect(status.jsonLines.first?["state"] as? String == "cancelled")
            #expect(try await harness.attache("resume", []).stderr.contains("nothing to resume"))
            #expect(try await harness.attachments("messages", item).isEmpty)
        }
    }

    @Test func aFileChangedSinceIsNotResumed() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("large.bin", size: Self.size, seed: 14)
            let running = try await harness.launchUpload(file.path, to: item, until: 5 * 1024 * 1024)
            running.signal(SIGINT)
            _ = try await running.finish()
            _ = try harness.makeFile("large.bin", size: Self.size, seed: 15)
            let resumed = try await harness.attache("resume", ["--json"])
            #expect(resumed.status == 6, "a file that cannot be attached: README's exit code 6")
            #expect(resumed.stderr.contains("could not attach 'large.bin'"))
            #expect(resumed.stderr.contains("the file changed since its upload began"))
            #expect((resumed.jsonLines.first?["error"] as? [String: Any])?["kind"] as? String == "fileChanged")
            #expect(try await harness.attachments("messages", item).isEmpty)
            #expect(try await harness.openSessions().isEmpty)
        }
    }

    /// An upload running in one process is not resumed by another: two runs on one session
    /// would send every range twice.
    @Test func aRunningUploadIsLeftToItsOwnProcess() async throws {
        try await CLIHarness.with(EmulatorConfiguration(rangeDelay: .milliseconds(50))) { harness in
            let item = try await harness.firstItem("messages")
            let size = 40 * 1024 * 1024
            let file = try harness.makeFile("shared.bin", size: size, seed: 16)
            let running = try await harness.launchUpload(file.path, to: item, until: 1024 * 1024)
            let pid = Int(running.process.processIdentifier)

            let status = try await harness.attache("status", ["--json"])
            let row = try #require(status.jsonLines.first)
            let transfer = try #require(row["transfer"] as? String)
            #expect(row["running"] as? Bool == true)
            #expect(row["pid"] as? Int == pid)
            let table = try await harness.attache("status", [])
            #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix(transfer) && $0.contains("running") && $0.contains("(another attache (pid \(pid)))") })

            for arguments in [[], [transfer]] {
                let resumed = try await harness.attache("resume", arguments)
                #expect(resumed.status == 0, "\(resumed.stderr)")
                #expect(resumed.stderr.contains("attache: warning: skipping \(transfer) ('shared.bin'): another attache (pid \(pid)) is uploading it right now"))
            }
            #expect(running.process.isRunning, "the upload should still be running; make the link slower")

            let finished = try await running.finish()
            #expect(finished.status == 0, "\(finished.stderr)")
            let attachmentID = try #require(finished.jsonLines.first?["attachmentId"] as? String)
            #expect(try await harness.valueDigest("messages", item, attachmentID).sha256 == file.sha256)
            #expect(try await harness.stats()["putBytes"] == size)
            #expect(try await harness.attachments("messages", item).count == 1)
            let after = try await harness.attache("status", ["--all", "--json"])
            #expect(after.jsonLines.first?["state"] as? String == "done")
            #expect(after.jsonLines.first?["running"] as? Bool == false)
            #expect(try FileManager.default.contentsOfDirectory(atPath: harness.stateDirectory + "/claims").isEmpty)
        }
    }
}
