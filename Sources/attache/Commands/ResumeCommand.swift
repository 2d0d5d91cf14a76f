import ArgumentParser
import AttacheCore
import Foundation

/// `attache resume [TRANSFER...]`: finishes what the journal says is unfinished.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume unfinished uploads from where their sessions stand.",
        usage: "attache resume [<transfer> ...] [<options>]",
        discussion: """
            Asks each session which bytes it still expects and sends only those. A file that \
            changed since is refused; a session that expired starts again, after checking the item \
            for an attachment the last run may already have made. A transfer another attache is \
            running right now is skipped with a warning.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Transfer ids from `attache status` (default: all unfinished).", valueName: "transfer"))
    var transfers: [String] = []

    @Option(help: ArgumentHelp("Transfers at once, 1 to 8 (default: 4, or the config's parallel).", valueName: "n"))
    var parallel: Int?

    @Flag(help: "One JSON object per file on stdout.")
    var json = false

    @Flag(help: "Download each attachment once made and compare its SHA-256 with the file's.")
    var verify = false

    func run() async throws {
        let logger = try global.logger()
        let journal = try GraphConnection.journal(global, logger: logger)
        let records = try await Self.select(transfers, in: journal, unfinishedOnly: true)
        guard !records.isEmpty else {
            Console.err("nothing to resume")
            return
        }
        let code: Int32 = try await GraphConnection.with(global, logger: logger) { connection in
            let concurrency = EffectiveSettings.value(parallel, configured: try EffectiveSettings(global).config.parallel, default: 4)
            let service = connection.transferService(journal: journal, concurrency: concurrency, verify: verify)
            let plan = service.planResume(records)
            for record in plan.otherGraph {
                Console.warning("skipping \(record.id): it went to \(record.graphBase); run with --graph \(record.graphBase)")
            }
            for (record, holder) in plan.runningElsewhere {
                Console.warning("skipping \(record.id) ('\(record.fileName)'): \(holder) is uploading it right now")
            }
            let outcome = await TransferRunner(service: service, json: json).run { await service.resume(plan) }
            if outcome.exitCode == ExitCodes.success, !plan.otherGraph.isEmpty { return ExitCodes.failed }
            return outcome.exitCode
        }
        if code != ExitCodes.success { throw ExitCode(code) }
    }

    /// The records named (by id or unique prefix), or all unfinished ones; a name that fits
    /// none, or several, ends the command.
    static func select(_ ids: [String], in journal: TransferJournal, unfinishedOnly: Bool) async throws -> [TransferRecord] {
        do {
            return try await journal.records(named: ids, unfinishedOnly: unfinishedOnly)
        } catch let error as TransferSelectionError {
            Console.error(error.description)
            if case .finished = error.reason { throw ExitCode(ExitCodes.failed) }
            throw ExitCode(ExitCodes.notFound)
        }
    }
}
