import Clocks

/// What ``TransferQueue`` runs each transfer with: ``AttachmentUploader`` live, a scripted one
/// in the queue's own tests.
protocol TransferPerformer: Sendable {
    /// Where transfers are recorded, for a resume to read the row back.
    var journal: TransferJournal? { get }
    /// The clock of the queue's times and of the grace a stop gives.
    var clock: AttacheClock { get }
    /// The same, sending to `target` (another account's or mailbox's Graph).
    func retargeted(to target: TransferTarget) -> any TransferPerformer
    /// Runs one transfer to its end, reporting as it goes (``TransferUpdate/finished(_:)`` last).
    func run(_ job: UploadJob, resuming record: TransferRecord?, stop: StopSignal, report: @escaping @Sendable (TransferUpdate) -> Void) async
        -> TransferOutcome
}

extension AttachmentUploader: TransferPerformer {
    func retargeted(to target: TransferTarget) -> any TransferPerformer {
        let uploader: AttachmentUploader = retargeted(to: target)
        return uploader
    }
}
