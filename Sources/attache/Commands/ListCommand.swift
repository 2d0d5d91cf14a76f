import ArgumentParser
import AttacheCore
import Foundation

/// `attache ls messages|events`: the items attachments can go to, with their ids.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List messages or events, with their ids and attachment counts.",
        usage: "attache ls (messages | events) [<options>]")

    enum Collection: String, ExpressibleByArgument, CaseIterable {
        case messages, events
        var kind: ItemKind { self == .messages ? .message : .event }
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "What to list.")
    var collection: Collection

    @Option(help: ArgumentHelp("List at most this many.", valueName: "n"))
    var limit: Int = 100

    @Option(
        help: ArgumentHelp(
            "Only items that hold this text: messages by Graph's $search (subject, body, sender; case and accents ignored), events by subject.",
            valueName: "text"))
    var search: String?

    @Flag(help: "One JSON object per item on stdout.")
    var json = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        let logger = try global.logger()
        let items: [OutlookItem]
        do {
            items = try await GraphConnection.with(global, logger: logger) { connection in
                if let search {
                    return try await connection.graph.searchItems(collection.kind, matching: search, limit: limit, expandAttachments: true)
                }
                return try await connection.graph.items(collection.kind, limit: limit, expandAttachments: true)
            }
        } catch let error as GraphError {
            Console.error(error.description)
            throw ExitCode(Console.exitCode(for: error))
        }
        if json {
            for item in items { Console.json(Self.jsonObject(item)) }
            return
        }
        if items.isEmpty {
            Console.err(search.map { "no \(collection.rawValue) match \"\($0.terminalSafe)\"" } ?? "no \(collection.rawValue)")
            return
        }
        let idWidth = items.map(\.id.count).max() ?? 2
        Console.out("ID".padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  " + "DATE            " + "  ATT  SUBJECT")
        for item in items {
            let date = item.displayDate.map(GraphDate.formatMinute) ?? "-"
            let count = item.attachments?.count ?? (item.hasAttachments == true ? 1 : 0)
            Console.out(
                item.id.padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  "
                    + date.padding(toLength: 16, withPad: " ", startingAt: 0) + "  "
                    + String(count).leftPadded(to: 3, with: " ") + "  " + (item.subject ?? ""))
        }
    }

    static func jsonObject(_ item: OutlookItem) -> [String: Any?] {
        [
            "id": item.id, "kind": item.kind.rawValue, "subject": item.subject,
            "date": item.displayDate.map(GraphDate.format), "isDraft": item.isDraft,
            "attachmentCount": item.attachments?.count, "location": item.location, "from": item.from?.display,
        ]
    }
}
