import ArgumentParser
import AttacheCore
import Foundation
import Logging
import Synchronization

/// Options every command takes: which Graph, which token, where state lives, how much to log.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Graph root, e.g. http://127.0.0.1:PORT/v1.0 (default: start the embedded emulator).", valueName: "url"))
    var graph: String?

    @Option(name: .long, help: ArgumentHelp("Bearer token for --graph (default: $ATTACHE_TOKEN).", valueName: "token"))
    var token: String?

    @Option(name: .long, help: ArgumentHelp("Where the journal, logs and embedded emulator live (default: $XDG_STATE_HOME/attache).", valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "info"

    @Option(name: .long, help: ArgumentHelp("Log file ('-' for stderr; default: attache.log in the state directory).", valueName: "path"))
    var logFile: String?

    var paths: AttachePaths { AttachePaths(stateDirectory: stateDir) }

    mutating func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        if let graph {
            guard graph.hasPrefix("http://") || graph.hasPrefix("https://") else {
                throw ValidationError("--graph must be an http:// or https:// URL, such as http://127.0.0.1:8080/v1.0")
            }
        }
    }

    /// Routes every logger of the process to the log file (set up once per run).
    func bootstrapLogging() {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let sink: FileLogHandler.Sink
        if logFile == "-" {
            sink = FileLogHandler.Sink(standardError: ())
        } else {
            sink = FileLogHandler.Sink(path: logFile ?? paths.logFile)
        }
        LoggingBootstrap.once(sink: sink, level: level)
    }

    func logger(_ label: String = "attache") -> Logger {
        bootstrapLogging()
        return Logger(label: label)
    }
}

/// `LoggingSystem.bootstrap` may run once per process.
enum LoggingBootstrap {
    private static let done = Mutex(false)

    static func once(sink: FileLogHandler.Sink, level: Logger.Level) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, sink: sink, level: level) }
    }
}
