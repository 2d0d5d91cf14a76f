import Foundation

/// A blocking TCP connection to a loopback port, for what HTTP clients hide: when the server
/// closes, and what a client that writes its whole request before reading gets. Every call
/// is bounded in time. The blocking calls run on a thread of their own (``run(_:)``), never
/// on the pool the emulator's handlers need.
final class RawConnection: @unchecked Sendable {
    // One test drives a connection at a time; the descriptor is only touched from there.
    private let descriptor: Int32
    /// Why the last short ``write(_:)`` stopped: `EPIPE` or `ECONNRESET` once the server has
    /// closed, `EAGAIN` when it stopped reading.
    private(set) var lastError: Int32 = 0

    /// How a read ended.
    struct Received {
        var bytes: Data
        /// The server ended the connection (end of stream or reset); false when time ran out.
        var closed: Bool

        var text: String { String(decoding: bytes, as: UTF8.self) }
        /// `413` from `HTTP/1.1 413 …`.
        var status: Int? { text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } }
        /// Whether the reply's header block has `name: value`, both read case-insensitively.
        func hasHeader(_ name: String, _ value: String) -> Bool {
            let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
            return head.components(separatedBy: "\r\n").dropFirst().contains { line in
                let parts = line.split(separator: ":", maxSplits: 1)
                return parts.count == 2 && parts[0].lowercased() == name.lowercased()
                    && parts[1].trimmingCharacters(in: .whitespaces).lowercased() == value.lowercased()
            }
        }
    }

    /// Connects to `127.0.0.1:port`. A write that cannot go on for `writeStall` gives up.
    init(port: Int, writeStall: Duration = .seconds(5)) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        var stall = Self.makeTimeval(writeStall)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &stall, socklen_t(MemoryLayout<timeval>.size))
        var poll = Self.makeTimeval(.milliseconds(50))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &poll, socklen_t(MemoryLayout<timeval>.size))
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Runs blocking socket work on a thread of its own.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// Writes `data`; returns how much went before the server stopped reading (for the
    /// `writeStall` given at connect) or the connection broke.
    @discardableResult
    func write(_ data: Data) -> Int {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n > 0 {
                    offset += n
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    lastError = n < 0 ? errno : 0
                    break
                }
            }
            return offset
        }
    }

    @discardableResult
    func write(_ text: String) -> Int { write(Data(text.utf8)) }

    /// Reads until the server ends the connection or `limit` passes; with a `marker`, stops
    /// as soon as that has arrived.
    func read(until marker: String? = nil, within limit: Duration) -> Received {
        let deadline = ContinuousClock.now + limit
        let wanted = marker.map { Data($0.utf8) }
        var bytes = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while ContinuousClock.now < deadline {
            if let wanted, bytes.range(of: wanted) != nil { break }
            let n = recv(descriptor, &buffer, buffer.count, 0)
            if n > 0 {
                bytes.append(contentsOf: buffer[0..<n])
            } else if n == 0 {
                return Received(bytes: bytes, closed: true)
            } else if errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
                return Received(bytes: bytes, closed: true)
            }
        }
        return Received(bytes: bytes, closed: false)
    }

    private static func makeTimeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        return timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
