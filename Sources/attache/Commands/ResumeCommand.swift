import ArgumentParser
import AttacheCore
import Foundation

/// `attache resume [TRANSFER...]`: finishes what the journal says is unfinished.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume unfinished uploads from where their sessions stand.",
        discussion: """
            Asks each session which bytes it still expects and sends only those. A file that
            changed since is refused; a session that expired starts again, after checking the
            item for an attachment the last run may already have made. A transfer another
            attache is running right now is skipped with a warning.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Transfer ids from `attache status` (default: all unfinished).")
    var transfers: [String] = []

    @Option(help: "Transfers at once.")
    var parallel: Int = 4

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
            let resumable = connection.resumable(records, journal: journal)
            for record in resumable.otherGraph {
                Console.warning("skipping \(record.id): it went to \(record.graphBase); run with --graph \(record.graphBase)")
            }
            for (record, holder) in resumable.runningElsewhere {
                Console.warning("skipping \(record.id) ('\(record.fileName)'): \(holder) is uploading it right now")
            }
            let jobs: [(UploadJob, TransferRecord?)] = resumable.jobs.map { ($0.0, $0.1) }
            guard !jobs.isEmpty else { return resumable.otherGraph.isEmpty ? ExitCodes.success : ExitCodes.failed }
            let runner = TransferRunner(connection: connection, journal: journal, concurrency: parallel, json: json, verify: verify, logger: logger)
            return await runner.run(jobs).exitCode
        }
        if code != ExitCodes.success { throw ExitCode(code) }
    }

    /// The records named (by id or unique prefix), or all unfinished ones.
    static func select(_ ids: [String], in journal: TransferJournal, unfinishedOnly: Bool) async throws -> [TransferRecord] {
        guard !ids.isEmpty else { return try await journal.unfinished() }
        var result: [TransferRecord] = []
        for id in ids {
            let matches = try await journal.records(matching: id)
            guard matches.count == 1, let record = matches.first else {
                Console.error(matches.isEmpty ? "no transfer \(id) in the journal (see `attache status --all`)" : "\(id) matches several transfers; give more of it")
                throw ExitCode(ExitCodes.notFound)
            }
            if unfinishedOnly, !record.state.isUnfinished {
                Console.error("transfer \(record.id) is \(record.state.rawValue); nothing to do")
                throw ExitCode(ExitCodes.failed)
            }
            result.append(record)
        }
        return result
    }
}
