import ArgumentParser
import AttacheCore
import Foundation

/// `attache cancel TRANSFER... | --all`: deletes the sessions of unfinished uploads.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel unfinished uploads: delete their sessions and mark them cancelled.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Transfer ids from `attache status`.")
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
        var failures = 0
        try await GraphConnection.with(global, logger: logger) { connection in
            for var record in records {
                var note = "no session was open"
                if var url = record.uploadURL {
                    if record.graphBase != connection.journalBase {
                        Console.warning("skipping \(record.id): it went to \(record.graphBase); run with --graph \(record.graphBase)")
                        failures += 1
                        continue
                    }
                    if let origin = connection.embeddedOrigin { url = url.rebased(onto: origin) }
                    do {
                        try await connection.graph.deleteSession(url, fileName: record.fileName)
                        note = "session deleted"
                    } catch let error as GraphError where error.status == 404 || error.status == 401 {
                        note = "the session had already ended"
                    } catch {
                        Console.error("could not cancel \(record.id) ('\(record.fileName)' → \(record.item)): \(error)")
                        failures += 1
                        continue
                    }
                }
                try await journal.update(record.id) {
                    $0.state = .cancelled
                    $0.uploadURL = nil
                }
                record.state = .cancelled
                if json {
                    Console.json(["transfer": record.id, "state": "cancelled", "file": record.filePath, "note": note])
                } else {
                    Console.out("cancelled \(record.id) ('\(record.fileName)' → \(record.item)): \(note)")
                }
            }
        }
        if failures > 0 { throw ExitCode(ExitCodes.failed) }
    }
}
