import AttacheCore

extension TransferSnapshot {
    /// MERGE: the core's own flag.
    var isPaused: Bool { false }
}
