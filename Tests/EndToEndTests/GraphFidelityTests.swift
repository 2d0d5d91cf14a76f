import Foundation
import GraphEmulator
import Testing

/// The binary against an emulator that answers as each of Microsoft's clouds may, and as the
/// seed walkthrough's own accounts.
@Suite("Graph's forms, through the binary")
struct GraphFidelityTests {
    /// Whichever casing the upload host writes its keys in, attache follows it: a file of
    /// several ranges lands byte-exact, each range sent once.
    @Test(arguments: [EmulatorConfiguration.RangeKeyCase.camel, .pascal])
    func uploadsFollowEitherCasingOfTheUploadHost(_ spelling: EmulatorConfiguration.RangeKeyCase) async throws {
        var configuration = EmulatorConfiguration()
        configuration.rangeKeyCase = spelling
        try await CLIHarness.with(configuration) { harness in
            let item = try await harness.firstItem("messages")
            let size = 9 * 1024 * 1024 + 77
            let file = try harness.makeFile("cased.bin", size: size, seed: 2103)
            let result = try await harness.attache("upload", [file.path, "--message", item, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let id = try #require(result.jsonLines.first?["attachmentId"] as? String)
            #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
            let stats = try await harness.stats()
            #expect(stats["putRequests"] == (size + 3_932_159) / 3_932_160)
            #expect(stats["putBytes"] == size)
        }
    }

    /// `attache serve --fixture walkthrough` alone: the demo user's token is named in a
    /// warning as opening nothing, and the seed's own token lists its account's message.
    @Test func serveWithTheWalkthroughAloneTakesTheSeedsToken() async throws {
        let directory = NSTemporaryDirectory() + "attache-walkthrough-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try CLIHarness.launch([
            "serve", "--port", "0", "--data-dir", directory + "/data", "--state-dir", directory + "/state", "--quiet", "--fixture", "walkthrough",
        ])
        let root = await Eventually.value(timeout: .seconds(30)) { () -> String?? in
            if let line = server.stdoutSoFar.split(separator: "\n").first(where: { $0.hasPrefix("graph root: ") }) {
                return .some(line.dropFirst("graph root: ".count).split(separator: " ").first.map(String.init))
            }
            return server.process.isRunning ? nil : .some(nil)
        } ?? nil
        let state = directory + "/state"
        var listed: CLIHarness.Result?
        var refused: CLIHarness.Result?
        if let root {
            let megan = EmulatorConfiguration.walkthroughTokens[0].token
            listed = try await CLIHarness.run(["ls", "messages", "--graph", root, "--token", megan, "--state-dir", state, "--json"])
            refused = try await CLIHarness.run(["ls", "messages", "--graph", root, "--token", EmulatorConfiguration.developerToken, "--state-dir", state])
        }
        server.signal(SIGTERM)
        let stopped = try await server.finish(within: .seconds(30))
        try #require(root != nil, "serve printed no graph root: \(stopped.stderr)")
        #expect(stopped.stderr.contains(
            "attache: warning: the token for \(EmulatorConfiguration.demoUser) opens nothing: \(EmulatorConfiguration.demoUser) is not in this mailbox (fixtures: walkthrough)"),
            "\(stopped.stderr)")
        let messages = try #require(listed)
        #expect(messages.status == 0, "\(messages.stderr)")
        #expect(messages.stdout.contains("AAMkADI5MAAIT3drCAAA="), "\(messages.stdout)")
        #expect(refused?.status == 4, "\(refused?.stderr ?? "")")
    }
}
