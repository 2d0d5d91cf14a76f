import AttacheCore

/// The transfer queue: one row per transfer with a bar of the confirmed ranges, bytes,
/// percent, rate, time left and state.
struct TransferListView: View {
    var state: AppState
    var unicode = true

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        let running = state.activeTransfers
        let queued = state.queuedTransfers
        let done = state.transfers.filter { if case .attached = $0.phase { return true } else { return false } }.count
        let failed = state.transfers.filter { if case .failed = $0.phase { return true } else { return false } }.count
        var parts = ["Transfers"]
        if running > 0 { parts.append("\(running) running") }
        if queued > 0 { parts.append("\(queued) queued") }
        if done > 0 { parts.append("\(done) done") }
        if failed > 0 { parts.append("\(failed) failed") }
        let count = state.transfers.count
        let height = max(0, rect.height - 1)
        let top = Self.top(of: state, height: height)
        // Where the rows in view sit in the whole list, as a scroll bar would say.
        let position = count > height && height > 0 ? "\(top + 1)–\(top + height) of \(count)" : nil
        let area = Draw.paneTitle(parts.joined(separator: " · "), right: position, in: rect, focused: state.focus == .transfers, into: &buffer)
        guard !area.isEmpty else { return }
        guard !state.transfers.isEmpty else {
            buffer.put(" no transfers yet; select an item and press a", x: area.x, y: area.y, role: .dim, limit: area.width)
            return
        }
        for row in 0..<min(area.height, state.transfers.count - top) {
            let index = top + row
            let y = area.y + row
            renderRow(state.transfers[index], x: area.x, y: y, width: area.width, into: &buffer)
            if index == state.transferSelection, state.focus == .transfers {
                // Keep the bar's colours: highlight only the name.
                buffer.paint(Rect(x: area.x, y: y, width: nameWidth(for: area.width) + 1, height: 1), role: .selection)
            }
        }
    }

    /// The first row in view. With the pane focused, the selection stays in view; otherwise
    /// the transfers still under way do (running ones first, then queued), so finished rows
    /// never hide what is moving, and the newest rows show when nothing is.
    static func top(of state: AppState, height: Int) -> Int {
        let count = state.transfers.count
        guard count > height, height > 0 else { return 0 }
        if state.focus == .transfers {
            return Draw.scrollTop(selection: state.transferSelection, count: count, height: height)
        }
        let firstRunning = state.transfers.firstIndex { $0.phase.isActive }
        let firstQueued = state.transfers.firstIndex { $0.phase == .queued }
        guard let first = [firstRunning, firstQueued].compactMap({ $0 }).min() else { return count - height }
        return min(first, count - height)
    }

    /// Columns for the name and the bar at this width; the rest is shared by bytes, rate,
    /// time and the state, which always keeps room to say what went wrong.
    static func layout(for width: Int) -> (name: Int, bar: Int) {
        switch width {
        case 160...: (36, 32)
        case 120...: (30, 24)
        case 90...: (22, 20)
        case 70...: (16, 14)
        default: (12, 10)
        }
    }

    func nameWidth(for width: Int) -> Int { Self.layout(for: width).name }

    func renderRow(_ snapshot: TransferSnapshot, x startX: Int, y: Int, width: Int, into buffer: inout ScreenBuffer) {
        let maxX = startX + width
        var x = startX
        let (nameWidth, barWidth) = Self.layout(for: width)
        let target = state.title(of: snapshot.job.item) ?? snapshot.job.itemTitle ?? snapshot.job.item.description
        let name: String
        if snapshot.job.plan.isDrive {
            // Shared from OneDrive, whatever the room: the row must not pass for an attachment.
            name = width >= 90 ? "\(snapshot.job.file.shownName) → OneDrive link in \(target)" : "\(snapshot.job.file.shownName) → OneDrive link"
        } else {
            name = width >= 90 ? "\(snapshot.job.file.shownName) → \(target)" : snapshot.job.file.shownName
        }
        x += buffer.put(" " + DisplayWidth.pad(name, to: nameWidth), x: x, y: y, role: .normal, limit: maxX - x)
        x += 1
        for (text, role) in TransferBar(snapshot: snapshot, unicode: unicode).cells(width: barWidth) where x < maxX {
            x += buffer.put(text, x: x, y: y, role: role, limit: maxX - x)
        }
        let isAttached = if case .attached = snapshot.phase { true } else { false }
        // A session deleted (failed, cancelled) holds nothing: no share of the file is claimed.
        let percent = snapshot.holdsConfirmed || isAttached ? "\(Int((snapshot.fractionDone * 100).rounded(.down)))%" : "–"
        x += buffer.put(" " + DisplayWidth.pad(percent, to: 4, alignRight: true), x: x, y: y, role: .normal, limit: maxX - x)

        // Optional columns, each only while the state keeps at least this much room.
        let stateRoom = 24
        var left = maxX - x
        if left - 21 >= stateRoom {
            let bytes = isAttached || !snapshot.holdsConfirmed || snapshot.phase.isTerminal && snapshot.progressBytes == snapshot.fileSize
                ? "\(ByteCount(snapshot.fileSize))"
                : "\(ByteCount(snapshot.progressBytes).description(rounding: .down))/\(ByteCount(snapshot.fileSize))"
            x += buffer.put("  " + DisplayWidth.pad(bytes, to: 19), x: x, y: y, role: .dim, limit: maxX - x)
            left = maxX - x
        }
        var rate = ""
        var eta = ""
        switch snapshot.phase {
        case .uploading where snapshot.stopping == nil:
            rate = TransferFormat.rate(snapshot.bytesPerSecond)
            eta = snapshot.secondsRemaining(at: state.now).map { "ETA " + TransferFormat.clock($0) } ?? ""
        case .attached:
            // What this run sent, over its time: a resume does not count an earlier run's bytes.
            let seconds = (snapshot.finishedAt ?? 0) - (snapshot.startedAt ?? 0)
            rate = seconds > 0 && snapshot.confirmedThisRun > 0 ? TransferFormat.rate(Double(snapshot.confirmedThisRun) / seconds) : ""
            eta = TransferFormat.elapsed(max(0, seconds))
        default:
            break
        }
        var shown = false
        let isWaiting = if case .waiting = snapshot.phase { true } else { false }
        // A wait has no rate nor ETA: its line takes their room.
        if left - 23 >= stateRoom, !isWaiting {
            x += buffer.put(" " + DisplayWidth.pad(rate, to: 11, alignRight: true), x: x, y: y, role: .dim, limit: maxX - x)
            x += buffer.put("  " + DisplayWidth.pad(eta, to: 9), x: x, y: y, role: .dim, limit: maxX - x)
            shown = true
        }
        var (text, role) = Self.stateText(snapshot, now: state.now, writable: state.writableKinds)
        // Stopping, the state says so whatever the room: the rate and time left no longer hold.
        if !shown, snapshot.phase == .uploading, snapshot.stopping == nil, !rate.isEmpty || !eta.isEmpty {
            // No columns for them: the rate and the time left follow the state, or take its
            // place when all three do not fit (the bar says it is uploading): never cut.
            let figures = [rate, eta].filter { !$0.isEmpty }.joined(separator: " · ")
            let full = text + " · " + figures
            text = DisplayWidth.of(full) <= maxX - x - 2 ? full : figures
        }
        if case .waiting(let until, let reason) = snapshot.phase {
            // The time left matters most: the reason gives way to it.
            let clock = " · " + TransferFormat.clock(max(0, until - state.now))
            text = DisplayWidth.truncate(reason, to: max(0, maxX - x - 2 - clock.count)) + clock
        }
        buffer.put("  " + DisplayWidth.truncate(text, to: max(0, maxX - x - 2)), x: x, y: y, role: role, limit: maxX - x)
    }

    /// `uploading`, `retrying in 3s (HTTP 503)`, `done`, `failed: reason`, …
    static func stateText(_ snapshot: TransferSnapshot, now: Double, writable: Set<ItemKind> = []) -> (String, Role) {
        if let stopping = snapshot.stopping, !snapshot.phase.isTerminal {
            switch stopping {
            case .pausing: return ("pausing…", .dim)
            case .cancelling: return ("cancelling…", .warn)
            case .interrupting: return ("stopping…", .dim)
            }
        }
        switch snapshot.phase {
        case .queued: return ("queued", .dim)
        case .starting:
            switch snapshot.job.plan {
            case .singleRequest: return ("sending", .busy)
            case .uploadSession: return ("opening session", .busy)
            case .driveSession: return ("opening a OneDrive session", .busy)
            }
        case .uploading: return ("uploading", .busy)
        case .checking(let what): return (what, .busy)
        case .retrying(let retryAt, let attempt, let reason):
            return ("retrying in \(TransferFormat.clock(max(0, retryAt - now))) (try \(attempt + 1)): \(reason)", .warn)
        case .waiting(let until, let reason):
            return ("\(reason) · \(TransferFormat.clock(max(0, until - now)))", .warn)
        case .attached where snapshot.job.plan.isDrive: return ("done · link in the \(snapshot.job.item.kind == .message ? "message" : "event")", .ok)
        case .attached: return (snapshot.cancelCameTooLate ? "done: attached before the cancel" : "done", .ok)
        case .failed(let error): return ("failed: \(TransferWords.short(error, writable: writable))", .error)
        case .cancelled: return ("cancelled", .warn)
        case .paused: return ("paused · p resumes", .dim)
        case .interrupted: return ("interrupted · r resumes", .warn)
        }
    }
}
