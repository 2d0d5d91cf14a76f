/// `?`: every key binding, by where it applies, from ``KeyMap``, paged and searched.
struct HelpView: View {
    var pager = Pager()

    /// The help as lines `width` columns wide: a heading per scope, then each binding's keys
    /// and what it does, wrapped under itself.
    static func lines(width: Int, hidden: Set<KeyMap.Action>) -> [PagerLine] {
        let keyWidth = 22
        var lines: [PagerLine] = []
        func entry(_ keys: String, _ help: String) {
            let wrapped = Draw.wrap(help, width: max(10, width - keyWidth))
            for (index, part) in wrapped.enumerated() {
                let left = index == 0 ? "  " + DisplayWidth.pad(keys, to: keyWidth - 2) : String(repeating: " ", count: keyWidth)
                lines.append(PagerLine(left + part, .dialog))
            }
        }
        for scope in KeyMap.Scope.allCases {
            let bindings = KeyMap.bindings.filter { $0.scope == scope }
            guard !bindings.isEmpty else { continue }
            if !lines.isEmpty { lines.append(PagerLine("", .dialog)) }
            lines.append(PagerLine(scope.rawValue, .header))
            for binding in bindings { entry(binding.keys.map(\.label).joined(separator: ", "), binding.help) }
        }
        lines.append(PagerLine("", .dialog))
        lines.append(PagerLine("Mouse", .header))
        for (what, help) in KeyMap.mouse { entry(what, help) }
        return lines
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        let lines = Self.lines(width: PagerView.textWidth(in: rect), hidden: [])
        PagerView(title: "Keys", lines: lines, pager: pager).render(in: rect, into: &buffer)
    }
}
