import Foundation
import Synchronization

/// A loopback server that answers every connection with the same bytes, whatever was asked,
/// then closes it: for replies no HTTP library would write (an SSH banner where Graph
/// should be).
final class RawReplyServer: Sendable {
    let port: Int
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    init(reply: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            defer { finished.signal() }
            while !stopped.load(ordering: .relaxed) {
                // Wakes now and then to see whether it was stopped.
                var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&probe, 1, 100) > 0 else { continue }
                let connection = accept(fd, nil, nil)
                guard connection >= 0 else { continue }
                var timeout = timeval(tv_sec: 5, tv_usec: 0)
                setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                // Takes the request's head (or what comes of it), then answers and closes.
                var head = Data()
                var buffer = [UInt8](repeating: 0, count: 4096)
                while head.range(of: Data("\r\n\r\n".utf8)) == nil, head.count < 64 * 1024 {
                    let n = recv(connection, &buffer, buffer.count, 0)
                    guard n > 0 else { break }
                    head.append(buffer, count: n)
                }
                _ = reply.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                close(connection)
            }
        }.start()
    }

    /// Stops accepting, waits for the thread, closes the listener.
    func stop() async {
        stopped.store(true, ordering: .relaxed)
        let finished = self.finished
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                _ = finished.wait(timeout: .now() + 10)
                continuation.resume()
            }
        }
        close(listener)
    }
}
