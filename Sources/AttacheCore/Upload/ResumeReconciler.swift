/// Makes a journaled transfer this run's before anything is sent: claims its row (a row
/// another attache is running stays that one's, session and all), reads it again now that it
/// is ours (another run may have ended it meanwhile), and keeps from the fresh row what the
/// run needs, with the upload URL as this process reaches it.
enum ResumeReconciler {
    /// Why the transfer is not this run's to resume.
    struct NotOurs: Error {
        var reason: String
    }

    static func reconcile(_ resumed: TransferRecord, recorder: inout TransferRecorder) async -> Result<TransferRecord, NotOurs> {
        var record = resumed
        if let holder = recorder.takeClaim(record.id) {
            return .failure(NotOurs(reason: "\(holder) is uploading it right now; it is left to that one"))
        }
        if let journal = recorder.journal, let fresh = try? await journal.record(record.id) {
            guard fresh.state.isUnfinished else {
                return .failure(NotOurs(reason: "another attache ended it meanwhile (\(fresh.state.rawValue))"))
            }
            // The URL as this process reaches it (rebased), unless the session is gone.
            if fresh.uploadURL == nil { record.uploadURL = nil }
            record.sessionStartedAt = fresh.sessionStartedAt
            record.serverStartedAt = fresh.serverStartedAt
            record.priorAttachmentIDs = fresh.priorAttachmentIDs
            // A file shared from OneDrive whose upload had ended: only its link is left to place.
            record.attachmentID = fresh.attachmentID
            record.linkURL = fresh.linkURL
        }
        recorder.adopt(record)
        return .success(record)
    }
}
