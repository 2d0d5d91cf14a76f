import Clocks
import Foundation
import GraphEmulator
import Logging
import Testing

@testable import AttacheCore

/// Pacing told a budget, with the transfer service and the emulator in this process on one
/// manual clock, moved on to the next moment anyone waits for whenever every transfer under
/// way is waiting on it: the time the budget costs is counted, not waited, so the bound holds
/// on any machine and the test takes as long as the bytes take on loopback.
@Suite("Pacing on the emulator's clock")
struct PacingClockTests {
    static let logger = Logger(label: "test.pacing")

    /// 80 MB under 30 MB per 20 s: nothing is refused, nothing sent twice, and the last
    /// bytes go after 40 s of the clock (the budget allows no sooner) and within 1.25 × that.
    @Test func toldTheBudgetItKeepsToItWithinTheTimeItAllows() async throws {
        let time = ManualClock()
        var configuration = OutlookLimitsTests.budgetConfiguration()
        configuration.clock = time.clock
        try await CLIHarness.with(configuration) { harness in
            let item = ItemReference(kind: .message, id: try await harness.firstItem("messages"))
            let files = try (1...4).map { try harness.makeFile("paced\($0).bin", size: 20_000_000, seed: UInt64(310 + $0)) }
            let http = GraphClient.makeHTTPClient()
            let budget = UploadBudget(bytes: Int64(OutlookLimitsTests.budget), window: .seconds(20))
            // Stalls stay on the real clock: they watch real bytes.
            let graph = GraphClient(
                baseURL: harness.emulator.graphBaseURL, http: http, credentials: StaticAccessToken(CLIHarness.token), logger: Self.logger,
                pacer: UploadPacer(budget: budget, clock: time.clock))
            let service = TransferService(
                graph: graph, journal: try TransferJournal(inMemoryWith: Self.logger), graphBase: graph.baseURL, concurrency: 4,
                clock: time.clock, logger: Self.logger)
            let events = await service.events()
            let started = time.now
            // Time moves only while nothing but the clock holds a transfer back: no bytes are
            // in flight when it does, as on a real clock where a range takes milliseconds.
            let driver = Task {
                while !Task.isCancelled {
                    let active = await service.queue.snapshots.filter { !$0.phase.isTerminal }.count
                    if active > 0, time.sleeperCount >= active, let next = time.nextDeadline {
                        time.advance(to: next)
                    } else {
                        await Task.yield()
                    }
                }
            }
            var ids: Set<TransferID> = []
            for file in files {
                ids.insert(await service.upload(try UploadJob(file: try LocalFile.inspect(file.path), item: item)))
            }
            var ended: [TransferID: TransferSnapshot] = [:]
            for await event in events {
                guard case .changed(let snapshot) = event, ids.contains(snapshot.id), snapshot.phase.isTerminal else { continue }
                ended[snapshot.id] = snapshot
                if ended.count == ids.count { break }
            }
            driver.cancel()
            let took = started.duration(to: time.now)
            try await http.shutdown()
            #expect(ended.values.allSatisfy { if case .attached = $0.phase { true } else { false } }, "\(ended.values.map(\.phase))")
            #expect(took >= .seconds(40) && took <= .seconds(50), "took \(took) of the clock")
            let stats = try await harness.json(harness.emulator.origin + "/_emulator/stats")
            #expect((stats["throttled"] as? [String: Int]) == [:], "\(stats)")
            #expect(stats["putBytes"] as? Int == 80_000_000, "a byte was sent twice: \(stats)")
            for file in files {
                let attached = try await harness.attachments("messages", item.id)
                let id = try #require(attached.first { $0["name"] as? String == (file.path as NSString).lastPathComponent }?["id"] as? String)
                #expect(try await harness.valueDigest("messages", item.id, id).sha256 == file.sha256)
            }
        }
    }
}
