import Foundation
import Logging
import Synchronization

/// A `LogHandler` that appends one line per message to a file (mode 0600), for front ends
/// that own the terminal. Nothing attache logs carries a token or an upload URL.
public struct FileLogHandler: LogHandler {
    /// One open file, shared by every logger of the process.
    public final class Sink: Sendable {
        private let handle: Mutex<FileHandle?>

        public init(path: String) {
            let directory = (path as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            let handle = FileHandle(forWritingAtPath: path)
            _ = try? handle?.seekToEnd()
            self.handle = Mutex(handle)
        }

        /// Standard error, for `--log-file -`.
        public init(standardError: Void) {
            self.handle = Mutex(FileHandle.standardError)
        }

        func write(_ line: String) {
            handle.withLock { $0?.write(Data(line.utf8)) }
        }
    }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let sink: Sink

    public init(label: String, sink: Sink, level: Logger.Level) {
        self.label = label
        self.sink = sink
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = GraphDate.formatPrecise(Date())
        sink.write("\(time) \(event.level) \(label): \(event.message)\(fields.isEmpty ? "" : " " + fields)\n")
    }
}
