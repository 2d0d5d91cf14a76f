import ArgumentParser
import AttacheCore
import Foundation

/// `attache cancel TRANSFER... | --all`: deletes the sessions of unfinished uploads.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel unfinished uploads: delete their sessions and mark them cancelled.",
        usage: "attache cancel (<transfer> ... | --all) [<options>]",
        discussion: """
            A session that is already gone may have become the attachment just before the last run \
            stopped: attache then looks on the item, and a transfer whose attachment exists is \
            reported as attached and marked done. Cancel never deletes an attachment.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Transfer ids from `attache status`.", valueName: "transfer"))
    var transfers: [String] = []

    @Flag(help: "Cancel every unfinished transfer.")
    var all = false

    @Flag(help: "One JSON object per transfer on stdout.")
    var json = false

    func validate() throws {
        guard all != !transfers.isEmpty else { throw ValidationError("name transfers (see `attache status`) or pass --all") }
    }

    func run() async throws {
        let logger = try global.logger()
        let journal = try GraphConnection.journal(global, logger: logger)
        let records = try await ResumeCommand.select(all ? [] : transfers, in: journal, unfinishedOnly: true)
        guard !records.isEmpty else {
            Console.err("nothing to cancel")
            return
        }
        var failures: [UploadError.Kind] = []
        try await GraphConnection.with(global, logger: logger) { connection in
            let service = connection.transferService(journal: journal, concurrency: 1)
            for record in records {
                let name = "\(record.id) ('\(record.fileName)' → \(record.item))"
                var object: [String: Any?] = ["transfer": record.id, "file": record.filePath]
                switch await service.cancel(record: record) {
                case .cancelled(let sessionDeleted):
                    let note = sessionDeleted ? "session deleted" : "no session was open and nothing was attached"
                    object["state"] = "cancelled"
                    object["note"] = note
                    if !json { Console.out("cancelled \(name): \(note)") }
                case .alreadyAttached(let info):
                    // The cancel never deletes an attachment: it only stops what is not done.
                    object["state"] = "done"
                    object["attachmentId"] = info.id
                    object["note"] = "already attached before the cancel; it stays"
                    if !json { Console.out("\(name) was already attached as \(info.id) before the cancel; it stays") }
                case .runningElsewhere(let holder):
                    Console.warning("skipping \(name): \(holder) is uploading it right now; cancel it there")
                    failures.append(.heldElsewhere)
                    continue
                case .otherGraph(let base):
                    Console.warning("skipping \(record.id): it went to \(base); run with --graph \(base)")
                    failures.append(.refused)
                    continue
                case .failed(let error):
                    Console.error("could not cancel \(name): \(error.reason)\(error.hint.map { "; \($0)" } ?? "")")
                    failures.append(error.kind)
                    continue
                }
                if json { Console.json(object) }
            }
        }
        if !failures.isEmpty { throw ExitCode(ExitCodes.code(for: failures)) }
    }
}
