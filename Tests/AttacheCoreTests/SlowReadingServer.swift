import Foundation

/// One HTTP exchange on loopback with a server that reads the request body at its own pace:
/// steadily, like a slow link, or not at all after a while, like a stalled one. Its receive
/// buffer is small, so the client feels the pace at once.
final class SlowReadingServer: Sendable {
    enum Pace: Sendable {
        /// `bytes` every `interval`, to the end; then a reply.
        case steady(bytes: Int, interval: Duration)
        /// Reads `bytes`, then nothing more, and never replies.
        case stopAfter(bytes: Int)
    }

    let port: Int
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)

    init(pace: Pace, reply: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var small: Int32 = 16 * 1024
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let finished = self.finished
        Thread {
            defer { finished.signal() }
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var timeout = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var head = Data()
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while head.range(of: Data("\r\n\r\n".utf8)) == nil {
                let n = recv(connection, &buffer, 1, 0)
                guard n > 0 else { return }
                head.append(buffer, count: n)
            }
            let text = String(decoding: head, as: UTF8.self).lowercased()
            let declared = text.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            var read = 0
            switch pace {
            case .steady(let bytes, let interval):
                while read < declared {
                    let n = recv(connection, &buffer, min(bytes, declared - read, buffer.count), Int32(MSG_WAITALL))
                    guard n > 0 else { return }
                    read += n
                    Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18 + Double(interval.components.seconds))
                }
                let body = Data(reply.utf8)
                let response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n" + reply
                _ = response.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            case .stopAfter(let bytes):
                while read < bytes {
                    let n = recv(connection, &buffer, min(bytes - read, buffer.count), 0)
                    guard n > 0 else { return }
                    read += n
                }
                // Read nothing more; wait for the client to give up (or the timeout).
                // POLLRDHUP (0x2000): the client closed its end.
                var probe = pollfd(fd: connection, events: 0x2000, revents: 0)
                _ = poll(&probe, 1, 5_000)
            }
        }.start()
    }

    /// Waits for the exchange to end and closes the listener.
    func stop() async {
        let finished = self.finished
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                _ = finished.wait(timeout: .now() + 40)
                continuation.resume()
            }
        }
        close(listener)
    }
}
