/// Every key binding, in one table: the key handler looks keys up here, and `?` shows it.
public enum KeyMap {
    /// Where a binding applies.
    public enum Scope: String, CaseIterable, Hashable, Sendable {
        case global = "Everywhere"
        case items = "Messages and events"
        case details = "Attachments"
        case transfers = "Transfers"
        case picker = "File picker"
    }

    /// What a key does.
    public enum Action: Hashable, Sendable {
        case moveDown, moveUp, pageDown, pageUp, top, bottom
        case nextPane, previousPane, open, switchTab, showMessages, showEvents
        case attach, newDraft, cancel, retry, remove, filter, refresh, help, quit, forceQuit, signIn, switchMailbox
        case toggleMark, parentDirectory, toggleHidden, attachMarked, closePicker
    }

    public struct Binding: Hashable, Sendable {
        public var keys: [Key]
        public var action: Action
        public var scope: Scope
        public var help: String
        /// Shown in the status bar's hints for this scope.
        public var hint: String?
    }

    public static let bindings: [Binding] = [
        Binding(keys: [.character("j"), .down], action: .moveDown, scope: .global, help: "move down"),
        Binding(keys: [.character("k"), .up], action: .moveUp, scope: .global, help: "move up"),
        Binding(keys: [.pageDown, .control("d")], action: .pageDown, scope: .global, help: "page down"),
        Binding(keys: [.pageUp, .control("u")], action: .pageUp, scope: .global, help: "page up"),
        Binding(keys: [.character("g"), .home], action: .top, scope: .global, help: "first"),
        Binding(keys: [.character("G"), .end], action: .bottom, scope: .global, help: "last"),
        Binding(keys: [.tab], action: .nextPane, scope: .global, help: "next pane", hint: "pane"),
        Binding(keys: [.backTab], action: .previousPane, scope: .global, help: "previous pane"),
        Binding(keys: [.left, .right], action: .switchTab, scope: .global, help: "switch between Messages and Events"),
        Binding(keys: [.character("1")], action: .showMessages, scope: .global, help: "Messages"),
        Binding(keys: [.character("2")], action: .showEvents, scope: .global, help: "Events"),
        Binding(keys: [.character("a")], action: .attach, scope: .global, help: "attach files to the selected item", hint: "attach"),
        Binding(keys: [.character("n")], action: .newDraft, scope: .global, help: "new draft message", hint: "new draft"),
        Binding(keys: [.character("/")], action: .filter, scope: .global, help: "filter by subject", hint: "filter"),
        Binding(keys: [.character("R")], action: .refresh, scope: .global, help: "refresh from the server"),
        Binding(keys: [.character("L")], action: .signIn, scope: .global, help: "sign in to a Microsoft 365 account (a code to enter)"),
        Binding(keys: [.character("M")], action: .switchMailbox, scope: .global, help: "work in a shared mailbox, or your own again"),
        Binding(keys: [.character("?")], action: .help, scope: .global, help: "this help", hint: "help"),
        Binding(keys: [.character("q")], action: .quit, scope: .global, help: "quit (asks while transfers run)", hint: "quit"),
        Binding(keys: [.control("c")], action: .forceQuit, scope: .global, help: "quit now; running uploads wait for `attache resume`"),
        Binding(keys: [.enter], action: .open, scope: .items, help: "show the item's attachments"),
        Binding(keys: [.enter], action: .open, scope: .details, help: "show the attachment's metadata"),
        Binding(keys: [.character("c")], action: .cancel, scope: .transfers, help: "cancel the selected transfer", hint: "cancel"),
        Binding(keys: [.character("r")], action: .retry, scope: .transfers, help: "retry a failed or cancelled transfer", hint: "retry"),
        Binding(keys: [.character("d")], action: .remove, scope: .transfers, help: "remove a finished transfer", hint: "remove"),
        Binding(keys: [.character(" ")], action: .toggleMark, scope: .picker, help: "mark or unmark a file", hint: "mark"),
        Binding(keys: [.enter], action: .open, scope: .picker, help: "open a folder; attach the marked files (or this one)", hint: "attach"),
        Binding(keys: [.left, .backspace, .character("h")], action: .parentDirectory, scope: .picker, help: "parent folder", hint: "up"),
        Binding(keys: [.character(".")], action: .toggleHidden, scope: .picker, help: "show or hide hidden files", hint: "hidden"),
        Binding(keys: [.escape, .character("q")], action: .closePicker, scope: .picker, help: "close without attaching", hint: "close"),
    ]

    /// The action for `key` in `scope`: the scope's own binding first, then a global one.
    public static func action(for key: Key, in scope: Scope) -> Action? {
        if let binding = bindings.first(where: { $0.scope == scope && $0.keys.contains(key) }) { return binding.action }
        guard scope != .picker else {
            // In the picker only movement is borrowed from the global keys.
            let movement: Set<Action> = [.moveDown, .moveUp, .pageDown, .pageUp, .top, .bottom, .forceQuit]
            return bindings.first { $0.scope == .global && $0.keys.contains(key) && movement.contains($0.action) }?.action
        }
        return bindings.first { $0.scope == .global && $0.keys.contains(key) }?.action
    }

    /// The hints for the status bar: the scope's, then the global ones.
    public static func hints(for scope: Scope) -> [(String, String)] {
        let own = bindings.filter { $0.scope == scope && $0.hint != nil }
        let global = scope == .picker ? [] : bindings.filter { $0.scope == .global && $0.hint != nil }
        return (own + global).map { ($0.keys[0].label, $0.hint!) }
    }
}
