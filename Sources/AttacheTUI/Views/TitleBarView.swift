import AttacheCore

/// The top row: the app's name, the Messages / Events tabs with counts, and who is signed in where.
struct TitleBarView: View {
    var state: AppState

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        buffer.fill(rect, role: .tabInactive)
        var x = rect.x
        x += buffer.put(" attache ", x: x, y: rect.y, role: .title)
        x += 1
        for kind in ItemKind.allCases {
            let count = state.items[kind]?.value.map { " \($0.count)" } ?? ""
            let label = " \(kind == .message ? "Messages" : "Events")\(count) "
            x += buffer.put(label, x: x, y: rect.y, role: kind == state.tab ? .tabActive : .tabInactive, limit: rect.maxX - x)
            x += 1
        }
        let room = rect.maxX - x - 1
        // Whether the server answers comes first: a list that will not load says why here.
        let (text, role): (String, Role) = switch state.connection {
        case .down: ("offline: \(state.server.isEmpty ? "the server" : state.server) does not answer · R retries", .error)
        case .connecting: ("connecting to \(state.server.isEmpty ? "the server" : state.server)…", .dim)
        case .up: (state.account, .dim)
        }
        if room > 8 {
            let shown = DisplayWidth.truncate(text, to: room)
            buffer.put(shown, x: rect.maxX - 1 - DisplayWidth.of(shown), y: rect.y, role: role)
        }
    }
}
