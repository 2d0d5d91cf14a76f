import AttacheCore
import Foundation

/// The file picker: a folder's entries with their sizes and the path each file would take,
/// a filter typed over them, and the files marked so far, in whatever folders they are.
public struct FilePickerState: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public enum Kind: Hashable, Sendable {
            case parent
            case directory
            case file(size: Int64)
            /// Not a regular file (a socket, a device), or one that cannot be read: why.
            case unusable(String)
        }

        public var name: String
        public var path: String
        public var kind: Kind
        /// When it last changed (seconds since 1970), for sorting by date.
        public var modified: Double = 0
        /// Why a file that has a size cannot be attached (over 150 MiB), as the command line
        /// says it: the picker and `attache upload` check files the same way.
        public var problem: InputFileError?
        /// Why this file cannot go where the picker attaches: an upload session where Graph
        /// refuses them (another user's mailbox).
        public var refusal: String?
        /// Why this file would go as a OneDrive link rather than as an attachment.
        public var share: ShareReason?

        /// How the file would go up: `POST`, `session`, or why it cannot.
        public var plan: String {
            switch kind {
            case .file(let size):
                if let problem { return problem.shortReason }
                if refusal != nil { return "refused here" }
                if share != nil { return "→ link" }
                switch try? UploadPlan.forFile(size: size, name: name) {
                case .singleRequest: return "POST"
                case .uploadSession: return "session"
                case .driveSession: return "link"
                case nil: return size > AttachmentLimits.maximumFileSize ? "over 150 MiB" : "name too long"
                }
            case .unusable(let why): return why
            case .parent, .directory: return ""
            }
        }

        /// A file that can be attached.
        public var isAttachable: Bool {
            if case .file = kind { return problem == nil && refusal == nil }
            return false
        }
    }

    /// A file marked for attaching, kept when the picker moves to another folder.
    public struct MarkedFile: Hashable, Sendable {
        public var path: String
        public var size: Int64
        /// Why it would go as a OneDrive link, when it would.
        public var share: ShareReason?
    }

    public enum SortOrder: String, CaseIterable, Hashable, Sendable {
        case name, size, date

        var next: SortOrder {
            let all = Self.allCases
            return all[(all.firstIndex(of: self)! + 1) % all.count]
        }
    }

    /// What the keys act on: the folder, the filter being typed, the list of marked files,
    /// or a path being typed.
    public enum Mode: Hashable, Sendable {
        case browsing
        case filtering
        case marked(selection: Int)
        case path(String)
    }

    /// The item the files will go to, and its subject for the title.
    public var target: ItemReference
    public var targetTitle: String
    public var directory: String
    /// Every entry of the folder, sorted; ``visibleEntries`` is what the filter lets through.
    public private(set) var entries: [Entry] = []
    /// The index of the selection in ``visibleEntries``.
    public var selection = 0
    public var marked: [MarkedFile] = []
    public var showHidden = false
    public var sortOrder: SortOrder = .name
    public var filter = ""
    public var mode: Mode = .browsing
    /// Why the folder could not be listed, or a typed path not opened.
    public var error: String?
    /// Where `~` goes.
    public var home: String
    /// The attachments the item holds already, when known: a file of the same name would be
    /// a second one, and the item's size grows by what is marked.
    public var existing: [AttachmentInfo]?
    /// What the item is, for the words the picker says of it.
    public var targetKind: ItemKind = .message
    /// Graph refuses upload sessions here (another user's mailbox, with delegated
    /// permissions): files that need one are shown refused, with why.
    public var sessionsRefused = false

    /// Why `path` would go as a OneDrive link (marked, or listed here); `nil` for an attachment.
    public func shareReason(of path: String) -> ShareReason? {
        marked.first { $0.path == path }?.share ?? entries.first { $0.path == path }?.share
    }

    /// Why a file needing an upload session cannot go to another user's mailbox.
    public static let sessionRefusal =
        "Graph refuses upload sessions in another user's mailbox with delegated permissions (a known issue): files of 3 MB or more cannot be attached here, smaller ones go in one request"

    public init(target: ItemReference, targetTitle: String, directory: String, home: String = AttachePaths.home()) {
        self.target = target
        self.targetTitle = targetTitle
        self.directory = directory
        self.home = home
    }

    /// The entries the filter lets through (`..` always stays), in order.
    public var visibleEntries: [Entry] {
        guard !filter.isEmpty else { return entries }
        return entries.filter { $0.kind == .parent || TextMatch.contains($0.name, filter) }
    }

    public var selectedEntry: Entry? {
        let visible = visibleEntries
        return visible.indices.contains(selection) ? visible[selection] : nil
    }

    public var markedPaths: [String] { marked.map(\.path) }
    public var markedBytes: Int64 { marked.reduce(0) { $0 + $1.size } }

    public func isMarked(_ path: String) -> Bool { marked.contains { $0.path == path } }

    /// Reads `directory` from disk: `..` first, folders, then files, in the sort order.
    /// Links are followed as opening them will be: relative ones from the link's own folder.
    public mutating func reload() {
        var folders: [Entry] = []
        var files: [Entry] = []
        error = nil
        let names: [String]
        do {
            names = try Self.list(directory)
        } catch {
            names = []
            self.error = "cannot open \(directory): \(error.reason)"
        }
        for name in names {
            if !showHidden, name.hasPrefix(".") { continue }
            let path = (directory as NSString).appendingPathComponent(name)
            // stat(2) follows a link from where the link is, whatever the working directory.
            guard let status = FileStatus(at: path, followingLinks: true) else {
                let reason = errno == ENOENT ? "a broken link" : String(cString: strerror(errno)).lowercased()
                files.append(Entry(name: name, path: path, kind: .unusable(reason)))
                continue
            }
            guard status.kind != .directory else {
                folders.append(Entry(name: name, path: path, kind: .directory, modified: status.modified))
                continue
            }
            // The same check as `attache upload`'s, so the picker offers what will go.
            do {
                // Up to OneDrive's limit: a file Outlook cannot take may still go as a link.
                let file = try LocalFile.inspect(path, upTo: DriveShare.maximumFileSize)
                var entry = Entry(name: name, path: path, kind: .file(size: file.size), modified: status.modified)
                if file.size > AttachmentLimits.maximumFileSize {
                    entry.share = .overOutlooksLimit
                } else if sessionsRefused, case .uploadSession = try? UploadPlan.forFile(size: file.size, name: file.name) {
                    entry.share = .sharedMailbox
                }
                files.append(entry)
            } catch {
                if case .tooLargeForOneDrive(let size) = error.code {
                    // Named as the picker shows it, not by the whole path.
                    let problem = InputFileError(error.code, path: name, detail: error.detail)
                    files.append(Entry(name: name, path: path, kind: .file(size: size), modified: status.modified, problem: problem))
                } else {
                    files.append(Entry(name: name, path: path, kind: .unusable(error.shortReason), modified: status.modified))
                }
            }
        }
        var all: [Entry] = []
        if directory != "/" {
            all.append(Entry(name: "..", path: (directory as NSString).deletingLastPathComponent, kind: .parent))
        }
        entries = all + sorted(folders) + sorted(files)
        selection = min(selection, max(0, visibleEntries.count - 1))
    }

    private func sorted(_ entries: [Entry]) -> [Entry] {
        let byName: (Entry, Entry) -> Bool = { $0.name.localizedStandardCompare($1.name) == .orderedAscending }
        switch sortOrder {
        case .name:
            return entries.sorted(by: byName)
        case .size:
            func size(_ entry: Entry) -> Int64 { if case .file(let size) = entry.kind { size } else { -1 } }
            return entries.sorted { size($0) != size($1) ? size($0) > size($1) : byName($0, $1) }
        case .date:
            return entries.sorted { $0.modified != $1.modified ? $0.modified > $1.modified : byName($0, $1) }
        }
    }

    /// The names in a folder, or the reason it cannot be read (`Permission denied`). Names
    /// are the file system's bytes, UTF-8 or not (see `PlatformPath`): a name in Latin-1
    /// lists as the file it is, shown escaped.
    static func list(_ directory: String) throws(ListingError) -> [String] {
        do {
            return try PlatformPath.contentsOfDirectory(directory)
        } catch let error as POSIXError {
            throw ListingError(code: error.code.rawValue)
        } catch {
            throw ListingError(code: EIO)
        }
    }

    struct ListingError: Error {
        var code: Int32
        var reason: String { String(cString: strerror(code)).lowercased() }
    }

    /// Moves into `path` (a folder), selecting the first entry, or `selecting` a name. The
    /// filter is for one folder: it is cleared.
    public mutating func open(directory path: String, selecting name: String? = nil) {
        directory = path.isEmpty ? "/" : path
        selection = 0
        filter = ""
        reload()
        if let name, let index = visibleEntries.firstIndex(where: { $0.name == name }) { selection = index }
    }

    /// Marks or unmarks the selected file; returns why it cannot be, if it cannot.
    public mutating func toggleMark() -> String? {
        guard let entry = selectedEntry else { return nil }
        guard case .file(let size) = entry.kind else {
            if case .unusable(let why) = entry.kind { return "'\(entry.name)' \(why)" }
            return nil
        }
        guard entry.isAttachable else {
            if let refusal = entry.refusal { return "'\(entry.name)' (\(ByteCount(size))): \(refusal)" }
            return entry.problem?.description ?? "'\(entry.name)' cannot be attached"
        }
        if let index = marked.firstIndex(where: { $0.path == entry.path }) {
            marked.remove(at: index)
        } else {
            marked.append(MarkedFile(path: entry.path, size: size, share: entry.share))
        }
        return nil
    }

    /// Names of marked files that the item already has an attachment of: each would be a
    /// second attachment of that name.
    public var duplicateNames: [String] {
        let attached = Set((existing ?? []).compactMap(\.name))
        return marked.map { ($0.path as NSString).lastPathComponent }.filter { attached.contains($0) }
    }

    /// The item's attachments and the marked files together, as Graph would count them (its
    /// sizes include Outlook's overhead); `nil` when the item's attachments are not known.
    public var totalBytesWithMarked: Int64? {
        guard let existing else { return nil }
        return existing.reduce(markedBytes) { $0 + ($1.size ?? 0) }
    }

    /// Exchange Online's default limit on a message's size, which an admin can raise to 150
    /// MB; Graph has no way to read a tenant's own.
    public static let defaultMessageLimit: Int64 = 35 * 1024 * 1024

    /// Sorts by the next order (name, size, date), keeping the selected entry selected.
    public mutating func cycleSortOrder() {
        let name = selectedEntry?.name
        sortOrder = sortOrder.next
        reload()
        if let name, let index = visibleEntries.firstIndex(where: { $0.name == name }) { selection = index }
    }

    // MARK: Typed paths

    /// Paths typed in the `:` prompt, from the folder shown.
    var typedPath: TypedPath { TypedPath(directory: directory, home: home, showHidden: showHidden) }

    /// A typed path made absolute: `~` is home, a relative path starts from the folder shown.
    public func absolute(_ typed: String) -> String { typedPath.absolute(typed) }

    /// Tab on a typed path: see ``TypedPath/complete(_:)``.
    public func complete(_ typed: String) -> (text: String, matches: [String]) { typedPath.complete(typed) }

    /// Enter on a typed path: a folder opens; a file is marked, in its folder, selected.
    /// Returns why nothing happened, if nothing did.
    public mutating func go(to typed: String) -> String? {
        let path = absolute(typed)
        guard let status = FileStatus(at: path, followingLinks: true) else {
            return "no such file or folder: \(path)"
        }
        if status.kind == .directory {
            open(directory: path)
            return error
        }
        let name = (path as NSString).lastPathComponent
        showHidden = showHidden || name.hasPrefix(".")
        open(directory: (path as NSString).deletingLastPathComponent, selecting: name)
        guard selectedEntry?.name == name else { return "cannot show \(path)" }
        if isMarked(selectedEntry!.path) { return nil }
        return toggleMark()
    }
}
