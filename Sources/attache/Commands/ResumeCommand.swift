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
            item for an attachment the last run may already have made.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Transfer ids from `attache status` (default: all unfinished).")
    var transfers: [String] = []

    @Option(help: "Transfers at once.")
    var parallel: Int = 4

    @Flag(help: "One JSON object per file on stdout.")
    var json = false

    func run() async throws {
        let logger = global.logger()
        let journal = try GraphConnection.journal(global, logger: logger)
        let records = try await Self.select(transfers, in: journal, unfinishedOnly: true)
        guard !records.isEmpty else {
            Console.err("nothing to resume")
            return
        }
        let code: Int32 = try await GraphConnection.with(global, logger: logger) { connection in
            var jobs: [(UploadJob, TransferRecord?)] = []
            var skipped = 0
            for var record in records {
                guard record.graphBase == connection.journalBase else {
                    Console.warning("skipping \(record.id): it went to \(record.graphBase); run with --graph \(record.graphBase)")
                    skipped += 1
                    continue
                }
                if let origin = connection.embeddedOrigin, let url = record.uploadURL {
                    // The embedded emulator listens on a new port each run.
                    record.uploadURL = url.rebased(onto: origin)
                }
                let plan: UploadPlan = record.method == "post" ? .singleRequest : .uploadSession(rangeLength: record.rangeLength)
                jobs.append((UploadJob(file: record.localFile, item: record.item, plan: plan), record))
            }
            guard !jobs.isEmpty else { return skipped > 0 ? ExitCodes.failed : ExitCodes.success }
            let runner = TransferRunner(connection: connection, journal: journal, concurrency: parallel, json: json, logger: logger)
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
