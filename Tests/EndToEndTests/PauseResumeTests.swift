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
                let size = 5 * 1024 * 1024
                let (service, id, file, item) = try await Self.upload("paused.bin", size: size, seed: 77, harness: harness, graph: graph)
                try await Self.waitFor(service, id, "two ranges confirmed") { $0.confirmedBytes >= 2 * 327_680 }
                #expect(await service.pause(id))
                let paused = try await Self.waitFor(service, id, "the pause") { $0.phase == .paused }
                #expect(paused.stopping == nil)
                #expect(await service.pause(id) == false)
                // The session is kept; nothing more goes while paused.
                let sessions = try await harness.openSessions()
                #expect(sessions.count == 1)
                let received = try #require(sessions.first?["received"] as? Int)
                #expect(received < size)
                // Its run has ended (it reads interrupted only then): nothing is left to send.
                let sentBefore = try #require(try await harness.stats()["putBytes"])
                // Cleared with the finished ones? No: a paused transfer waits.
                #expect(await service.clearFinished() == 0)
                #expect(await service.resume(id))
                let done = try await Self.waitFor(service, id, "the attachment") { $0.phase.isTerminal }
                guard case .attached(let info) = done.phase else {
                    Issue.record("not attached: \(done.phase)")
                    return
                }
                #expect(done.stopping == nil)
                let sentAfter = try #require(try await harness.stats()["putBytes"])
                #expect(sentAfter - sentBefore == size - received)
                #expect(try await harness.valueDigest("messages", item.reference.id, info.id).sha256 == file.sha256)
                #expect(try await harness.openSessions().isEmpty)
                #expect(await service.clearFinished() == 1)
                #expect(await service.queue.snapshots.isEmpty)
            }
        }
    }

    /// Starts uploading a new file of `size` bytes (ranges of 320 KiB) to the demo draft,
    /// through a transfer service of its own.
    static func upload(
        _ name: String, size: Int, seed: UInt64, harness: CLIHarness, graph: GraphClient
    ) async throws -> (service: TransferService, id: TransferID, file: (path: String, sha256: String), item: OutlookItem) {
        let item = try await WorkflowClientTests.item(graph, .message, "Quarterly report — Q3 figures")
        let file = try harness.makeFile(name, size: size, seed: seed)
        let service = TransferService(
            graph: graph, journal: try TransferJournal(inMemoryWith: Logger(label: "test")), graphBase: graph.baseURL, logger: Logger(label: "test"))
        let job = try UploadJob(file: try LocalFile.inspect(file.path), item: item.reference, rangeLength: 327_680)
        return (service, await service.upload(job), file, item)
    }

    /// Follows the service's events until `condition` holds for transfer `id`; the events
    /// start with each transfer's state, so nothing that already happened is missed.
    @discardableResult
    static func waitFor(
        _ service: TransferService, _ id: TransferID, _ what: String, _ condition: (TransferSnapshot) -> Bool
    ) async throws -> TransferSnapshot {
        var last: TransferSnapshot?
        for await event in await service.events() {
            guard case .changed(let snapshot) = event, snapshot.id == id else { continue }
            if condition(snapshot) { return snapshot }
            last = snapshot
            if snapshot.phase.isFinished { break }
        }
        Issue.record("ended before \(what): \(String(describing: last?.phase))")
        throw CancellationError()
    }
}

@Suite("A cancel while the session is being made")
struct CancelDuringSessionCreationTests {
    /// A cancel that comes while the file is being opened ends the transfer cancelled, not
    /// failed as if the file could not be read.
    @Test func aCancelAtTheVeryStartIsACancel() async throws {
        try await CLIHarness.with { harness in
            try await WorkflowClientTests.withClient(harness) { graph in
                let (service, id, _, _) = try await PauseResumeTests.upload("early.bin", size: 4 * 1024 * 1024, seed: 79, harness: harness, graph: graph)
                await service.queue.cancel(id, grace: .zero)
                let ended = try await PauseResumeTests.waitFor(service, id, "the cancel") { $0.phase.isTerminal }
                #expect(ended.phase == .cancelled)
                #expect(try await harness.openSessions().isEmpty)
            }
        }
    }

    /// The server makes the session but is slow to say so; the transfer is cancelled at once
    /// (no grace). The reply is still waited for, the session journaled, and then deleted:
    /// none is left behind on the server.
    @Test func theSessionMadeMeanwhileIsDeleted() async throws {
        var configuration = EmulatorConfiguration()
        configuration.sessionReplyDelay = .milliseconds(800)
        try await CLIHarness.with(configuration) { harness in
            try await WorkflowClientTests.withClient(harness) { graph in
                let (service, id, _, _) = try await PauseResumeTests.upload("late.bin", size: 4 * 1024 * 1024, seed: 78, harness: harness, graph: graph)
                // Once the server has the request (and is making the session), cancel with no grace.
                #expect(try await Eventually.until { try await harness.stats()["createSessionRequests"] ?? 0 > 0 })
                await service.queue.cancel(id, grace: .zero)
                let ended = try await PauseResumeTests.waitFor(service, id, "the cancel") { $0.phase.isTerminal }
                #expect(ended.phase == .cancelled)
                #expect(try await harness.openSessions().isEmpty)
                let stats = try await harness.stats()
                #expect(stats["deletedSessions"] == 1, "\(stats)")
                #expect(try await harness.stats()["putBytes"] ?? 0 == 0)
            }
        }
    }
}
