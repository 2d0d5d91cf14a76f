import ArgumentParser
import AttacheCore
import Foundation

/// Attach-then-send, for `attache mail`, `reply` and `forward`: every file through the
/// transfer service, the draft sent only once each one has landed and is on the draft; on
/// any failure nothing is sent and the draft is deleted (or kept, with `--keep-draft`).
struct Delivery {
    /// A file to attach, inline under a content id or not.
    struct Attachable {
        var file: LocalFile
        var contentId: String?
    }

    var options: ComposeOptions
    var global: GlobalOptions
    /// The config in effect, read once for the whole delivery.
    var config: AttacheConfig

    init(options: ComposeOptions, global: GlobalOptions) throws {
        self.options = options
        self.global = global
        self.config = try EffectiveSettings(global).config
    }

    /// Every file checked before anything is made: a missing or unusable one stops the
    /// command with nothing made and nothing sent.
    /// - Parameter linking: files Outlook cannot take may go as OneDrive links, so up to OneDrive's limit.
    static func check(_ paths: [String], inline: [(contentId: String, path: String)] = [], for what: String, linking: Bool = false) throws -> [Attachable] {
        var checked: [Attachable] = []
        var problems: [InputFileError] = []
        for (path, contentId) in paths.map({ ($0, String?.none) }) + inline.map({ ($0.path, Optional($0.contentId)) }) {
            do {
                let limit = DriveShare.largestFile(linking: linking && contentId == nil)
                checked.append(Attachable(file: try LocalFile.inspect(path, upTo: limit), contentId: contentId))
            } catch {
                problems.append(error)
            }
        }
        guard problems.isEmpty else {
            for problem in problems {
                let hint = if case .tooLarge = problem.code, !linking { "; --link shares it from your OneDrive as a link instead" } else { "" }
                Console.error("cannot attach to \(what): \(problem)\(hint); nothing was made or sent")
            }
            throw ExitCode(ExitCodes.badInput)
        }
        for entry in checked {
            do {
                _ = try UploadJob(file: entry.file, item: .message("-"), linkFallback: linking && entry.contentId == nil ? DriveShare() : nil, contentId: entry.contentId)
            } catch {
                Console.error("cannot attach '\(entry.file.name)' to \(what): \(error); nothing was made or sent")
                throw ExitCode(ExitCodes.badInput)
            }
        }
        return checked
    }

    /// Whether files Outlook cannot take go as OneDrive links: `--link`, or the config's `[links] fallback`.
    var linking: Bool {
        options.link || config.linkFallback == true
    }

    /// A job for `entry`: by its size, or as a OneDrive link where Outlook cannot take it.
    func job(_ entry: Attachable, to item: ItemReference, title: String?) throws -> UploadJob {
        let share = linking && entry.contentId == nil ? config.share : nil
        return try UploadJob(file: entry.file, item: item, rangeLength: rangeLength, itemTitle: title, linkFallback: share, contentId: entry.contentId)
    }

    var rangeLength: Int64 {
        EffectiveSettings.value(options.chunkSize, configured: config.chunkSize, default: AttachmentLimits.defaultRangeLength)
    }

    /// `--dry-run`: who it goes to and each file's path, as lines or one JSON object.
    func printPlan(_ content: DraftContent, files: [Attachable], draft: String) throws {
        var planned: [[String: Any?]] = []
        var lines: [String] = ["draft: \(draft)"]
        for (label, list) in [("to", content.to), ("cc", content.cc), ("bcc", content.bcc)] where !list.isEmpty {
            lines.append("\(label): " + list.map { $0.display.terminalSafe }.joined(separator: ", "))
        }
        if let from = content.from { lines.append("from: \(from.display.terminalSafe)") }
        if let subject = content.subject { lines.append("subject: \(subject.terminalSafe)") }
        for entry in files {
            let file = entry.file
            let job = try job(entry, to: .message("-"), title: nil)
            let how: String
            switch job.plan {
            case .singleRequest:
                how = "one POST"
            case .uploadSession(let range):
                let count = (file.size + range - 1) / max(range, 1)
                how = "upload session, \(count) range\(count == 1 ? "" : "s") of up to \(ByteCount(range))"
            case .driveSession:
                how = "to OneDrive, shared as a link in the body"
            }
            let inline = entry.contentId.map { ", inline as cid:\($0.terminalSafe)" } ?? ""
            lines.append("file \(file.path.terminalSafe) (\(ByteCount(file.size))): \(how)\(inline)")
            planned.append(["path": file.path, "name": file.name, "size": file.size, "method": job.plan.method, "contentId": entry.contentId])
        }
        if options.json {
            Console.json([
                "dryRun": true, "draft": draft, "to": content.to.map(\.display), "cc": content.cc.map(\.display), "bcc": content.bcc.map(\.display),
                "from": content.from?.display, "subject": content.subject, "files": planned,
            ])
        } else {
            for line in lines { Console.out(line) }
            Console.out("nothing was made or sent (--dry-run)")
        }
    }

    /// Attaches `files` to `draft` and sends it once every one is in; on a failure sends
    /// nothing and deletes the draft unless `--keep-draft`. Returns the exit code.
    func deliver(_ draft: OutlookItem, files: [Attachable], sendAs: EmailAddress?, connection: GraphConnection, journal: TransferJournal) async -> Int32 {
        let reference = draft.reference
        let subject = draft.subject ?? ""
        var ids: [TransferID] = []
        /// Files that went as OneDrive links: lines in the body, not attachments.
        var linked = 0
        if !files.isEmpty {
            let jobs: [UploadJob]
            do {
                jobs = try files.map { try job($0, to: reference, title: subject) }
            } catch {
                return await abandon(draft, connection: connection, code: ExitCodes.badInput, reason: "\(error)", errorCode: "fileUnusable")
            }
            let service = connection.transferService(
                journal: journal, concurrency: EffectiveSettings.value(options.parallel, configured: config.parallel, default: 4))
            let runner = TransferRunner(service: service, json: options.json)
            let outcome = await runner.run {
                for job in jobs { ids.append(await service.upload(job)) }
                return ids
            }
            if outcome.interrupted > 0 {
                // Ctrl-C keeps the sessions for `attache resume`, so the draft stays too.
                Console.error(
                    "\"\(subject.terminalSafe)\" was not sent: interrupted; the draft is kept as message \(draft.id): "
                        + "`attache resume` finishes its uploads, then `attache send --message \(draft.id)` sends it")
                if options.json {
                    Console.json(["sent": false, "draft": draft.id, "draftKept": true, "error": ["code": "interrupted", "message": "interrupted"]])
                }
                return ExitCodes.interrupted
            }
            let snapshots = await service.snapshots
            linked = snapshots.filter { ids.contains($0.id) && $0.job.plan.isDrive }.count
            if case .refuse(let reason) = SendGate.decide(for: reference, watching: Set(ids), in: snapshots) {
                let code = outcome.exitCode == ExitCodes.success ? ExitCodes.failed : outcome.exitCode
                return await abandon(draft, connection: connection, code: code, reason: reason, errorCode: "attachmentFailed")
            }
            guard outcome.exitCode == ExitCodes.success, outcome.attached == jobs.count else {
                let code = outcome.exitCode == ExitCodes.success ? ExitCodes.failed : outcome.exitCode
                return await abandon(
                    draft, connection: connection, code: code, reason: "\(jobs.count - outcome.attached) of \(jobs.count) files did not attach",
                    errorCode: "attachmentFailed")
            }
            // Confirmed on the draft itself: each attachment made is there (a file shared as a
            // OneDrive link is a line in the body, not an attachment).
            let made = Set(
                snapshots.compactMap { snapshot -> String? in
                    guard !snapshot.job.plan.isDrive, case .attached(let info) = snapshot.phase else { return nil }
                    return info.id
                })
            do {
                let present = Set(try await connection.graph.attachments(of: reference).map(\.id))
                let missing = made.subtracting(present)
                guard missing.isEmpty else {
                    return await abandon(
                        draft, connection: connection, code: ExitCodes.failed,
                        reason: "the draft does not list \(missing.count) of the attachments made", errorCode: "attachmentMissing")
                }
            } catch let error as GraphError {
                return await abandon(
                    draft, connection: connection, code: Console.exitCode(for: error), reason: "its attachments could not be confirmed: \(error)",
                    errorCode: error.code ?? "requestFailed")
            } catch {
                return await abandon(draft, connection: connection, code: ExitCodes.failed, reason: "\(error)", errorCode: "internalError")
            }
        }
        do {
            try await connection.graph.sendDraft(reference)
        } catch let error as GraphError {
            var reason = "\(error)"
            if error.code == "ErrorSendAsDenied" {
                reason += "; sending as \(sendAs?.display ?? "another mailbox") needs the Send As or Send on Behalf permission on it, which an Exchange admin grants"
            } else if error.code == "ErrorInvalidRecipients" {
                reason += "; give at least one --to, --cc or --bcc"
            }
            return await abandon(draft, connection: connection, code: Console.exitCode(for: error), reason: reason, errorCode: error.code ?? "sendFailed")
        } catch {
            return await abandon(draft, connection: connection, code: ExitCodes.failed, reason: "\(error)", errorCode: "sendFailed")
        }
        let sentAs = sendAs.map { " as \($0.display.terminalSafe)" } ?? ""
        if options.json {
            Console.json([
                "sent": true, "draft": reference.id, "subject": subject, "attachments": files.count - linked, "links": linked, "from": sendAs?.display,
            ])
        } else {
            let attached = files.count - linked
            var carried = "\(attached) attachment\(attached == 1 ? "" : "s")"
            if linked > 0 { carried += " and \(linked) OneDrive link\(linked == 1 ? "" : "s")" }
            Console.out("sent \"\(subject.terminalSafe)\"\(sentAs) with \(carried)")
        }
        if sendAs != nil, !options.json {
            Console.err("attache: the sent copy is kept in your own Sent Items (the draft was made in your mailbox, with from set)")
        }
        return ExitCodes.success
    }

    /// Nothing is sent: the draft is deleted (or kept), and the command says what failed.
    func abandon(_ draft: OutlookItem, connection: GraphConnection, code: Int32, reason: String, errorCode: String) async -> Int32 {
        var kept = options.keepDraft
        var note = kept ? "the draft is kept as message \(draft.id)" : "the draft was deleted"
        if !kept {
            do {
                try await connection.graph.deleteMessage(draft.reference)
            } catch {
                kept = true
                note = "the draft could not be deleted (\(error)) and is left as message \(draft.id)"
            }
        }
        Console.error("\"\((draft.subject ?? "").terminalSafe)\" was not sent: \(reason); nothing was sent, \(note)")
        if options.json {
            Console.json([
                "sent": false, "draft": kept ? draft.id : nil, "draftKept": kept,
                "error": ["code": errorCode, "message": reason],
            ])
        }
        return code == ExitCodes.success ? ExitCodes.failed : code
    }
}
