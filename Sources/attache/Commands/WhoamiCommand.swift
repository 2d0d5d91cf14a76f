import ArgumentParser
import AttacheCore
import Foundation

/// `attache whoami`: who commands act as, where, and whether the sign-in still works.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Say which account commands use, asking Graph who it is.",
        usage: "attache whoami [--json] [<options>]")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "One JSON object on stdout.")
    var json = false

    func run() async throws {
        let logger = try global.logger()
        try await GraphConnection.with(global, logger: logger) { connection in
            let me: GraphUser
            do {
                me = try await connection.graph.me()
            } catch let error as GraphError {
                Console.error(error.description)
                throw ExitCode(Console.exitCode(for: error))
            }
            let where_ = connection.embedded != nil ? "the embedded Graph emulator (demo mailbox)" : connection.graph.baseURL
            if json {
                Console.json([
                    "user": me.userPrincipalName, "name": me.displayName, "graph": connection.graph.baseURL,
                    "embedded": connection.embedded != nil, "tenant": connection.account?.signIn.tenant,
                    "authority": connection.account?.signIn.authority, "clientId": connection.account?.signIn.clientID,
                ])
                return
            }
            Console.out("\(me.displayName.map { "\($0) <\(me.userPrincipalName ?? "?")>" } ?? me.userPrincipalName ?? "?") on \(where_)")
            if let account = connection.account {
                Console.out("signed in through \(account.signIn.authority), tenant \(account.signIn.tenant), client \(account.signIn.clientID)")
            } else if connection.embedded == nil {
                Console.out("with a token given on the command line or in ATTACHE_TOKEN")
            }
        }
    }
}
