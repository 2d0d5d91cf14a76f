import Foundation
import GraphEmulator
import Testing

/// Bad input gets one clear line naming the file and the item, a non-zero exit, and leaves
/// nothing half-made on the server.
@Suite("Bad input")
struct BadInputTests {
    /// One `attache: error:` line, and nothing on the item.
    func expectCleanRefusal(_ result: CLIHarness.Result, code: Int32, mentioning words: [String], harness: CLIHarness, item: String, sentNothing: Bool = true) async throws {
        #expect(result.status == code, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines { #expect(line.hasPrefix("attache: error: "), "\(line)") }
        for word in words { #expect(result.stderr.contains(word), "\(result.stderr) lacks \(word)") }
        #expect(result.stdout.isEmpty)
        #expect(try await harness.attachments("messages", item).isEmpty)
        if sentNothing {
            let stats = try await harness.stats()
            #expect(stats["postAttachmentRequests"] == 0)
            #expect(stats["createSessionRequests"] == 0)
        }
    }

    @Test func aMissingFile() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let result = try await harness.attache("upload", [harness.workDirectory + "/nope.bin", "--message", item])
            try await expectCleanRefusal(result, code: 6, mentioning: ["nope.bin': no such file", "message \(item)", "nothing was attached"], harness: harness, item: item)
        }
    }

    @Test func aDirectory() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let result = try await harness.attache("upload", [harness.workDirectory, "--message", item])
            try await expectCleanRefusal(result, code: 6, mentioning: ["is a directory", "message \(item)"], harness: harness, item: item)
        }
    }

    @Test func anUnreadableFile() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("secret.bin", size: 1000)
            chmod(file.path, 0)
            var prefix: [String] = []
            if getuid() == 0 {
                // Root reads anything: drop to nobody for this run.
                guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
                prefix = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
                // The state directory must be nobody's own: attache refuses one others can write to.
                chown(harness.stateDirectory, 65534, 65534)
                chmod((harness.workDirectory as NSString).deletingLastPathComponent, 0o755)
                chmod(harness.workDirectory, 0o755)
            }
            let result = try await CLIHarness.run(["upload"] + harness.connection + [file.path, "--message", item], prefix: prefix)
            try await expectCleanRefusal(result, code: 6, mentioning: ["secret.bin' cannot be read", "message \(item)"], harness: harness, item: item)
        }
    }

    @Test func overOneHundredFiftyMB() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let path = harness.workDirectory + "/huge.iso"
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: 150 * 1024 * 1024 + 1)
            try handle.close()
            let result = try await harness.attache("upload", [path, "--message", item])
            try await expectCleanRefusal(result, code: 6, mentioning: ["huge.iso' is 150.0 MiB (157286401 bytes)", "at most 150 MiB"], harness: harness, item: item)
        }
    }

    @Test func oneBadFileStopsTheWholeBatch() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let good = try harness.makeFile("good.bin", size: 4 * 1024 * 1024)
            let result = try await harness.attache("upload", [good.path, harness.workDirectory + "/missing.txt", "--message", item])
            try await expectCleanRefusal(result, code: 6, mentioning: ["missing.txt"], harness: harness, item: item)
        }
    }

    @Test func anUnknownItem() async throws {
        try await CLIHarness.with { harness in
            let file = try harness.makeFile("a.bin", size: 10)
            let big = try harness.makeFile("b.bin", size: 4 * 1024 * 1024)
            let result = try await harness.attache("upload", [file.path, big.path, "--event", "AAMkADdoesnotexist="])
            #expect(result.status == 3)
            // One line for the item, however many files were for it.
            #expect(result.stderr == "attache: error: event AAMkADdoesnotexist= not found; nothing was attached (list ids with `attache ls events`)\n")
            // No lookup first: each file's own first request is what finds the id wrong.
            let stats = try await harness.stats()
            #expect(stats["postAttachmentRequests"] == 1)
            #expect(stats["createSessionRequests"] == 1)
            #expect(stats["putRequests"] == 0)
        }
    }

    @Test func anUploadURLWithAWrongToken() async throws {
        try await CLIHarness.with(EmulatorConfiguration(faults: [.wrongUploadToken])) { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("big.bin", size: 5 * 1024 * 1024)
            let result = try await harness.attache("upload", [file.path, "--message", item])
            try await expectCleanRefusal(
                result, code: 1, mentioning: ["could not attach 'big.bin' to message", "refused the first range", "HTTP 401 InvalidAuthenticationToken"],
                harness: harness, item: item, sentNothing: false)
            #expect(!result.stderr.contains("authtoken="))
            #expect(!result.stderr.contains("--token"))
            #expect(try await harness.stats()["putBytes"] == 0)
        }
    }

    @Test func anExpiredUploadURL() async throws {
        try await CLIHarness.with(EmulatorConfiguration(sessionLifetime: .milliseconds(1))) { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("big.bin", size: 5 * 1024 * 1024)
            let result = try await harness.attache("upload", [file.path, "--message", item])
            try await expectCleanRefusal(
                result, code: 1, mentioning: ["could not attach 'big.bin' to message", "expired"], harness: harness, item: item, sentNothing: false)
            #expect(try await harness.openSessions().isEmpty)
        }
    }

    @Test func badFlags() async throws {
        try await CLIHarness.with { harness in
            let file = try harness.makeFile("a.bin", size: 10)
            let chunk = try await harness.attache("upload", [file.path, "--message", "M", "--chunk-size", "1000"])
            #expect(chunk.status == 64)
            #expect(chunk.stderr.contains("327680"))
            let twoTargets = try await harness.attache("upload", [file.path, "--message", "M", "--event", "E"])
            #expect(twoTargets.status == 64)
            let noToken = try await CLIHarness.run(["ls", "messages", "--graph", harness.emulator.graphBaseURL, "--state-dir", harness.stateDirectory])
            #expect(noToken.status == 64)
            #expect(noToken.stderr.contains("no token for \(harness.emulator.graphBaseURL): sign in with `attache login --graph"))
        }
    }

    @Test func aWrongTokenAndNoServer() async throws {
        try await CLIHarness.with { harness in
            let refused = try await CLIHarness.run(["ls", "messages", "--graph", harness.emulator.graphBaseURL, "--token", "wrong", "--state-dir", harness.stateDirectory])
            #expect(refused.status == 4)
            #expect(refused.stderr.hasPrefix("attache: error: could not list messages: HTTP 401 InvalidAuthenticationToken"))
            let nobody = try await CLIHarness.run(["ls", "events", "--graph", "http://127.0.0.1:9/v1.0", "--token", "t", "--state-dir", harness.stateDirectory])
            #expect(nobody.status == 5)
            #expect(nobody.stderr.contains("no reply from the server"))
            #expect(nobody.stderr.split(separator: "\n").count == 1)
        }
    }
}
