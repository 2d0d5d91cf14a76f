/// A key press, as the app sees it, whatever terminal it came from.
public enum Key: Hashable, Sendable {
    case character(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, tab, backTab, escape, backspace, delete
    /// Ctrl and a letter (lower case): `.control("c")`.
    case control(Character)
    /// The terminal changed size.
    case resize
    /// A click or a turn of the wheel at a cell.
    case mouse(MouseEvent)

    /// How the key is written in hints and help: `j`, `↓`, `PgDn`, `Ctrl-C`.
    public var label: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .escape: "Esc"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .control(let c): "Ctrl-\(String(c).uppercased())"
        case .resize: "resize"
        case .mouse(let event): event.action == .click ? "click" : "wheel"
        }
    }
}

/// What the mouse did, and where (columns and rows from the top left, from 0).
public struct MouseEvent: Hashable, Sendable {
    public enum Action: Hashable, Sendable { case click, wheelUp, wheelDown }
    public var x: Int
    public var y: Int
    public var action: Action

    public init(x: Int, y: Int, _ action: Action) {
        self.x = x
        self.y = y
        self.action = action
    }
}
