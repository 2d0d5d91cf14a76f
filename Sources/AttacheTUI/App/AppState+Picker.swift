import AttacheCore
import Foundation

extension AppState {
    /// A key's action in the picker, in whichever mode it is: the folder, its filter being
    /// typed, the marked files, or a typed path.
    mutating func pickerAction(_ action: KeyMap.Action, _ picker: inout FilePickerState) -> [Effect] {
        switch picker.mode {
        case .browsing: return browse(action, &picker)
        case .filtering:
            switch action {
            case .accept: picker.mode = .browsing
            case .dismiss:
                picker.filter = ""
                picker.mode = .browsing
            case .erase:
                if !picker.filter.isEmpty { picker.filter.removeLast() }
                picker.selection = Self.firstMatch(in: picker)
            default: break
            }
        case .marked(let selection):
            let count = picker.marked.count
            switch action {
            case .moveDown: picker.mode = .marked(selection: min(max(0, count - 1), selection + 1))
            case .moveUp: picker.mode = .marked(selection: max(0, selection - 1))
            case .top: picker.mode = .marked(selection: 0)
            case .bottom: picker.mode = .marked(selection: max(0, count - 1))
            case .toggleMark:
                guard picker.marked.indices.contains(selection) else { return [] }
                picker.marked.remove(at: selection)
                picker.mode = picker.marked.isEmpty ? .browsing : .marked(selection: min(selection, picker.marked.count - 1))
            case .accept:
                return attach(&picker, paths: picker.markedPaths)
            case .dismiss:
                picker.mode = .browsing
            default: break
            }
        case .path(let text):
            switch action {
            case .dismiss:
                picker.mode = .browsing
                picker.error = nil
            case .erase:
                picker.mode = .path(String(text.dropLast()))
            case .clearLine:
                picker.mode = .path("")
            case .complete:
                let (completed, matches) = picker.complete(text)
                picker.mode = .path(completed)
                picker.error = matches.isEmpty ? "nothing here starts so" : matches.count > 1 ? matches.prefix(8).joined(separator: "  ") : nil
            case .accept:
                picker.mode = .browsing
                if let problem = picker.go(to: text) {
                    picker.mode = .path(text)
                    picker.error = problem
                }
            default: break
            }
        }
        return []
    }

    private mutating func browse(_ action: KeyMap.Action, _ picker: inout FilePickerState) -> [Effect] {
        let count = picker.visibleEntries.count
        switch action {
        case .moveDown: picker.selection = min(count - 1, picker.selection + 1)
        case .moveUp: picker.selection = max(0, picker.selection - 1)
        case .pageDown: picker.selection = min(count - 1, picker.selection + Self.pageSize)
        case .pageUp: picker.selection = max(0, picker.selection - Self.pageSize)
        case .top: picker.selection = 0
        case .bottom: picker.selection = max(0, count - 1)
        case .toggleMark:
            if let problem = picker.toggleMark() {
                notify(problem, .warning)
            } else {
                if let entry = picker.selectedEntry, picker.isMarked(entry.path), picker.duplicateNames.contains(entry.name) {
                    notify("“\(picker.targetTitle)” has an attachment named \(entry.name) already: attached again, it is there twice", .warning)
                } else if let entry = picker.selectedEntry, picker.isMarked(entry.path), let reason = entry.share {
                    notify("\(entry.name) would go as a OneDrive link: \(reason.sentence)", .info)
                }
                picker.selection = min(count - 1, picker.selection + 1)
            }
        case .parentDirectory:
            guard picker.directory != "/" else { return [] }
            let name = (picker.directory as NSString).lastPathComponent
            picker.open(directory: (picker.directory as NSString).deletingLastPathComponent, selecting: name)
        case .enterDirectory:
            guard let entry = picker.selectedEntry else { return [] }
            switch entry.kind {
            case .directory: picker.open(directory: entry.path)
            case .parent: return browse(.parentDirectory, &picker)
            default: break
            }
        case .home:
            picker.open(directory: picker.home)
        case .typePath:
            picker.mode = .path(picker.directory == "/" ? "/" : picker.directory + "/")
        case .filter:
            picker.mode = .filtering
        case .sortOrder:
            picker.cycleSortOrder()
        case .showMarked:
            guard !picker.marked.isEmpty else {
                notify("nothing marked yet: Space marks a file", .info)
                return []
            }
            picker.mode = .marked(selection: 0)
        case .unmarkAll:
            picker.marked = []
        case .toggleHidden:
            picker.showHidden.toggle()
            picker.reload()
        case .closePicker:
            guard picker.marked.isEmpty else {
                // Marks gathered from several folders are work: not dropped on one key.
                let count = picker.marked.count
                modal = .confirm(
                    question: "Close the picker and drop the \(count == 1 ? "file" : "\(count) files") marked (\(ByteCount(picker.markedBytes)))? Nothing is attached.",
                    onYes: .discardMarked(picker))
                return []
            }
            modal = nil
        case .open:
            guard let entry = picker.selectedEntry else { return [] }
            switch entry.kind {
            case .parent:
                return browse(.parentDirectory, &picker)
            case .directory:
                picker.open(directory: entry.path)
            case .file, .unusable:
                var paths = picker.markedPaths
                if paths.isEmpty {
                    guard entry.isAttachable else {
                        if let problem = picker.toggleMark() { notify(problem, .warning) }
                        return []
                    }
                    paths = [entry.path]
                }
                return attach(&picker, paths: paths)
            }
        default:
            break
        }
        return []
    }

    /// Closes the picker and queues `paths` for its item; the transfers pane shows them.
    private mutating func attach(_ picker: inout FilePickerState, paths: [String]) -> [Effect] {
        guard !paths.isEmpty else { return [] }
        pickerDirectory = picker.directory
        modal = nil
        focus = .transfers
        followTransfers = true
        let links = paths.filter { picker.shareReason(of: $0) != nil }
        let attach = paths.filter { picker.shareReason(of: $0) == nil }
        guard !links.isEmpty else { return [.upload(paths: paths, to: picker.target, title: picker.targetTitle)] }
        if shareWithoutAsking { return Self.uploads(links: links, attach: attach, to: picker.target, title: picker.targetTitle) }
        let reasons = Set(links.compactMap { picker.shareReason(of: $0) })
        let why = reasons.count == 1 ? reasons.first!.sentence : "Outlook cannot take them here"
        let what = links.count == 1 ? "“\((links[0] as NSString).lastPathComponent)”" : "\(links.count) files"
        let others = attach.isEmpty ? "" : " The other \(attach.count == 1 ? "file is" : "\(attach.count) files are") attached either way."
        modal = .confirm(
            question: "\(what): \(why). Share \(links.count == 1 ? "it" : "them") from your OneDrive as \(links.count == 1 ? "a link" : "links") in “\(picker.targetTitle)”, "
                + "for \(share.linkScope.audience)?\(others)",
            onYes: .share(links: links, attach: attach, to: picker.target, title: picker.targetTitle))
        return []
    }

    /// The effects that attach `attach` and share `links`.
    static func uploads(links: [String], attach: [String], to item: ItemReference, title: String?) -> [Effect] {
        var effects: [Effect] = []
        if !attach.isEmpty { effects.append(.upload(paths: attach, to: item, title: title)) }
        if !links.isEmpty { effects.append(.share(paths: links, to: item, title: title)) }
        return effects
    }

    /// Where the selection goes as a filter is typed: the first entry that is not `..`.
    static func firstMatch(in picker: FilePickerState) -> Int {
        let visible = picker.visibleEntries
        return visible.firstIndex { $0.kind != .parent } ?? 0
    }
}
