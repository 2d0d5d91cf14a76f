/// `?`: every key binding, by where it applies, from ``KeyMap``.
struct HelpView: View {
    var offset: Int = 0

    static var lines: [(String, Role)] {
        var lines: [(String, Role)] = []
        for scope in KeyMap.Scope.allCases {
            let bindings = KeyMap.bindings.filter { $0.scope == scope }
            guard !bindings.isEmpty else { continue }
            if !lines.isEmpty { lines.append(("", .dialog)) }
            lines.append((scope.rawValue, .header))
            for binding in bindings {
                let keys = binding.keys.map(\.label).joined(separator: ", ")
                lines.append(("  " + DisplayWidth.pad(keys, to: 20) + binding.help, .dialog))
            }
        }
        lines.append(("", .dialog))
        lines.append(("Mouse", .header))
        for (what, help) in KeyMap.mouse { lines.append(("  " + DisplayWidth.pad(what, to: 20) + help, .dialog)) }
        return lines
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        let lines = Self.lines
        let box = rect.centered(width: min(rect.width - 2, 78), height: min(rect.height, lines.count + 4))
        let inside = Draw.box(box, title: "Keys", into: &buffer)
        guard inside.height > 1 else { return }
        let room = inside.height - 1
        let start = max(0, min(offset, lines.count - room))
        for (row, line) in lines.dropFirst(start).prefix(room).enumerated() {
            buffer.put(DisplayWidth.truncate(line.0, to: inside.width), x: inside.x, y: inside.y + row, role: line.1, limit: inside.width)
        }
        let more = start + room < lines.count ? "j/k scroll · " : ""
        Draw.keyHints(KeyMap.hints(for: .info), prefix: more, in: Rect(x: inside.x, y: inside.maxY - 1, width: inside.width, height: 1), into: &buffer)
    }
}
