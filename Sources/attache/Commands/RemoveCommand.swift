import ArgumentParser
import AttacheCore
import Foundation

/// `attache rm (--message ID | --event ID) ATTACHMENT...`: deletes attachments from an item.
struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Delete attachments from a message or an event.",
        usage: "attache rm (--message <id> | --event <id>) <attachment> ... [<options>]",
        discussion: """
            Deletes each attachment named, one line for each deleted. An attachment that is not \
            on the item gets a line of its own on stderr and a non-zero exit; the others are \
            still deleted. `attache get --message ID` lists an item's attachments and their ids.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var item: ItemOptions

    @Argument(help: ArgumentHelp("The attachment ids.", valueName: "attachment"))
    var attachments: [String]

    @Flag(help: "One JSON object per attachment deleted on stdout.")
    var json = false

    func validate() throws {
        guard !attachments.isEmpty else { throw ValidationError("name at least one attachment") }
    }

    func run() async throws {
        let logger = try global.logger()
        let reference = item.reference
        let code: Int32 = try await GraphConnection.with(global, logger: logger) { connection in
            var codes: [Int32] = []
            for attachment in attachments {
                do {
                    // Its name first, for the line that says what went.
                    let info = try await connection.graph.attachment(attachment, of: reference)
                    try await connection.graph.deleteAttachment(attachment, of: reference)
                    if json {
                        Console.json(["deleted": attachment, "name": info.name, "item": reference.id, "kind": reference.kind.rawValue])
                    } else {
                        Console.out("deleted \(Self.quoted(info.name)) (\(attachment)) from \(reference)")
                    }
                } catch let error as GraphError {
                    if error.status == 404 {
                        Console.error("attachment \(attachment) of \(reference) not found; nothing was deleted for it")
                    } else {
                        Console.error("could not delete attachment \(attachment) of \(reference): \(error)")
                    }
                    codes.append(Console.exitCode(for: error))
                }
            }
            return codes.first ?? ExitCodes.success
        }
        if code != ExitCodes.success { throw ExitCode(code) }
    }

    static func quoted(_ name: String?) -> String {
        "\"\((name ?? "").terminalSafe)\""
    }
}
