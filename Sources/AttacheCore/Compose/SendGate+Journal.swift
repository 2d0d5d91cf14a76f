import Clocks
import Foundation

extension SendGate {
    /// Waits, through the journal, for the transfers to `item` that any attache process
    /// has under way, and says whether the item may be sent.
    ///
    /// A transfer another process is running is waited for (the journal read again every
    /// `every` on `clock`); one no process runs (interrupted, or left by a killed run) refuses
    /// at once, naming the command that finishes or drops it; one watched that ends without
    /// its attachment refuses. With `wait` false, a running transfer refuses too.
    ///
    /// - Parameter progress: told the files still under way, each time they change.
    public static func settle(
        _ item: ItemReference, journal: TransferJournal, graphBase: String, wait: Bool, clock: AttacheClock = .live,
        every interval: Duration = .milliseconds(250), progress: @Sendable ([String]) -> Void = { _ in }
    ) async throws -> Decision {
        let watched = try await journal.unfinished().filter { $0.item == item && $0.graphBase == graphBase }
        let ids = Set(watched.map(\.id))
        guard !ids.isEmpty else { return .send }
        var said: [String]?
        while true {
            var records: [TransferRecord] = []
            for id in ids.sorted() { if let record = try await journal.record(id) { records.append(record) } }
            let decision = decide(records: records, running: { journal.holder(of: $0.id) != nil }, watching: ids)
            guard case .wait(let files) = decision else { return decision }
            guard wait else {
                return .refuse("\(Decision.describe(waitingFor: files)) to it \(files.count == 1 ? "is" : "are") still running in another attache")
            }
            if said != files {
                progress(files)
                said = files
            }
            try await clock.sleep(for: interval)
        }
    }
}

extension SendGate {
    /// For a process that weighs its own transfers itself (the screen): whether another
    /// attache has uploads to `item` under way or left unfinished, from the journal, leaving
    /// out the rows in `except` (its own). Never waits: `.refuse` names them.
    public static func othersRunning(to item: ItemReference, journal: TransferJournal, graphBase: String, except own: Set<String>) async throws -> Decision {
        guard journal.isShared else { return .send }
        let others = try await journal.unfinished().filter { $0.item == item && $0.graphBase == graphBase && !own.contains($0.id) }
        guard !others.isEmpty else { return .send }
        let decision = decide(records: others, running: { journal.holder(of: $0.id) != nil }, watching: Set(others.map(\.id)))
        if case .wait(let files) = decision {
            return .refuse("\(Decision.describe(waitingFor: files)) to it \(files.count == 1 ? "is" : "are") still running in another attache; send it once \(files.count == 1 ? "it lands" : "they land")")
        }
        return decision
    }
}
