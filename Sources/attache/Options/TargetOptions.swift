import ArgumentParser
import AttacheCore

/// `--message ID | --event ID`: one item, for commands that read from it.
struct ItemOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The message.", valueName: "id"))
    var message: String?

    @Option(help: ArgumentHelp("The event.", valueName: "id"))
    var event: String?

    func validate() throws {
        guard (message == nil) != (event == nil) else { throw ValidationError("give exactly one of --message or --event") }
    }

    var reference: ItemReference {
        message.map(ItemReference.message) ?? .event(event ?? "")
    }
}
