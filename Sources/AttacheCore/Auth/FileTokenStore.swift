import Foundation

/// Tokens in one JSON file (mode 0600, in a 0700 folder), for sessions without a Secret
/// Service. Every change rewrites it whole through a temporary file and a rename, under an
/// exclusive lock, so two attache processes refreshing at once never interleave.
public struct FileTokenStore: TokenStore {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var location: String { path }

    public func load(_ account: Account) throws -> TokenSet? {
        try withLock { try read(secret: true)[account.storageKey] }
    }

    public func save(_ tokens: TokenSet, for account: Account) throws {
        try withLock {
            var all = try read()
            all[account.storageKey] = tokens
            try write(all)
        }
    }

    public func delete(_ account: Account) throws {
        try withLock {
            var all = try read()
            guard all.removeValue(forKey: account.storageKey) != nil else { return }
            try write(all)
        }
    }

    private var file: PrivateFile { PrivateFile(path: path) }

    /// - Parameter secret: refuse a file others may read (``PrivateFile/read(secret:)``):
    ///   on load, whose tokens would be used; a save or a delete replaces it with a 0600 file.
    private func read(secret: Bool = false) throws -> [String: TokenSet] {
        guard let data = try file.read(secret: secret) else { return [:] }
        // attache writes it whole or not at all: an empty one was cut short, and is no
        // proof of being signed out.
        guard !data.isEmpty else { throw file.error("is empty; remove it, then \(Advice.signIn)") }
        do {
            return try JSONDecoder().decode([String: TokenSet].self, from: data)
        } catch {
            throw file.error("cannot be read as tokens; remove it, then \(Advice.signIn)")
        }
    }

    private func write(_ all: [String: TokenSet]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try file.replace(with: try encoder.encode(all))
    }

    /// Runs `body` holding an exclusive lock on `tokens.json.lock`.
    private func withLock<T>(_ body: () throws -> T) throws -> T {
        file.makeFolder()
        let descriptor = open(path + ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw file.error("cannot be locked (\(PrivateFile.lastError))") }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw file.error("cannot be locked (\(PrivateFile.lastError))") }
        }
        return try body()
    }
}
