import AttacheCore

/// A progress bar that shows which parts of the file the server holds: each cell stands for
/// a slice of the file, full when the server confirmed all of it, shaded while its bytes are
/// in flight, light when nothing of it has arrived.
struct TransferBar {
    var snapshot: TransferSnapshot
    var unicode = true

    func cells(width: Int) -> [(String, Role)] {
        guard width > 0 else { return [] }
        let size = snapshot.fileSize
        let done: Bool = {
            if case .attached = snapshot.phase { return true }
            return false
        }()
        // What the server holds now: nothing, once a failure or a cancel deleted the session.
        let confirmed = done ? (size > 0 ? [0..<size] : []) : snapshot.heldRanges
        // What is in flight starts where the server's first gap does.
        let gapStart = Self.firstGap(in: confirmed, size: size)
        let flight = snapshot.inFlightBytes > 0 ? gapStart..<min(size, gapStart + snapshot.inFlightBytes) : gapStart..<gapStart
        return (0..<width).map { index in
            if size == 0 {
                return done ? (unicode ? "█" : "#", .barDone) : (unicode ? "░" : "-", .barEmpty)
            }
            let lower = Int64(Double(size) * Double(index) / Double(width))
            let upper = max(lower + 1, Int64(Double(size) * Double(index + 1) / Double(width)))
            let slice = lower..<min(upper, size)
            let held = confirmed.reduce(Int64(0)) { $0 + Int64($1.clamped(to: slice).count) }
            if held >= Int64(slice.count) { return (unicode ? "█" : "#", .barDone) }
            if held > 0 || flight.overlaps(slice) { return (unicode ? "▓" : "=", .barFlight) }
            return (unicode ? "░" : "-", .barEmpty)
        }
    }

    static func firstGap(in confirmed: [Range<Int64>], size: Int64) -> Int64 {
        var cursor: Int64 = 0
        for range in confirmed.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if range.lowerBound > cursor { return cursor }
            cursor = max(cursor, range.upperBound)
        }
        return min(cursor, size)
    }
}
