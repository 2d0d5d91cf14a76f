import AttacheCore
import Foundation

/// File names that come from a server, made safe to create: an attachment named
/// `../../.bashrc` or `a/b` must land as one file in the folder asked for, nowhere else.
enum FileNames {
    static func safe(_ name: String) -> String {
        var cleaned = String(name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        cleaned = cleaned.replacingOccurrences(of: "/", with: "_").trimmingCharacters(in: .whitespaces)
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        if cleaned.isEmpty { return "attachment" }
        return cleaned
    }
}

extension LocalFile {
    /// The file's name as the screen shows it: its own, from its path, where a byte that is
    /// not UTF-8 shows as `\xe9` (the attachment's ``LocalFile/name`` has U+FFFD there).
    var shownName: String { (path as NSString).lastPathComponent }
}
