/// The bottom row: the filter being typed, a message, or the keys that work here.
struct StatusBarView: View {
    var state: AppState

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        buffer.fill(rect, role: .statusBar)
        var x = rect.x
        if state.editingFilter {
            x += buffer.put(" /", x: x, y: rect.y, role: .statusKey)
            x += buffer.put(state.filter + "▏", x: x, y: rect.y, role: .statusBar, limit: rect.maxX - x)
            buffer.put("   Enter keep · Esc clear", x: x, y: rect.y, role: .statusBar, limit: rect.maxX - x)
            return
        }
        if let status = state.status {
            let role: Role = switch status.kind {
            case .info: .statusBar
            case .success: .ok
            case .warning: .warn
            case .error: .error
            }
            buffer.put(" " + status.text, x: x, y: rect.y, role: role, limit: rect.width)
            return
        }
        x += 1
        for (keys, label) in KeyMap.hints(for: state.scope) {
            let needed = DisplayWidth.of(keys) + 1 + DisplayWidth.of(label) + 2
            guard x + needed <= rect.maxX else { break }
            x += buffer.put(keys, x: x, y: rect.y, role: .statusKey)
            x += buffer.put(" " + label + "  ", x: x, y: rect.y, role: .statusBar)
        }
    }
}
