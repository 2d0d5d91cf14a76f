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
        try withLock { try read()[account.storageKey] }
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

    private func error(_ problem: String) -> TokenStoreError {
        TokenStoreError(location: path, problem: problem)
    }

    private func read() throws -> [String: TokenSet] {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return [:] }
            throw error(errno == ELOOP ? "is a symbolic link; attache does not follow one there" : "cannot be read (\(String(cString: strerror(errno))))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let data = (try? handle.readToEnd()) ?? Data()
        guard !data.isEmpty else { return [:] }
        do {
            return try JSONDecoder().decode([String: TokenSet].self, from: data)
        } catch {
            throw self.error("cannot be read as tokens; remove it and run `attache login`")
        }
    }

    private func write(_ all: [String: TokenSet]) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(all)
        let temporary = path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw error("cannot be written (\(String(cString: strerror(errno))))") }
        let written = data.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == data.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw error("cannot be written (\(reason))")
        }
    }

    /// Runs `body` holding an exclusive lock on `tokens.json.lock`.
    private func withLock<T>(_ body: () throws -> T) throws -> T {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let descriptor = open(path + ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw error("cannot be locked (\(String(cString: strerror(errno))))") }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw error("cannot be locked (\(String(cString: strerror(errno))))") }
        }
        return try body()
    }
}
