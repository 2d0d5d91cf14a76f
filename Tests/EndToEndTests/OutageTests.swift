import Clocks
import Foundation
import GraphEmulator
import Logging
import Testing

@testable import AttacheCore

/// A network outage ridden out with no action: the emulator stops mid-upload and starts again
/// on the same ports and the same store two minutes later. The transfer service runs in this
/// process on a manual clock, moved to the next moment it waits for whenever the transfer
/// waits on it, so the two minutes are counted, not waited.
@Suite("Riding out an outage")
struct OutageTests {
    static let logger = Logger(label: "test.outage")

    /// The emulator back on the ports and the store it had before it stopped.
    static func restart(_ stopped: RunningEmulator, _ configuration: EmulatorConfiguration) async throws -> RunningEmulator {
        var again = configuration
        (again.port, again.uploadPort, again.identity.port) = (stopped.port, stopped.uploadPort, stopped.identityPort)
        var logger = Logger(label: "test.emulator")
        logger.logLevel = .critical
        return try await GraphEmulator.start(again, logger: logger)
    }

    @Test func aTwoMinuteOutageEndsByteExactWithNoAction() async throws {
        let time = ManualClock()
        let data = NSTemporaryDirectory() + "attache-outage-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: data) }
        var configuration = EmulatorConfiguration(dataDirectory: data)
        configuration.limits = OutlookLimits()
        try await CLIHarness.with(configuration) { first in
            let item = ItemReference(kind: .message, id: try await first.firstItem("messages"))
            let file = try first.makeFile("outage.bin", size: 20_000_000, seed: 77)
            let http = GraphClient.makeHTTPClient()
            let graph = GraphClient(
                baseURL: first.emulator.graphBaseURL, http: http, credentials: StaticAccessToken(CLIHarness.token), logger: Self.logger,
                pacer: UploadPacer(clock: time.clock))
            let service = TransferService(
                graph: graph, journal: try TransferJournal(inMemoryWith: Self.logger), graphBase: graph.baseURL, clock: time.clock, logger: Self.logger)
            let events = await service.events()
            let id = await service.upload(try UploadJob(file: try LocalFile.inspect(file.path), item: item))

            // Stopped once the server holds a first range, as a Wi-Fi drop would.
            var seen: [TransferSnapshot] = []
            var iterator = events.makeAsyncIterator()
            while let event = await iterator.next() {
                guard case .changed(let snapshot) = event, snapshot.id == id else { continue }
                seen.append(snapshot)
                if snapshot.confirmedBytes > 0 || snapshot.phase.isTerminal { break }
            }
            await first.emulator.stop()
            let stoppedAt = time.now

            // The clock moves only while the transfer waits on it; the emulator comes back
            // once two minutes of it have passed.
            var restarted: RunningEmulator?
            var offlineAtRestart = false
            var ended: TransferSnapshot?
            let mover = Task {
                while !Task.isCancelled {
                    if time.sleeperCount > 0, let next = time.nextDeadline { time.advance(to: next) } else { await Task.yield() }
                }
            }
            while ended == nil, let event = await iterator.next() {
                guard case .changed(let snapshot) = event, snapshot.id == id else { continue }
                seen.append(snapshot)
                if snapshot.phase.isTerminal { ended = snapshot }
                if restarted == nil, stoppedAt.duration(to: time.now) >= .seconds(120) {
                    offlineAtRestart = snapshot.offlineSince != nil
                    restarted = try await Self.restart(first.emulator, configuration)
                }
            }
            mover.cancel()
            try await http.shutdown()
            let second = try #require(restarted, "the transfer ended before the server came back: \(String(describing: ended?.phase))")
            let harness = CLIHarness(emulator: second, stateDirectory: first.stateDirectory, workDirectory: first.workDirectory, graphBase: second.graphBaseURL)
            let attached: [[String: Any]]
            let digest: String?
            if case .attached(let info) = ended?.phase {
                digest = try? await harness.valueDigest("messages", item.id, info.id).sha256
            } else {
                digest = nil
            }
            attached = (try? await harness.attachments("messages", item.id)) ?? []
            await second.stop()

            guard case .attached = ended?.phase else {
                Issue.record("the transfer did not ride the outage out: \(String(describing: ended?.phase))")
                return
            }
            #expect(offlineAtRestart, "the transfer did not say it was offline")
            #expect(seen.contains { $0.offlineSince != nil && $0.lastRetryReason != nil })
            #expect((ended?.retries ?? 0) >= 5, "two minutes should take several tries")
            #expect(digest == file.sha256)
            #expect(attached.filter { $0["name"] as? String == "outage.bin" }.count == 1)
        }
    }

    /// The CLI says so on stderr: once when the server stops answering, and once when it
    /// answers again; the upload then ends byte-exact, exit 0, with no `resume` by hand.
    @Test func theCLISaysItIsOfflineAndWhenTheServerIsBack() async throws {
        let data = NSTemporaryDirectory() + "attache-outage-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: data) }
        var configuration = EmulatorConfiguration(dataDirectory: data)
        configuration.limits = OutlookLimits()
        try await CLIHarness.with(configuration) { first in
            let item = try await first.firstItem("messages")
            let file = try first.makeFile("offline.bin", size: 20_000_000, seed: 78)
            // The config's outage_tolerance reaches the transfer, and its line says so.
            let config = first.workDirectory + "/config.toml"
            try "[defaults]\noutage_tolerance = 120\n".write(toFile: config, atomically: false, encoding: .utf8)
            let running = try await first.launchUpload(file.path, to: item, until: 1_000_000, extra: ["--config", config])
            await first.emulator.stop()
            let said = try await running.waitForStderr { $0.contains("offline") }
            let second = try await Self.restart(first.emulator, configuration)
            let result = try await running.finish(within: .seconds(120))
            let harness = CLIHarness(emulator: second, stateDirectory: first.stateDirectory, workDirectory: first.workDirectory, graphBase: second.graphBaseURL)
            let attached = (try? await harness.attachments("messages", item)) ?? []
            let id = attached.first { $0["name"] as? String == "offline.bin" }?["id"] as? String
            var digest: String?
            if let id { digest = try? await harness.valueDigest("messages", item, id).sha256 }
            await second.stop()

            #expect(said, "\(result.stderr)")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("'offline.bin': offline,"), "\(result.stderr)")
            #expect(result.stderr.contains("attache keeps trying for up to 2 min with no action from you"), "\(result.stderr)")
            #expect(result.stderr.contains("'offline.bin': the server answers again after"), "\(result.stderr)")
            #expect(attached.filter { $0["name"] as? String == "offline.bin" }.count == 1)
            #expect(digest == file.sha256)
        }
    }
}

/// The upload host learnt from a mailbox's last session: the next upload opens its
/// connection while `createUploadSession` is on its way (a `HEAD` of its root, no
/// credentials); the journal keeps the origin alone.
@Suite("The upload host, ahead of the session")
struct UploadHostWarmUpTests {
    @Test func theSecondUploadWarmsTheUploadHostUpBeforeItsSession() async throws {
        try await CLIHarness.withHostileProxy(rule: { _ in .forward }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let first = try harness.makeFile("first.bin", size: 5_000_000, seed: 81)
            let second = try harness.makeFile("second.bin", size: 5_000_000, seed: 82)
            #expect(try await harness.attache("upload", [first.path, "--message", item]).status == 0)
            let before = proxy.exchanges.count
            #expect(!proxy.exchanges.contains { $0.method == "HEAD" }, "no host was known yet")
            #expect(try await harness.attache("upload", [second.path, "--message", item]).status == 0)
            let later = proxy.exchanges.dropFirst(before)
            let warm = try #require(later.first { $0.method == "HEAD" }, "\(later.map { "\($0.method) \($0.target)" })")
            #expect(warm.target == "/")
            let firstPut = try #require(later.first { $0.method == "PUT" })
            #expect(warm.index < firstPut.index)
        }
    }
}
