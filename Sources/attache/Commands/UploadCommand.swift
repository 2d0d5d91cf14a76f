import ArgumentParser
import AttacheCore
import Foundation

/// `attache upload FILE... --message ID | --event ID | --new-draft SUBJECT`.
struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Attach files to a message or an event.",
        usage: """
            attache upload <file> ... --message <id> [<options>]
            attache upload <file> ... --event <id> [<options>]
            attache upload <file> ... --new-draft <subject> [<options>]
            """,
        discussion: """
            Each file takes its own path, by the request it would send: one POST when its \
            JSON body (the file in base64 and its name) fits Graph's 4 MiB, else, up to 150 MiB, \
            an upload session in ranges of --chunk-size bytes. Every file is checked before anything is \
            sent; a file that cannot be attached stops the whole command, so no item is left \
            half-done. Ctrl-C stops and keeps the sessions: `attache resume` finishes them.

            With --link, a file Outlook cannot take (over 150 MiB, past the tenant's maximum \
            message size, or too large for one request in a shared mailbox) goes to your \
            OneDrive instead (--link-folder), and a line with its sharing link (--link-scope, \
            --link-type) is added to the item's body, as Outlook on the web does. --link-all \
            shares every file that way. docs/links.md says what is shared, and with whom.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The files to attach.", valueName: "file"), completion: .file())
    var files: [String]

    @Option(help: ArgumentHelp("Attach to this message.", valueName: "id"))
    var message: String?

    @Option(help: ArgumentHelp("Attach to this event.", valueName: "id"))
    var event: String?

    @Option(help: ArgumentHelp("Create a draft with this subject and attach to it.", valueName: "subject"))
    var newDraft: String?

    @Option(help: ArgumentHelp("Bytes per ranged PUT: a multiple of 327680 (320 KiB) under 4 MiB (default: 3932160, or the config's chunk_size).", valueName: "bytes"))
    var chunkSize: Int64?

    @Option(help: ArgumentHelp("Transfers at once, 1 to 8 (default: 4, or the config's parallel; Outlook allows 4 requests at once per mailbox).", valueName: "n"))
    var parallel: Int?

    @Flag(help: "Where Outlook cannot take a file, share it from your OneDrive as a link in the item instead (also [links] fallback in the config).")
    var link = false

    @Flag(help: "Share every file from your OneDrive as a link in the item; attach none.")
    var linkAll = false

    @Option(help: ArgumentHelp("The OneDrive folder shared files go to (default: Attachments/attache, or [links] folder).", valueName: "path"))
    var linkFolder: String?

    @Option(help: ArgumentHelp("Who the link works for: organization, users (the people it is sent to) or anonymous (default: organization).", valueName: "scope"))
    var linkScope: String?

    @Option(help: ArgumentHelp("view or edit (default: view).", valueName: "type"))
    var linkType: String?

    @Option(help: ArgumentHelp("Bytes per OneDrive fragment: a multiple of 327680 under 60 MiB (default: 10485760, or [links] fragment_size).", valueName: "bytes"))
    var fragmentSize: Int64?

    @Flag(help: "One JSON object per file on stdout.")
    var json = false

    @Flag(help: "Download each attachment once made and compare its SHA-256 with the file's.")
    var verify = false

    @Flag(help: "With --event: once every file is attached, send the attendees an update of the event.")
    var notify = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file") }
        let targets = [message, event, newDraft].compactMap { $0 }
        guard targets.count == 1 else { throw ValidationError("give exactly one of --message, --event or --new-draft") }
        do {
            if let chunkSize { try UploadPlan.validate(rangeLength: chunkSize) }
        } catch {
            throw ValidationError("--chunk-size: \(error)")
        }
        if let parallel, !(1...8).contains(parallel) { throw ValidationError("--parallel must be from 1 to 8") }
        if let linkScope, DriveShare.LinkScope(rawValue: linkScope) == nil { throw ValidationError("--link-scope must be organization, users or anonymous") }
        if let linkType, DriveShare.LinkType(rawValue: linkType) == nil { throw ValidationError("--link-type must be view or edit") }
        do {
            if let linkFolder { try DriveShare.validate(folder: linkFolder) }
            if let fragmentSize { try UploadPlan.validate(fragmentLength: fragmentSize) }
        } catch {
            throw ValidationError("\(error)")
        }
        if notify, event == nil { throw ValidationError("--notify goes with --event: a message's recipients get it when it is sent (attache send)") }
    }

    var targetDescription: String {
        if let message { return "message \(message)" }
        if let event { return "event \(event)" }
        return "a new draft"
    }

    func run() async throws {
        let logger = try global.logger()
        let config = try EffectiveSettings(global).config
        let linking = link || linkAll || config.linkFallback == true
        // Check every file first: a bad one stops everything before a single request.
        var checked: [LocalFile] = []
        var problems: [InputFileError] = []
        for path in files {
            do {
                checked.append(try LocalFile.inspect(path, upTo: DriveShare.largestFile(linking: linking)))
            } catch {
                problems.append(error)
            }
        }
        guard problems.isEmpty else {
            for problem in problems {
                let hint = if case .tooLarge = problem.code { "; --link shares it from your OneDrive as a link instead" } else { "" }
                Console.error("cannot attach to \(targetDescription): \(problem)\(hint); nothing was attached")
            }
            throw ExitCode(ExitCodes.badInput)
        }
        let journal = try GraphConnection.journal(global, logger: logger)
        let code: Int32 = try await GraphConnection.with(global, logger: logger) { connection in
            let target: (ItemReference, String?)
            do {
                target = try await resolveTarget(connection.graph)
            } catch let error as GraphError {
                // Only a new draft is made here; a named item is found missing by its uploads.
                Console.error("\(error); nothing was attached")
                return Console.exitCode(for: error)
            }
            let rangeLength = EffectiveSettings.value(chunkSize, configured: config.chunkSize, default: AttachmentLimits.defaultRangeLength)
            let share = share(config)
            let jobs = try checked.map { file in
                // An empty file has nothing to share: it is attached.
                if linkAll, file.size > 0 { return UploadJob.sharing(file, to: target.0, as: share, itemTitle: target.1) }
                return try UploadJob(file: file, item: target.0, rangeLength: rangeLength, itemTitle: target.1, linkFallback: linking ? share : nil)
            }
            let service = connection.transferService(
                journal: journal, concurrency: EffectiveSettings.value(parallel, configured: config.parallel, default: 4), verify: verify)
            let runner = TransferRunner(service: service, json: json)
            let code = await runner.run {
                var ids: [TransferID] = []
                for job in jobs { ids.append(await service.upload(job)) }
                return ids
            }.exitCode
            guard notify else { return code }
            guard code == ExitCodes.success else {
                Console.err("attache: the attendees of \(target.0) were not sent an update, as not every file was attached")
                return code
            }
            return await notifyAttendees(of: target.0, graph: connection.graph)
        }
        if code != ExitCodes.success { throw ExitCode(code) }
    }

    /// `--notify`: has Graph send the event's attendees an update, and says so in one line.
    func notifyAttendees(of event: ItemReference, graph: GraphClient) async -> Int32 {
        do {
            let attendees = try await graph.notifyAttendees(of: event)
            let line = "sent \(attendees.count == 1 ? "the attendee" : "the \(attendees.count) attendees") of \(event) an update"
            // With --json, stdout holds one object per file only.
            if json { Console.err(line) } else { Console.out(line) }
            return ExitCodes.success
        } catch let error as ItemActionError {
            Console.error("\(error); the files are attached")
            return ExitCodes.failed
        } catch let error as GraphError {
            Console.error("\(error); the files are attached")
            return Console.exitCode(for: error)
        } catch {
            Console.error("could not send the attendees of \(event) an update: \(error); the files are attached")
            return ExitCodes.failed
        }
    }

    /// Where and how files are shared: the flags over the config over the defaults.
    func share(_ config: AttacheConfig) -> DriveShare {
        var share = config.share
        if let linkFolder { share.folder = linkFolder }
        if let scope = linkScope.flatMap(DriveShare.LinkScope.init(rawValue:)) { share.linkScope = scope }
        if let type = linkType.flatMap(DriveShare.LinkType.init(rawValue:)) { share.linkType = type }
        if let fragmentSize { share.fragmentLength = fragmentSize }
        return share
    }

    /// The item to attach to: as named (not looked up first: the first request of each file
    /// says when it is missing, and a lookup would cost every upload a round trip), or created.
    func resolveTarget(_ graph: GraphClient) async throws -> (ItemReference, String?) {
        if let newDraft {
            let draft = try await graph.createDraft(subject: newDraft)
            if !json { Console.err("created draft \"\(newDraft)\": message \(draft.id)") }
            return (draft.reference, draft.subject)
        }
        return (message.map(ItemReference.message) ?? .event(event ?? ""), nil)
    }
}
