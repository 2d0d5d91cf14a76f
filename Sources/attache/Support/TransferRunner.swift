import AttacheCore
import Foundation
import Logging

/// Shows a batch of transfers of a ``TransferService`` on the command line: live progress on
/// stderr when it is a terminal, one result per file as each ends (a line of text, or a JSON
/// object with `--json`), Ctrl-C to stop with the sessions kept for `attache resume`.
struct TransferRunner {
    var service: TransferService
    var json: Bool

    /// How the batch went, for the exit code.
    struct Outcome {
        var attached = 0
        var failures: [UploadError.Kind] = []
        var cancelled = 0
        var interrupted = 0
        /// Left to another attache that is running them: neither done here nor failed.
        var skipped = 0
        /// Items found missing, each said once however many files were for it.
        var missingItems: Set<ItemReference> = []

        var exitCode: Int32 {
            if interrupted > 0 { return ExitCodes.interrupted }
            if !failures.isEmpty { return ExitCodes.code(for: failures) }
            if cancelled > 0 { return ExitCodes.failed }
            return ExitCodes.success
        }
    }

    /// Runs `start` (which queues the transfers and returns their ids) and reports each
    /// transfer until all have ended.
    func run(_ start: () async -> [TransferID]) async -> Outcome {
        let events = await service.events()
        let service = self.service
        let board = Console.standardErrorIsTerminal ? ProgressBoard(now: { service.now }) : nil
        let trap = SignalTrap { _ in
            Console.err("attache: stopping; requests in flight get a moment to finish (Ctrl-C again to quit at once)")
            Task { await service.interruptAll() }
        }
        defer { trap.cancel() }

        let ticker = board.map { board in
            Task {
                while !Task.isCancelled {
                    await board.redrawIfNeeded()
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
        }
        let ids = Set(await start())
        var outcome = Outcome()
        guard !ids.isEmpty else {
            ticker?.cancel()
            return outcome
        }
        var reported = Set<TransferID>()
        var waitsNoted = Set<String>()
        var offline: [TransferID: Double] = [:]
        /// A line on stderr, above the progress board when there is one.
        func say(_ line: String) async {
            if let board { await board.printAbove { Console.err("attache: " + line) } } else { Console.err("attache: " + line) }
        }
        for await event in events {
            guard case .changed(let snapshot) = event, ids.contains(snapshot.id) else { continue }
            await board?.update(snapshot)
            if let since = snapshot.offlineSince, offline.updateValue(since, forKey: snapshot.id) == nil {
                // Said once an outage begins, and once it ends: the tries between are the board's.
                let line = "'\(snapshot.job.file.name)': offline, \(snapshot.lastRetryReason ?? "no reply from the server"); "
                    + "attache keeps trying for up to \(TransferFormat.span(service.retryPolicy.outageTolerance.seconds)) with no action from you"
                await say("warning: " + line)
            } else if snapshot.offlineSince == nil, let since = offline.removeValue(forKey: snapshot.id), !snapshot.phase.isTerminal {
                let line = "'\(snapshot.job.file.name)': the server answers again after \(TransferFormat.span(service.now - since)); going on"
                await say(line)
            }
            if let reason = snapshot.job.share?.reason, reason != .overOutlooksLimit, waitsNoted.insert("\(snapshot.id)/link").inserted {
                // Outlook refused it part-way: said as it happens, not only at the end.
                await say("'\(snapshot.job.file.name)': \(reason.sentence), so it goes to your OneDrive and is shared as a link instead")
            }
            if board == nil, snapshot.offlineSince == nil, case .retrying(let retryAt, let attempt, let reason) = snapshot.phase, retryAt - service.now >= 10,
                waitsNoted.insert("\(snapshot.id)/\(attempt)").inserted
            {
                // Without a progress line, a long wait would look like a hang.
                Console.warning(
                    "waiting \(TransferFormat.clock(retryAt - service.now)) before trying '\(snapshot.job.file.name)' again (try \(attempt + 1)): \(reason)")
            }
            if board == nil, case .waiting(let until, let reason) = snapshot.phase, until - service.now >= 10,
                waitsNoted.insert("\(snapshot.id)/wait/\(until)").inserted
            {
                Console.warning("'\(snapshot.job.file.name)': \(reason) · \(TransferFormat.clock(until - service.now))")
            }
            guard snapshot.phase.isTerminal, !reported.contains(snapshot.id) else { continue }
            reported.insert(snapshot.id)
            if let board {
                await board.printAbove { report(snapshot, into: &outcome) }
            } else {
                report(snapshot, into: &outcome)
            }
            if reported.count == ids.count { break }
        }
        ticker?.cancel()
        await board?.clear()
        return outcome
    }

    private func report(_ snapshot: TransferSnapshot, into outcome: inout Outcome) {
        let job = snapshot.job
        let seconds = (snapshot.finishedAt ?? 0) - (snapshot.startedAt ?? 0)
        var object: [String: Any?] = [
            "file": job.file.path, "name": job.file.name, "size": job.file.size, "method": job.plan.method,
            "item": ["kind": job.item.kind.rawValue, "id": job.item.id], "transfer": snapshot.recordID,
            "seconds": (seconds * 1000).rounded() / 1000, "bytesSent": snapshot.bytesSent,
        ]
        switch snapshot.phase {
        case .attached(let info) where job.plan.isDrive:
            // Shared from OneDrive: the link is in the item's body.
            outcome.attached += 1
            object["status"] = "shared"
            object["sharedAs"] = "link"
            object["driveItemId"] = info.id
            if let reason = job.share?.reason { object["why"] = reason.rawValue }
            if let link = snapshot.sharedLink {
                object["webUrl"] = link.webURL
                object["driveItemName"] = link.driveItemName
                object["link"] = ["webUrl": link.webURL, "type": link.type.rawValue, "scope": link.scope.rawValue]
            }
            if let sha256 = snapshot.verifiedSHA256 {
                object["verified"] = true
                object["sha256"] = sha256
            }
            if !json {
                let why = job.share?.reason.map { " (\($0.sentence))" } ?? ""
                let rate = seconds > 0 ? ", \(TransferFormat.rate(Double(job.file.size) / seconds))" : ""
                Console.out(
                    "shared \(job.file.name) (\(ByteCount(job.file.size))) from OneDrive as a link in \(job.item.kind.rawValue) \(job.item.id)\(why): "
                        + "\(snapshot.sharedLink?.webURL ?? info.id) [\(TransferFormat.elapsed(seconds))\(rate)]")
            }
        case .attached(let info):
            outcome.attached += 1
            object["status"] = "attached"
            object["attachmentId"] = info.id
            object["attachment"] = info.jsonObject.compactMapValues { $0 }
            if let sha256 = snapshot.verifiedSHA256 {
                object["verified"] = true
                object["sha256"] = sha256
            }
            if snapshot.cancelCameTooLate { object["cancelCameTooLate"] = true }
            if snapshot.cancelCameTooLate {
                Console.warning(
                    "the cancel came too late for '\(job.file.name)': the server had already attached it to \(job.item) as \(info.id); it stays")
            }
            if !json {
                var how = job.plan == .singleRequest ? "one request" : "upload session"
                if snapshot.verifiedSHA256 != nil { how += ", verified" }
                let rate = seconds > 0 ? ", \(TransferFormat.rate(Double(job.file.size) / seconds))" : ""
                Console.out(
                    "attached \(job.file.name) (\(ByteCount(job.file.size))) to \(job.item.kind.rawValue) \(job.item.id): attachment \(info.id) [\(how), \(TransferFormat.elapsed(seconds))\(rate)]")
            }
        case .failed(let error) where error.kind == .heldElsewhere:
            outcome.skipped += 1
            object["status"] = "skipped"
            object["error"] = error.jsonObject
            Console.warning("skipping '\(job.file.name)': \(error.reason)")
        case .failed(let error):
            outcome.failures.append(error.kind)
            object["status"] = "failed"
            object["error"] = error.jsonObject
            if error.kind != .itemNotFound || error.reason.hasPrefix(UploadError.itemGoneReason) {
                Console.error(error.description)
            } else if outcome.missingItems.insert(job.item).inserted {
                // The first request of each file is where a wrong id shows: one line for the item.
                Console.error(
                    "\(job.item.kind.rawValue) \(job.item.id) not found; nothing was attached (list ids with `attache ls \(job.item.kind.collection)`)")
            }
        case .cancelled:
            outcome.cancelled += 1
            object["status"] = "cancelled"
            Console.err("attache: cancelled '\(job.file.name)' for \(job.item); nothing was attached")
        case .interrupted:
            outcome.interrupted += 1
            object["status"] = "interrupted"
            let resume = snapshot.recordID.map { "`attache resume \($0)`" } ?? "`attache resume`"
            Console.err(
                "attache: interrupted '\(job.file.name)' at \(ByteCount(snapshot.confirmedBytes)) of \(ByteCount(job.file.size)); \(resume) continues it, `attache cancel` discards it")
        default:
            return
        }
        if json { Console.json(object) }
    }
}

extension UploadError {
    /// `{"code": …, "kind": …, "message": …, "status": …, "requestId": …}` for `--json`:
    /// `code` is Graph's own when the server gave one.
    var jsonObject: [String: Any] {
        var object: [String: Any] = ["code": code, "kind": kind.rawValue, "message": description]
        if let status { object["status"] = status }
        if let requestID { object["requestId"] = requestID }
        if let graphCode { object["graphCode"] = graphCode }
        return object
    }
}
