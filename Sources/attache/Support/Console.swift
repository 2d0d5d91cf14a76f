import AttacheCore
import Foundation
import Synchronization

/// Writes to the terminal: results on stdout, errors and progress on stderr.
enum Console {
    static let standardErrorIsTerminal = isatty(STDERR_FILENO) == 1
    static let standardOutputIsTerminal = isatty(STDOUT_FILENO) == 1

    /// Descriptors whose reader has gone (`attache ls --json | head -1`): later output to
    /// them is dropped, and the command finishes what it was doing.
    private static let closed = Mutex<Set<Int32>>([])

    /// One line on stdout. Any control character in it (from a server, a file name) is
    /// escaped, so what a server sends cannot act on the terminal.
    static func out(_ line: String) {
        write(Data((line.terminalSafe + "\n").utf8), to: STDOUT_FILENO)
    }

    /// One line on stderr, escaped as ``out(_:)`` does.
    static func err(_ line: String) {
        write(Data((line.terminalSafe + "\n").utf8), to: STDERR_FILENO)
    }

    /// Writes all of `data`, or nothing more once the descriptor is closed (EPIPE; SIGPIPE
    /// is ignored from the start, see ``Attache/main()``). FileHandle.write would trap instead.
    static func write(_ data: Data, to descriptor: Int32) {
        guard !closed.withLock({ $0.contains(descriptor) }) else { return }
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    _ = closed.withLock { $0.insert(descriptor) }
                    return
                }
            }
        }
    }

    /// `attache: error: …` on one line.
    static func error(_ message: String) {
        err("attache: error: \(message)")
    }

    static func warning(_ message: String) {
        err("attache: warning: \(message)")
    }

    /// One JSON object on one line.
    static func json(_ object: [String: Any?]) {
        let cleaned = object.compactMapValues { $0 }
        guard let data = try? JSONSerialization.data(withJSONObject: cleaned, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        write(data + Data("\n".utf8), to: STDOUT_FILENO)
    }

    /// Columns of the terminal on stderr, 80 when it cannot tell.
    static var width: Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// The exit code that goes with a Graph failure.
    static func exitCode(for error: GraphError) -> Int32 {
        switch error.kind {
        case .status(401), .status(403): ExitCodes.unauthorized
        case .status(404): ExitCodes.notFound
        case .noReply: ExitCodes.unreachable
        default: ExitCodes.failed
        }
    }
}

extension AttachmentInfo {
    /// The metadata as a JSON-ready dictionary.
    var jsonObject: [String: Any?] {
        [
            "id": id, "name": name, "contentType": contentType, "size": size, "isInline": isInline,
            "lastModifiedDateTime": lastModifiedDateTime,
        ]
    }
}
