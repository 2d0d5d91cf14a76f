/// What a cell is for; the theme decides how each role looks (colours, bold, reverse).
public enum Role: String, CaseIterable, Hashable, Sendable {
    case normal
    case dim
    case title
    case tabActive = "tab.active"
    case tabInactive = "tab.inactive"
    case paneTitle = "pane.title"
    case paneTitleFocused = "pane.title.focused"
    case header
    case selection
    case selectionUnfocused = "selection.unfocused"
    case barDone = "bar.done"
    case barFlight = "bar.flight"
    case barEmpty = "bar.empty"
    case ok = "state.ok"
    case busy = "state.busy"
    case warn = "state.warn"
    case error = "state.error"
    case statusBar = "status"
    case statusKey = "status.key"
    case dialog
    case dialogTitle = "dialog.title"
    case input
    case marked
    case directory
}
