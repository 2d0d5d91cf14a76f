import Foundation

/// Tokens in the desktop's Secret Service (GNOME Keyring, KWallet, KeePassXC …), through
/// libsecret's `secret-tool`: one item per account, found by the attributes
/// `application attache` and `account <key>`. The secret goes through the tool's standard
/// input, never its arguments (which `ps` shows).
public struct SecretServiceTokenStore: TokenStore {
    /// The `secret-tool` executable.
    public let tool: String
    let environment: [String: String]
    /// How long one call of the tool may take. A locked keyring makes `secret-tool` wait
    /// for the user to unlock it, for ever if no prompt can show (over ssh, say).
    public var timeout: Duration

    public init(tool: String, environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = .seconds(60)) {
        self.tool = tool
        self.environment = environment
        self.timeout = timeout
    }

    public var location: String { "the Secret Service" }

    /// `secret-tool` on `PATH`, if there is one.
    public static func findTool(environment: [String: String]) -> String? {
        ExecutableSearch.find("secret-tool", environment: environment)
    }

    public func load(_ account: Account) throws -> TokenSet? {
        let result = try run(["lookup", "application", "attache", "account", account.storageKey])
        // `lookup` exits 1, saying nothing, when there is no such item. Anything else that
        // gives no tokens is a failure to say, not a sign of being signed out.
        if result.status == 1, result.output.isEmpty, result.errorText.isEmpty { return nil }
        guard result.status == 0 else {
            throw TokenStoreError(
                location: location,
                problem: "could not be read (secret-tool \(result.failure)); unlock the keyring, or set ATTACHE_TOKEN_STORE=file and \(Advice.signIn)")
        }
        guard !result.output.isEmpty else { return nil }
        do {
            return try JSONDecoder().decode(TokenSet.self, from: result.output)
        } catch {
            throw TokenStoreError(location: location, problem: "holds tokens attache cannot read; \(Advice.signOutAndIn)")
        }
    }

    public func save(_ tokens: TokenSet, for account: Account) throws {
        let secret = try JSONEncoder().encode(tokens)
        let result = try run(
            ["store", "--label", "attache: \(account.username)", "application", "attache", "account", account.storageKey], input: secret)
        guard result.status == 0 else {
            throw TokenStoreError(location: location, problem: "refused to store the tokens (\(result.failure)); set ATTACHE_TOKEN_STORE=file to use a file")
        }
    }

    public func delete(_ account: Account) throws {
        _ = try run(["clear", "application", "attache", "account", account.storageKey])
    }

    /// Runs the tool within ``timeout``, the secret (if any) on its standard input.
    func run(_ arguments: [String], input: Data? = nil) throws -> HelperProcess.Result {
        do throws(HelperProcess.Failure) {
            return try HelperProcess.run(tool, arguments, environment: environment, input: input, timeout: timeout)
        } catch .cannotStart(let reason) {
            throw TokenStoreError(location: location, problem: "cannot be reached (\(tool): \(reason))")
        } catch .timedOut {
            throw TokenStoreError(
                location: location,
                problem:
                    "did not answer within \(TransferFormat.clock(timeout.seconds)) (secret-tool \(arguments.first ?? "")): is the keyring locked? Unlock it and try again, or set ATTACHE_TOKEN_STORE=file (tokens then go in a file) and \(Advice.signIn)"
            )
        }
    }
}
