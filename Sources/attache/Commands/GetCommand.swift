import ArgumentParser
import AttacheCore
import Foundation

/// `attache get (--message ID | --event ID) [ATTACHMENT] [--raw -o FILE]`.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show an item's attachments, one attachment's metadata, or download its bytes.",
        usage: "attache get (--message <id> | --event <id>) [<attachment>] [<options>]",
        discussion: """
            Metadata comes with $select (never the base64 contents). --raw streams $value to \
            stdout (when it is not a terminal) or to -o FILE, and prints its SHA-256 (on stderr \
            when the bytes went to stdout). A file is written beside FILE and renamed over it only \
            once complete, so a failed download leaves the old one as it was; a symbolic link is \
            followed, never replaced; a FIFO or device is written in place; a directory is \
            refused.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var item: ItemOptions

    @Argument(help: "The attachment id (omit it to list the item's attachments).")
    var attachment: String?

    @Flag(help: "Download the raw bytes ($value).")
    var raw = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Where --raw writes ('-' for stdout).", valueName: "file"))
    var output: String?

    @Flag(help: "JSON on stdout.")
    var json = false

    func validate() throws {
        if raw, attachment == nil { throw ValidationError("--raw needs an attachment id") }
        if output != nil, !raw { throw ValidationError("-o goes with --raw") }
        if raw, output == nil || output == "-", Console.standardOutputIsTerminal {
            throw ValidationError("refusing to write raw bytes to a terminal; give -o FILE")
        }
    }

    func run() async throws {
        let logger = try global.logger()
        let reference = item.reference
        // Where --raw writes is settled before anything is asked of the server.
        let destination: DownloadDestination?
        do {
            destination = raw ? try DownloadDestination.inspect(output) : nil
        } catch {
            Console.error(error.description)
            throw ExitCode(ExitCodes.failed)
        }
        do {
            try await GraphConnection.with(global, logger: logger) { connection in
                let graph = connection.graph
                guard let attachment else {
                    let list = try await graph.attachments(of: reference)
                    if json {
                        for info in list { Console.json(info.jsonObject) }
                    } else if list.isEmpty {
                        Console.err("\(reference) has no attachments")
                    } else {
                        for info in list { Console.out(Self.row(info)) }
                    }
                    return
                }
                if let destination {
                    // Its size bounds what the server may send for it.
                    let size = try await graph.attachment(attachment, of: reference).size
                    let result = try await Self.download(attachment, of: reference, to: destination, maximumBytes: size, graph: graph)
                    if let path = destination.path {
                        if json {
                            Console.json(["file": path, "bytes": result.bytes, "sha256": result.sha256, "contentType": result.contentType])
                        } else {
                            Console.out("saved \(result.bytes) bytes to \(path) (sha256 \(result.sha256))")
                        }
                    } else {
                        // The bytes own stdout: the note goes to stderr.
                        Console.err("wrote \(result.bytes) bytes (sha256 \(result.sha256))")
                    }
                    return
                }
                let info = try await graph.attachment(attachment, of: reference)
                if json {
                    Console.json(info.jsonObject)
                } else {
                    Console.out("id:            \(info.id)")
                    Console.out("name:          \(info.name ?? "")")
                    Console.out("contentType:   \(info.contentType ?? "")")
                    Console.out("size:          \(info.size.map { "\($0) (\(ByteCount($0)))" } ?? "")")
                    Console.out("isInline:      \(info.isInline.map(String.init) ?? "")")
                    Console.out("lastModified:  \(info.lastModifiedDateTime ?? "")")
                }
            }
        } catch let error as GraphError {
            if error.status == 404 {
                Console.error("\(attachment.map { "attachment \($0) of " } ?? "")\(reference) not found")
            } else {
                Console.error(error.description)
            }
            throw ExitCode(Console.exitCode(for: error))
        } catch let error as DownloadError {
            Console.error(error.description)
            throw ExitCode(ExitCodes.failed)
        } catch is CancellationError {
            var note = "attache: interrupted"
            if case .replaceFile(let existing) = destination?.method {
                note += existing == nil ? "; nothing was saved" : "; \(destination!) is left as it was"
            }
            Console.err(note)
            throw ExitCode(ExitCodes.interrupted)
        } catch let error as ExitCode {
            throw error
        } catch {
            Console.error("could not save attachment \(attachment ?? "") to \(output ?? "stdout"): \(error)")
            throw ExitCode(ExitCodes.failed)
        }
    }

    /// Downloads in a task of its own that SIGINT or SIGTERM cancels, so an interrupted
    /// download removes its temporary file rather than leave it behind.
    static func download(
        _ attachment: String, of reference: ItemReference, to destination: DownloadDestination, maximumBytes: Int64?, graph: GraphClient
    ) async throws -> (bytes: Int64, sha256: String, contentType: String?) {
        let task = Task { try await graph.downloadAttachment(attachment, of: reference, to: destination, maximumBytes: maximumBytes) }
        let trap = SignalTrap { _ in task.cancel() }
        defer { trap.cancel() }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    static func row(_ info: AttachmentInfo) -> String {
        let size = info.size.map { "\(ByteCount($0))" } ?? "-"
        return "\(info.id)  \(size.leftPadded(to: 10, with: " "))  \((info.contentType ?? "-").padding(toLength: 24, withPad: " ", startingAt: 0))  \(info.name ?? "")"
    }
}
