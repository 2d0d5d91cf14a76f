/// A window of lines over the panes, as wide as the terminal allows, paged as `less` pages:
/// where the view is (`41–80 of 130`), the search lit in every line that has it, and the keys
/// (or the search being typed) at its foot. The help and the message log are drawn with it.
struct PagerView: View {
    var title: String
    var lines: [PagerLine]
    var pager: Pager
    /// What to say when there are no lines.
    var empty = ""

    /// The widest a pager window gets: wider, lines grow too long to read.
    static let maximumWidth = 140

    static func box(in rect: Rect, lines: Int) -> Rect {
        rect.centered(width: min(rect.width - 2, maximumWidth), height: min(rect.height, max(1, lines) + 4))
    }

    /// The columns a line may take in a window over `rect`.
    static func textWidth(in rect: Rect) -> Int {
        max(1, min(rect.width - 2, maximumWidth) - 4)
    }

    /// The rows of lines a window over `rect` shows (its foot takes one).
    static func room(in rect: Rect, lines: Int) -> Int {
        max(1, box(in: rect, lines: lines).height - 3)
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        let box = Self.box(in: rect, lines: lines.count)
        let room = Self.room(in: rect, lines: lines.count)
        let start = Pager.clamped(pager.offset, lines: lines.count, room: room)
        let shown = lines.isEmpty ? "" : lines.count > room ? "\(start + 1)–\(min(lines.count, start + room)) of \(lines.count)" : ""
        let inside = Draw.box(box, title: title + (shown.isEmpty ? "" : " · " + shown), into: &buffer)
        guard inside.height > 1 else { return }
        if lines.isEmpty { buffer.put(empty, x: inside.x, y: inside.y, role: .dim, limit: inside.width) }
        for (row, line) in lines.dropFirst(start).prefix(room).enumerated() {
            let y = inside.y + row
            buffer.put(DisplayWidth.truncate(line.text, to: inside.width), x: inside.x, y: y, role: line.role, limit: inside.width)
            if !pager.search.isEmpty, TextMatch.contains(line.text, pager.search) {
                // The whole line lit: where in it is plain to see at a glance.
                buffer.paint(Rect(x: inside.x, y: y, width: min(inside.width, DisplayWidth.of(line.text)), height: 1), role: .marked)
            }
        }
        let foot = Rect(x: inside.x, y: inside.maxY - 1, width: inside.width, height: 1)
        if pager.typingSearch {
            var x = foot.x + buffer.put("/", x: foot.x, y: foot.y, role: .statusKey)
            x += buffer.put(pager.search + "▏", x: x, y: foot.y, role: .input, limit: foot.maxX - x)
            Draw.keyHints(KeyMap.hints(for: .pagerSearch), prefix: "   ", in: Rect(x: x, y: foot.y, width: foot.maxX - x, height: 1), into: &buffer)
        } else {
            let matches = pager.matches(in: lines).count
            let said = pager.search.isEmpty ? "" : "“\(pager.search)”: \(matches) line\(matches == 1 ? "" : "s") · "
            Draw.keyHints(KeyMap.hints(for: .pager), prefix: said + "j/k · ", in: foot, into: &buffer)
        }
    }
}
