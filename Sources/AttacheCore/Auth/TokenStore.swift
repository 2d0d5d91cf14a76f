import Foundation

/// Where an account's tokens are kept between runs: the Secret Service when the session
/// has one, else a file only its owner can read. Never the config, a log or the journal.
public protocol TokenStore: Sendable {
    /// Where the tokens go, for messages: `the Secret Service`, `~/.local/state/attache/tokens.json`.
    var location: String { get }
    func load(_ account: Account) throws -> TokenSet?
    func save(_ tokens: TokenSet, for account: Account) throws
    func delete(_ account: Account) throws
}

/// A token store that cannot be read or written.
public struct TokenStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: String
    public var problem: String

    public init(location: String, problem: String) {
        self.location = location
        self.problem = problem
    }

    public var description: String { "the token store (\(location)) \(problem)" }
}

/// Picks the store for this session.
public enum TokenStores {
    /// The Secret Service (through `secret-tool`) when a session bus is there and
    /// `ATTACHE_TOKEN_STORE` does not say `file`; else `tokens.json` in `stateDirectory`.
    /// - Parameter timeout: how long one call of `secret-tool` may take.
    public static func forSession(
        stateDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = .seconds(60)
    ) -> any TokenStore {
        let file = FileTokenStore(path: (stateDirectory as NSString).appendingPathComponent("tokens.json"))
        if environment["ATTACHE_TOKEN_STORE"] == "file" { return file }
        if let bus = environment["DBUS_SESSION_BUS_ADDRESS"], !bus.isEmpty,
            let tool = SecretServiceTokenStore.findTool(environment: environment)
        {
            return SecretServiceTokenStore(tool: tool, environment: environment, timeout: timeout)
        }
        return file
    }
}
