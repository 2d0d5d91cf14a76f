import Foundation

/// What the uploader says about one transfer as it goes; the queue folds these into a
/// ``TransferSnapshot``.
public enum TransferUpdate: Sendable, Hashable {
    /// The journal row exists (its id names the transfer for `status`, `resume`, `cancel`).
    case journaled(recordID: String)
    /// Creating the session, or sending the single `POST`.
    case starting
    /// A new upload session; the server expects these ranges.
    case sessionOpened(ExpectedRanges)
    /// These many bytes of the current request were handed to the connection.
    case bytesSent(Int64)
    /// The server confirmed it holds everything outside these ranges.
    case confirmed(ExpectedRanges)
    /// Waiting `delay` before trying again, because of `reason`.
    case retrying(delay: Duration, attempt: Int, reason: String)
    /// The server has not been reached for `lasted`: waiting `delay` before try `attempt`,
    /// riding the outage out (see ``RetryPolicy/outageTolerance``).
    case offline(delay: Duration, attempt: Int, lasted: Duration, reason: String)
    /// Waiting `delay` because Outlook asks for it (`reason`, such as "waiting for Outlook's
    /// upload budget"): pacing, not a failure.
    case waiting(delay: Duration, reason: String)
    /// Asking the session where it stands, looking for an attachment already made, checking
    /// the file or reading the attachment back.
    case checking(String)
    /// The attachment read back has the file's SHA-256.
    case verified(sha256: String)
    /// A cancel came after the server had made the attachment: it stays.
    case cancelCameTooLate
    /// Outlook cannot take the file: it goes to OneDrive as this job instead, from its start.
    case sharingInstead(UploadJob)
    /// The file is on OneDrive, and this link is in the item's body.
    case shared(SharedLink)
    /// The transfer ended.
    case finished(TransferOutcome)
}

/// How a transfer ended.
public enum TransferOutcome: Sendable, Hashable {
    case attached(AttachmentInfo)
    case failed(UploadError)
    case cancelled
    /// Stopped with its session kept for `attache resume`.
    case interrupted

    public var isSuccess: Bool {
        if case .attached = self { return true }
        return false
    }
}

/// Why a running transfer is being stopped.
public enum StopReason: Sendable, Hashable {
    /// The user cancelled it: delete the session.
    case cancel
    /// The process is going away: keep the session for a resume.
    case interrupt
}
