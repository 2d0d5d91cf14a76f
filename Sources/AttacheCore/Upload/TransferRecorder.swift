import Foundation
import Logging

/// What the journal knows of one run, written as the run goes: the row, this process's claim
/// on it, the session it holds.
///
/// A write that fails is remembered (``failure``) and stops the transfer at its next step:
/// what a transfer does that the journal cannot record could be neither resumed nor
/// cancelled from it. Without a journal it records nothing and never fails.
struct TransferRecorder: Sendable {
    let journal: TransferJournal?
    let logger: Logger
    /// The row, once there is one.
    private(set) var recordID: String?
    /// The upload URL the row holds, kept in step with the session.
    private(set) var journaledSession: UploadURL?
    /// Why the journal could not record a step, once it could not.
    private(set) var failure: String?
    /// This process's hold on the row, so no other attache drives the same session.
    private var claim: TransferClaim?

    init(journal: TransferJournal?, logger: Logger) {
        self.journal = journal
        self.logger = logger
    }

    /// Records a new transfer before any request; the error when it cannot be, since an
    /// upload the journal does not know could be neither resumed nor cancelled.
    mutating func begin(_ job: UploadJob, graphBase: String) async -> UploadError? {
        guard let journal else { return nil }
        let file = job.file
        let fingerprint: String
        do {
            fingerprint = try await shielded { try await FileFingerprint.compute(path: file.path, size: file.size) }
        } catch {
            let problem = InputFileError(LocalFile.isMissing(error) ? .notFound : .unreadable, path: file.path, detail: LocalFile.describe(fileError: error))
            return UploadError(problem, item: job.item)
        }
        // Claimed before the row exists, so a resume elsewhere never sees it unclaimed.
        let id = TransferJournal.newID()
        _ = takeClaim(id)
        do {
            let record = try await journal.begin(id: id, file: file, item: job.item, plan: job.plan, graphBase: graphBase, fingerprint: fingerprint, share: job.share, contentId: job.contentId)
            recordID = record.id
            return nil
        } catch {
            logger.error("could not record the transfer in the journal", metadata: ["error": "\(error)"])
            return UploadError(.journalUnwritable, reason: "the transfer journal \(Self.describe(error)), so nothing was sent", fileName: file.name, item: job.item)
        }
    }

    /// Takes up a journaled row this run now holds (``ResumeReconciler``).
    mutating func adopt(_ record: TransferRecord) {
        recordID = record.id
        journaledSession = record.uploadURL
    }

    /// Writes `change` to the row; false when the journal refused it (``failure``).
    @discardableResult
    mutating func update(_ change: @escaping @Sendable (inout TransferRecord) -> Void) async -> Bool {
        guard let journal, let recordID else { return true }
        do {
            try await journal.update(recordID, change)
            return true
        } catch {
            logger.error("could not update the journal", metadata: ["error": "\(error)"])
            if failure == nil { failure = "the transfer journal \(Self.describe(error))" }
            return false
        }
    }

    /// Records `session` as the row's when it is not already: opened, gone, deleted, or kept
    /// when it could not be deleted. The row never names a session that is gone, nor misses
    /// one that is open.
    mutating func record(session: UploadURL?) async {
        guard session != journaledSession else { return }
        if await update({ $0.uploadURL = session }) { journaledSession = session }
    }

    /// Records a session just made, with all a resume needs to find what it made.
    mutating func record(opened session: UploadSession, startedAt: Date, serverStart: Date?) async {
        if await update({ record in
            record.uploadURL = session.uploadURL
            record.sessionExpires = session.expirationDateTime
            record.sessionStartedAt = startedAt
            record.serverStartedAt = serverStart
            record.priorAttachmentIDs = nil
            record.confirmedBytes = 0
            record.state = .uploading
        }) {
            journaledSession = session.uploadURL
        }
    }

    /// The final range landed: the session is gone into the attachment.
    mutating func recordCompleted() async {
        if await update({
            $0.confirmedBytes = $0.fileSize
            $0.uploadURL = nil
        }) {
            journaledSession = nil
        }
    }

    /// Records the row's state; an end (cancelled, failed) keeps `keptSession` (one that could
    /// not be deleted) and no other.
    mutating func record(state: TransferRecord.State, keptSession: UploadURL?) async {
        await update { record in
            record.state = state
            if state == .cancelled || state == .failed { record.uploadURL = keptSession }
        }
    }

    /// `attache cancel` in another process deleted the session and marked the row: a lost
    /// session then means stop, not start over.
    func cancelledElsewhere() async -> Bool {
        guard let journal, let recordID else { return false }
        return (try? await journal.record(recordID))?.state == .cancelled
    }

    /// Takes the row `id` for this run; who holds it when another process does.
    mutating func takeClaim(_ id: String) -> TransferClaim.Holder? {
        guard let journal else { return nil }
        do {
            switch try journal.claim(id) {
            case .claimed(let claim): self.claim = claim
            case .heldElsewhere(let holder): return holder
            case .notNeeded: break
            }
        } catch {
            logger.warning("could not claim the transfer; another attache could resume it at the same time", metadata: ["error": "\(error)"])
        }
        return nil
    }

    /// Lets go of the row, removing its lock file: a run that ends has nothing to guard.
    mutating func releaseClaim() {
        claim?.removeFile()
        claim = nil
    }

    /// `/path/journal.sqlite cannot be written (database or disk is full)`.
    static func describe(_ error: any Error) -> String {
        if let error = error as? JournalError { return "\(error.path) \(error.problem)" }
        return "cannot be written (\(type(of: error)))"
    }
}
