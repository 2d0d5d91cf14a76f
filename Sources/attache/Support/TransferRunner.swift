import AttacheCore
import Foundation
import Logging

/// Runs a batch of uploads through a ``TransferQueue`` for the command line: live progress
/// on stderr when it is a terminal, one result per file as each ends (a line of text, or a
/// JSON object with `--json`), Ctrl-C to stop with the sessions kept for `attache resume`.
struct TransferRunner {
    var connection: GraphConnection
    var journal: TransferJournal
    var concurrency: Int
    var json: Bool
    /// Download each attachment's `$value` once it is made and compare its SHA-256 with the file's.
    var verify = false
    var logger: Logger

    /// What `--verify` found for one attachment.
    enum Verification {
        case matches(sha256: String)
        case differs(file: String, attachment: String)
        case couldNotCheck(String)
    }

    struct Outcome {
        var attached = 0
        var failed = 0
        var cancelled = 0
        var interrupted = 0

        var exitCode: Int32 {
            if interrupted > 0 { return ExitCodes.interrupted }
            if failed > 0 || cancelled > 0 { return ExitCodes.failed }
            return ExitCodes.success
        }
    }

    /// Uploads each job (or resumes it, when paired with its journal record).
    func run(_ jobs: [(UploadJob, TransferRecord?)]) async -> Outcome {
        let uploader = AttachmentUploader(graph: connection.graph, journal: journal, journalGraphBase: connection.journalBase, logger: logger)
        let queue = TransferQueue(uploader: uploader, concurrency: concurrency, logger: logger)
        let events = await queue.events()
        let board = Console.standardErrorIsTerminal ? ProgressBoard(now: { queue.now }) : nil
        let trap = SignalTrap { _ in
            Task { await queue.interruptAll() }
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
        for (job, record) in jobs { await queue.enqueue(job, resuming: record) }

        var outcome = Outcome()
        var reported = Set<TransferID>()
        var waitsNoted = Set<String>()
        for await event in events {
            guard case .changed(let snapshot) = event else { continue }
            await board?.update(snapshot)
            if board == nil, case .retrying(let retryAt, let attempt, let reason) = snapshot.phase, retryAt - queue.now >= 10,
                waitsNoted.insert("\(snapshot.id)/\(attempt)").inserted
            {
                // Without a progress line, a long wait would look like a hang.
                Console.warning(
                    "waiting \(TransferFormat.clock(retryAt - queue.now)) before trying '\(snapshot.job.file.name)' again (try \(attempt + 1)): \(reason)")
            }
            guard snapshot.phase.isTerminal, !reported.contains(snapshot.id) else { continue }
            reported.insert(snapshot.id)
            var verification: Verification?
            if verify, case .attached(let info) = snapshot.phase {
                verification = await check(info, of: snapshot.job)
            }
            if let board {
                await board.printAbove { report(snapshot, verification, into: &outcome) }
            } else {
                report(snapshot, verification, into: &outcome)
            }
            if reported.count == jobs.count { break }
        }
        ticker?.cancel()
        await board?.clear()
        return outcome
    }

    /// Reads the attachment back and hashes it beside the file.
    private func check(_ info: AttachmentInfo, of job: UploadJob) async -> Verification {
        do {
            let file = try await FileDigest.sha256(path: job.file.path)
            let attached = try await connection.graph.downloadAttachment(info.id, of: job.item, to: nil)
            return file == attached.sha256 ? .matches(sha256: file) : .differs(file: file, attachment: attached.sha256)
        } catch {
            return .couldNotCheck("\(error)")
        }
    }

    private func report(_ snapshot: TransferSnapshot, _ verification: Verification?, into outcome: inout Outcome) {
        let job = snapshot.job
        let seconds = (snapshot.finishedAt ?? 0) - (snapshot.startedAt ?? 0)
        var object: [String: Any?] = [
            "file": job.file.path, "name": job.file.name, "size": job.file.size, "method": job.plan.method,
            "item": ["kind": job.item.kind.rawValue, "id": job.item.id], "transfer": snapshot.recordID,
            "seconds": (seconds * 1000).rounded() / 1000, "bytesSent": snapshot.bytesSent,
        ]
        switch snapshot.phase {
        case .attached(let info):
            object["attachmentId"] = info.id
            object["attachment"] = info.jsonObject.compactMapValues { $0 }
            switch verification {
            case .differs(let file, let attachment):
                // Attached, but not as sent: the caller must know, and the attachment stays for them to see.
                outcome.failed += 1
                object["status"] = "failed"
                object["error"] = "the attachment's bytes differ from the file (sha256 \(attachment), file \(file))"
                Console.error(
                    "'\(job.file.name)' was attached to \(job.item) as \(info.id), but its bytes differ from the file (sha256 \(attachment), file \(file)); delete it and upload again")
                if json { Console.json(object) }
                return
            case .couldNotCheck(let reason):
                outcome.failed += 1
                object["status"] = "failed"
                object["error"] = "attached, but could not be verified: \(reason)"
                Console.error("'\(job.file.name)' was attached to \(job.item) as \(info.id), but could not be verified: \(reason)")
                if json { Console.json(object) }
                return
            case .matches(let sha256):
                object["verified"] = true
                object["sha256"] = sha256
            case nil:
                break
            }
            outcome.attached += 1
            object["status"] = "attached"
            if !json {
                var how = job.plan == .singleRequest ? "one request" : "upload session"
                if case .matches = verification { how += ", verified" }
                let rate = seconds > 0 ? ", \(TransferFormat.rate(Double(job.file.size) / seconds))" : ""
                Console.out(
                    "attached \(job.file.name) (\(ByteCount(job.file.size))) to \(job.item.kind.rawValue) \(job.item.id): attachment \(info.id) [\(how), \(TransferFormat.elapsed(seconds))\(rate)]")
            }
        case .failed(let reason):
            outcome.failed += 1
            object["status"] = "failed"
            object["error"] = reason
            Console.error("could not attach '\(job.file.name)' to \(job.item): \(reason)")
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
