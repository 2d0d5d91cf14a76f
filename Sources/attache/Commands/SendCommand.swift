import ArgumentParser
import AttacheCore
import Foundation

/// `attache send --message ID`: sends a draft, with the attachments it has.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a draft message, with its attachments.",
        usage: "attache send --message <id> [<options>]",
        discussion: """
            Only a draft can be sent: a message that was sent or received is refused before \
            anything is asked of the server. Once sent, the message is in Sent Items under a \
            new id, and the draft's id names nothing. Needs the Mail.Send permission.

            A draft goes out with the attachments it has when it is sent, so `attache send` \
            waits for uploads to it that another attache (the screen, or an `attache upload` \
            in another shell) is running, and sends once every one has landed. It sends \
            nothing, and says why, when one of them fails or is cancelled, or when an upload \
            to it stopped and no attache is running it (`attache resume` finishes it, \
            `attache cancel` drops it). --no-wait refuses at once instead of waiting.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The draft to send.", valueName: "id"))
    var message: String

    @Flag(help: "A JSON object on stdout.")
    var json = false

    @Flag(help: "Refuse at once, instead of waiting, when an upload to the draft is still running.")
    var noWait = false

    func run() async throws {
        let logger = try global.logger()
        let reference = ItemReference.message(message)
        let journal = try GraphConnection.journal(global, logger: logger)
        let code: Int32 = try await GraphConnection.with(global, logger: logger) { connection in
            do {
                let decision = try await SendGate.settle(reference, journal: journal, graphBase: connection.journalBase, wait: !noWait) { files in
                    Console.err("attache: waiting for \(SendGate.Decision.describe(waitingFor: files)) to \(reference) to land before sending it")
                }
                if case .refuse(let reason) = decision {
                    if json { Console.json(["sent": false, "id": message, "error": ["code": "attachmentsPending", "message": reason]]) }
                    Console.error("\(reference) was not sent: \(reason); nothing was sent")
                    return ExitCodes.failed
                }
                let draft = try await connection.graph.sendDraft(reference)
                if json {
                    Console.json(["sent": true, "id": draft.id, "subject": draft.subject])
                } else {
                    Console.out("sent \"\((draft.subject ?? "").terminalSafe)\"")
                }
                return ExitCodes.success
            } catch let error as ItemActionError {
                Console.error("\(error); nothing was sent")
                return ExitCodes.failed
            } catch let error as JournalError {
                Console.error("could not read the transfer journal to see whether uploads to \(reference) are under way: \(error); nothing was sent")
                return ExitCodes.failed
            } catch let error as GraphError {
                if error.status == 404, error.code == "ErrorItemNotFound" {
                    Console.error("\(reference) not found (a sent draft moves to Sent Items under a new id); nothing was sent")
                } else if error.status == 403 {
                    var refused = error
                    refused.knownIssue = "sending needs the Mail.Send permission: sign in again with `attache login`"
                    Console.error("\(refused); nothing was sent")
                } else {
                    Console.error("\(error); nothing was sent")
                }
                return Console.exitCode(for: error)
            }
        }
        if code != ExitCodes.success { throw ExitCode(code) }
    }
}
