import Synchronization

/// Counters a test reads through `GET /_emulator/stats` to see what crossed the wire.
final class EmulatorStats: Sendable {
    struct Counters: Sendable {
        var postAttachmentRequests = 0
        var createSessionRequests = 0
        var putRequests = 0
        var putBytes: Int64 = 0
        var rejectedRanges = 0
        var completedSessions = 0
        var deletedSessions = 0
        /// Sessions whose upload URL was turned away with 401 (the `unauthorized` fault, or `revoke`).
        var revokedSessions = 0
        var bearerOnUploadURL = 0
        /// Drafts sent (`POST …/send`).
        var sentMessages = 0
        /// Each send, with the attachments the message had at that moment.
        var sends: [SentMessage] = []
        /// Updates of events with attendees, made by their organizer: each sends the attendees a notice.
        var eventUpdatesSent = 0
        /// Notices those updates sent, one per attendee.
        var attendeeNotifications = 0
        /// OneDrive: `createUploadSession` requests, fragments and their bytes, fragments
        /// refused, files committed, sessions deleted, links made.
        var driveSessionRequests = 0
        var drivePutRequests = 0
        var drivePutBytes: Int64 = 0
        var driveRejectedFragments = 0
        var driveCompletedSessions = 0
        var driveDeletedSessions = 0
        var driveLinksCreated = 0
        /// Requests refused with `ErrorMessageSizeExceeded`.
        var messageSizeRefusals = 0
        /// 429s for Outlook's limits, by the limit's name.
        var throttled: [String: Int] = [:]
    }

    private let counters = Mutex(Counters())

    func update(_ change: (inout Counters) -> Void) {
        counters.withLock { change(&$0) }
    }

    var snapshot: Counters { counters.withLock { $0 } }
}
