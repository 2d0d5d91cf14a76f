import ArgumentParser
import AttacheCore
import Foundation

/// `attache logout [--forget]`: forgets an account's tokens.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Sign out: forget the account's tokens.",
        usage: "attache logout [--forget] [<options>]",
        discussion: """
            Afterwards commands that would use the account stop with exit 4 and say to run \
            `attache login`. With --forget the account itself is forgotten too, and without \
            another account attache goes back to its embedded demo mailbox.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Forget the account too, not only its tokens.")
    var forget = false

    func run() async throws {
        let logger = try global.logger()
        guard let signedIn = try SignedInAccount.find(global, try EffectiveSettings(global), logger: logger) else {
            Console.err("no account is signed in")
            return
        }
        do {
            try signedIn.store.delete(signedIn.account)
            if forget { try AccountRegistry(stateDirectory: global.paths.stateDirectory).forget(signedIn.account) }
        } catch {
            Console.error("\(error)")
            throw ExitCode(ExitCodes.failed)
        }
        Console.out(forget ? "signed out of \(signedIn.account) and forgot it" : "signed out of \(signedIn.account); `attache login` signs in again")
    }
}
