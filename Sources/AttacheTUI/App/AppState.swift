import AttacheCore
import Foundation

/// Everything the screen shows, as a plain value: keys and events change it, views draw it.
public struct AppState: Sendable {
    public enum Pane: Int, CaseIterable, Hashable, Sendable {
        case items, details, transfers
    }

    /// What the list of one tab holds.
    public enum Loadable<Value: Sendable & Hashable>: Hashable, Sendable {
        case loading
        case loaded(Value)
        case failed(String)

        public var value: Value? {
            if case .loaded(let value) = self { return value }
            return nil
        }
    }

    /// A window over everything else.
    public enum Modal: Hashable, Sendable {
        /// `?`: every key, paged and searched.
        case help(Pager)
        /// `!`: what the status line said, oldest first, paged and searched.
        case log(Pager)
        case picker(FilePickerState)
        /// A yes/no question, and what yes does.
        case confirm(question: String, onYes: Confirmation)
        /// A line of text to type, and what Enter does with it.
        case prompt(title: String, text: String, purpose: PromptPurpose)
        case attachmentInfo(AttachmentInfo, itemTitle: String)
        /// Enter on an item: its people, times and body, scrolled by `offset` lines.
        case reader(ItemReference, offset: Int)
        /// Enter on a transfer: its details, live, scrolled by `offset` lines.
        case transferDetail(TransferID, offset: Int)
        /// The sign-in has ended (revoked, expired, refused): one dialog instead of a stack
        /// of failures, saying why and what to do.
        case signInNeeded(String)
        /// Signing in: what to show while it waits (`nil` until the code comes).
        case signingIn(SignInFlow.Prompt?)
    }

    public enum Confirmation: Hashable, Sendable {
        case cancelTransfer(TransferID)
        case deleteAttachment(AttachmentInfo, of: ItemReference)
        case sendDraft(ItemReference, subject: String)
        case notifyAttendees(ItemReference, title: String)
        /// Send the draft, or the event's update, once the files on their way to it land.
        case whenAttached(WaitingSend)
        /// Saving over a file that is there, or as a file whose name reads like a folder's.
        case saveAs(AttachmentInfo, of: ItemReference, path: String)
        case quit
        /// Closing the picker with files marked: no brings it back as it was.
        case discardMarked(FilePickerState)
        /// Files Outlook cannot take, shared from OneDrive as links instead; `attach` go
        /// as attachments whatever the answer.
        case share(links: [String], attach: [String], to: ItemReference, title: String?)
        /// A transfer Outlook refused, started again as a OneDrive link.
        case shareInstead(TransferID, name: String)
    }

    public enum PromptPurpose: Hashable, Sendable {
        case newDraft
        /// `n`: whom a new message goes to (Tab completes from the listed messages' people).
        case composeTo
        /// Then its subject.
        case composeSubject(to: [EmailAddress])
        /// `f`: whom the forward of a message goes to.
        case forwardTo(ItemReference, subject: String)
        case mailbox
        /// Where to save an attachment (the text starts as its name in the download folder).
        case saveAttachment(AttachmentInfo, of: ItemReference)
    }

    /// Whether the server answers: unknown until the first list comes back.
    public enum Connection: Hashable, Sendable {
        case connecting
        case up
        /// It could not be reached: why.
        case down(String)
    }

    /// An attachment being saved (or fetched to open), with how far it has come.
    public struct Download: Hashable, Sendable, Identifiable {
        public var id: Int
        /// The attachment's id, to know its file's size once every byte is in.
        public var attachmentID: String
        public var name: String
        public var destination: String
        public var bytes: Int64 = 0
        /// The file's size when known (attached or saved here before), else what Graph
        /// reported, which on Outlook is more than the file (it counts overhead): the bar is
        /// then capped below full until the last byte is in.
        public var expected: Int64?
        /// `expected` is the file's own size, not Graph's.
        public var expectedIsExact = false
        public var opensWhenDone: Bool
    }

    public struct StatusMessage: Hashable, Sendable {
        public enum Kind: Hashable, Sendable { case info, success, warning, error }
        public var text: String
        public var kind: Kind
        /// Seconds on the app clock after which it goes.
        public var until: Double
    }

    /// A status message as the log keeps it: said at `time` (the wall clock), `count` times
    /// in a row.
    public struct LogEntry: Hashable, Sendable {
        public var text: String
        public var kind: StatusMessage.Kind
        public var time: Date
        public var count = 1
    }

    /// How many status messages the log keeps.
    static let logLimit = 500

    public var tab: ItemKind = .message
    public var items: [ItemKind: Loadable<[OutlookItem]>] = [.message: .loading, .event: .loading]
    public var itemSelection: [ItemKind: Int] = [.message: 0, .event: 0]
    /// The item selected when its list was sent for again (`R`): found by id in the new list,
    /// so a message arriving above it does not move the selection onto another.
    var keptSelection: [ItemKind: String] = [:]
    public var details: [String: Loadable<[AttachmentInfo]>] = [:]
    /// People and bodies, by item id, as the read view asked for them.
    public var itemDetails: [String: Loadable<ItemDetails>] = [:]
    public var detailSelection = 0
    public var transfers: [TransferSnapshot] = []
    /// Sends asked for while files were on their way to the item, by item: made once every
    /// one has landed, given up (and said why) when one does not.
    public var sendsWaiting: [ItemReference: WaitingSend] = [:]
    public var transferSelection = 0
    public var focus: Pane = .items
    /// The filter of each tab: switching tabs keeps each one's own.
    public var filters: [ItemKind: String] = [:]
    /// How many items a list loads; a full list may leave more on the server.
    public var listLimit = 500
    /// What searching the mailbox found for a tab's filter, with the text searched.
    public var searches: [ItemKind: (text: String, found: Loadable<[OutlookItem]>)] = [:]
    public var editingFilter = false
    /// The terminal's size as last measured (`nil` before), for placing clicks and knowing
    /// when the screen is too small to act on keys.
    public var screen: Rect?

    /// The screen is below its minimum size: keys other than quitting wait.
    public var screenTooSmall: Bool {
        guard let screen else { return false }
        return screen.width < RootView.minimumWidth || screen.height < RootView.minimumHeight
    }
    public var connection: Connection = .connecting
    /// Where the server was asked for, for the title when it cannot be reached.
    public var server = ""
    /// The transfer selection follows the one under way, as `tail -f` follows a file, from
    /// when the picker queues files until the user moves it.
    var followTransfers = false
    public var downloads: [Download] = []
    var nextDownloadID = 1
    /// Where `s` proposes to save attachments.
    public var downloadDirectory: String
    public var modal: Modal? {
        didSet {
            // A message belongs to the screen it was said on: a window opening or closing
            // takes it away (a message said after this comes with the new screen).
            if (oldValue == nil) != (modal == nil) { status = nil }
        }
    }
    public var status: StatusMessage?
    /// Every status message said, oldest first (the last ``logLimit``), for `!`.
    public var log: [LogEntry] = []
    /// The wall clock, for the log's times (a test's is fixed).
    public var wallClock: @Sendable () -> Date = { Date() }
    /// The time zone times are shown in: the local one (`TZ`), as mail clients do.
    public var timeZone = LocalTime.current
    /// Where the file picker opens.
    public var pickerDirectory: String
    /// Where `~` leads in the picker and the save prompt: `$HOME`, as in a shell.
    public var home: String = AttachePaths.home()
    /// Who and where: `demo@attache.test · embedded emulator`.
    public var account: String
    /// Seconds on the transfer queue's clock, for countdowns.
    public var now: Double = 0
    /// Set when the app should end; `interrupting` keeps running uploads for `attache resume`.
    public var quitting: Bool = false
    /// Whether `L` can sign in here (the screen was given a way to).
    public var canSignIn = false
    /// Whether `L` and `M` can open another workplace in place (the screen was given a session).
    public var canSwitch = false
    /// A workplace is being opened: what to say meanwhile.
    public var opening: String?
    /// The screen works in another user's mailbox (a shared one), where Graph refuses upload
    /// sessions with delegated permissions: the picker says which files cannot go.
    public var inOtherMailbox = false
    /// Subjects of every item seen, by id: a transfer's row keeps its item's subject after
    /// the item leaves the list (a draft sent, a refresh, another mailbox).
    var knownTitles: [String: String] = [:]
    /// The file's own size of attachments whose file this screen knows (it attached or saved
    /// it), by attachment id: Graph's size counts Outlook's overhead on top.
    public var fileSizes: [String: Int64] = [:]
    /// Kinds of item a file was attached to in this workplace: the sign-in may write them,
    /// so a 403 from one such item is the item's, not the permission's.
    var writableKinds: Set<ItemKind> = []
    /// The lists asked for again by `R` (with the ids they held), or by a new workplace (`M`,
    /// `L`, with what to say), so each says what came back.
    var pendingReports: [ItemKind: Set<String>] = [:]
    var workplaceReport: (notice: String, waiting: Set<ItemKind>)?
    /// Where and how files are shared from OneDrive (the config's `[links]`).
    public var share = DriveShare()
    /// `[links] fallback`: files Outlook cannot take go as links without a question.
    public var shareWithoutAsking = false

    public init(account: String, pickerDirectory: String) {
        self.account = account
        self.pickerDirectory = pickerDirectory
        self.downloadDirectory = pickerDirectory
    }

    // MARK: Derived

    /// The current tab's filter.
    public var filter: String {
        get { filters[tab] ?? "" }
        set { filters[tab] = newValue }
    }

    /// The items of the current tab that match the filter: over the subject and the sender
    /// (or organizer), case and accents ignored.
    public var visibleItems: [OutlookItem] {
        let all = items[tab]?.value ?? []
        let filter = self.filter
        guard !filter.isEmpty else { return all }
        let local = all.filter { item in
            TextMatch.contains(item.subject ?? "", filter)
                || TextMatch.contains(item.from?.name ?? "", filter) || TextMatch.contains(item.from?.address ?? "", filter)
        }
        // The mailbox's own answer for this text adds what the loaded list did not hold.
        guard let search = searches[tab], search.text == filter, let found = search.found.value else { return local }
        let known = Set(local.map(\.id))
        return (local + found.filter { !known.contains($0.id) }).sorted { ($0.displayDate ?? .distantPast) > ($1.displayDate ?? .distantPast) }
    }

    /// The loaded list is as long as a list may be: the mailbox may hold more.
    public var mailboxHoldsMore: Bool {
        (items[tab]?.value?.count ?? 0) >= listLimit
    }

    public var selectedItem: OutlookItem? {
        let visible = visibleItems
        let index = itemSelection[tab] ?? 0
        return visible.indices.contains(index) ? visible[index] : nil
    }

    public var selectedAttachments: Loadable<[AttachmentInfo]>? {
        selectedItem.flatMap { details[$0.id] }
    }

    public var selectedTransfer: TransferSnapshot? {
        transfers.indices.contains(transferSelection) ? transfers[transferSelection] : nil
    }

    /// A transfer's details are open (its keys act on the selected transfer).
    var isTransferDetailOpen: Bool {
        if case .transferDetail = modal { return true }
        return false
    }

    public var activeTransfers: Int { transfers.filter { $0.phase.isActive }.count }
    public var queuedTransfers: Int { transfers.filter { $0.phase == .queued }.count }

    /// Whether the clock must tick: a countdown to redraw, or a message to expire.
    public var needsTicks: Bool {
        status != nil || hasCountdown
    }

    /// A retry or wait countdown is on screen, so every tick changes it.
    public var hasCountdown: Bool {
        transfers.contains {
            switch $0.phase {
            case .retrying, .waiting: true
            default: false
            }
        }
    }

    /// The subject of an item, by id, for transfer rows: as listed now, else as last seen.
    public func title(of item: ItemReference) -> String? {
        items[item.kind]?.value?.first { $0.id == item.id }?.subject ?? knownTitles[item.id]
    }

    /// Actions whose hints do not apply to what is shown: sending to an event, updating the
    /// attendees of a message.
    public var inapplicableActions: Set<KeyMap.Action> {
        let kind: ItemKind = if case .reader(let reference, _) = modal { reference.kind } else { tab }
        return kind == .event ? [.sendDraft, .reply, .forward] : [.notifyAttendees]
    }

    /// The key-binding scope of what has focus now: the window on top, else the pane.
    public var scope: KeyMap.Scope {
        switch modal {
        case .picker(let picker):
            switch picker.mode {
            case .browsing: return .picker
            case .filtering: return .pickerFilter
            case .marked: return .markedList
            case .path: return .prompt
            }
        case .confirm: return .confirm
        case .prompt: return .prompt
        case .transferDetail: return .transferDetail
        case .reader: return .reader
        case .help(let pager), .log(let pager): return pager.typingSearch ? .pagerSearch : .pager
        case .attachmentInfo, .signInNeeded, .signingIn: return .info
        case nil: break
        }
        if editingFilter { return .filter }
        switch focus {
        case .items: return .items
        case .details: return .details
        case .transfers: return .transfers
        }
    }
}
