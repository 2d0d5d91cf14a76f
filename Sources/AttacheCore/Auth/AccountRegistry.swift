import Foundation

/// The accounts this user signed in with, and which one commands use when none is named:
/// `accounts.json` in the state directory (0600). No secret is kept here.
public struct AccountRegistry: Sendable {
    public struct Contents: Codable, Hashable, Sendable {
        public var accounts: [Account] = []
        /// The `storageKey` of the account in use.
        public var current: String?

        public init() {}

        /// The account in use, if any.
        public var currentAccount: Account? {
            accounts.first { $0.storageKey == current }
        }
    }

    public let path: String

    public init(stateDirectory: String) {
        self.path = (stateDirectory as NSString).appendingPathComponent("accounts.json")
    }

    public func read() throws -> Contents {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return Contents() }
            throw TokenStoreError(location: path, problem: "cannot be read (\(String(cString: strerror(errno))))")
        }
        let data = (try? FileHandle(fileDescriptor: descriptor, closeOnDealloc: true).readToEnd()) ?? Data()
        guard !data.isEmpty else { return Contents() }
        do {
            return try JSONDecoder().decode(Contents.self, from: data)
        } catch {
            throw TokenStoreError(location: path, problem: "cannot be read; remove it and run `attache login`")
        }
    }

    /// Records `account` (replacing one with the same key) and makes it current.
    public func signedIn(_ account: Account) throws {
        var contents = try read()
        contents.accounts.removeAll { $0.storageKey == account.storageKey }
        contents.accounts.append(account)
        contents.current = account.storageKey
        try write(contents)
    }

    /// Forgets `account`; the current one becomes the last other one signed in, if any.
    public func forget(_ account: Account) throws {
        var contents = try read()
        contents.accounts.removeAll { $0.storageKey == account.storageKey }
        if contents.current == account.storageKey { contents.current = contents.accounts.last?.storageKey }
        try write(contents)
    }

    private func write(_ contents: Contents) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(contents)
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw TokenStoreError(location: path, problem: "cannot be written (\(String(cString: strerror(errno))))") }
        let written = data.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == data.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw TokenStoreError(location: path, problem: "cannot be written")
        }
    }
}
