import Foundation

/// A bare TCP client for what HTTP libraries will not do: promise a body and break off.
enum RawSocket {
    /// Connects, writes `head` and `body`, closes; returns the body bytes written.
    static func sendAndClose(host: String, port: Int, head: String, body: Data) async throws -> Int {
        try await Task.detached {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.EIO) }
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &address.sin_addr)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
            func write(_ data: Data) -> Int {
                data.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                        if n <= 0 { break }
                        offset += n
                    }
                    return offset
                }
            }
            _ = write(Data(head.utf8))
            let written = write(body)
            // Let the server read what was sent before the connection goes.
            usleep(200_000)
            return written
        }.value
    }
}
