/// `!`: every message the status line said, oldest first, with its time and how many times
/// in a row, errors in their colour: what a message said after it went.
struct LogView: View {
    var log: [AppState.LogEntry]
    var time: LocalTime
    var pager = Pager()

    static func lines(_ log: [AppState.LogEntry], width: Int, time: LocalTime) -> [PagerLine] {
        let stamp = 10
        var lines: [PagerLine] = []
        for entry in log {
            let role: Role = switch entry.kind {
            case .info: .dialog
            case .success: .ok
            case .warning: .warn
            case .error: .error
            }
            let text = entry.text + (entry.count > 1 ? " (×\(entry.count))" : "")
            for (index, part) in Draw.wrap(text, width: max(10, width - stamp)).enumerated() {
                let left = index == 0 ? time.timeOfDay(entry.time) + "  " : String(repeating: " ", count: stamp)
                lines.append(PagerLine(left + part, role))
            }
        }
        return lines
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        let lines = Self.lines(log, width: PagerView.textWidth(in: rect), time: time)
        PagerView(title: "Message log", lines: lines, pager: pager, empty: "nothing said yet").render(in: rect, into: &buffer)
    }
}
