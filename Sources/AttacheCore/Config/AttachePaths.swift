import Foundation

/// Where attache keeps its state, following the XDG base-directory rules.
public struct AttachePaths: Hashable, Sendable {
    /// Journal, embedded emulator data, logs: `--state-dir`, else `$XDG_STATE_HOME/attache`,
    /// else `~/.local/state/attache`.
    public var stateDirectory: String

    public init(stateDirectory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let stateDirectory, !stateDirectory.isEmpty {
            self.stateDirectory = (stateDirectory as NSString).standardizingPath
        } else if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            self.stateDirectory = (xdg as NSString).appendingPathComponent("attache")
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            self.stateDirectory = (home as NSString).appendingPathComponent(".local/state/attache")
        }
    }

    public var journal: String { (stateDirectory as NSString).appendingPathComponent("journal.sqlite") }
    public var emulatorData: String { (stateDirectory as NSString).appendingPathComponent("emulator") }
    public var logFile: String { (stateDirectory as NSString).appendingPathComponent("attache.log") }

    /// Creates the state directory, private to the user.
    public func ensureStateDirectory() throws {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}
