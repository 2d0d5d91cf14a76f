import ArgumentParser
import AttacheCore
import Foundation

/// `attache status`: what the journal knows of transfers.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List unfinished transfers (or, with --all, recent ones) from the journal.",
        usage: "attache status [<options>]",
        discussion: """
            A transfer another attache is running right now shows as `running`, with its pid; an \
            `uploading` one that nobody runs was left by a run that died: `attache resume` \
            finishes it.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Also list finished transfers (the 50 most recent).")
    var all = false

    @Flag(help: "One JSON object per transfer on stdout.")
    var json = false

    func run() async throws {
        let logger = try global.logger()
        let journal = try GraphConnection.journal(global, logger: logger)
        let records = all ? try await journal.recent() : try await journal.unfinished()
        // Who runs each unfinished one now: an `uploading` row nobody holds was left by a
        // run that died, and `attache resume` picks it up.
        let holders = records.map { $0.state.isUnfinished ? journal.holder(of: $0.id) : nil }
        if json {
            for (record, holder) in zip(records, holders) { Console.json(Self.jsonObject(record, holder: holder)) }
            return
        }
        if records.isEmpty {
            Console.err(all ? "no transfers in the journal" : "no unfinished transfers")
            return
        }
        Console.out("TRANSFER   STATE        DONE                     FILE → ITEM")
        for (record, holder) in zip(records, holders) {
            let state = holder == nil ? record.state.rawValue : "running"
            let done = "\(ByteCount(record.confirmedBytes))/\(ByteCount(record.fileSize))"
            var line = "\(record.id.padding(toLength: 9, withPad: " ", startingAt: 0))  "
                + "\(state.padding(toLength: 11, withPad: " ", startingAt: 0))  "
                + "\(done.padding(toLength: 23, withPad: " ", startingAt: 0))  \(record.fileName) → \(record.share == nil ? "" : "OneDrive link in ")\(record.item)"
            if let error = record.lastError, record.state == .failed { line += "  (\(error))" }
            if let holder { line += "  (\(holder))" }
            Console.out(line)
        }
    }

    static func jsonObject(_ record: TransferRecord, holder: TransferClaim.Holder?) -> [String: Any?] {
        [
            "transfer": record.id, "state": record.state.rawValue, "file": record.filePath, "name": record.fileName,
            "size": record.fileSize, "confirmedBytes": record.confirmedBytes, "method": record.method,
            "item": ["kind": record.itemKind.rawValue, "id": record.itemID], "attachmentId": record.attachmentID,
            "error": record.lastError.map { message in ["code": record.errorCode ?? "failed", "message": message] }, "graph": record.graphBase, "hasSession": record.uploadURL != nil,
            "running": holder != nil, "pid": holder?.pid,
            "sharedAs": record.share == nil ? nil : "link", "webUrl": record.linkURL, "driveFolder": record.share?.folder,
            "created": GraphDate.format(record.createdAt), "updated": GraphDate.format(record.updatedAt),
        ]
    }
}
