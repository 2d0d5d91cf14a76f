import Clocks
import AsyncHTTPClient
import Foundation
import Logging
import Testing
import _NIOFileSystem

@testable import AttacheCore

/// A range is given up on when its bytes stop moving, never because it takes long.
@Suite("Slow and stalled ranges")
struct StallTimeoutTests {
    static let size = 24 * 1024 * 1024
    /// Well above the gaps between the connection's takes: with the kernel's send buffer
    /// autotuned to megabytes, the socket turns writable only after much of it drained, and
    /// a busy machine adds its own delays.
    static let stallLimit: Duration = .seconds(4)

    /// PUTs the whole file as one range to `server`, with a stall limit of ``stallLimit`` on `clock`.
    static func put(to server: SlowReadingServer, clock: AttacheClock) async throws -> RangeReply {
        let directory = NSTemporaryDirectory() + "attache-stall-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/range.bin"
        FileManager.default.createFile(atPath: path, contents: Data(count: size))
        let http = GraphClient.makeHTTPClient()
        var graph = GraphClient(
            baseURL: "http://127.0.0.1:\(server.port)/v1.0", http: http, credentials: StaticAccessToken("t"), logger: Logger(label: "test"),
            clock: clock)
        graph.stallTimeout = Self.stallLimit
        let url = UploadURL("http://127.0.0.1:\(server.port)/api/v2.0/Users('u@t')/Messages('m')/AttachmentSessions('s')?authtoken=x")
        do {
            let reply = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                try await graph.putRange(0..<Int64(size), of: handle, totalSize: Int64(2 * size), to: url, fileName: "range.bin")
            }
            try await http.shutdown()
            return reply
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// A body that keeps moving is never stalled, however long it goes on: 30 s of bytes
    /// taken every 3 s under a 4 s limit. Then 4 s without a byte is a stall.
    @Test func aSlowButMovingBodyIsNotStalledAndAStoppedOneIs() async throws {
        let time = ManualClock()
        let watch = StallWatch(limit: Self.stallLimit, clock: time.clock)
        let stall = Task { try await watch.waitForStall() }
        for _ in 0..<10 {
            #expect(await time.waitForSleepers())
            time.advance(by: .seconds(3))
            watch.moved()
        }
        #expect(await time.waitForSleepers(), "still watching after 30 s of a moving body")
        time.advance(by: .seconds(4))
        #expect(try await stall.value == .bodyStalled)
        #expect(time.now.sinceEpoch == .seconds(34))
    }

    /// Once the body is all sent, the reply's head must begin within the limit; once it
    /// has, the watch says nothing more.
    @Test func aBodySentWaitsForItsReplyWithinTheLimit() async throws {
        let time = ManualClock()
        let silent = StallWatch(limit: Self.stallLimit, clock: time.clock)
        let noReply = Task { try await silent.waitForStall() }
        #expect(await time.waitForSleepers())
        silent.sentAll()
        time.advance(by: .seconds(4))
        #expect(try await noReply.value == .noReply)

        let answered = StallWatch(limit: Self.stallLimit, clock: time.clock)
        let quiet = Task { try await answered.waitForStall() }
        answered.sentAll()
        answered.headArrived()
        for _ in 0..<40 {
            #expect(await time.waitForSleepers())
            time.advance(by: .seconds(1))
        }
        quiet.cancel()
        await #expect(throws: CancellationError.self) { try await quiet.value }
    }

    /// A server that stops reading: the range ends as no reply, saying the bytes stopped.
    /// The clock moves only once the watch waits, a quarter of the limit at a time.
    @Test func aStalledRangeIsGivenUpOn() async throws {
        let server = try SlowReadingServer(pace: .stopAfter(bytes: 1024 * 1024), reply: "")
        let time = ManualClock()
        let put = Task { try await Self.put(to: server, clock: time.clock) }
        let ticker = Task {
            while !Task.isCancelled {
                guard await time.waitForSleepers(attempts: 10_000) else { continue }
                time.advance(by: Self.stallLimit / 4)
            }
        }
        await #expect {
            _ = try await put.value
        } throws: { error in
            guard let error = error as? GraphError, error.kind == .noReply else { return false }
            return "\(error)".contains("no bytes moved for 0:04")
        }
        ticker.cancel()
        await server.stop()
    }
}
