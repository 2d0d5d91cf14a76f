import AttacheCore

/// Enter on a transfer: everything known about it, live. The whole reason a row had to cut,
/// the runs of the file the server holds, retries, what was sent twice, and the times.
struct TransferDetailView: View {
    var state: AppState
    var id: TransferID
    var offset = 0

    /// The fields, label and value, for the snapshot as it is now.
    static func fields(_ snapshot: TransferSnapshot, state: AppState) -> [(String, String, Role)] {
        let job = snapshot.job
        let (stateText, stateRole) = TransferListView.stateText(snapshot, now: state.now, writable: state.writableKinds)
        let title = state.title(of: job.item) ?? job.itemTitle
        var fields: [(String, String, Role)] = [
            ("file", job.file.path, .dialog),
            ("to", (title.map { "“\($0)” · " } ?? "") + "\(job.item.kind == .message ? "message" : "event") \(job.item.id)", .dialog),
            ("size", "\(snapshot.fileSize) bytes (\(ByteCount(snapshot.fileSize)))", .dialog),
        ]
        switch job.plan {
        case .singleRequest:
            fields.append(("path", "one POST (its request fits Graph's 4 MiB)", .dialog))
        case .uploadSession(let rangeLength):
            let ranges = (snapshot.fileSize + rangeLength - 1) / max(1, rangeLength)
            fields.append(("path", "upload session, \(ranges) range\(ranges == 1 ? "" : "s") of \(ByteCount(rangeLength))", .dialog))
        case .driveSession(let fragmentLength):
            let fragments = (snapshot.fileSize + fragmentLength - 1) / max(1, fragmentLength)
            let folder = job.share?.folder ?? DriveShare.defaultFolder
            fields.append(("path", "OneDrive link: \(fragments) fragment\(fragments == 1 ? "" : "s") of \(ByteCount(fragmentLength)) into \(folder)", .dialog))
            if let reason = job.share?.reason { fields.append(("why a link", reason.sentence, .dialog)) }
        }
        if let link = snapshot.sharedLink {
            fields.append(("OneDrive", "\(link.driveItemName) (\(link.driveItemID))", .dialog))
            fields.append(("link", "\(link.webURL) (\(link.type.rawValue), \(link.scope.audience))", .dialog))
        }
        fields.append(("state", stateText, stateRole))
        if case .failed(let error) = snapshot.phase {
            let why = TransferWords.failure(error, writable: state.writableKinds)
            if why != stateText.dropFirst("failed: ".count) { fields.append(("why", why, .error)) }
            if let hint = TransferWords.hint(error, writable: state.writableKinds) { fields.append(("what to do", hint, .dialog)) }
            let server = [error.status.map { "HTTP \($0)" }, error.graphCode, error.requestID.map { "request-id \($0)" }].compactMap { $0 }
            if !server.isEmpty { fields.append(("server said", server.joined(separator: " · "), .dim)) }
        }
        if case .attached(let info) = snapshot.phase {
            fields.append(("attachment", info.id, .dialog))
            if let reported = info.size, reported != snapshot.fileSize {
                fields.append(("Graph says", "\(reported) bytes (\(ByteCount(reported))): Outlook counts its overhead in an attachment's size", .dim))
            }
        }
        if snapshot.holdsConfirmed {
            let percent = Int((snapshot.fractionDone * 100).rounded(.down))
            // Rounded down while it grows (never more than the server holds), as the size once
            // whole; the ranges below are rounded the same way, so the two agree.
            fields.append(("confirmed", "\(snapshot.progressBytes) bytes (\(Self.amount(snapshot.progressBytes, of: snapshot.fileSize)), \(percent)%)", .dialog))
            fields.append(("ranges held", rangesText(snapshot.heldRanges, total: snapshot.fileSize), .dialog))
        } else {
            // The session was deleted, and everything it held with it.
            let held = snapshot.progressBytes > 0 ? ": its session was deleted, and the \(Self.amount(snapshot.progressBytes, of: snapshot.fileSize)) it held with it" : ""
            fields.append(("confirmed", "none" + held, .dim))
            fields.append(("ranges held", "none", .dim))
        }
        if snapshot.inFlightBytes > 0 {
            fields.append(("in flight", "\(ByteCount(snapshot.inFlightBytes)) sent, not yet confirmed", .dim))
        }
        fields.append(("sent", sentText(snapshot), .dialog))
        fields.append(("retries", snapshot.retries == 0 ? "none" : "\(snapshot.retries), the last after: \(snapshot.lastRetryReason ?? "?")", .dialog))
        if let started = snapshot.startedAt {
            let end = snapshot.finishedAt ?? state.now
            let seconds = max(0, end - started)
            var timing = "\(TransferFormat.clock(seconds)) \(snapshot.finishedAt == nil ? "so far" : "in all")"
            // Only what this run brought: a resume's earlier bytes came in another run's time.
            if seconds > 0, snapshot.confirmedThisRun > 0 {
                timing += " · \(TransferFormat.rate(Double(snapshot.confirmedThisRun) / seconds)) on average"
                if let before = snapshot.confirmedBeforeRun, before > 0 {
                    timing += " (\(Self.amount(snapshot.confirmedThisRun, of: snapshot.fileSize)) this run; \(Self.amount(before, of: snapshot.fileSize)) were there before)"
                }
            }
            fields.append(("time", timing, .dialog))
        } else {
            fields.append(("time", "not started", .dim))
        }
        if snapshot.phase == .uploading, snapshot.stopping == nil {
            let eta = snapshot.secondsRemaining(at: state.now).map(TransferFormat.clock) ?? "--:--"
            fields.append(("now", "\(TransferFormat.rate(snapshot.bytesPerSecond)) · \(eta) left", .dialog))
        }
        if let sha = snapshot.verifiedSHA256 { fields.append(("verified", "sha256 \(sha)", .ok)) }
        return fields
    }

    /// `7.4 MiB`: rounded down, so never more than is there, unless it is the whole file.
    static func amount(_ bytes: Int64, of total: Int64) -> String {
        bytes == total ? "\(ByteCount(total))" : ByteCount(bytes).description(rounding: .down)
    }

    /// What was sent, and what of it went more than once and why: a retry, or a pause or a
    /// stop that cut a range short (a resume sends that range again).
    static func sentText(_ snapshot: TransferSnapshot) -> String {
        let resent = snapshot.bytesSent - snapshot.progressBytes - snapshot.inFlightBytes
        var text = "\(ByteCount(snapshot.bytesSent))"
        guard resent > 0, snapshot.holdsConfirmed else { return text }
        let why = snapshot.retries > 0 ? "retried" : "cut short by a pause or a stop, then sent again"
        text += " (\(ByteCount(resent)) more than once: \(why))"
        return text
    }

    /// `0 B–16.0 MiB, 24.0 MiB–32.0 MiB` (at most a few runs, then how many more).
    static func rangesText(_ ranges: [Range<Int64>], total: Int64) -> String {
        guard !ranges.isEmpty else { return "none yet" }
        if ranges.count == 1, ranges[0] == 0..<total { return "all of it" }
        let shown = ranges.prefix(4).map { "\(amount($0.lowerBound, of: total))–\(amount($0.upperBound, of: total))" }
        let more = ranges.count > 4 ? " and \(ranges.count - 4) more" : ""
        return shown.joined(separator: ", ") + more
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        guard let snapshot = state.transfers.first(where: { $0.id == id }) else { return }
        let width = min(rect.width - 2, 90)
        let labelWidth = 13
        var lines: [(String, String, Role)] = []
        for (label, value, role) in Self.fields(snapshot, state: state) {
            for (index, line) in Draw.wrap(value, width: max(1, width - 4 - labelWidth)).enumerated() {
                lines.append((index == 0 ? label : "", line, role))
            }
        }
        let box = rect.centered(width: width, height: min(rect.height, lines.count + 4))
        let inside = Draw.box(box, title: "Transfer · \(snapshot.job.file.shownName)", into: &buffer)
        guard inside.height > 1 else { return }
        let room = inside.height - 1
        let start = max(0, min(offset, lines.count - room))
        for (row, line) in lines.dropFirst(start).prefix(room).enumerated() {
            let x = inside.x + buffer.put(DisplayWidth.pad(line.0, to: labelWidth), x: inside.x, y: inside.y + row, role: .dim)
            buffer.put(line.1, x: x, y: inside.y + row, role: line.2, limit: inside.maxX - x)
        }
        let scroll = start + room < lines.count || start > 0 ? "j/k scroll · " : ""
        Draw.keyHints(KeyMap.hints(for: .transferDetail), prefix: scroll, in: Rect(x: inside.x, y: inside.maxY - 1, width: inside.width, height: 1), into: &buffer)
    }
}
