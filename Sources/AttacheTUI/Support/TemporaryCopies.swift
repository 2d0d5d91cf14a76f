import Foundation
import Synchronization

/// The private folders that copies opened with `o` were written to: the program they were
/// handed to (through `xdg-open`, which returns at once) may read them for as long as it
/// likes, so they go only when the screen ends.
final class TemporaryCopies: Sendable {
    private let folders = Mutex<[String]>([])

    func add(_ folder: String) {
        folders.withLock { $0.append(folder) }
    }

    /// Removes every folder, with the copy in it.
    func removeAll() {
        let all = folders.withLock { folders in
            defer { folders.removeAll() }
            return folders
        }
        for folder in all { try? FileManager.default.removeItem(atPath: folder) }
    }
}
