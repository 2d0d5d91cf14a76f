import AttacheCore

extension GraphConnection {
    /// The journal's unfinished transfers sorted into those this process can pick up and
    /// those it must leave alone.
    struct Resumable {
        var jobs: [(UploadJob, TransferRecord)] = []
        /// Sent to another Graph root: resuming them here would ask the wrong server.
        var otherGraph: [TransferRecord] = []
        /// Running in another attache right now.
        var runningElsewhere: [(TransferRecord, TransferClaim.Holder)] = []
    }

    /// Sorts `records` for a resume through this connection.
    func resumable(_ records: [TransferRecord], journal: TransferJournal) -> Resumable {
        var result = Resumable()
        for var record in records {
            guard record.graphBase == journalBase else {
                result.otherGraph.append(record)
                continue
            }
            if let holder = journal.holder(of: record.id) {
                result.runningElsewhere.append((record, holder))
                continue
            }
            if let origin = embeddedOrigin, let url = record.uploadURL {
                // The embedded emulator listens on a new port each run.
                record.uploadURL = url.rebased(onto: origin)
            }
            let plan: UploadPlan = record.method == "post" ? .singleRequest : .uploadSession(rangeLength: record.rangeLength)
            result.jobs.append((UploadJob(file: record.localFile, item: record.item, plan: plan), record))
        }
        return result
    }
}
