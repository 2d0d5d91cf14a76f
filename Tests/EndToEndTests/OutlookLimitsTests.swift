import Foundation
import GraphEmulator
import Testing

/// attache against an emulator that keeps Outlook's limits: it stays within them.
@Suite("Keeping to Outlook's limits")
struct OutlookLimitsTests {
    static let mib = 1024 * 1024

    /// `--parallel` counts files; the requests to one mailbox stay at 4.
    @Test func eightFilesAtParallelEightKeepFourRequestsInFlight() async throws {
        var configuration = EmulatorConfiguration(rangeDelay: .milliseconds(150))
        configuration.limits = .outlook
        try await CLIHarness.with(configuration) { harness in
            let item = try await harness.firstItem("messages")
            let files = try (1...8).map { try harness.makeFile("eight\($0).bin", size: 4 * Self.mib + $0, seed: UInt64(300 + $0)) }
            let result = try await harness.attache(
                "upload", files.map(\.path) + ["--message", item, "--parallel", "8", "--chunk-size", "1310720", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.jsonLines.filter { $0["status"] as? String == "attached" }.count == 8)
            let stats = try await harness.json(harness.emulator.origin + "/_emulator/stats")
            #expect((stats["throttled"] as? [String: Int]) == [:], "\(stats)")
            #expect((stats["peakInFlight"] as? Int).map { (1...4).contains($0) } == true, "\(stats)")
            for file in files {
                let attached = try await harness.attachments("messages", item)
                let id = try #require(attached.first { $0["name"] as? String == (file.path as NSString).lastPathComponent }?["id"] as? String)
                #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
            }
        }
    }

    static let budget = 30_000_000
    static func budgetConfiguration() -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration()
        configuration.limits = OutlookLimits(concurrentRequests: 4, uploadBytes: .init(Int64(budget), per: .seconds(20)))
        return configuration
    }

    /// Told the budget on the command line, attache paces from the first byte: no 429,
    /// nothing sent twice, and the waits said on stderr. (How long it takes, against what
    /// the budget allows, is `PacingClockTests`', on a clock that counts waits.)
    @Test func toldTheBudgetItIsNeverRefused() async throws {
        try await CLIHarness.with(Self.budgetConfiguration()) { harness in
            let item = try await harness.firstItem("messages")
            let files = try (1...4).map { try harness.makeFile("paced\($0).bin", size: 20_000_000, seed: UInt64(310 + $0)) }
            let result = try await harness.attache(
                "upload", files.map(\.path) + ["--message", item, "--upload-budget", "30000000/20s", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let stats = try await harness.json(harness.emulator.origin + "/_emulator/stats")
            #expect((stats["throttled"] as? [String: Int]) == [:], "\(stats)")
            #expect(stats["putBytes"] as? Int == 80_000_000, "a byte was sent twice: \(stats)")
            // Without a terminal, a wait of 10 s or more is said on stderr, as the screen says it.
            #expect(result.stderr.contains("waiting for Outlook's upload budget · "), "\(result.stderr)")
            for file in files {
                let attached = try await harness.attachments("messages", item)
                let id = try #require(attached.first { $0["name"] as? String == (file.path as NSString).lastPathComponent }?["id"] as? String)
                #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
            }
        }
    }

    /// Not told, and told nothing by the 429s (they name no budget, as Outlook's do not),
    /// attache learns only from `Retry-After` and the bytes it saw accepted: the first
    /// refusals hold every transfer to the mailbox back, and what follows keeps to what was
    /// learnt. At most one 429 per file under way, no range taken twice, every file exact.
    @Test func notToldItLearnsFromRetryAfterAndWhatItSawAccepted() async throws {
        try await CLIHarness.with(Self.budgetConfiguration()) { harness in
            let item = try await harness.firstItem("messages")
            let files = try (1...4).map { try harness.makeFile("learnt\($0).bin", size: 20_000_000, seed: UInt64(320 + $0)) }
            let result = try await harness.attache("upload", files.map(\.path) + ["--message", item, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.jsonLines.filter { $0["status"] as? String == "attached" }.count == 4)
            let stats = try await harness.json(harness.emulator.origin + "/_emulator/stats")
            let refusals = (stats["throttled"] as? [String: Int])?["MailboxUpload"] ?? 0
            #expect((1...4).contains(refusals), "\(stats)")
            // 6 ranges a file (5 of 3.75 MiB and the rest), each taken once.
            #expect(stats["putRequests"] as? Int == 24, "\(stats)")
            #expect(stats["putBytes"] as? Int == 80_000_000, "a byte was sent twice: \(stats)")
            #expect(stats["openSessions"] as? Int == 0)
            for file in files {
                let attached = try await harness.attachments("messages", item)
                let id = try #require(attached.first { $0["name"] as? String == (file.path as NSString).lastPathComponent }?["id"] as? String)
                #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
            }
        }
    }
}
