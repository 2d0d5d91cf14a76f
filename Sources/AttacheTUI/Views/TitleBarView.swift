import AttacheCore

/// The top row: the app's name, the Messages / Events tabs with counts, and who is signed in where.
struct TitleBarView: View {
    var state: AppState

    /// The columns each tab's label takes, for drawing and for clicks.
    static func tabColumns(of state: AppState) -> [(ItemKind, Range<Int>)] {
        var x = DisplayWidth.of(" attache ") + 1
        return ItemKind.allCases.map { kind in
            let count = state.items[kind]?.value.map { " \($0.count)" } ?? ""
            let width = DisplayWidth.of(" \(kind == .message ? "Messages" : "Events")\(count) ")
            defer { x += width + 1 }
            return (kind, x..<(x + width))
        }
    }

    /// Seconds to the next try of a transfer riding out an outage; `nil` when none is.
    static func nextTryOffline(_ state: AppState) -> Double? {
        state.transfers.compactMap { snapshot -> Double? in
            guard snapshot.offlineSince != nil, case .retrying(let retryAt, _, _) = snapshot.phase else { return nil }
            return max(0, retryAt - state.now)
        }.min()
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        buffer.fill(rect, role: .tabInactive)
        var x = rect.x
        x += buffer.put(" attache ", x: x, y: rect.y, role: .title)
        for (kind, columns) in Self.tabColumns(of: state) {
            let count = state.items[kind]?.value.map { " \($0.count)" } ?? ""
            let label = " \(kind == .message ? "Messages" : "Events")\(count) "
            x = rect.x + columns.upperBound + 1
            buffer.put(label, x: rect.x + columns.lowerBound, y: rect.y, role: kind == state.tab ? .tabActive : .tabInactive, limit: rect.maxX - columns.lowerBound)
        }
        let room = rect.maxX - x - 1
        // Whether the server answers comes first: a list that will not load says why here.
        // A transfer riding out an outage says so before anything else.
        let nextTry = Self.nextTryOffline(state)
        let (text, role): (String, Role) = switch (state.connection, nextTry) {
        case (_, let nextTry?): ("offline · transfers try again in \(TransferFormat.clock(nextTry))", .error)
        case (.down, nil): ("offline: \(state.server.isEmpty ? "the server" : state.server) does not answer · R retries", .error)
        case (.connecting, nil): ("connecting to \(state.server.isEmpty ? "the server" : state.server)…", .dim)
        case (.up, nil): (state.account, .dim)
        }
        if room > 8 {
            let shown = DisplayWidth.truncate(text, to: room)
            buffer.put(shown, x: rect.maxX - 1 - DisplayWidth.of(shown), y: rect.y, role: role)
        }
    }
}
