import ArgumentParser
import AttacheCore
import Foundation

/// `attache reply --message ID [--all]` and `attache forward --message ID --to …`: Graph
/// makes the answering draft, attache writes the body into it, attaches the files, and
/// sends it once every one has landed.
struct ReplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reply",
        abstract: "Reply to a message, with files of any size.",
        usage: "attache reply --message <id> [--all] [<file> ...] [<options>]",
        discussion: """
            Graph makes the reply (createReply, or createReplyAll with --all) with its \
            recipients and the original quoted; the body given is written above the quote \
            (Graph's `comment` does not reach the body, so attache writes it itself); --to, \
            --cc and --bcc replace Graph's recipients. Then, as `attache mail`: every file \
            attached, the reply sent once all have landed, nothing sent on a failure.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var compose: ComposeOptions

    @Option(help: ArgumentHelp("The message to reply to.", valueName: "id"))
    var message: String

    @Flag(help: "Reply to the sender and every recipient.")
    var all = false

    func run() async throws {
        try await Answer(global: global, compose: compose, message: message, response: all ? .replyAll : .reply).run()
    }
}

struct ForwardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Forward a message, with its attachments and files of any size.",
        usage: "attache forward --message <id> --to <address> ... [<file> ...]",
        discussion: """
            Graph makes the forward (createForward), which carries the message's own \
            attachments; the body given is written above the quoted original; then, as \
            `attache mail`: every file attached, the forward sent once all have landed, \
            nothing sent on a failure.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var compose: ComposeOptions

    @Option(help: ArgumentHelp("The message to forward.", valueName: "id"))
    var message: String

    func validate() throws {
        guard !(compose.to.isEmpty && compose.cc.isEmpty && compose.bcc.isEmpty) else {
            throw ValidationError("give at least one recipient: --to, --cc or --bcc")
        }
    }

    func run() async throws {
        try await Answer(global: global, compose: compose, message: message, response: .forward).run()
    }
}

/// What `reply` and `forward` share: the draft Graph makes, the body written into it, then
/// the files and the send.
struct Answer {
    var global: GlobalOptions
    var compose: ComposeOptions
    var message: String
    var response: GraphClient.Response

    func run() async throws {
        let logger = try global.logger()
        let original = ItemReference.message(message)
        let delivery = try Delivery(options: compose, global: global)
        let files = try Delivery.check(
            compose.files, inline: compose.inlineFiles, for: "the \(response == .forward ? "forward" : "reply")", linking: delivery.linking)
        let body = try compose.bodyOrExit()
        if compose.dryRun {
            try delivery.printPlan(compose.content(subject: nil, body: body), files: files, draft: "\(response.rawValue) of \(original)")
            return
        }
        let journal = try GraphConnection.journal(global, logger: logger)
        let code: Int32 = try await GraphConnection.with(global, logger: logger) { connection in
            let draft: OutlookItem
            do {
                draft = try await connection.graph.createResponse(response, to: original)
            } catch let error as GraphError {
                if error.status == 404 {
                    Console.error("\(original) not found (list ids with `attache ls messages`); nothing was made or sent")
                } else {
                    Console.error("\(error); nothing was made or sent")
                }
                return Console.exitCode(for: error)
            }
            if !compose.json { Console.err("attache: Graph made the draft \"\((draft.subject ?? "").terminalSafe)\" (message \(draft.id))") }
            do {
                var content = compose.content(subject: nil, body: nil)
                if let body {
                    // The text goes above the quote Graph wrote, in the draft's own type.
                    let current = try await connection.graph.messageBody(draft.reference)
                    content.isHTML = current.isHTML
                    content.body = DraftContent.text(body, isHTML: compose.html, above: current.content, quoteIsHTML: current.isHTML)
                }
                if content != DraftContent(isHTML: content.isHTML) {
                    try await connection.graph.updateDraft(draft.reference, with: content)
                }
            } catch {
                return await delivery.abandon(draft, connection: connection, code: ExitCodes.failed, reason: "its body could not be written: \(error)", errorCode: "requestFailed")
            }
            return await delivery.deliver(draft, files: files, sendAs: compose.content(subject: nil, body: nil).from, connection: connection, journal: journal)
        }
        if code != ExitCodes.success { throw ExitCode(code) }
    }
}
