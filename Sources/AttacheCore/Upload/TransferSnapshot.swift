import Foundation

/// Identifies a transfer within one ``TransferQueue``.
public typealias TransferID = Int

/// Everything a front end shows about one transfer, as of its last event.
public struct TransferSnapshot: Hashable, Sendable, Identifiable {
    public enum Phase: Hashable, Sendable {
        case queued
        /// Creating the session or sending the single `POST`.
        case starting
        case uploading
        /// Asking the session where it stands, or looking for an attachment already made.
        case checking(String)
        /// Waiting until `retryAt` (seconds on the queue's clock) after `reason`.
        case retrying(retryAt: Double, attempt: Int, reason: String)
        /// Held back until `until` (seconds on the queue's clock) by Outlook's limits: `reason`.
        case waiting(until: Double, reason: String)
        case attached(AttachmentInfo)
        case failed(UploadError)
        case cancelled
        case interrupted
        /// Stopped by the user with its upload session kept, until it is resumed.
        case paused

        /// The transfer's run has ended; it changes only if retried (or, paused, resumed).
        public var isTerminal: Bool {
            switch self {
            case .attached, .failed, .cancelled, .interrupted, .paused: true
            default: false
            }
        }

        /// Ended for good: what clearing the finished ones clears (not a pause).
        public var isFinished: Bool { isTerminal && self != .paused }

        /// Running: holding one of the queue's slots.
        public var isActive: Bool {
            switch self {
            case .starting, .uploading, .checking, .retrying, .waiting: true
            default: false
            }
        }
    }

    public let id: TransferID
    public var job: UploadJob
    public var phase: Phase = .queued
    /// The journal row's id, once recorded.
    public var recordID: String?
    /// Bytes the server has confirmed.
    public var confirmedBytes: Int64 = 0
    /// The runs of the file the server holds, for a bar that shows them.
    public var confirmedRanges: [Range<Int64>] = []
    /// Bytes of the request in flight handed to the connection so far.
    public var inFlightBytes: Int64 = 0
    /// Every byte sent, retries included.
    public var bytesSent: Int64 = 0
    /// Moving-average throughput of confirmed bytes, bytes per second.
    public var bytesPerSecond: Double?
    /// When the server last confirmed bytes (seconds on the queue's clock).
    public var confirmedAt: Double?
    /// The SHA-256 the attachment was read back with, when it was verified.
    public var verifiedSHA256: String?
    /// The user cancelled, but the server had already made the attachment, which stays.
    public var cancelCameTooLate = false
    /// For a file shared from OneDrive: its link, once it is in the item's body.
    public var sharedLink: SharedLink?
    /// When the outage the transfer is riding out began (seconds on the queue's clock); `nil`
    /// once the server answers again. Its phase meanwhile is ``Phase/retrying(retryAt:attempt:reason:)``.
    public var offlineSince: Double?
    /// How many times a request was tried again, and why the last one was.
    public var retries = 0
    public var lastRetryReason: String?
    /// What the transfer is stopping for while its run takes the stop in (a request in flight
    /// gets a moment to finish), so the screen says so at once.
    public var stopping: Stopping?

    /// Why a running transfer is stopping.
    public enum Stopping: Hashable, Sendable {
        /// Cancelled: its session is being deleted.
        case cancelling
        /// Paused: it ends ``Phase/paused``, its session kept.
        case pausing
        /// The process is going away: it ends interrupted, its session kept.
        case interrupting
    }
    /// Bytes the server held when this run first opened (or found) its session: a resume's
    /// starting point, which the run's average rate does not count. `nil` until then.
    public var confirmedBeforeRun: Int64?
    /// Seconds on the queue's clock.
    public var startedAt: Double?
    public var finishedAt: Double?

    public init(id: TransferID, job: UploadJob) {
        self.id = id
        self.job = job
    }

    public var fileSize: Int64 { job.file.size }

    /// Where the transfer stands: the bytes the server confirmed, never those merely handed
    /// to the connection (on a slow link those run seconds ahead of what has arrived).
    public var progressBytes: Int64 {
        min(fileSize, confirmedBytes)
    }

    /// Whether the server still holds what it confirmed. A failed or cancelled run deletes
    /// its session, and with it every byte the session held, unless the failure kept the
    /// session (its host could not be reached to delete it: its advice is to resume).
    public var holdsConfirmed: Bool {
        switch phase {
        case .cancelled: false
        case .failed(let error): error.advice.contains(.resume)
        default: true
        }
    }

    /// The runs of the file the server holds now: none once the session is deleted.
    public var heldRanges: [Range<Int64>] {
        if case .attached = phase { return fileSize > 0 ? [0..<fileSize] : [] }
        return holdsConfirmed ? confirmedRanges : []
    }

    /// The bytes the server holds now: none once the session is deleted.
    public var heldBytes: Int64 {
        holdsConfirmed ? progressBytes : 0
    }

    /// Bytes this run brought the server: what it holds now beyond what it held when the
    /// run began (a resume does not count what an earlier run sent).
    public var confirmedThisRun: Int64 {
        max(0, progressBytes - (confirmedBeforeRun ?? 0))
    }

    public var fractionDone: Double {
        if case .attached = phase { return 1 }
        guard fileSize > 0 else { return 0 }
        return Double(progressBytes) / Double(fileSize)
    }

    /// Seconds left at the current rate, while uploading, as of `now` (the queue's clock):
    /// between two confirmations it counts down rather than stand still.
    public func secondsRemaining(at now: Double) -> Double? {
        guard phase == .uploading, let rate = bytesPerSecond, rate > 1 else { return nil }
        let sinceConfirmed = max(0, now - (confirmedAt ?? now))
        return max(0, Double(fileSize - progressBytes) / rate - sinceConfirmed)
    }
}

/// A change in a ``TransferQueue``.
public enum TransferEvent: Hashable, Sendable {
    case changed(TransferSnapshot)
    case removed(TransferID)
}
