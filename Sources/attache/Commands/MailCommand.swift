import ArgumentParser
import AttacheCore
import Foundation

/// `attache mail --to ADDR [--subject S] [--body TEXT] FILE...`: composes a message, attaches
/// files of any size, and sends it once every one has landed.
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Compose and send a message with files of any size (up to 150 MiB each).",
        usage: "attache mail --to <address> ... [<file> ...] [<options>]",
        discussion: """
            Every file is checked first; then a draft is made with the recipients and body, \
            each file is attached by its size (one POST, or an upload session up to 150 MiB), \
            and the draft is sent only once every attachment has landed and is listed on it. \
            On any failure nothing is sent, and the draft is deleted (kept with --keep-draft); \
            the exit code and --json say what failed. --dry-run prints the plan and makes \
            nothing. With --from, the draft is made in your own mailbox with `from` set (Graph \
            takes no upload session in a shared mailbox), so the sent copy stays in your Sent \
            Items; Graph refuses the send with ErrorSendAsDenied without Send As or Send on Behalf. \
            With --link, a file Outlook cannot take (over 150 MiB, past the tenant's maximum \
            message size) goes to your OneDrive and its sharing link into the body before the \
            message is sent.

            Example: attache mail --to ops@contoso.com --body-file - logs.tgz < notes
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var compose: ComposeOptions

    @Option(help: ArgumentHelp("The subject.", valueName: "subject"))
    var subject: String = ""

    func validate() throws {
        guard !(compose.to.isEmpty && compose.cc.isEmpty && compose.bcc.isEmpty) else {
            throw ValidationError("give at least one recipient: --to, --cc or --bcc")
        }
    }

    func run() async throws {
        let logger = try global.logger()
        let delivery = try Delivery(options: compose, global: global)
        let files = try Delivery.check(compose.files, inline: compose.inlineFiles, for: "a new message", linking: delivery.linking)
        let body = try compose.bodyOrExit()
        let content = compose.content(subject: subject, body: body ?? "")
        if compose.dryRun {
            try delivery.printPlan(content, files: files, draft: "a new draft")
            return
        }
        let journal = try GraphConnection.journal(global, logger: logger)
        let code: Int32 = try await GraphConnection.with(global, logger: logger) { shared in
            // Graph takes no upload session in another's mailbox with delegated permissions:
            // the draft is made in one's own, sent as the shared mailbox (`from`).
            var connection = shared
            var content = content
            if shared.graph.isOtherMailbox, let address = shared.graph.mailboxAddress {
                connection.graph = await shared.graph.inMailbox("me")
                if content.from == nil { content.from = EmailAddress(name: nil, address: address) }
                if !compose.json { Console.err("attache: the draft is made in your own mailbox, sent as \(address.terminalSafe)") }
            }
            let draft: OutlookItem
            do {
                draft = try await connection.graph.createDraft(content)
            } catch let error as GraphError {
                Console.error("\(error); nothing was made or sent")
                if compose.json { Console.json(["sent": false, "draft": nil, "error": ["code": error.code ?? "requestFailed", "message": "\(error)"]]) }
                return Console.exitCode(for: error)
            }
            if !compose.json { Console.err("attache: made the draft \"\(subject.terminalSafe)\" (message \(draft.id))") }
            return await delivery.deliver(draft, files: files, sendAs: content.from, connection: connection, journal: journal)
        }
        if code != ExitCodes.success { throw ExitCode(code) }
    }
}
