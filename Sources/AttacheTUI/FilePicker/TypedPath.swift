import AttacheCore
import Foundation

/// A path typed in a prompt, as a shell reads it: `~` is home, a relative path starts from
/// a folder, and Tab completes the last part. The picker's `:` and the save prompt share it.
struct TypedPath {
    /// Where a relative path starts.
    var directory: String
    var home: String
    /// Whether Tab offers hidden names before a `.` is typed.
    var showHidden = false

    /// The typed path made absolute and tidied (`..` and `.` resolved). As in an editor's
    /// prompt, a `~/` or `//` after the folder the prompt began with starts the path anew:
    /// `/tmp/x/~/Downloads` is `$HOME/Downloads`.
    func absolute(_ typed: String) -> String {
        var path = Self.restarted(typed.trimmingCharacters(in: .whitespaces))
        if path == "~" { path = home } else if path.hasPrefix("~/") { path = home + path.dropFirst(1) }
        if !path.hasPrefix("/") { path = (directory as NSString).appendingPathComponent(path) }
        return (path as NSString).standardizingPath
    }

    /// Whether the typed path names a folder (it ends in `/`), which must then be one.
    static func namesFolder(_ typed: String) -> Bool {
        let trimmed = typed.trimmingCharacters(in: .whitespaces)
        return trimmed.hasSuffix("/") || trimmed.hasSuffix("/.") || trimmed == "~" || trimmed.hasSuffix("/~")
    }

    /// `text` with `character` typed after it: typing the `/` of a `~/` or a `//` that
    /// follows a folder replaces the whole text with `~/` or `/`, so what the prompt shows is
    /// where the path goes.
    static func typing(_ character: Character, after text: String) -> String {
        let typed = text + String(character)
        guard character == "/" else { return typed }
        if typed.hasSuffix("/~/") { return "~/" }
        if typed.hasSuffix("//") { return "/" }
        return typed
    }

    /// The part of `typed` from its last `~/` or `//` that follows a folder, if any.
    static func restarted(_ typed: String) -> String {
        var path = typed
        if path.hasSuffix("/~") { return "~" }
        if let home = path.range(of: "/~/", options: .backwards) { path = "~/" + path[home.upperBound...] }
        if let root = path.range(of: "//", options: .backwards) { path = "/" + path[root.upperBound...] }
        return path
    }

    /// Tab: the longest completion every match shares, and a `/` after a single folder.
    /// Returns the new text and the names that still match.
    func complete(_ typed: String) -> (text: String, matches: [String]) {
        let slash = typed.lastIndex(of: "/")
        let folderPart = slash.map { String(typed[...$0]) } ?? ""
        let stem = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
        let folder = folderPart.isEmpty ? directory : absolute(folderPart)
        let names = ((try? PlatformPath.contentsOfDirectory(folder)) ?? [])
            .filter { $0.hasPrefix(stem) && (showHidden || stem.hasPrefix(".") || !$0.hasPrefix(".")) }
            .sorted { $0.localizedStandardCompare($1) == .orderedAscending }
        guard let first = names.first else { return (typed, []) }
        var common = first
        for name in names.dropFirst() {
            while !name.hasPrefix(common) { common.removeLast() }
        }
        var text = folderPart + common
        if names.count == 1, FileStatus(at: (folder as NSString).appendingPathComponent(first), followingLinks: true)?.kind == .directory {
            text += "/"
        }
        return (text, names)
    }
}
