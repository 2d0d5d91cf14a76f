import AttacheCore
import Foundation
import Testing

@testable import AttacheTUI

/// The picker as people know it from ranger, lf and aerc: typed paths with Tab, a filter,
/// marks across folders, sorting, links followed from where they are.
@Suite("The file picker")
struct FilePickerTests {
    /// A private tree: `docs/` with two files, `media/` with one, links, and a folder no one
    /// may read. Removed when `body` ends.
    func withTree(_ body: (String) throws -> Void) throws {
        let root = NSTemporaryDirectory() + "attache-picker-\(UUID().uuidString)"
        let fileManager = FileManager.default
        defer { try? fileManager.removeItem(atPath: root) }
        try fileManager.createDirectory(atPath: root + "/docs", withIntermediateDirectories: true)
        try fileManager.createDirectory(atPath: root + "/media/clips", withIntermediateDirectories: true)
        try fileManager.createDirectory(atPath: root + "/locked", withIntermediateDirectories: true)
        func file(_ path: String, _ size: Int, modified: TimeInterval) {
            _ = fileManager.createFile(atPath: root + "/" + path, contents: Data(repeating: 7, count: size))
            try? fileManager.setAttributes([.modificationDate: Date(timeIntervalSince1970: modified)], ofItemAtPath: root + "/" + path)
        }
        file("docs/Café menu.pdf", 4_000, modified: 1_000)
        file("docs/budget.xlsx", 9_000, modified: 3_000)
        file("docs/zeta.txt", 100, modified: 2_000)
        file("media/clip.mov", 20_000, modified: 500)
        // Relative links, resolved from their own folder (the working directory is elsewhere).
        try fileManager.createSymbolicLink(atPath: root + "/media/menu.pdf", withDestinationPath: "../docs/Café menu.pdf")
        try fileManager.createSymbolicLink(atPath: root + "/media/docs", withDestinationPath: "../docs")
        try fileManager.createSymbolicLink(atPath: root + "/media/gone.txt", withDestinationPath: "nowhere.txt")
        chmod(root + "/locked", 0)
        defer { chmod(root + "/locked", 0o755) }
        try body(root)
    }

    func picker(_ directory: String, home: String = "/") -> FilePickerState {
        var picker = FilePickerState(target: Fixtures.messages[0].reference, targetTitle: "Quarterly report — Q3 figures", directory: directory, home: home)
        picker.reload()
        return picker
    }

    func state(_ directory: String, home: String) -> AppState {
        var state = Fixtures.state(transfers: false)
        state.pickerDirectory = directory
        _ = state.handle(.character("a"))
        state.editPicker { $0.home = home }
        return state
    }

    func current(_ state: AppState) -> FilePickerState? {
        if case .picker(let picker) = state.modal { return picker }
        return nil
    }

    @Test func relativeLinksAreFollowedFromTheirOwnFolder() throws {
        try withTree { root in
            let media = picker(root + "/media")
            let kinds = Dictionary(uniqueKeysWithValues: media.entries.map { ($0.name, $0.kind) })
            #expect(kinds["menu.pdf"] == .file(size: 4_000))
            #expect(kinds["docs"] == .directory)
            #expect(kinds["gone.txt"] == .unusable("a broken link"))
        }
    }

    @Test func anUnreadableFolderSaysWhy() throws {
        // Root reads any folder: drop to a plain user's view only where the test can.
        try withTree { root in
            var locked = picker(root + "/locked")
            if getuid() == 0 {
                // As root the folder opens; a folder that is not there stands in.
                locked.open(directory: root + "/not-here")
                #expect(locked.error == "cannot open \(root)/not-here: no such file or directory")
            } else {
                #expect(locked.error == "cannot open \(root)/locked: permission denied")
            }
            #expect(locked.entries.map(\.name) == [".."])
            // The reason is on a row of its own, not under the `..` row.
            var state = Fixtures.state(transfers: false)
            state.modal = .picker(locked)
            let screen = Fixtures.render(state, width: 100, height: 30).split(separator: "\n").map(String.init)
            #expect(screen.contains { $0.contains("cannot open") && !$0.contains("../") })
            #expect(screen.contains { $0.contains("../") })
        }
    }

    @Test func aTypedPathWithTabOpensAFolderOrMarksAFile() throws {
        try withTree { root in
            var state = state(root, home: root + "/media")
            _ = state.handle(.character(":"))
            #expect(state.scope == .prompt)
            guard case .path(let start) = current(state)?.mode else { return #expect(Bool(false), "a path prompt") }
            #expect(start == root + "/")
            // Tab completes the folder, with its slash; again, the file's common prefix.
            for c in "do" { _ = state.handle(.character(c)) }
            _ = state.handle(.tab)
            #expect(current(state)?.mode == .path(root + "/docs/"))
            _ = state.handle(.character("b"))
            _ = state.handle(.tab)
            #expect(current(state)?.mode == .path(root + "/docs/budget.xlsx"))
            _ = state.handle(.enter)
            let picker = try #require(current(state))
            #expect(picker.mode == .browsing)
            #expect(picker.directory == root + "/docs")
            #expect(picker.selectedEntry?.name == "budget.xlsx")
            #expect(picker.markedPaths == [root + "/docs/budget.xlsx"])
            // A folder opens; `~` goes home; a path that is not there says so and stays.
            _ = state.handle(.character(":"))
            for _ in 0..<"docs/".count { _ = state.handle(.backspace) }
            for c in "media" { _ = state.handle(.character(c)) }
            _ = state.handle(.enter)
            #expect(current(state)?.directory == root + "/media")
            _ = state.handle(.character(":"))
            for c in "nope" { _ = state.handle(.character(c)) }
            _ = state.handle(.enter)
            #expect(current(state)?.error == "no such file or folder: \(root)/media/nope")
            #expect(current(state)?.mode == .path(root + "/media/nope"))
            _ = state.handle(.escape)
            #expect(current(state)?.mode == .browsing)
            _ = state.handle(.character("~"))
            #expect(current(state)?.directory == root + "/media")
        }
    }

    @Test func marksAreKeptAcrossFoldersWithTheirSizes() throws {
        try withTree { root in
            var state = state(root + "/docs", home: root)
            _ = state.handle(.down)  // budget.xlsx (Café menu.pdf sorts after it)
            #expect(current(state)?.selectedEntry?.name == "budget.xlsx")
            _ = state.handle(.character(" "))
            _ = state.handle(.character("h"))  // up to the root, docs/ selected
            #expect(current(state)?.selectedEntry?.name == "docs")
            _ = state.handle(.down)  // locked
            _ = state.handle(.down)  // media
            _ = state.handle(.character("l"))
            #expect(current(state)?.directory == root + "/media")
            _ = state.handle(.character("/"))
            for c in "clip" { _ = state.handle(.character(c)) }
            #expect(current(state)?.visibleEntries.map(\.name) == ["..", "clips", "clip.mov"])
            _ = state.handle(.enter)
            _ = state.handle(.character("G"))
            _ = state.handle(.character(" "))
            let picker = try #require(current(state))
            #expect(picker.markedPaths == [root + "/docs/budget.xlsx", root + "/media/clip.mov"])
            #expect(picker.markedBytes == 29_000)
            let screen = Fixtures.render(state, width: 100, height: 30)
            #expect(screen.contains("2 marked, 28.3 KiB"))
            // v lists them from every folder; Space unmarks; Esc goes back.
            _ = state.handle(.character("v"))
            #expect(state.scope == .markedList)
            let list = Fixtures.render(state, width: 240, height: 30)
            #expect(list.contains(root + "/docs/budget.xlsx") && list.contains(root + "/media/clip.mov"))
            _ = state.handle(.character(" "))
            #expect(current(state)?.markedPaths == [root + "/media/clip.mov"])
            _ = state.handle(.escape)
            #expect(state.scope == .picker)
            #expect(state.handle(.enter) == [.upload(paths: [root + "/media/clip.mov"], to: Fixtures.messages[0].reference, title: "Quarterly report — Q3 figures")])
        }
    }

    @Test func filteringIgnoresCaseAndAccentsAndKeepsTheParent() throws {
        try withTree { root in
            var state = state(root + "/docs", home: root)
            _ = state.handle(.character("/"))
            for c in "CAFE" { _ = state.handle(.character(c)) }
            #expect(current(state)?.visibleEntries.map(\.name) == ["..", "Café menu.pdf"])
            #expect(current(state)?.selectedEntry?.name == "Café menu.pdf")
            _ = state.handle(.escape)
            #expect(current(state)?.visibleEntries.count == 4)
        }
    }

    @Test func sortingByNameSizeAndDate() throws {
        try withTree { root in
            var docs = picker(root + "/docs")
            #expect(docs.entries.map(\.name) == ["..", "budget.xlsx", "Café menu.pdf", "zeta.txt"])
            docs.cycleSortOrder()
            #expect(docs.sortOrder == .size)
            #expect(docs.entries.map(\.name) == ["..", "budget.xlsx", "Café menu.pdf", "zeta.txt"])
            docs.cycleSortOrder()
            #expect(docs.entries.map(\.name) == ["..", "budget.xlsx", "zeta.txt", "Café menu.pdf"])
            docs.cycleSortOrder()
            #expect(docs.sortOrder == .name)
        }
    }

    @Test func aServerFileNameIsSafeToCreate() {
        #expect(FileNames.safe("../../.bashrc") == "_.._.bashrc")
        #expect(FileNames.safe("a/b.pdf") == "a_b.pdf")
        #expect(FileNames.safe("..") == "attachment")
        #expect(FileNames.safe("evil\u{1b}[2J.txt") == "evil[2J.txt")
        #expect(FileNames.safe("report.pdf") == "report.pdf")
    }
}
