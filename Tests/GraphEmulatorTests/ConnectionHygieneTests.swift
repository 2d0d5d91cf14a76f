import Foundation
import GraphEmulator
import Testing

/// Connections end when they should: idle or stalled ones after `idleTimeout` of silence (a
/// slow upload that keeps sending is not cut off), and one whose body a 413 leaves unread
/// right after the reply, without leaving the client blocked. Timeouts are 1 s here, and
/// every wait allows thirty times that: the whole suite on two cores can hold the server
/// back for seconds, and a wait ends as soon as what it waits for happens. One test at a
/// time, since several of them push 32 MiB each.
@Suite("Connection hygiene", .serialized)
struct ConnectionHygieneTests {
    static let mb = 1024 * 1024
    static let bound = Duration.seconds(30)

    /// Idle and stalled connections end after a second.
    static let shortIdle = EmulatorConfiguration(idleTimeout: .seconds(1))
    /// Small limits, so a 413 is cheap to provoke; the idle timeout is far off, so what
    /// ends those connections is the 413 itself.
    static let smallLimits = EmulatorConfiguration(
        maximumRequestBody: 64 * 1024, maximumRangeLength: 64 * 1024, idleTimeout: .seconds(60))

    // MARK: Idle and stalled connections

    @Test func anIdleKeepAliveConnectionIsClosed() async throws {
        try await EmulatorHarness.with(Self.shortIdle) { harness in
            let connection = try RawConnection(port: harness.emulator.port)
            let reply = try await RawConnection.run {
                connection.write("GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                return connection.read(within: Self.bound)
            }
            #expect(reply.status == 200)
            #expect(reply.closed, "an idle kept-alive connection stayed open for \(Self.bound)")
        }
    }

    @Test func aConnectionThatNeverSendsIsClosed() async throws {
        try await EmulatorHarness.with(Self.shortIdle) { harness in
            let connection = try RawConnection(port: harness.emulator.port)
            let reply = try await RawConnection.run { connection.read(within: Self.bound) }
            #expect(reply.closed, "a silent connection stayed open for \(Self.bound)")
            #expect(reply.bytes.isEmpty)
        }
    }

    /// Headers sent a byte every 200 ms never finish: bytes keep coming, but no request does.
    @Test func headersThatNeverFinishAreClosed() async throws {
        try await EmulatorHarness.with(Self.shortIdle) { harness in
            let connection = try RawConnection(port: harness.emulator.port)
            let reply = try await RawConnection.run {
                connection.write("GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                let deadline = ContinuousClock.now + Self.bound
                while ContinuousClock.now < deadline {
                    connection.write("a")
                    let got = connection.read(within: .milliseconds(200))
                    if got.closed { return got }
                }
                return RawConnection.Received(bytes: Data(), closed: false)
            }
            #expect(reply.closed, "a request whose headers never end stayed open for \(Self.bound)")
            #expect(reply.status != 200)
        }
    }

    @Test func aStalledBodyIsClosedAndKeepsWhatCame() async throws {
        try await EmulatorHarness.with(Self.shortIdle) { harness in
            let item = try await harness.firstItem()
            let size = 4 * Self.mb
            let url = try await harness.createSession(on: item, size: size)
            let path = String(url.dropFirst(harness.emulator.uploadOrigin.count))
            let connection = try RawConnection(port: harness.emulator.uploadPort)
            let reply = try await RawConnection.run {
                connection.write(
                    "PUT \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: \(Self.mb)\r\nContent-Range: bytes 0-\(Self.mb - 1)/\(size)\r\n\r\n")
                connection.write(testBytes(count: 64 * 1024))
                return connection.read(within: Self.bound)
            }
            #expect(reply.closed, "a PUT whose body stalled stayed open for \(Self.bound)")
            let state = try await harness.send(.GET, url)
            #expect(state.json["NextExpectedRanges"] as? [String] == ["65536-\(size - 1)"])
        }
    }

    /// A 4 MiB range sent over 4 s, a thirty-second of the timeout between slices: the
    /// timeout is about silence, not about how long a request takes. The margins are wide
    /// because the whole suite on two cores can hold a reader or a writer back for seconds.
    @Test func aSlowSteadyUploadIsNotCutOff() async throws {
        try await EmulatorHarness.with(EmulatorConfiguration(idleTimeout: .seconds(8))) { harness in
            let item = try await harness.firstItem()
            let size = 4 * Self.mb
            let url = try await harness.createSession(on: item, size: size)
            let path = String(url.dropFirst(harness.emulator.uploadOrigin.count))
            let bytes = testBytes(count: size)
            let connection = try RawConnection(port: harness.emulator.uploadPort, writeStall: .seconds(60))
            let reply = try await RawConnection.run {
                connection.write(
                    "PUT \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: \(size)\r\nContent-Range: bytes 0-\(size - 1)/\(size)\r\n\r\n")
                let slice = size / 16
                for start in stride(from: 0, to: size, by: slice) {
                    Thread.sleep(forTimeInterval: 0.25)
                    guard connection.write(bytes.subdata(in: start..<(start + slice))) == slice else { break }
                }
                return connection.read(until: "\r\n\r\n", within: .seconds(60))
            }
            #expect(reply.status == 201, "\(reply.text)")
        }
    }

    // MARK: A 413 ends the connection

    enum Oversized: String, CaseIterable, CustomTestStringConvertible {
        case post, put
        var testDescription: String { rawValue }
    }

    /// The request's head, declaring `length` bytes of body, over the 64 KiB limits, and the
    /// port it goes to (Graph's, or the upload host's).
    static func oversizedHead(_ kind: Oversized, length: Int, clientSaysClose: Bool, harness: EmulatorHarness) async throws -> (String, Int) {
        let item = try await harness.firstItem()
        let close = clientSaysClose ? "Connection: close\r\n" : ""
        switch kind {
        case .post:
            let head = "POST /v1.0/me/messages/\(item)/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(EmulatorHarness.demoToken)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(length)\r\n\(close)\r\n"
            return (head, harness.emulator.port)
        case .put:
            let size = 150 * mb
            let url = try await harness.createSession(on: item, size: size)
            let path = String(url.dropFirst(harness.emulator.uploadOrigin.count))
            let head = "PUT \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: \(length)\r\nContent-Range: bytes 0-\(length - 1)/\(size)\r\n\(close)\r\n"
            return (head, harness.emulator.uploadPort)
        }
    }

    /// A client that writes all of a 32 MiB body before it reads (more than the socket
    /// buffers hold) gets to write it, then reads the 413 and the end of the connection.
    @Test(arguments: Oversized.allCases, [false, true])
    func aClientThatWritesEverythingFirstGetsThe413AndTheEnd(_ kind: Oversized, clientSaysClose: Bool) async throws {
        try await EmulatorHarness.with(Self.smallLimits) { harness in
            let length = 32 * Self.mb
            let (head, port) = try await Self.oversizedHead(kind, length: length, clientSaysClose: clientSaysClose, harness: harness)
            // A server that keeps reading can still be held back for seconds on a busy
            // machine: only a long stall means it stopped.
            let connection = try RawConnection(port: port, writeStall: .seconds(30))
            let (written, reply) = try await RawConnection.run {
                connection.write(head)
                let written = connection.write(Data(count: length))
                return (written, connection.read(within: Self.bound))
            }
            #expect(written == length, "the server stopped reading with \(length - written) bytes of the body unsent")
            #expect(reply.status == 413, "\(reply.text)")
            #expect(reply.hasHeader("Connection", "close"), "\(reply.text)")
            #expect(reply.closed, "the connection stayed open \(Self.bound) after the 413")
        }
    }

    /// A client that reads while it writes sees the 413 and the end at once, without
    /// sending the rest of its body.
    @Test(arguments: Oversized.allCases, [false, true])
    func aClientThatReadsGetsThe413AndTheEndWithoutSendingTheRest(_ kind: Oversized, clientSaysClose: Bool) async throws {
        try await EmulatorHarness.with(Self.smallLimits) { harness in
            let (head, port) = try await Self.oversizedHead(kind, length: 32 * Self.mb, clientSaysClose: clientSaysClose, harness: harness)
            let connection = try RawConnection(port: port)
            let reply = try await RawConnection.run {
                connection.write(head)
                connection.write(Data(count: 16 * 1024))
                return connection.read(within: Self.bound)
            }
            #expect(reply.status == 413, "\(reply.text)")
            #expect(reply.hasHeader("Connection", "close"), "\(reply.text)")
            #expect(reply.closed, "the connection stayed open \(Self.bound) after the 413")
        }
    }

    /// After a 413 the server reads and drops what still comes only for a while: a client
    /// that keeps sending is cut off after `lingerTime`, not read from for ever.
    @Test func aClientThatKeepsSendingAfterA413IsCutOff() async throws {
        var configuration = Self.smallLimits
        configuration.lingerTime = .seconds(1)
        try await EmulatorHarness.with(configuration) { harness in
            let (head, port) = try await Self.oversizedHead(.post, length: 1 << 30, clientSaysClose: false, harness: harness)
            let connection = try RawConnection(port: port, writeStall: .seconds(3))
            let (reply, cutOff, error) = try await RawConnection.run {
                connection.write(head)
                var reply = RawConnection.Received(bytes: Data(), closed: false)
                let deadline = ContinuousClock.now + Self.bound
                let chunk = Data(count: 64 * 1024)
                while ContinuousClock.now < deadline {
                    if connection.write(chunk) < chunk.count { return (reply, true, connection.lastError) }
                    if !reply.closed {
                        let more = connection.read(within: .milliseconds(20))
                        reply.bytes += more.bytes
                        reply.closed = more.closed
                    }
                }
                return (reply, false, Int32(0))
            }
            #expect(reply.status == 413, "\(reply.text)")
            #expect(reply.closed, "no end of stream after the 413")
            #expect(cutOff, "the server went on reading for \(Self.bound) after the 413")
            #expect(error == EPIPE || error == ECONNRESET, "the write stopped with errno \(error), not a closed connection")
        }
    }
}
