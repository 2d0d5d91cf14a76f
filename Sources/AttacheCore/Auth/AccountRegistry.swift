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
        let file = PrivateFile(path: path)
        guard let data = try file.read(), !data.isEmpty else { return Contents() }
        do {
            return try JSONDecoder().decode(Contents.self, from: data)
        } catch {
            throw file.error("cannot be read; remove it, then \(Advice.signIn)")
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
        try PrivateFile(path: path).replace(with: try encoder.encode(contents))
    }
}
