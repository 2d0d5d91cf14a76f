import ArgumentParser
import AttacheCore
import Foundation

/// What a message says, whom it goes to, and the files it carries: the options of
/// `attache mail`, `reply` and `forward`.
struct ComposeOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Files to attach, each by its size: one POST, or an upload session up to 150 MiB.", valueName: "file"), completion: .file())
    var files: [String] = []

    @Option(help: ArgumentHelp("A recipient, `addr` or `Name <addr>` (repeat for more).", valueName: "address"))
    var to: [String] = []

    @Option(help: ArgumentHelp("A copy recipient (repeat for more).", valueName: "address"))
    var cc: [String] = []

    @Option(help: ArgumentHelp("A blind copy recipient (repeat for more).", valueName: "address"))
    var bcc: [String] = []

    @Option(help: ArgumentHelp("The message's body.", valueName: "text"))
    var body: String?

    @Option(help: ArgumentHelp("Read the body from this file (`-`: standard input).", valueName: "file"), completion: .file())
    var bodyFile: String?

    @Flag(help: "The body is HTML (an inline image is named in it as `cid:ID`).")
    var html = false

    @Option(help: ArgumentHelp("Attach FILE inline as CID, for an HTML body's `<img src=\"cid:CID\">` (repeat for more).", valueName: "cid=file"))
    var inline: [String] = []

    @Option(help: ArgumentHelp("low, normal or high.", valueName: "level"))
    var importance: String?

    @Option(help: ArgumentHelp("Send as, or on behalf of, this mailbox (needs Send As or Send on Behalf).", valueName: "address"))
    var from: String?

    @Flag(help: "Where Outlook cannot take a file, share it from your OneDrive as a link in the body instead (also [links] fallback in the config).")
    var link = false

    @Flag(help: "On a failure, keep the draft (its id is printed) instead of deleting it.")
    var keepDraft = false

    @Flag(help: "Print what would be done (recipients, each file's path) and do nothing.")
    var dryRun = false

    @Flag(help: "One JSON object per file, then one for the message, on stdout.")
    var json = false

    @Option(help: ArgumentHelp("Bytes per ranged PUT: a multiple of 327680 (320 KiB) under 4 MiB.", valueName: "bytes"))
    var chunkSize: Int64?

    @Option(help: ArgumentHelp("Transfers at once, 1 to 8 (default: 4).", valueName: "n"))
    var parallel: Int?

    func validate() throws {
        if body != nil, bodyFile != nil { throw ValidationError("give --body or --body-file, not both") }
        if let importance, DraftContent.Importance(rawValue: importance.lowercased()) == nil {
            throw ValidationError("--importance takes low, normal or high, not '\(importance)'")
        }
        for (flag, values) in [("--to", to), ("--cc", cc), ("--bcc", bcc), ("--from", from.map { [$0] } ?? [])] {
            for value in values {
                do { _ = try EmailAddress(parsing: value) } catch { throw ValidationError("\(flag): \(error)") }
            }
        }
        for value in inline {
            guard let (id, path) = Self.inlinePair(value) else {
                throw ValidationError("--inline takes CID=FILE, such as logo=./logo.png, not '\(value)'")
            }
            guard id.unicodeScalars.allSatisfy({ !CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "<>\"")).contains($0) }) else {
                throw ValidationError("--inline: the content id '\(id)' has a space, a quote or a bracket; it must fit in cid:\(id)")
            }
            _ = path
        }
        do {
            if let chunkSize { try UploadPlan.validate(rangeLength: chunkSize) }
        } catch {
            throw ValidationError("--chunk-size: \(error)")
        }
        if let parallel, !(1...8).contains(parallel) { throw ValidationError("--parallel must be from 1 to 8") }
    }

    /// `logo=./logo.png` → (`logo`, `./logo.png`); `nil` when either side is empty.
    static func inlinePair(_ value: String) -> (String, String)? {
        guard let equals = value.firstIndex(of: "=") else { return nil }
        let id = String(value[..<equals])
        let path = String(value[value.index(after: equals)...])
        guard !id.isEmpty, !path.isEmpty else { return nil }
        return (id, path)
    }

    /// `--inline`, as content id and path (``validate()`` has checked them).
    var inlineFiles: [(contentId: String, path: String)] {
        inline.compactMap { Self.inlinePair($0) }.map { (contentId: $0.0, path: $0.1) }
    }

    /// The recipients, parsed (``validate()`` has checked them).
    func recipients(_ list: [String]) -> [EmailAddress] {
        list.compactMap { try? EmailAddress(parsing: $0) }
    }

    /// The most a body may be: more would not fit Graph's 4 MiB request.
    static let maximumBody = 4 * 1024 * 1024

    /// The body: given, read from a file, or from standard input, at most ``maximumBody``
    /// bytes read (a FIFO or a device where the file should be is refused, never waited on).
    /// - Throws: ``InputFileError`` for a body file that cannot be read or is too large.
    func readBody() throws -> String? {
        if let body { return body }
        guard let bodyFile else { return nil }
        let tooLarge = InputFileError(.unreadable, path: bodyFile, detail: "a body over 4 MiB would not fit Graph's request; attach it as a file instead")
        let data: Data
        if bodyFile == "-" {
            data = (try? FileHandle.standardInput.read(upToCount: Self.maximumBody + 1)) ?? Data()
        } else {
            do {
                data = try RegularFile.read(bodyFile, limit: Int64(Self.maximumBody))
            } catch .tooLarge {
                throw tooLarge
            } catch {
                throw InputFileError(.unreadable, path: bodyFile, detail: "\(error)")
            }
        }
        guard data.count <= Self.maximumBody else { throw tooLarge }
        return String(decoding: data, as: UTF8.self)
    }

    /// ``readBody()``, or one line naming the file and exit 64 when it cannot be read.
    func bodyOrExit() throws -> String? {
        do {
            return try readBody()
        } catch {
            Console.error("\(error); nothing was made or sent")
            throw ExitCode(ExitCodes.badInput)
        }
    }

    /// What the options put in the draft.
    func content(subject: String?, body: String?) -> DraftContent {
        DraftContent(
            to: recipients(to), cc: recipients(cc), bcc: recipients(bcc), subject: subject, body: body, isHTML: html,
            importance: importance.flatMap { DraftContent.Importance(rawValue: $0.lowercased()) },
            from: from.flatMap { try? EmailAddress(parsing: $0) })
    }
}
