import Foundation
import Logging
import Synchronization

/// A `LogHandler` that appends one line per message to a file (mode 0600), for front ends
/// that own the terminal. Nothing attache logs carries a token or an upload URL, and every
/// message and value is escaped (``Swift/String/terminalSafe``), so text from a server or a
/// file name cannot start a line of its own.
public struct FileLogHandler: LogHandler {
    /// One open file, shared by every logger of the process.
    ///
    /// Writes go straight to the descriptor: a full disk, a closed pipe or a device that
    /// refuses them stops the logging, never the program (`FileHandle.write` traps instead).
    public final class Sink: Sendable {
        private struct State {
            var descriptor: Int32
            var failure: String?
        }

        private let state: Mutex<State>
        private let closesDescriptor: Bool
        /// What the sink writes to, for messages.
        public let name: String
        /// Hears once, with the reason, when the log cannot be written any more.
        private let onFailure: @Sendable (String) -> Void

        /// Appends to `path`, creating it 0600 (and its folder 0700). A symlink at `path` is
        /// refused, not followed: in a folder others can write to, it could point anywhere.
        public init(path: String, onFailure: @escaping @Sendable (String) -> Void = { _ in }) {
            let directory = (path as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0o600)
            let failure = descriptor < 0 ? "cannot open it (\(String(cString: strerror(errno))))" : nil
            self.state = Mutex(State(descriptor: descriptor, failure: failure))
            self.closesDescriptor = descriptor >= 0
            self.name = path
            self.onFailure = onFailure
            if let failure { onFailure(failure) }
        }

        /// Standard error, for `--log-file -`.
        public init(standardError: Void, onFailure: @escaping @Sendable (String) -> Void = { _ in }) {
            self.state = Mutex(State(descriptor: STDERR_FILENO, failure: nil))
            self.closesDescriptor = false
            self.name = "standard error"
            self.onFailure = onFailure
        }

        deinit {
            let descriptor = state.withLock { $0.descriptor }
            if closesDescriptor, descriptor >= 0 { close(descriptor) }
        }

        /// Why logging stopped, once a write failed; `nil` while it works.
        public var failure: String? { state.withLock { $0.failure } }

        func write(_ line: String) {
            let failed = state.withLock { state -> String? in
                guard state.failure == nil, state.descriptor >= 0 else { return nil }
                var bytes = Array(line.utf8)[...]
                while !bytes.isEmpty {
                    let written = bytes.withUnsafeBytes { Foundation.write(state.descriptor, $0.baseAddress, $0.count) }
                    if written > 0 {
                        bytes = bytes.dropFirst(written)
                    } else if written < 0, errno == EINTR {
                        continue
                    } else {
                        state.failure = written < 0 ? String(cString: strerror(errno)) : "nothing was written"
                        return state.failure
                    }
                }
                return nil
            }
            if let failed { onFailure(failed) }
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
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key.terminalSafe)=\("\($0.value)".terminalSafe)" }.joined(separator: " ")
        let time = GraphDate.formatPrecise(Date())
        sink.write("\(time) \(event.level) \(label): \("\(event.message)".terminalSafe)\(fields.isEmpty ? "" : " " + fields)\n")
    }
}
