import ArgumentParser
import AttacheCore
import Foundation
import Logging

/// The account a command works as, found in the state directory's registry, with the store
/// its tokens are in.
struct SignedInAccount {
    var account: Account
    var store: any TokenStore

    /// The account the options name (by `--graph`, `--authority`, `--tenant`,
    /// `--client-id`), else the current one; `nil` when none was ever signed in (or none
    /// fits what the options name).
    static func find(_ options: GlobalOptions, logger: Logger) throws -> SignedInAccount? {
        let registry = AccountRegistry(stateDirectory: options.paths.stateDirectory)
        let contents: AccountRegistry.Contents
        do {
            contents = try registry.read()
        } catch {
            Console.error("\(error)")
            throw ExitCode(ExitCodes.failed)
        }
        let store = TokenStores.forSession(stateDirectory: options.paths.stateDirectory)
        guard options.graph != nil || options.namesSignIn else {
            return contents.currentAccount.map { SignedInAccount(account: $0, store: store) }
        }
        let wanted = options.signIn
        let fitting = contents.accounts.filter { account in
            (options.graph.map { Self.sameRoot($0, account.graph) } ?? true)
                && (options.authority == nil || account.signIn.authority == wanted.authority)
                && (options.tenant == nil || account.signIn.tenant == wanted.tenant)
                && (options.clientId == nil || account.signIn.clientID == wanted.clientID)
        }
        let chosen = fitting.first { $0.storageKey == contents.current } ?? fitting.last
        return chosen.map { SignedInAccount(account: $0, store: store) }
    }

    static func sameRoot(_ a: String, _ b: String) -> Bool {
        func trimmed(_ url: String) -> String {
            var url = url.lowercased()
            while url.hasSuffix("/") { url.removeLast() }
            return url
        }
        return trimmed(a) == trimmed(b)
    }

    /// Its tokens; ends the command (exit 4) when it is signed out.
    func tokens(logger: Logger) throws -> TokenSet {
        let tokens: TokenSet?
        do {
            tokens = try store.load(account)
        } catch {
            Console.error("\(error)")
            throw ExitCode(ExitCodes.failed)
        }
        guard let tokens else {
            Console.error(
                "not signed in as \(account): run `attache login` (or `attache logout --forget` to go back to the demo mailbox)")
            throw ExitCode(ExitCodes.unauthorized)
        }
        return tokens
    }
}
