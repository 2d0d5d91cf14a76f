import AttacheCore
import Foundation

/// The file picker: a folder's entries with their sizes and the path each file would take,
/// and the files marked so far.
public struct FilePickerState: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public enum Kind: Hashable, Sendable {
            case parent
            case directory
            case file(size: Int64)
            /// Not a regular file (a socket, a device), or one that cannot be read.
            case unusable(String)
        }

        public var name: String
        public var path: String
        public var kind: Kind

        /// How the file would go up: `POST`, `session`, or why it cannot.
        public var plan: String {
            switch kind {
            case .file(let size):
                switch try? UploadPlan.forFile(size: size) {
                case .singleRequest: return "POST"
                case .uploadSession: return "session"
                case nil: return "over 150 MB"
                }
            case .unusable(let why): return why
            case .parent, .directory: return ""
            }
        }

        /// A file that can be attached.
        public var isAttachable: Bool {
            if case .file(let size) = kind { return size <= AttachmentLimits.maximumFileSize }
            return false
        }
    }

    /// The item the files will go to, and its subject for the title.
    public var target: ItemReference
    public var targetTitle: String
    public var directory: String
    public var entries: [Entry] = []
    public var selection = 0
    public var marked: [String] = []
    public var showHidden = false
    public var error: String?

    public init(target: ItemReference, targetTitle: String, directory: String) {
        self.target = target
        self.targetTitle = targetTitle
        self.directory = directory
    }

    public var selectedEntry: Entry? {
        entries.indices.contains(selection) ? entries[selection] : nil
    }

    /// Reads `directory` from disk: `..` first, folders, then files, by name.
    public mutating func reload(fileManager: FileManager = .default) {
        var folders: [Entry] = []
        var files: [Entry] = []
        error = nil
        do {
            for name in try fileManager.contentsOfDirectory(atPath: directory) {
                if !showHidden, name.hasPrefix(".") { continue }
                let path = (directory as NSString).appendingPathComponent(name)
                // Follow links, as opening the file will.
                let resolved = (path as NSString).resolvingSymlinksInPath
                guard let attributes = try? fileManager.attributesOfItem(atPath: resolved) else {
                    files.append(Entry(name: name, path: path, kind: .unusable("cannot be read")))
                    continue
                }
                switch attributes[.type] as? FileAttributeType {
                case .typeDirectory?:
                    folders.append(Entry(name: name, path: path, kind: .directory))
                case .typeRegular?:
                    if fileManager.isReadableFile(atPath: resolved) {
                        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
                        files.append(Entry(name: name, path: path, kind: .file(size: size)))
                    } else {
                        files.append(Entry(name: name, path: path, kind: .unusable("cannot be read")))
                    }
                default:
                    files.append(Entry(name: name, path: path, kind: .unusable("not a file")))
                }
            }
        } catch {
            self.error = "cannot list \(directory): permission denied or gone"
        }
        let byName: (Entry, Entry) -> Bool = { $0.name.localizedStandardCompare($1.name) == .orderedAscending }
        var all: [Entry] = []
        if directory != "/" {
            all.append(Entry(name: "..", path: (directory as NSString).deletingLastPathComponent, kind: .parent))
        }
        entries = all + folders.sorted(by: byName) + files.sorted(by: byName)
        selection = min(selection, max(0, entries.count - 1))
    }

    /// Moves into `path` (a folder), selecting the first entry, or `selecting` a name.
    public mutating func open(directory path: String, selecting name: String? = nil) {
        directory = path.isEmpty ? "/" : path
        selection = 0
        reload()
        if let name, let index = entries.firstIndex(where: { $0.name == name }) { selection = index }
    }

    /// Marks or unmarks the selected file; returns why it cannot be, if it cannot.
    public mutating func toggleMark() -> String? {
        guard let entry = selectedEntry else { return nil }
        guard case .file(let size) = entry.kind else {
            if case .unusable(let why) = entry.kind { return "'\(entry.name)' \(why)" }
            return nil
        }
        guard entry.isAttachable else {
            return "'\(entry.name)' is \(ByteCount(size)); Outlook takes at most 150 MB per attachment"
        }
        if let index = marked.firstIndex(of: entry.path) {
            marked.remove(at: index)
        } else {
            marked.append(entry.path)
        }
        return nil
    }
}
