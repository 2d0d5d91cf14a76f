import AttacheCore

/// The bottom rows: the filter being typed, a message (wrapped, never cut mid-sentence),
/// attachments being saved with their bars, or the keys that work here.
struct StatusBarView: View {
    var state: AppState
    var unicode = true

    /// The rows the status takes at this width: one, or up to three for a long message.
    static func rows(for state: AppState, width: Int) -> Int {
        guard !state.editingFilter, let status = state.status else { return 1 }
        return max(1, min(3, Draw.wrap(status.text, width: max(1, width - 2)).count))
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        buffer.fill(rect, role: .statusBar)
        var x = rect.x
        if state.editingFilter {
            x += buffer.put(" /", x: x, y: rect.y, role: .statusKey)
            x += buffer.put(state.filter + "▏", x: x, y: rect.y, role: .statusBar, limit: rect.maxX - x)
            Draw.keyHints(KeyMap.hints(for: .filter), prefix: "   ", in: Rect(x: x, y: rect.y, width: rect.maxX - x, height: 1), into: &buffer)
            return
        }
        if let status = state.status {
            let role: Role = switch status.kind {
            case .info: .statusBar
            case .success: .ok
            case .warning: .warn
            case .error: .error
            }
            let lines = Draw.wrap(status.text, width: max(1, rect.width - 2))
            for (row, line) in lines.prefix(rect.height).enumerated() {
                var text = line
                if row == rect.height - 1, lines.count > rect.height { text = DisplayWidth.truncate(line + " …", to: rect.width - 2) }
                buffer.put(" " + text, x: rect.x, y: rect.y + row, role: role, limit: rect.width)
            }
            return
        }
        if let download = state.downloads.first {
            renderDownload(download, more: state.downloads.count - 1, in: rect, into: &buffer)
            return
        }
        x += 1
        for (keys, label) in KeyMap.hints(for: state.scope, except: state.inapplicableActions) {
            let needed = DisplayWidth.of(keys) + 1 + DisplayWidth.of(label) + 2
            guard x + needed <= rect.maxX else { break }
            x += buffer.put(keys, x: x, y: rect.y, role: .statusKey)
            x += buffer.put(" " + label + "  ", x: x, y: rect.y, role: .statusBar)
        }
    }

    /// `saving report.pdf ██████░░░░ 1.1 MiB/2.3 MiB`: against the file's own size when known;
    /// else against Graph's (`~2.4 MiB`), which counts Outlook's overhead, so the bar stops
    /// short of full until the last byte is in.
    func renderDownload(_ download: AppState.Download, more: Int, in rect: Rect, into buffer: inout ScreenBuffer) {
        var x = rect.x
        let verb = download.opensWhenDone ? "opening" : "saving"
        x += buffer.put(" \(verb) \(DisplayWidth.truncate(download.name, to: 30)) ", x: x, y: rect.y, role: .statusBar, limit: rect.maxX - x)
        // Graph's size runs past the file's: its bar stops short of full until the end.
        let cap = download.expectedIsExact ? 1.0 : 0.99
        let fraction = download.expected.map { $0 > 0 ? min(cap, Double(download.bytes) / Double($0)) : 0 } ?? 0
        let cells = 20
        let filled = Int((fraction * Double(cells)).rounded(.down))
        x += buffer.put(String(repeating: unicode ? "█" : "#", count: filled), x: x, y: rect.y, role: .barDone, limit: rect.maxX - x)
        x += buffer.put(String(repeating: unicode ? "░" : ".", count: cells - filled), x: x, y: rect.y, role: .barEmpty, limit: rect.maxX - x)
        let total = download.expected.map { "/\(download.expectedIsExact ? "" : "~")\(ByteCount($0))" } ?? ""
        var tail = " \(ByteCount(download.bytes).description(rounding: .down))\(total)"
        if more > 0 { tail += " · \(more) more" }
        buffer.put(tail, x: x, y: rect.y, role: .statusBar, limit: rect.maxX - x)
    }
}
