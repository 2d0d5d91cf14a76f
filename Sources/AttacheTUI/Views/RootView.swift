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
        renderAll(in: rect, into: &buffer)
        // A terminal that shows ASCII alone gets stand-ins for everything else, the screen's
        // own glyphs and what servers and file names hold alike.
        if !unicode { buffer.restrictToASCII() }
    }

    private func renderAll(in rect: Rect, into buffer: inout ScreenBuffer) {
        buffer.fill(rect)
        guard rect.width >= Self.minimumWidth, rect.height >= Self.minimumHeight else {
            renderTooSmall(in: rect, into: &buffer)
            return
        }
        let layout = Self.layout(of: state, in: rect)
        TitleBarView(state: state).render(in: layout.title, into: &buffer)
        StatusBarView(state: state, unicode: unicode).render(in: layout.status, into: &buffer)
        let middle = layout.middle
        ItemListView(state: state).render(in: layout.items, into: &buffer)
        if layout.sideBySide {
            let left = layout.items
            for y in left.y..<left.maxY { buffer.put(y == left.y ? "┬" : "│", x: left.maxX, y: y, role: .paneTitle) }
        }
        DetailView(state: state).render(in: layout.details, into: &buffer)
        let transfers = layout.transfers
        TransferListView(state: state, unicode: unicode).render(in: transfers, into: &buffer)

        switch state.modal {
        case .help(let pager):
            HelpView(pager: pager).render(in: middle, into: &buffer)
        case .log(let pager):
            LogView(log: state.log, time: state.timeZone, pager: pager).render(in: middle, into: &buffer)
        case .picker(let picker):
            FilePickerView(picker: picker, unicode: unicode).render(in: middle, into: &buffer)
        case .reader(let reference, let offset):
            ReaderView(state: state, reference: reference, offset: offset).render(in: middle, into: &buffer)
        case .transferDetail(let id, let offset):
            TransferDetailView(state: state, id: id, offset: offset).render(in: middle, into: &buffer)
        case .some(let modal):
            DialogView(modal: modal, canSignIn: state.canSignIn, zone: state.timeZone, fileSizes: state.fileSizes).render(in: middle, into: &buffer)
        case nil:
            break
        }
    }

    /// Where everything goes at this size: also what a click is measured against.
    struct Layout {
        var title: Rect
        var middle: Rect
        var items: Rect
        var details: Rect
        var transfers: Rect
        var status: Rect
        /// Items and attachments side by side (90 columns and more), a rule between them.
        var sideBySide: Bool
    }

    static func layout(of state: AppState, in rect: Rect) -> Layout {
        let (titleRow, belowTitle) = rect.splitTop(1)
        // A long message takes up to three rows rather than stop mid-sentence.
        let statusRows = StatusBarView.rows(for: state, width: rect.width)
        let (middle, statusRow) = belowTitle.splitTop(belowTitle.height - statusRows)
        let transferHeight = max(4, middle.height / 3)
        let (top, transfers) = middle.splitTop(middle.height - transferHeight)
        if middle.width >= 90 {
            let (left, right) = top.splitLeft(top.width * 58 / 100)
            let items = Rect(x: left.x, y: left.y, width: left.width - 1, height: left.height)
            return Layout(title: titleRow, middle: middle, items: items, details: right, transfers: transfers, status: statusRow, sideBySide: true)
        }
        let detailHeight = max(3, top.height / 3)
        let (list, detail) = top.splitTop(top.height - detailHeight)
        return Layout(title: titleRow, middle: middle, items: list, details: detail, transfers: transfers, status: statusRow, sideBySide: false)
    }

    func renderTooSmall(in rect: Rect, into buffer: inout ScreenBuffer) {
        var message = "attache needs at least \(Self.minimumWidth)×\(Self.minimumHeight); this terminal is \(rect.width)×\(rect.height). Enlarge it, or press q to quit."
        if case .confirm(let question, .quit) = state.modal {
            // q asks here as it does on the full screen while transfers run.
            message = question + " y quits, n stays."
        }
        let lines = Draw.wrap(message, width: max(1, rect.width - 2))
        let top = max(0, (rect.height - lines.count) / 2)
        for (row, line) in lines.prefix(rect.height).enumerated() {
            let x = max(0, (rect.width - DisplayWidth.of(line)) / 2)
            buffer.put(line, x: x, y: top + row, role: .warn)
        }
    }
}
