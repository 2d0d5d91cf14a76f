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

    /// PUTs the whole file as one range to `server`, with a stall limit of ``stallLimit``.
    static func put(to server: SlowReadingServer) async throws -> RangeReply {
        let directory = NSTemporaryDirectory() + "attache-stall-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/range.bin"
        FileManager.default.createFile(atPath: path, contents: Data(count: size))
        let http = GraphClient.makeHTTPClient()
        var graph = GraphClient(
            baseURL: "http://127.0.0.1:\(server.port)/v1.0", http: http, credentials: StaticAccessToken("t"), logger: Logger(label: "test"))
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

    /// 24 MiB read 64 KiB every 25 ms: about 10 s, more than twice the stall limit, with
    /// bytes moving all along.
    @Test func aSlowButMovingRangeIsNotCutOff() async throws {
        let server = try SlowReadingServer(
            pace: .steady(bytes: 64 * 1024, interval: .milliseconds(25)), reply: #"{"NextExpectedRanges":["\#(Self.size)-"]}"#)
        let started = ContinuousClock.now
        let reply = try await Self.put(to: server)
        await server.stop()
        guard case .accepted(let status) = reply else {
            Issue.record("expected the range to be accepted, got \(reply)")
            return
        }
        #expect(status.nextExpectedRanges.confirmedBytes(total: Int64(2 * Self.size)) == Int64(Self.size))
        // It took longer than the stall limit, and was never cut off.
        #expect(ContinuousClock.now - started > Self.stallLimit * 2)
    }

    /// A server that stops reading: the range ends as no reply, saying the bytes stopped.
    @Test func aStalledRangeIsGivenUpOn() async throws {
        let server = try SlowReadingServer(pace: .stopAfter(bytes: 1024 * 1024), reply: "")
        await #expect {
            _ = try await Self.put(to: server)
        } throws: { error in
            guard let error = error as? GraphError, error.kind == .noReply else { return false }
            return "\(error)".contains("no bytes moved for 0:04")
        }
        await server.stop()
    }
}
