/// The whole screen: title bar, the panes laid out for the terminal's size, the status bar,
/// and any window on top. Below the minimum size it says so instead.
public struct RootView: View {
    public static let minimumWidth = 50
    public static let minimumHeight = 12

    public var state: AppState
    /// Block and box characters; ASCII stand-ins when the terminal cannot show UTF-8.
    public var unicode: Bool

    public init(state: AppState, unicode: Bool = true) {
        self.state = state
        self.unicode = unicode
    }

    public func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        buffer.fill(rect)
        guard rect.width >= Self.minimumWidth, rect.height >= Self.minimumHeight else {
            renderTooSmall(in: rect, into: &buffer)
            return
        }
        let (titleRow, belowTitle) = rect.splitTop(1)
        // A long message takes up to three rows rather than stop mid-sentence.
        let statusRows = StatusBarView.rows(for: state, width: rect.width)
        let (middle, statusRow) = belowTitle.splitTop(belowTitle.height - statusRows)
        TitleBarView(state: state).render(in: titleRow, into: &buffer)
        StatusBarView(state: state).render(in: statusRow, into: &buffer)

        let transferHeight = max(4, middle.height / 3)
        let (top, transfers) = middle.splitTop(middle.height - transferHeight)
        if middle.width >= 90 {
            let (left, right) = top.splitLeft(top.width * 58 / 100)
            ItemListView(state: state).render(in: Rect(x: left.x, y: left.y, width: left.width - 1, height: left.height), into: &buffer)
            for y in left.y..<left.maxY { buffer.put(y == left.y ? "┬" : "│", x: left.maxX - 1, y: y, role: .paneTitle) }
            DetailView(state: state).render(in: right, into: &buffer)
        } else {
            let detailHeight = max(3, top.height / 3)
            let (list, detail) = top.splitTop(top.height - detailHeight)
            ItemListView(state: state).render(in: list, into: &buffer)
            DetailView(state: state).render(in: detail, into: &buffer)
        }
        TransferListView(state: state, unicode: unicode).render(in: transfers, into: &buffer)

        switch state.modal {
        case .help:
            HelpView(offset: state.helpOffset).render(in: middle, into: &buffer)
        case .picker(let picker):
            FilePickerView(picker: picker, unicode: unicode).render(in: middle, into: &buffer)
        case .transferDetail(let id, let offset):
            TransferDetailView(state: state, id: id, offset: offset).render(in: middle, into: &buffer)
        case .some(let modal):
            DialogView(modal: modal).render(in: middle, into: &buffer)
        case nil:
            break
        }
    }

    func renderTooSmall(in rect: Rect, into buffer: inout ScreenBuffer) {
        let message = "attache needs at least \(Self.minimumWidth)×\(Self.minimumHeight); this terminal is \(rect.width)×\(rect.height). Enlarge it, or press q to quit."
        let lines = Draw.wrap(message, width: max(1, rect.width - 2))
        let top = max(0, (rect.height - lines.count) / 2)
        for (row, line) in lines.prefix(rect.height).enumerated() {
            let x = max(0, (rect.width - DisplayWidth.of(line)) / 2)
            buffer.put(line, x: x, y: top + row, role: .warn)
        }
    }
}
