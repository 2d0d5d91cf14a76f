import AttacheCore
import Foundation

/// The live progress lines on stderr while transfers run: one line per transfer still going,
/// redrawn at most ten times a second when something changed, and once a second anyway, so
/// that times left and waits count down between the server's confirmations.
actor ProgressBoard {
    private var snapshots: [TransferID: TransferSnapshot] = [:]
    private var order: [TransferID] = []
    private var linesOnScreen = 0
    private var dirty = false
    private var lastDrawn = -Double.infinity
    private var clockNow: @Sendable () -> Double

    init(now: @escaping @Sendable () -> Double) {
        self.clockNow = now
    }

    func update(_ snapshot: TransferSnapshot) {
        if snapshots[snapshot.id] == nil { order.append(snapshot.id) }
        snapshots[snapshot.id] = snapshot
        dirty = true
    }

    /// Erases the board, runs `body` (which prints lines above it), and lets it be redrawn.
    func printAbove(_ body: () -> Void) {
        clear()
        body()
        dirty = true
    }

    /// Redraws if anything changed since the last time, or a second has passed.
    func redrawIfNeeded() {
        let now = clockNow()
        guard dirty || (linesOnScreen > 0 && now - lastDrawn >= 1) else { return }
        dirty = false
        lastDrawn = now
        let width = Console.width
        let live = order.compactMap { snapshots[$0] }.filter { !$0.phase.isTerminal }
        var lines = live.prefix(8).map { Self.line(for: $0, width: width, now: now) }
        if live.count > 8 { lines.append("  … and \(live.count - 8) more") }
        var output = linesOnScreen > 0 ? "\u{1B}[\(linesOnScreen)F" : ""
        for line in lines { output += "\u{1B}[2K" + line + "\n" }
        output += "\u{1B}[J"
        Console.write(Data(output.utf8), to: STDERR_FILENO)
        linesOnScreen = lines.count
    }

    func clear() {
        guard linesOnScreen > 0 else { return }
        Console.write(Data("\u{1B}[\(linesOnScreen)F\u{1B}[J".utf8), to: STDERR_FILENO)
        linesOnScreen = 0
    }

    /// `report.pdf  [########--------]  48%  1.6 MiB/3.3 MiB  8.2 MiB/s  ETA 0:01`
    static func line(for snapshot: TransferSnapshot, width: Int, now: Double) -> String {
        let percent = "\(Int((snapshot.fractionDone * 100).rounded(.down)))%".leftPadded(to: 4, with: " ")
        let amounts = "\(ByteCount(snapshot.progressBytes).description(rounding: .down))/\(ByteCount(snapshot.fileSize))"
        let status: String
        switch snapshot.phase {
        case .queued: status = "queued"
        case .starting: status = snapshot.job.plan == .singleRequest ? "sending" : "opening session"
        case .uploading:
            status = "\(TransferFormat.rate(snapshot.bytesPerSecond))  ETA \(snapshot.secondsRemaining(at: now).map(TransferFormat.clock) ?? "--:--")"
        case .checking(let what): status = what
        case .retrying(let retryAt, _, _) where snapshot.offlineSince != nil:
            let lasted = now - (snapshot.offlineSince ?? now)
            status = "offline \(TransferFormat.clock(max(0, lasted))) · next try in \(TransferFormat.clock(max(0, retryAt - now)))"
        case .retrying(let retryAt, let attempt, let reason):
            status = "retry \(attempt) in \(TransferFormat.clock(max(0, retryAt - now))): \(reason)"
        case .waiting(let until, let reason):
            status = "\(reason) · \(TransferFormat.clock(max(0, until - now)))"
        default: status = ""
        }
        let barWidth = 20
        // `#` what the server confirmed, `=` what is on its way.
        let filled = Int((snapshot.fractionDone * Double(barWidth)).rounded(.down))
        let sending = snapshot.fileSize > 0 && !snapshot.phase.isTerminal
            ? min(barWidth - filled, Int((Double(snapshot.inFlightBytes) / Double(snapshot.fileSize) * Double(barWidth)).rounded(.down))) : 0
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "=", count: sending)
            + String(repeating: "-", count: barWidth - filled - sending) + "]"
        let tail = "  \(bar) \(percent)  \(amounts)  \(status.terminalSafe)"
        let nameRoom = max(8, width - tail.count - 1)
        var name = snapshot.job.file.name.terminalSafe
        if name.count > nameRoom { name = String(name.prefix(nameRoom - 1)) + "…" }
        return String((name + tail).prefix(max(width - 1, 20)))
    }
}
