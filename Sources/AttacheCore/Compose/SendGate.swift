import Foundation

/// Whether an item may go out now: a draft sent, an event's update sent to its attendees.
/// Either carries the attachments the item has at that moment, so it waits for the files
/// still on their way to it, and refuses, with the reason, once one of them did not land.
///
/// One decision for every front end: the screen (its own transfers) and `attache send`
/// (the journal's, from any process) ask here.
public enum SendGate {
    /// What to do about the item.
    public enum Decision: Hashable, Sendable {
        /// Every file meant for it has landed (or none was): send.
        case send
        /// These files are still queued, running or paused: wait for them.
        case wait(files: [String])
        /// A file meant for it did not land: do not send. The sentence names the file and why.
        case refuse(String)
    }

    /// The decision from the transfers a process runs itself.
    ///
    /// - Parameters:
    ///   - item: the draft or event.
    ///   - watching: transfers the caller waits for (those under way when the send was
    ///     asked for): one of them that ended without its attachment refuses the send. A
    ///     transfer of the item that ended before and is not watched counts for nothing.
    ///   - transfers: every transfer the process knows.
    public static func decide(for item: ItemReference, watching: Set<TransferID> = [], in transfers: [TransferSnapshot]) -> Decision {
        var waiting: [String] = []
        for transfer in transfers where transfer.job.item == item {
            let name = transfer.job.file.name
            switch transfer.phase {
            case .attached:
                continue
            case .failed(let error) where watching.contains(transfer.id):
                return .refuse("'\(name)' did not attach: \(error.reason)")
            case .cancelled where watching.contains(transfer.id):
                return .refuse("'\(name)' was cancelled before it was attached")
            case .interrupted where watching.contains(transfer.id):
                return .refuse("'\(name)' was interrupted before it was attached (`attache resume` finishes it)")
            case .failed, .cancelled, .interrupted:
                continue
            case .paused:
                waiting.append(name + " (paused)")
            default:
                waiting.append(name)
            }
        }
        return waiting.isEmpty ? .send : .wait(files: waiting)
    }

    /// The decision from the journal's transfers to the item, as another process left them.
    ///
    /// - Parameters:
    ///   - records: the journal's rows for the item (any state).
    ///   - running: whether an attache process is driving a row right now.
    ///   - watching: rows that were unfinished when the send was asked for: one of them that
    ///     ended without its attachment refuses the send.
    public static func decide(records: [TransferRecord], running: (TransferRecord) -> Bool, watching: Set<String>) -> Decision {
        var waiting: [String] = []
        for record in records {
            let name = record.fileName
            switch record.state {
            case .done:
                continue
            case .failed where watching.contains(record.id):
                return .refuse("'\(name)' did not attach: \(record.lastError ?? "it failed")")
            case .cancelled where watching.contains(record.id):
                return .refuse("'\(name)' was cancelled before it was attached")
            case .failed, .cancelled:
                continue
            case .queued, .uploading, .interrupted:
                guard running(record) else {
                    let held = ByteCount(max(0, min(record.confirmedBytes, record.fileSize))).description(rounding: .down)
                    return .refuse(
                        "'\(name)' stopped at \(held) of \(ByteCount(max(0, record.fileSize))) and no attache is running it: "
                            + "`attache resume \(record.id)` finishes it, `attache cancel \(record.id)` drops it")
                }
                waiting.append(name)
            }
        }
        return waiting.isEmpty ? .send : .wait(files: waiting)
    }
}

extension SendGate.Decision {
    /// `the 2 uploads` / `the upload of 'report.pdf'`, for a question or a line of progress.
    public static func describe(waitingFor files: [String]) -> String {
        files.count == 1 ? "the upload of '\(files[0])'" : "the \(files.count) uploads"
    }
}
