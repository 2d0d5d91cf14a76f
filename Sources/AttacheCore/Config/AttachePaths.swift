import Foundation

/// Where attache keeps its state, following the XDG base-directory rules.
public struct AttachePaths: Hashable, Sendable {
    /// Journal, embedded emulator data, logs: `--state-dir`, else `$XDG_STATE_HOME/attache`,
    /// else `~/.local/state/attache`.
    public var stateDirectory: String
    /// `config.toml`: `--config`, else `$XDG_CONFIG_HOME/attache/config.toml`, else
    /// `~/.config/attache/config.toml`.
    public var configFile: String

    public init(stateDirectory: String? = nil, configFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = Self.home(environment: environment)
        if let configFile, !configFile.isEmpty {
            self.configFile = (configFile as NSString).standardizingPath
        } else if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            self.configFile = (xdg as NSString).appendingPathComponent("attache/config.toml")
        } else {
            self.configFile = (home as NSString).appendingPathComponent(".config/attache/config.toml")
        }
        if let stateDirectory, !stateDirectory.isEmpty {
            self.stateDirectory = (stateDirectory as NSString).standardizingPath
        } else if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            self.stateDirectory = (xdg as NSString).appendingPathComponent("attache")
        } else {
            self.stateDirectory = (home as NSString).appendingPathComponent(".local/state/attache")
        }
    }

    /// The user's home, as a shell has it: `$HOME` when it names a folder by its absolute
    /// path, else the account's home from the password database. `~` means this everywhere.
    public static func home(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let home = environment["HOME"], home.hasPrefix("/") { return home }
        return NSHomeDirectory()
    }

    public var journal: String { (stateDirectory as NSString).appendingPathComponent("journal.sqlite") }
    public var emulatorData: String { (stateDirectory as NSString).appendingPathComponent("emulator") }
    public var logFile: String { (stateDirectory as NSString).appendingPathComponent("attache.log") }

    /// Creates the state directory, private to the user (0700), or checks the one that is
    /// there: it must be a directory of this user's that no one else can write to. In a
    /// folder others can write to, a planted `attache.log` or `journal.sqlite` (or a symlink
    /// named so) would read or redirect what attache writes there.
    public func prepareStateDirectory() throws(StateDirectoryError) {
        do {
            try FileManager.default.createDirectory(
                atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StateDirectoryError(path: stateDirectory, problem: "it cannot be created (\((error as NSError).localizedDescription))")
        }
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: (stateDirectory as NSString).resolvingSymlinksInPath)
        } catch {
            throw StateDirectoryError(path: stateDirectory, problem: "it cannot be read (\((error as NSError).localizedDescription))")
        }
        guard attributes[.type] as? FileAttributeType == .typeDirectory else {
            throw StateDirectoryError(path: stateDirectory, problem: "it is not a directory")
        }
        let owner = (attributes[.ownerAccountID] as? NSNumber)?.uint32Value
        guard owner == getuid() else {
            throw StateDirectoryError(path: stateDirectory, problem: "it belongs to another user (uid \(owner.map(String.init) ?? "?"))")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        guard mode & 0o022 == 0 else {
            throw StateDirectoryError(path: stateDirectory, problem: "others can write to it (mode \(String(mode & 0o7777, radix: 8))); chmod 700 it or use another")
        }
    }
}

/// The state directory cannot be used.
public struct StateDirectoryError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public var description: String { "the state directory \(path) cannot hold attache's journal and log: \(problem)" }
}
