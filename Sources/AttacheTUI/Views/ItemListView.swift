import AttacheCore

/// The messages or events of the current tab: date, attachment count, subject.
struct ItemListView: View {
    var state: AppState

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        let all = state.items[state.tab]?.value ?? []
        let visible = state.visibleItems
        let noun = state.tab == .message ? "Messages" : "Events"
        var title = noun
        if !state.filter.isEmpty || state.editingFilter {
            title += " · \(visible.count) of \(all.count)\(state.mailboxHoldsMore ? "+" : "") · filter “\(state.filter)”"
            if let search = state.searches[state.tab], search.text == state.filter {
                switch search.found {
                case .loading: title += " · searching the mailbox…"
                case .loaded(let found): title += " · \(found.count) in the mailbox"
                case .failed: title += " · the mailbox search failed"
                }
            } else if state.mailboxHoldsMore, !state.filter.isEmpty {
                title += " · Enter searches the mailbox"
            }
        }
        let area = Draw.paneTitle(title, in: rect, focused: state.focus == .items, into: &buffer)
        guard !area.isEmpty else { return }
        switch state.items[state.tab] ?? .loading {
        case .loading:
            buffer.put(" loading \(noun.lowercased())…", x: area.x, y: area.y, role: .dim, limit: area.width)
            return
        case .failed(let message):
            for (row, line) in Draw.wrap(message, width: area.width - 1).prefix(area.height).enumerated() {
                buffer.put(" " + line, x: area.x, y: area.y + row, role: .error, limit: area.width)
            }
            return
        case .loaded:
            break
        }
        guard !visible.isEmpty else {
            let text = state.filter.isEmpty ? " no \(noun.lowercased())" : " nothing matches “\(state.filter)”"
            buffer.put(text, x: area.x, y: area.y, role: .dim, limit: area.width)
            return
        }
        let peopleWidth = area.width >= 100 ? 18 : 14
        // The sender column, wherever the subject keeps at least 24 columns beside it (at 120
        // columns, side by side with the attachments, it does); the year goes first.
        let room = area.width - 5 - (peopleWidth + 2) - 1
        let showPeople = room - 18 >= 24 || room - 13 >= 24
        let short = area.width < 60 || (showPeople && room - 18 < 30)
        let dateWidth = short ? 11 : 16
        let selection = state.itemSelection[state.tab] ?? 0
        let top = Draw.scrollTop(selection: selection, count: visible.count, height: area.height)
        for row in 0..<min(area.height, visible.count - top) {
            let index = top + row
            let item = visible[index]
            let y = area.y + row
            // The attachments as last loaded (the list's own, or asked for since); a server that
            // does not expand them leaves `?` where it says there are some, until asked.
            let count = state.details[item.id]?.value?.count ?? item.attachments?.count ?? (item.hasAttachments == true ? nil : 0)
            let countText = count.map { $0 == 0 ? "  ·" : String($0).leftPadded(to: 3, with: " ") } ?? "  ?"
            let date = DisplayWidth.pad(Draw.date(item.displayDate, short: short, in: state.timeZone), to: dateWidth)
            var x = area.x
            x += buffer.put(" " + date + " ", x: x, y: y, role: .dim, limit: area.maxX - x)
            x += buffer.put(countText + "  ", x: x, y: y, role: count == 0 ? .dim : .normal, limit: area.maxX - x)
            if showPeople {
                // Who: a draft says it is one (S sends it); else the sender or organizer.
                let (who, role): (String, Role) = item.isDraft == true ? (Self.draftLabel(item), .warn) : (item.from.map { $0.name ?? $0.address ?? "" } ?? "", .dim)
                x += buffer.put(DisplayWidth.pad(who, to: peopleWidth) + "  ", x: x, y: y, role: role, limit: area.maxX - x)
            }
            buffer.put(DisplayWidth.truncate(item.subject ?? "(no subject)", to: area.maxX - x - 1), x: x, y: y, role: .normal, limit: area.maxX - x)
            if index == selection {
                buffer.paint(Rect(x: area.x, y: y, width: area.width, height: 1), role: state.focus == .items ? .selection : .selectionUnfocused)
            }
        }
    }

    /// A draft says it is one, and whom it goes to when that is known: `draft: Inês Sousa +1`.
    static func draftLabel(_ item: OutlookItem) -> String {
        guard let recipients = item.recipients, let first = recipients.first else { return "draft" }
        let name = first.name ?? first.address ?? ""
        return "draft: " + name + (recipients.count > 1 ? " +\(recipients.count - 1)" : "")
    }
}
