import ArgumentParser
import AttacheCore
import Foundation
import Logging

/// The account a command works as, found in the state directory's registry, with the store
/// its tokens are in.
struct SignedInAccount {
    var account: Account
    var store: any TokenStore

    /// The account the settings name (by `--account` or the config file, or by `--graph`,
    /// `--authority`, `--tenant`, `--client-id`), else the current one; `nil` when none was
    /// ever signed in (or none fits what the settings name).
    static func find(_ options: GlobalOptions, _ settings: EffectiveSettings, logger: Logger) throws -> SignedInAccount? {
        let registry = AccountRegistry(stateDirectory: options.paths.stateDirectory)
        let contents: AccountRegistry.Contents
        do {
            contents = try registry.read()
        } catch {
            Console.error("\(error)")
            throw ExitCode(ExitCodes.failed)
        }
        let store = TokenStores.forSession(stateDirectory: options.paths.stateDirectory, timeout: settings.requestTimeout)
        let chosen = pick(contents, settings)
        if chosen == nil, settings.namesAccount, let name = settings.accountName?.value {
            Console.error("not signed in as account \(name): run `attache login --account \(name)`")
            throw ExitCode(ExitCodes.unauthorized)
        }
        return chosen.map { SignedInAccount(account: $0, store: store) }
    }

    /// Of the accounts signed in, the one the settings name, else the current one.
    static func pick(_ contents: AccountRegistry.Contents, _ settings: EffectiveSettings) -> Account? {
        guard settings.namesAccount else { return contents.currentAccount }
        let fitting = contents.accounts.filter { account in
            (settings.graph.map { Self.sameRoot($0.value, account.graph) } ?? true)
                && (settings.authority.source == "default" || account.signIn.authority == settings.authority.value)
                && (settings.tenant.source == "default" || account.signIn.tenant == settings.tenant.value)
                && (settings.clientID.source == "default" || account.signIn.clientID == settings.clientID.value)
        }
        return fitting.first { $0.storageKey == contents.current } ?? fitting.last
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
