import Crypto
import Foundation

/// Each user's OneDrive as the emulator keeps it: folders and files (their bytes in files under
/// the data directory), open upload sessions and sharing links. Held in memory: a restarted
/// emulator starts with empty drives, while its mailboxes persist.
actor DriveStore {
    struct Item: Sendable, Hashable {
        var id: String
        var ownerID: String
        /// `nil` for a drive's root.
        var parentID: String?
        var name: String
        var isFolder: Bool
        var size: Int64
        var createdAt: Date
        var modifiedAt: Date
        /// Where a file's bytes are.
        var blobPath: String?
        var sha256: String?
        var mimeType: String?
        /// What its pre-authenticated download URL carries (files only): made with the file,
        /// so every URL handed out for it stays good, as Graph's do for an hour and more.
        var downloadToken: String?
    }

    struct Session: Sendable, Hashable {
        var id: String
        var ownerID: String
        var parentID: String
        /// Folders under the parent that do not exist yet: made when the file is committed.
        var missingFolders: [String]
        var name: String
        /// Set by the `fileSize` of the request, or else by the first fragment's total.
        var size: Int64?
        var received: Int64
        var conflictBehavior: ConflictBehavior
        var tokenHash: String
        var expiresAt: Date
        var partPath: String
    }

    enum ConflictBehavior: String, Sendable, Hashable {
        case fail, rename, replace
    }

    struct Link: Sendable, Hashable {
        var id: String
        var itemID: String
        var type: String
        var scope: String
        var webUrl: String
        var expirationDateTime: String?
    }

    let directory: String
    private var items: [String: Item] = [:]
    private var sessions: [String: Session] = [:]
    private var links: [Link] = []

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    // MARK: Items

    /// The user's drive root, made the first time it is asked for.
    func root(of ownerID: String) -> Item {
        let id = "root-" + String(ownerID.prefix(36))
        if let root = items[id] { return root }
        let now = Date()
        let root = Item(id: id, ownerID: ownerID, parentID: nil, name: "root", isFolder: true, size: 0, createdAt: now, modifiedAt: now)
        items[id] = root
        return root
    }

    /// Any user's item, for its pre-authenticated download URL.
    func item(id: String) -> Item? {
        items[id]
    }

    func item(id: String, ownerID: String) -> Item? {
        if id.lowercased() == "root" { return root(of: ownerID) }
        guard let item = items[id], item.ownerID == ownerID else { return nil }
        return item
    }

    func children(of parentID: String) -> [Item] {
        items.values.filter { $0.parentID == parentID }.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    /// The child of `parentID` named `name`, compared without regard to case as OneDrive does.
    func child(named name: String, of parentID: String) -> Item? {
        items.values.first { $0.parentID == parentID && $0.name.lowercased() == name.lowercased() }
    }

    /// Walks `components` down from `parent`: the item reached, or the deepest folder found
    /// and the names still missing under it.
    func walk(_ components: [String], from parent: Item) -> (found: Item, missing: [String]) {
        var current = parent
        for (index, name) in components.enumerated() {
            guard current.isFolder, let next = child(named: name, of: current.id) else {
                return (current, Array(components[index...]))
            }
            current = next
        }
        return (current, [])
    }

    func path(of item: Item) -> String {
        var names: [String] = []
        var current = item
        // A tree of at most the items there are: bounded.
        for _ in 0...items.count {
            guard let parentID = current.parentID, let parent = items[parentID] else { break }
            names.append(current.name)
            current = parent
        }
        return "/drive/root:" + (names.isEmpty ? "" : "/" + names.reversed().joined(separator: "/"))
    }

    func path(ofItem id: String) -> String {
        items[id].map(path(of:)) ?? "/drive/root:"
    }

    func usedBytes(of ownerID: String) -> Int64 {
        items.values.filter { $0.ownerID == ownerID && !$0.isFolder }.reduce(0) { $0 + $1.size }
    }

    /// Deletes an item and, for a folder, everything under it, with its links.
    func delete(_ id: String) {
        let doomed = descendants(of: id) + [id]
        for id in doomed {
            if let path = items[id]?.blobPath { try? FileManager.default.removeItem(atPath: path) }
            items[id] = nil
        }
        links.removeAll { doomed.contains($0.itemID) }
    }

    private func descendants(of id: String) -> [String] {
        var found: [String] = []
        var frontier = [id]
        while let next = frontier.popLast() {
            let children = items.values.filter { $0.parentID == next }.map(\.id)
            found += children
            frontier += children
        }
        return found
    }

    // MARK: Sessions

    func insert(_ session: Session) {
        sessions[session.id] = session
    }

    func session(id: String) -> Session? {
        sessions[id]
    }

    func update(_ session: Session) {
        guard sessions[session.id] != nil else { return }
        sessions[session.id] = session
    }

    func removeSession(id: String) {
        if let session = sessions.removeValue(forKey: id) { try? FileManager.default.removeItem(atPath: session.partPath) }
    }

    var openSessions: [Session] { Array(sessions.values) }

    /// The session's bytes become a file in its folder (made as needed), under its name or,
    /// by its conflict behaviour, a free one; `nil` when the name is taken and it says fail.
    func commit(_ session: Session, sha256: String, mimeType: String, downloadToken: String, now: Date) -> Item? {
        var parent = items[session.parentID] ?? root(of: session.ownerID)
        for name in session.missingFolders {
            if let existing = child(named: name, of: parent.id), existing.isFolder {
                parent = existing
                continue
            }
            let folder = Item(
                id: Self.newID(), ownerID: session.ownerID, parentID: parent.id, name: name, isFolder: true, size: 0, createdAt: now, modifiedAt: now)
            items[folder.id] = folder
            parent = folder
        }
        var name = session.name
        if let existing = child(named: name, of: parent.id) {
            switch session.conflictBehavior {
            case .fail: return nil
            case .replace: delete(existing.id)
            case .rename: name = freeName(session.name, in: parent.id)
            }
        }
        let blob = (directory as NSString).appendingPathComponent(Self.newID())
        do {
            try FileManager.default.moveItem(atPath: session.partPath, toPath: blob)
        } catch {
            // An empty file never had a part written.
            FileManager.default.createFile(atPath: blob, contents: nil)
        }
        let item = Item(
            id: Self.newID(), ownerID: session.ownerID, parentID: parent.id, name: name, isFolder: false, size: session.size ?? session.received,
            createdAt: now, modifiedAt: now, blobPath: blob, sha256: sha256, mimeType: mimeType, downloadToken: downloadToken)
        items[item.id] = item
        sessions[session.id] = nil
        return item
    }

    /// `report 1.bin`, `report 2.bin`, …: OneDrive's renaming, as its web client shows it.
    private func freeName(_ name: String, in parentID: String) -> String {
        let ext = (name as NSString).pathExtension
        let stem = ext.isEmpty ? name : String(name.dropLast(ext.count + 1))
        for number in 1...10_000 {
            let candidate = ext.isEmpty ? "\(stem) \(number)" : "\(stem) \(number).\(ext)"
            if child(named: candidate, of: parentID) == nil { return candidate }
        }
        return "\(stem) \(Self.newID()).\(ext)"
    }

    // MARK: Links

    /// The item's link of that type and scope, and whether it was made now.
    func link(for itemID: String, type: String, scope: String, expirationDateTime: String?, origin: String) -> (Link, created: Bool) {
        if let existing = links.first(where: { $0.itemID == itemID && $0.type == type && $0.scope == scope }) { return (existing, false) }
        let id = Self.newID()
        let letter = type == "edit" ? "w" : "u"
        let link = Link(id: id, itemID: itemID, type: type, scope: scope, webUrl: "\(origin)/share/:\(letter):/g/\(id)", expirationDateTime: expirationDateTime)
        links.append(link)
        return (link, true)
    }

    func links(of itemID: String) -> [Link] {
        links.filter { $0.itemID == itemID }
    }

    func link(id: String) -> Link? {
        links.first { $0.id == id }
    }

    var allItems: [Item] { Array(items.values) }

    static func newID() -> String {
        // OneDrive for Business ids: 34 upper-case base32-like characters starting "01".
        "01" + EmulatorIDs.randomHex(bytes: 16).uppercased()
    }
}
