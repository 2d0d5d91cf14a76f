import Foundation

/// Tokens in the desktop's Secret Service (GNOME Keyring, KWallet, KeePassXC …), through
/// libsecret's `secret-tool`: one item per account, found by the attributes
/// `application attache` and `account <key>`. The secret goes through the tool's standard
/// input, never its arguments (which `ps` shows).
public struct SecretServiceTokenStore: TokenStore {
    /// The `secret-tool` executable.
    public let tool: String
    let environment: [String: String]

    public init(tool: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.tool = tool
        self.environment = environment
    }

    public var location: String { "the Secret Service" }

    /// `secret-tool` on `PATH`, if there is one.
    public static func findTool(environment: [String: String]) -> String? {
        ExecutableSearch.find("secret-tool", environment: environment)
    }

    public func load(_ account: Account) throws -> TokenSet? {
        let result = try run(["lookup", "application", "attache", "account", account.storageKey])
        // `lookup` exits 1, saying nothing, when there is no such item.
        guard result.status == 0, !result.output.isEmpty else { return nil }
        do {
            return try JSONDecoder().decode(TokenSet.self, from: result.output)
        } catch {
            throw TokenStoreError(location: location, problem: "holds tokens attache cannot read; run `attache logout` then `attache login`")
        }
    }

    public func save(_ tokens: TokenSet, for account: Account) throws {
        let secret = try JSONEncoder().encode(tokens)
        let result = try run(
            ["store", "--label", "attache: \(account.username)", "application", "attache", "account", account.storageKey], input: secret)
        guard result.status == 0 else {
            throw TokenStoreError(location: location, problem: "refused to store the tokens (\(result.errorText)); set ATTACHE_TOKEN_STORE=file to use a file")
        }
    }

    public func delete(_ account: Account) throws {
        _ = try run(["clear", "application", "attache", "account", account.storageKey])
    }

    struct Result {
        var status: Int32
        var output: Data
        var errorText: String
    }

    /// Runs the tool and waits for it; it talks to a local daemon, so this is brief.
    func run(_ arguments: [String], input: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.environment = environment
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw TokenStoreError(location: location, problem: "cannot be reached (\(tool): \(error.localizedDescription))")
        }
        if let input { try? stdin.fileHandleForWriting.write(contentsOf: input) }
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: output,
            errorText: String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).terminalSafe)
    }
}
