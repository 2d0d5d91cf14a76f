import AsyncHTTPClient
import AttacheCore
import AttacheTUI
import Foundation
import GraphEmulator
import Logging
import NIOCore
import Testing

/// The real screen loop (``TUIApplication``) on a ``TestBackend``, against a Graph emulator
/// in this process over loopback, with the core's own client, journal and transfer service.
/// The picker opens in a temporary folder of the test's files.
@MainActor
final class LoopHarness {
    static let mib = 1024 * 1024
    /// Ranges of 320 KiB, so a few MiB make a bar with many steps.
    static let rangeLength: Int64 = 327_680
    /// Each range answered after 100 ms: a 20 MiB upload takes seconds.
    static var slowLink: EmulatorConfiguration { EmulatorConfiguration(rangeDelay: .milliseconds(100)) }

    let emulator: RunningEmulator
    let http: HTTPClient
    let graph: GraphClient
    let backend: TestBackend
    let app: TUIApplication
    /// Where the picker opens.
    let directory: String
    private var finished = false

    /// The seed's demo user, as the title bar shows it.
    static let account = "\(EmulatorConfiguration.demoUser) · test emulator"

    private init(emulator: RunningEmulator, width: Int, height: Int, listLimit: Int) throws {
        var logger = Logger(label: "test.tui-loop")
        logger.logLevel = .critical
        self.emulator = emulator
        http = GraphClient.makeHTTPClient()
        graph = GraphClient(
            baseURL: emulator.graphBaseURL, http: http, credentials: StaticAccessToken(EmulatorConfiguration.developerToken), logger: logger)
        let transfers = TransferService(graph: graph, journal: try TransferJournal(inMemoryWith: logger), graphBase: emulator.graphBaseURL, logger: logger)
        directory = NSTemporaryDirectory() + "attache-loop-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        backend = TestBackend(width: width, height: height)
        app = TUIApplication(
            services: .init(graph: graph, transfers: transfers, rangeLength: Self.rangeLength, listLimit: listLimit, logger: logger), backend: backend,
            account: Self.account, startDirectory: directory, catchesSignals: false)
    }

    /// Runs `body` with a started app, then finishes it (if the test did not), shuts the
    /// client down, stops the emulator and removes the folder, whatever happened.
    static func with(
        _ configuration: EmulatorConfiguration = EmulatorConfiguration(), width: Int = 120, height: Int = 40, start: Bool = true, listLimit: Int = 500,
        _ body: (LoopHarness) async throws -> Void
    ) async throws {
        var logger = Logger(label: "test.emulator")
        logger.logLevel = .critical
        let emulator = try await GraphEmulator.start(configuration, logger: logger)
        let harness: LoopHarness
        do {
            harness = try LoopHarness(emulator: emulator, width: width, height: height, listLimit: listLimit)
        } catch {
            await emulator.stop()
            throw error
        }
        var failure: (any Error)?
        do {
            if start { try harness.app.start() }
            try await body(harness)
        } catch {
            failure = error
        }
        if start { _ = await harness.finish() }
        try? await harness.http.shutdown()
        await emulator.stop()
        try? FileManager.default.removeItem(atPath: harness.directory)
        if let failure { throw failure }
    }

    /// Ends the app as the loop's end does (once); returns the unfinished uploads.
    func finish() async -> Int {
        guard !finished else { return 0 }
        finished = true
        return await app.finish()
    }

    // MARK: The loop

    /// A condition that did not come true in time; shows the screen as it was.
    struct Timeout: Error, CustomStringConvertible {
        var what: String
        var screen: String
        var description: String { "timed out waiting for \(what); the screen:\n\(screen)" }
    }

    /// Turns the real loop until `condition` holds for the terminal's screen, then checks that
    /// the screen is the frame the app last rendered: the diffs drawn added up to it.
    @discardableResult
    func waitFor(
        _ what: String, timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation, _ condition: (ScreenBuffer) -> Bool
    ) throws -> ScreenBuffer {
        let backend = self.backend
        guard app.run(until: { condition(backend.screen) }, timeout: timeout) else {
            throw Timeout(what: what, screen: backend.screen.text)
        }
        #expect(backend.screen == app.frame, "the diffs drawn do not add up to the frame rendered", sourceLocation: sourceLocation)
        return backend.screen
    }

    /// Until the demo mailbox is in: both tabs counted, the first message listed.
    func waitForMailbox() throws {
        try waitFor("the demo mailbox") { screen in
            screen.line(0).contains("Messages 5") && screen.line(0).contains("Events 4") && screen.contains("Quarterly report — Q3 figures")
        }
    }

    // MARK: Files and the emulator

    /// Writes `size` deterministic bytes to `name` in the picker's folder.
    @discardableResult
    func makeFile(_ name: String, size: Int, seed: UInt32) throws -> Data {
        var data = Data(count: size)
        data.withUnsafeMutableBytes { raw in
            var state = seed | 1
            for index in raw.indices {
                state ^= state << 13
                state ^= state >> 17
                state ^= state << 5
                raw[index] = UInt8(truncatingIfNeeded: state)
            }
        }
        try data.write(to: URL(fileURLWithPath: directory + "/" + name))
        return data
    }

    /// The demo message with this subject.
    func message(_ subject: String) async throws -> OutlookItem {
        try #require(try await graph.items(.message).first { $0.subject == subject })
    }

    /// The raw bytes of an attachment, as `$value` returns them.
    func value(of attachmentID: String, on item: OutlookItem) async throws -> Data {
        let path = "/me/messages/\(Self.escape(item.id))/attachments/\(Self.escape(attachmentID))/$value"
        return try await get(emulator.graphBaseURL + path)
    }

    /// The upload sessions still open on the emulator.
    func openSessions() async throws -> [[String: Any]] {
        let json = try JSONSerialization.jsonObject(with: try await get(emulator.origin + "/_emulator/sessions")) as? [String: Any]
        return try #require(json?["value"] as? [[String: Any]])
    }

    /// The emulator's counters (`deletedSessions`, `putBytes`, …).
    func stats() async throws -> [String: Int] {
        let json = try JSONSerialization.jsonObject(with: try await get(emulator.origin + "/_emulator/stats")) as? [String: Any]
        return (json ?? [:]).compactMapValues { $0 as? Int }
    }

    private func get(_ url: String) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(EmulatorConfiguration.developerToken)")
        let response = try await http.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 * Self.mib)
        try #require(response.status.code == 200, "GET \(url): \(response.status)")
        return Data(body.readableBytesView)
    }

    private static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~=")) ?? segment
    }
}

/// A failed expectation shows a screen as its text, not as a dump of its cells.
extension ScreenBuffer: CustomTestStringConvertible {
    public var testDescription: String { "\n" + text }
}

extension ScreenBuffer {
    /// Whether any row shows `text`.
    func contains(_ text: String) -> Bool {
        (0..<height).contains { line($0).contains(text) }
    }

    /// The first row that shows every one of `texts`.
    func row(with texts: String...) -> Int? {
        (0..<height).first { y in texts.allSatisfy { line(y).contains($0) } }
    }

    /// The role of the first cell of `text` where it first shows on a row.
    func role(of text: String) -> Role? {
        for y in 0..<height {
            let line = line(y)
            guard let range = line.range(of: text) else { continue }
            return self[DisplayWidth.of(line[..<range.lowerBound]), y].role
        }
        return nil
    }

    /// How many cells differ from `other`'s (of the same size).
    func cellsDiffering(from other: ScreenBuffer) -> Int {
        zip(cells, other.cells).filter { $0 != $1 }.count
    }
}
