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

    /// The typed path made absolute and tidied (`..` and `.` resolved).
    func absolute(_ typed: String) -> String {
        var path = typed.trimmingCharacters(in: .whitespaces)
        if path == "~" { path = home } else if path.hasPrefix("~/") { path = home + path.dropFirst(1) }
        if !path.hasPrefix("/") { path = (directory as NSString).appendingPathComponent(path) }
        return (path as NSString).standardizingPath
    }

    /// Tab: the longest completion every match shares, and a `/` after a single folder.
    /// Returns the new text and the names that still match.
    func complete(_ typed: String) -> (text: String, matches: [String]) {
        let slash = typed.lastIndex(of: "/")
        let folderPart = slash.map { String(typed[...$0]) } ?? ""
        let stem = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
        let folder = folderPart.isEmpty ? directory : absolute(folderPart)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
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
