import Clocks
import Foundation
import Logging

/// The last step of a file shared from OneDrive, once its bytes are there: a sharing link
/// for its drive item, and a line with the link in the item's body. Each step is recorded,
/// so a run stopped between them is finished by `attache resume` without a second upload,
/// and a body that already holds the link is left as it is.
struct LinkPlacer {
    let graph: GraphClient
    let retryPolicy: RetryPolicy
    let clock: AttacheClock
    let logger: Logger

    /// Bodies are read and written whole: two shares into one item in this process take
    /// turns, so neither line is lost.
    static let bodies = ItemLocks()

    /// Why the item cannot take a link in its body, before anything goes to OneDrive: a
    /// message that was sent or received can no longer be changed (Graph refuses with
    /// `ErrorInvalidPropertyUpdateSentMessage`). `nil` when it can, or could not be told.
    func refusal(for job: UploadJob) async -> UploadError? {
        guard job.item.kind == .message, let item = try? await graph.item(job.item), item.isDraft == false else { return nil }
        return UploadError(
            .refused,
            reason: "its link would go in the message's body, and “\(item.subject ?? "")” was sent or received already, so it cannot be changed; "
                + "share it in a draft (a reply or a forward) instead",
            fileName: job.file.name, item: job.item)
    }

    /// Shares `driveItemID` (the upload of `job.file`) and puts the link in `job.item`.
    func place(
        _ job: UploadJob, driveItemID: String, recorder: inout TransferRecorder, report: @escaping @Sendable (TransferUpdate) -> Void
    ) async -> TransferOutcome {
        let share = job.share ?? DriveShare()
        func failed(_ error: any Error, _ doing: String) async -> TransferOutcome {
            var failure: UploadError
            if let graphError = error as? GraphError {
                failure = UploadError(
                    UploadError.kind(rejecting: graphError.requestFailure, atUploadURL: false),
                    reason: "it is on OneDrive (\(share.folder)), but \(doing) failed: \(graphError.requestFailure)", fileName: job.file.name,
                    item: job.item, graphCode: graphError.code, status: graphError.status, requestID: graphError.requestID, cause: graphError)
            } else {
                failure = UploadError(.internalError, reason: "it is on OneDrive, but \(doing) failed: \(error)", fileName: job.file.name, item: job.item)
            }
            // Worth a resume only when the server may say yes next time (RequestFailure decides).
            if (error as? GraphError)?.requestFailure.isRetryable ?? true { failure.advice = [.resume] }
            let (text, code) = (failure.description, failure.code)
            await recorder.update { row in
                row.state = .interrupted
                row.lastError = text
                row.errorCode = code
            }
            return .failed(failure)
        }

        report(.checking("sharing a OneDrive link"))
        let link: SharedLink
        do {
            let item = try await retrying { try await graph.driveItem(driveItemID) }
            link = try await retrying { try await graph.createSharingLink(for: item, share: share) }
        } catch is CancellationError {
            await recorder.update { $0.state = .interrupted }
            return .interrupted
        } catch {
            return await failed(error, "making its link")
        }
        await recorder.update { row in
            row.linkURL = link.webURL
            row.driveItemName = link.driveItemName
        }

        report(.checking("putting the link in the \(job.item.kind == .message ? "message" : "event")"))
        let line = LinkLine(fileName: job.file.name, fileSize: job.file.size, link: link)
        do {
            try await Self.bodies.withLock(job.item.id) {
                let body = try await retrying { try await graph.itemBody(job.item) }
                guard let content = line.added(to: body.content, isHTML: body.isHTML) else { return }
                try await retrying { try await graph.replaceItemBody(job.item, with: ItemBody(contentType: body.contentType, content: content)) }
            }
        } catch is CancellationError {
            await recorder.update { $0.state = .interrupted }
            return .interrupted
        } catch {
            return await failed(error, "putting its link (\(link.webURL)) in the item")
        }
        await recorder.update { row in
            row.state = .done
            row.lastError = nil
            row.errorCode = nil
        }
        report(.shared(link))
        return .attached(AttachmentInfo(id: driveItemID, name: link.driveItemName, size: job.file.size))
    }

    /// `body`, tried again on the failures worth it, a few times at most.
    private func retrying<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch let error as GraphError where error.requestFailure.isRetryable && attempt < retryPolicy.maximumAttempts {
                let delay = retryPolicy.delay(forAttempt: attempt, retryAfter: error.retryAfter, using: &generator)
                logger.info("trying again", metadata: ["attempt": "\(attempt)", "reason": "\(error.requestFailure)"])
                try await clock.sleep(for: delay)
            }
        }
    }
}
