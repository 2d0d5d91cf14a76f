import ArgumentParser
import AttacheCore
import Foundation

/// `attache show (--message ID | --event ID)`: one item's people and body.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a message or an event: its people, times and body as text.",
        usage: "attache show (--message <id> | --event <id>) [<options>]",
        discussion: """
            A message shows its sender, recipients, when it was received and whether it is a \
            draft; an event its organizer, start and end, location and attendees with their \
            answers. The body follows, as text.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var item: ItemOptions

    @Flag(help: "A JSON object on stdout.")
    var json = false

    func run() async throws {
        let logger = try global.logger()
        let reference = item.reference
        let details: ItemDetails
        do {
            details = try await GraphConnection.with(global, logger: logger) { connection in
                try await connection.graph.itemDetails(reference)
            }
        } catch let error as GraphError {
            Console.error(error.status == 404 ? "\(reference) not found" : error.description)
            throw ExitCode(Console.exitCode(for: error))
        }
        if json {
            Console.json(Self.jsonObject(details))
            return
        }
        for line in Self.lines(details) { Console.out(line) }
    }

    /// The text form: one `field:  value` line each, a blank line, the body.
    static func lines(_ details: ItemDetails) -> [String] {
        let item = details.item
        var fields: [(String, String)] = [("subject", (item.subject ?? "").terminalSafe)]
        switch item.kind {
        case .message:
            fields.append(("from", details.from.map(\.display)?.terminalSafe ?? "-"))
            fields.append(("to", details.to.map(\.display).joined(separator: ", ").terminalSafe))
            if !details.cc.isEmpty { fields.append(("cc", details.cc.map(\.display).joined(separator: ", ").terminalSafe)) }
            fields.append((item.isDraft == true ? "saved" : "received", item.displayDate.map(GraphDate.formatMinute) ?? "-"))
            if item.isDraft == true { fields.append(("draft", "yes: `attache send --message ID` sends it")) }
        case .event:
            fields.append(("organizer", details.organizer.map(\.display)?.terminalSafe ?? "-"))
            let start = item.start?.date.map(GraphDate.formatMinute) ?? "-"
            let end = item.end?.date.map(GraphDate.formatMinute) ?? "-"
            fields.append(("when", "\(start) – \(end)"))
            fields.append(("location", (item.location ?? "-").terminalSafe))
            for (index, attendee) in details.attendees.enumerated() {
                let role = attendee.type.map { " (\($0))" } ?? ""
                fields.append((index == 0 ? "attendees" : "", "\(attendee.emailAddress.display.terminalSafe)\(role): \(attendee.responseText)"))
            }
            if details.attendees.isEmpty { fields.append(("attendees", "none")) }
        }
        let width = fields.map(\.0.count).max() ?? 0
        var lines = fields.map { name, value in
            (name.isEmpty ? "" : name + ":").padding(toLength: width + 2, withPad: " ", startingAt: 0) + value
        }
        lines.append("")
        lines += details.body.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).terminalSafe }
        return lines
    }

    static func jsonObject(_ details: ItemDetails) -> [String: Any?] {
        // Nested values without nils: JSONSerialization takes no Optional inside.
        func person(_ address: EmailAddress?) -> [String: String]? {
            address.map { ["name": $0.name, "address": $0.address].compactMapValues { $0 } }
        }
        let item = details.item
        var object: [String: Any?] = [
            "id": item.id, "kind": item.kind.rawValue, "subject": item.subject, "body": details.body, "webLink": details.webLink,
        ]
        switch item.kind {
        case .message:
            object["from"] = person(details.from)
            object["to"] = details.to.compactMap(person)
            object["cc"] = details.cc.compactMap(person)
            object["receivedDateTime"] = item.receivedDateTime
            object["isDraft"] = item.isDraft
        case .event:
            object["organizer"] = person(details.organizer)
            object["start"] = item.start?.date.map(GraphDate.format)
            object["end"] = item.end?.date.map(GraphDate.format)
            object["location"] = item.location
            object["attendees"] = details.attendees.map { attendee -> [String: String] in
                ["name": attendee.name, "address": attendee.address, "type": attendee.type, "response": attendee.response].compactMapValues { $0 }
            }
        }
        return object
    }
}
