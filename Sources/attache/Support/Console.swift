import AttacheCore
import Foundation

/// Writes to the terminal: results on stdout, errors and progress on stderr.
enum Console {
    static let standardErrorIsTerminal = isatty(STDERR_FILENO) == 1
    static let standardOutputIsTerminal = isatty(STDOUT_FILENO) == 1

    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func err(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// `attache: error: …` on one line.
    static func error(_ message: String) {
        err("attache: error: \(message.replacingOccurrences(of: "\n", with: " "))")
    }

    static func warning(_ message: String) {
        err("attache: warning: \(message.replacingOccurrences(of: "\n", with: " "))")
    }

    /// One JSON object on one line.
    static func json(_ object: [String: Any?]) {
        let cleaned = object.compactMapValues { $0 }
        guard let data = try? JSONSerialization.data(withJSONObject: cleaned, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
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
