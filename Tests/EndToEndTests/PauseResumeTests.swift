import AsyncHTTPClient
import Foundation
import GraphEmulator
import Logging
import Testing

@testable import AttacheCore

/// `p` in the screen: a transfer paused keeps its session and, resumed, sends only what the
/// server had not confirmed.
@Suite("Pause and resume")
struct PauseResumeTests {
    /// A paused transfer keeps its session; resumed, it sends only what the server had not
    /// confirmed, and lands byte-exact.
    @Test func aPausedTransferResumesWithoutSendingConfirmedBytesAgain() async throws {
        try await CLIHarness.with(EmulatorConfiguration(rangeDelay: .milliseconds(60))) { harness in
            try await WorkflowClientTests.withClient(harness) { graph in
                let item = try await WorkflowClientTests.item(graph, .message, "Quarterly report — Q3 figures")
                let size = 5 * 1024 * 1024
                let file = try harness.makeFile("paused.bin", size: size, seed: 77)
                let service = TransferService(
                    graph: graph, journal: try TransferJournal(inMemoryWith: Logger(label: "test")), graphBase: graph.baseURL, logger: Logger(label: "test"))
                let job = try UploadJob(file: try LocalFile.inspect(file.path), item: item.reference, rangeLength: 327_680)
                let id = await service.upload(job)
                try await Self.waitFor(service, id, "two ranges confirmed") { $0.confirmedBytes >= 2 * 327_680 }
                #expect(await service.pause(id))
                let paused = try await Self.waitFor(service, id, "the pause") { $0.phase == .interrupted }
                #expect(paused.isPaused)
                #expect(await service.pause(id) == false)
                // The session is kept; nothing more goes while paused.
                let sessions = try await harness.openSessions()
                #expect(sessions.count == 1)
                let received = try #require(sessions.first?["received"] as? Int)
                #expect(received < size)
                let sentBefore = try #require(try await harness.stats()["putBytes"])
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await harness.stats()["putBytes"] == sentBefore)
                // Cleared with the finished ones? No: a paused transfer waits.
                #expect(await service.clearFinished() == 0)
                #expect(await service.resume(id))
                let done = try await Self.waitFor(service, id, "the attachment") { $0.phase.isTerminal }
                guard case .attached(let info) = done.phase else {
                    Issue.record("not attached: \(done.phase)")
                    return
                }
                #expect(done.isPaused == false)
                let sentAfter = try #require(try await harness.stats()["putBytes"])
                #expect(sentAfter - sentBefore == size - received)
                #expect(try await harness.valueDigest("messages", item.reference.id, info.id).sha256 == file.sha256)
                #expect(try await harness.openSessions().isEmpty)
                #expect(await service.clearFinished() == 1)
                #expect(await service.queue.snapshots.isEmpty)
            }
        }
    }

    /// Polls the queue until `condition` holds for transfer `id`.
    @discardableResult
    static func waitFor(
        _ service: TransferService, _ id: TransferID, _ what: String, timeout: Duration = .seconds(60), _ condition: (TransferSnapshot) -> Bool
    ) async throws -> TransferSnapshot {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let snapshot = await service.queue.snapshot(id), condition(snapshot) { return snapshot }
            try await Task.sleep(for: .milliseconds(5))
        }
        let last = await service.queue.snapshot(id)
        Issue.record("timed out waiting for \(what): \(String(describing: last?.phase))")
        throw CancellationError()
    }
}
