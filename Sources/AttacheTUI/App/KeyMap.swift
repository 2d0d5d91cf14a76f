/// Every key binding of every mode, in one table: the key handlers look keys up here, `?`
/// lists it, and the status bar and each window draw their hints from it.
public enum KeyMap {
    /// Where a binding applies: a pane, or a window over the panes.
    public enum Scope: String, CaseIterable, Hashable, Sendable {
        case global = "Everywhere"
        case items = "Messages and events"
        case details = "Attachments"
        case transfers = "Transfers"
        case filter = "Typing a filter"
        case reader = "Reading a message or an event"
        case pager = "The help and the message log"
        case pagerSearch = "Typing a search in the help or the log"
        case transferDetail = "A transfer's details"
        case picker = "File picker"
        case pickerFilter = "File picker: typing a filter"
        case markedList = "File picker: the marked files"
        case prompt = "Typing a line (a subject, a path)"
        case confirm = "A question"
        case info = "A window of information"
    }

    /// What a key does.
    public enum Action: Hashable, Sendable {
        case moveDown, moveUp, pageDown, pageUp, top, bottom
        case nextPane, previousPane, open, switchTab, showMessages, showEvents
        case attach, newDraft, cancel, retry, remove, filter, refresh, help, quit, forceQuit, signIn, switchMailbox, suspend, messageLog
        case search, nextMatch, previousMatch
        case read, sendDraft, notifyAttendees, reply, forward
        case save, openExternally, deleteAttachment
        case clearFinished, pause, shareAsLink
        case toggleMark, parentDirectory, enterDirectory, home, typePath, toggleHidden, sortOrder, showMarked, unmarkAll, closePicker
        case accept, dismiss, erase, clearLine, complete, yes, no
    }

    public struct Binding: Hashable, Sendable {
        public var keys: [Key]
        public var action: Action
        public var scope: Scope
        public var help: String
        /// Shown in the status bar's (or the window's) hints for this scope.
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
        Binding(keys: [.character("n")], action: .newDraft, scope: .global, help: "new message: recipients, subject, then the body in $VISUAL or $EDITOR", hint: "new draft"),
        Binding(keys: [.character("/")], action: .filter, scope: .global, help: "filter this tab by subject or sender (accents ignored)", hint: "filter"),
        Binding(keys: [.character("R")], action: .refresh, scope: .global, help: "refresh from the server (the selection stays on its item)"),
        Binding(keys: [.character("L")], action: .signIn, scope: .global, help: "sign in to a Microsoft 365 account (a code to enter)"),
        Binding(keys: [.character("M")], action: .switchMailbox, scope: .global, help: "work in a shared mailbox, or your own again"),
        Binding(keys: [.character("?")], action: .help, scope: .global, help: "this help", hint: "help"),
        Binding(keys: [.character("q")], action: .quit, scope: .global, help: "quit (asks while transfers run)", hint: "quit"),
        Binding(keys: [.character("!")], action: .messageLog, scope: .global, help: "the message log: what the status line said, errors first to last", hint: "log"),
        Binding(keys: [.control("z")], action: .suspend, scope: .global, help: "suspend to the shell, from any window (fg brings it back; transfers wait meanwhile)"),
        Binding(keys: [.control("c")], action: .forceQuit, scope: .global, help: "quit now, from any window; running uploads go on when attache starts again"),

        Binding(keys: [.enter], action: .read, scope: .items, help: "read the item: sender, recipients or attendees, and the text", hint: "read"),
        Binding(keys: [.character("S")], action: .sendDraft, scope: .items, help: "send the selected draft (asks first)", hint: "send"),
        Binding(keys: [.character("U")], action: .notifyAttendees, scope: .items, help: "send an event's attendees an update with its attachments (asks first)", hint: "update"),
        Binding(keys: [.character("r")], action: .reply, scope: .items, help: "reply to the selected message: the body in $VISUAL or $EDITOR, then a draft"),
        Binding(keys: [.character("f")], action: .forward, scope: .items, help: "forward the selected message, with its attachments: recipients, then the body"),

        Binding(keys: [.enter], action: .open, scope: .details, help: "show the attachment's metadata", hint: "info"),
        Binding(keys: [.character("s")], action: .save, scope: .details, help: "save the attachment (asks where)", hint: "save"),
        Binding(keys: [.character("o")], action: .openExternally, scope: .details, help: "open the attachment with xdg-open", hint: "open"),
        Binding(keys: [.character("x")], action: .deleteAttachment, scope: .details, help: "delete the attachment from the item (asks first)", hint: "delete"),
        Binding(keys: [.character("c")], action: .cancel, scope: .details, help: "stop saving the attachment being saved (nothing is left behind)"),

        Binding(keys: [.enter], action: .open, scope: .transfers, help: "the transfer's details: whole reason, ranges, retries, times", hint: "details"),
        Binding(keys: [.character("c")], action: .cancel, scope: .transfers, help: "cancel the selected transfer", hint: "cancel"),
        Binding(keys: [.character("p")], action: .pause, scope: .transfers, help: "pause a running transfer, or resume a paused one", hint: "pause"),
        Binding(keys: [.character("r")], action: .retry, scope: .transfers, help: "retry a failed or cancelled transfer", hint: "retry"),
        Binding(keys: [.character("d")], action: .remove, scope: .transfers, help: "remove a finished transfer from the list", hint: "remove"),
        Binding(keys: [.character("l")], action: .shareAsLink, scope: .transfers, help: "share a file Outlook refused from your OneDrive as a link in the item instead (asks first)"),
        Binding(keys: [.character("o")], action: .openExternally, scope: .transfers, help: "open the link of a file shared from OneDrive"),
        Binding(keys: [.character("D")], action: .clearFinished, scope: .transfers, help: "remove every finished transfer from the list", hint: "clear"),
        Binding(keys: [.character("S")], action: .sendDraft, scope: .transfers, help: "send the draft the selected transfer went to, once its files are in (asks first)"),
        Binding(keys: [.character("U")], action: .notifyAttendees, scope: .transfers, help: "send the attendees of the event the selected transfer went to an update (asks first)"),

        Binding(keys: [.enter], action: .accept, scope: .filter, help: "keep the filter", hint: "keep"),
        Binding(keys: [.escape], action: .dismiss, scope: .filter, help: "clear the filter", hint: "clear"),
        Binding(keys: [.backspace], action: .erase, scope: .filter, help: "erase a character"),
        Binding(keys: [.control("u")], action: .clearLine, scope: .filter, help: "erase the whole filter"),

        Binding(keys: [.character("j"), .down], action: .moveDown, scope: .reader, help: "scroll down"),
        Binding(keys: [.character("k"), .up], action: .moveUp, scope: .reader, help: "scroll up"),
        Binding(keys: [.pageDown, .character(" ")], action: .pageDown, scope: .reader, help: "page down"),
        Binding(keys: [.pageUp], action: .pageUp, scope: .reader, help: "page up"),
        Binding(keys: [.character("a")], action: .attach, scope: .reader, help: "attach files to this item", hint: "attach"),
        Binding(keys: [.character("S")], action: .sendDraft, scope: .reader, help: "send this draft (asks first)", hint: "send"),
        Binding(keys: [.character("U")], action: .notifyAttendees, scope: .reader, help: "send this event's attendees an update (asks first)", hint: "update"),
        Binding(keys: [.character("r")], action: .reply, scope: .reader, help: "reply to this message"),
        Binding(keys: [.character("f")], action: .forward, scope: .reader, help: "forward this message"),
        Binding(keys: [.escape, .character("q"), .enter], action: .dismiss, scope: .reader, help: "close", hint: "close"),

        Binding(keys: [.character("j"), .down], action: .moveDown, scope: .transferDetail, help: "scroll down"),
        Binding(keys: [.character("k"), .up], action: .moveUp, scope: .transferDetail, help: "scroll up"),
        Binding(keys: [.character("c")], action: .cancel, scope: .transferDetail, help: "cancel this transfer", hint: "cancel"),
        Binding(keys: [.character("p")], action: .pause, scope: .transferDetail, help: "pause or resume it", hint: "pause"),
        Binding(keys: [.character("r")], action: .retry, scope: .transferDetail, help: "retry it", hint: "retry"),
        Binding(keys: [.character("l")], action: .shareAsLink, scope: .transferDetail, help: "share it from your OneDrive as a link instead (asks first)"),
        Binding(keys: [.character("o")], action: .openExternally, scope: .transferDetail, help: "open its OneDrive link"),
        Binding(keys: [.escape, .character("q"), .enter], action: .dismiss, scope: .transferDetail, help: "close", hint: "close"),

        Binding(keys: [.character(" ")], action: .toggleMark, scope: .picker, help: "mark or unmark a file", hint: "mark"),
        Binding(keys: [.enter], action: .open, scope: .picker, help: "open a folder; attach the marked files (or this one)", hint: "attach"),
        Binding(keys: [.character("l"), .right], action: .enterDirectory, scope: .picker, help: "open the selected folder"),
        Binding(keys: [.left, .backspace, .character("h")], action: .parentDirectory, scope: .picker, help: "parent folder", hint: "up"),
        Binding(keys: [.character("~")], action: .home, scope: .picker, help: "your home folder"),
        Binding(keys: [.character(":")], action: .typePath, scope: .picker, help: "type a path (Tab completes): a folder opens, a file is marked", hint: "path"),
        Binding(keys: [.character("/")], action: .filter, scope: .picker, help: "filter this folder as you type", hint: "filter"),
        Binding(keys: [.character("s")], action: .sortOrder, scope: .picker, help: "sort by name, size or date (press again for the next)", hint: "sort"),
        Binding(keys: [.character("v")], action: .showMarked, scope: .picker, help: "the marked files, from every folder", hint: "marked"),
        Binding(keys: [.character("u")], action: .unmarkAll, scope: .picker, help: "unmark every file"),
        Binding(keys: [.character(".")], action: .toggleHidden, scope: .picker, help: "show or hide hidden files"),
        Binding(keys: [.escape, .character("q")], action: .closePicker, scope: .picker, help: "close without attaching", hint: "close"),

        Binding(keys: [.enter], action: .accept, scope: .pickerFilter, help: "keep the filter and move in the list", hint: "keep"),
        Binding(keys: [.escape], action: .dismiss, scope: .pickerFilter, help: "clear the filter", hint: "clear"),
        Binding(keys: [.backspace], action: .erase, scope: .pickerFilter, help: "erase a character"),

        Binding(keys: [.character(" "), .character("x")], action: .toggleMark, scope: .markedList, help: "unmark the selected file", hint: "unmark"),
        Binding(keys: [.enter], action: .accept, scope: .markedList, help: "attach the marked files", hint: "attach"),
        Binding(keys: [.escape, .character("q"), .character("v")], action: .dismiss, scope: .markedList, help: "back to the folder", hint: "back"),

        Binding(keys: [.enter], action: .accept, scope: .prompt, help: "accept", hint: "ok"),
        Binding(keys: [.tab], action: .complete, scope: .prompt, help: "complete a path, or a recipient from the listed messages"),
        Binding(keys: [.backspace], action: .erase, scope: .prompt, help: "erase a character"),
        Binding(keys: [.control("u")], action: .clearLine, scope: .prompt, help: "erase the whole line"),
        Binding(keys: [.escape], action: .dismiss, scope: .prompt, help: "cancel", hint: "cancel"),

        Binding(keys: [.character("y"), .character("Y")], action: .yes, scope: .confirm, help: "yes", hint: "yes"),
        Binding(keys: [.character("n"), .character("N"), .escape, .character("q")], action: .no, scope: .confirm, help: "no", hint: "no"),

        Binding(keys: [.character("j"), .down], action: .moveDown, scope: .pager, help: "scroll down"),
        Binding(keys: [.character("k"), .up], action: .moveUp, scope: .pager, help: "scroll up"),
        Binding(keys: [.pageDown, .character(" "), .control("d")], action: .pageDown, scope: .pager, help: "page down", hint: "page"),
        Binding(keys: [.pageUp, .character("b"), .control("u")], action: .pageUp, scope: .pager, help: "page up"),
        Binding(keys: [.character("g"), .home], action: .top, scope: .pager, help: "first line"),
        Binding(keys: [.character("G"), .end], action: .bottom, scope: .pager, help: "last line"),
        Binding(keys: [.character("/")], action: .search, scope: .pager, help: "search (case and accents ignored)", hint: "search"),
        Binding(keys: [.character("n")], action: .nextMatch, scope: .pager, help: "next match", hint: "next"),
        Binding(keys: [.character("N")], action: .previousMatch, scope: .pager, help: "previous match"),
        Binding(keys: [.escape, .character("q"), .enter], action: .dismiss, scope: .pager, help: "close", hint: "close"),

        Binding(keys: [.enter], action: .accept, scope: .pagerSearch, help: "search, and keep the matches lit", hint: "search"),
        Binding(keys: [.escape], action: .dismiss, scope: .pagerSearch, help: "stop searching", hint: "cancel"),
        Binding(keys: [.backspace], action: .erase, scope: .pagerSearch, help: "erase a character"),
        Binding(keys: [.control("u")], action: .clearLine, scope: .pagerSearch, help: "erase the whole search"),

        Binding(keys: [.character("j"), .down], action: .moveDown, scope: .info, help: "scroll down"),
        Binding(keys: [.character("k"), .up], action: .moveUp, scope: .info, help: "scroll up"),
        Binding(keys: [.escape, .character("q"), .enter], action: .dismiss, scope: .info, help: "close (metadata, sign-in)", hint: "close"),
    ]

    /// What the mouse does, for `?` (a click and the wheel carry a place, not a key).
    public static let mouse: [(String, String)] = [
        ("click", "select a tab, a pane's row, or a file in the picker"),
        ("wheel", "move the selection of the pane under it, or scroll the window on top"),
        ("Shift-drag", "select text to copy, as in a terminal without a mouse"),
    ]

    /// The action for `key` in `scope`: the scope's own binding first, then what the scope
    /// borrows (the panes take every global key, the picker only movement, windows only
    /// Ctrl-C and Ctrl-Z).
    public static func action(for key: Key, in scope: Scope) -> Action? {
        if let binding = bindings.first(where: { $0.scope == scope && $0.keys.contains(key) }) { return binding.action }
        let borrowed: Set<Action>?
        switch scope {
        case .items, .details, .transfers, .global: borrowed = nil
        case .picker, .markedList: borrowed = [.moveDown, .moveUp, .pageDown, .pageUp, .top, .bottom, .forceQuit, .suspend]
        default: borrowed = [.forceQuit, .suspend]
        }
        return bindings.first { $0.scope == .global && $0.keys.contains(key) && borrowed?.contains($0.action) ?? true }?.action
    }

    /// The hints for the status bar or a window: the scope's own, then, for a pane, the global ones.
    public static func hints(for scope: Scope, except hidden: Set<Action> = []) -> [(String, String)] {
        let own = bindings.filter { $0.scope == scope && $0.hint != nil && !hidden.contains($0.action) }
        let global = [.items, .details, .transfers].contains(scope) ? bindings.filter { $0.scope == .global && $0.hint != nil } : []
        return (own + global).map { ($0.keys[0].label, $0.hint!) }
    }
}
