import AttacheCore

extension AppState {
    /// Rows the wheel moves by.
    static let wheelStep = 3

    /// A click selects what is under it (a tab, a pane's row, a picker entry); the wheel
    /// moves the selection of what it is over, or scrolls the window on top.
    mutating func handle(_ event: MouseEvent) -> [Effect] {
        guard let screen, !screenTooSmall else { return [] }
        let layout = RootView.layout(of: self, in: screen)
        let point = (x: event.x, y: event.y)
        func inside(_ rect: Rect) -> Bool { rect.x <= point.x && point.x < rect.maxX && rect.y <= point.y && point.y < rect.maxY }

        if let modal {
            switch (modal, event.action) {
            case (.picker(var picker), .click) where picker.mode == .browsing:
                let list = FilePickerView.listRect(for: picker, in: layout.middle)
                guard inside(list) else { return [] }
                let visible = picker.visibleEntries
                let index = Draw.scrollTop(selection: picker.selection, count: visible.count, height: list.height) + point.y - list.y
                if visible.indices.contains(index) {
                    picker.selection = index
                    self.modal = .picker(picker)
                }
                return []
            case (_, .wheelDown):
                return handle(.down, times: Self.wheelStep)
            case (_, .wheelUp):
                return handle(.up, times: Self.wheelStep)
            default:
                return []
            }
        }

        if inside(layout.title), event.action == .click {
            for (kind, columns) in TitleBarView.tabColumns(of: self) where columns.contains(point.x) {
                return perform(kind == .message ? .showMessages : .showEvents)
            }
            return []
        }
        let panes: [(Pane, Rect)] = [(.items, layout.items), (.details, layout.details), (.transfers, layout.transfers)]
        guard let (pane, rect) = panes.first(where: { inside($0.1) }) else { return [] }
        let wasFocused = focus
        focus = pane
        var effects = wasFocused != pane ? loadDetailsIfNeeded() : []
        switch event.action {
        case .wheelDown:
            for _ in 0..<Self.wheelStep { move(by: 1) }
            return effects + loadDetailsIfNeeded()
        case .wheelUp:
            for _ in 0..<Self.wheelStep { move(by: -1) }
            return effects + loadDetailsIfNeeded()
        case .click:
            // The pane's first row is its title.
            let row = point.y - rect.y - 1
            guard row >= 0 else { return effects }
            let height = rect.height - 1
            switch pane {
            case .items:
                let count = visibleItems.count
                let index = Draw.scrollTop(selection: itemSelection[tab] ?? 0, count: count, height: height) + row
                guard index < count else { return effects }
                if itemSelection[tab] != index { detailSelection = 0 }
                itemSelection[tab] = index
                effects += loadDetailsIfNeeded()
            case .details:
                let count = selectedAttachments?.value?.count ?? 0
                let index = Draw.scrollTop(selection: detailSelection, count: count, height: height) + row
                if index < count { detailSelection = index }
            case .transfers:
                let index = TransferListView.top(of: self, height: height) + row
                if index < transfers.count {
                    transferSelection = index
                    followTransfers = false
                }
            }
            return effects
        }
    }

    /// A key pressed `times` times, for the wheel over a window.
    private mutating func handle(_ key: Key, times: Int) -> [Effect] {
        (0..<times).flatMap { _ in handle(key) }
    }
}
