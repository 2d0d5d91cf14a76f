import AttacheCore

/// The file picker over the whole screen: folders and files with sizes and the path each
/// file takes (one POST or an upload session), the filter or path being typed, the marked
/// files from every folder, and where the selection is in the list.
struct FilePickerView: View {
    var picker: FilePickerState
    var unicode = true

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        let inside = Draw.box(rect, title: "Attach to: \(picker.targetTitle)", into: &buffer)
        guard inside.height >= 4 else { return }
        let visible = picker.visibleEntries
        // Header: the folder, and where the selection is among its entries.
        var position = visible.isEmpty ? "empty" : "\(picker.selection + 1)/\(visible.count)"
        if picker.sortOrder != .name { position = "by \(picker.sortOrder.rawValue) · " + position }
        if !picker.filter.isEmpty { position = "\(visible.filter { $0.kind != .parent }.count) match · " + position }
        let positionWidth = DisplayWidth.of(position)
        buffer.put(DisplayWidth.truncate(picker.directory, to: max(0, inside.width - positionWidth - 2)), x: inside.x, y: inside.y, role: .header)
        buffer.put(position, x: inside.maxX - positionWidth, y: inside.y, role: .dim)

        let list = Self.listRect(for: picker, in: rect)
        if let error = picker.error, picker.mode == .browsing {
            // On a row of its own, so the entries never draw over it.
            buffer.put(error, x: list.x, y: list.y - 1, role: .error, limit: list.width)
        }
        if case .marked(let selection) = picker.mode {
            renderMarked(selection: selection, in: list, into: &buffer)
        } else {
            renderEntries(visible, in: list, into: &buffer)
        }
        renderInputLine(y: inside.maxY - 2, x: inside.x, width: inside.width, into: &buffer)
        // The keys of each mode are in the status bar below, from the key table.
        var x = inside.x
        for (text, role) in Self.summary(of: picker) where x < inside.maxX {
            x += buffer.put(text, x: x, y: inside.maxY - 1, role: role, limit: inside.maxX - x)
        }
    }

    /// The foot line: what is marked, what the item then holds, and which marked names it
    /// has already, said before anything is attached.
    static func summary(of picker: FilePickerState) -> [(String, Role)] {
        guard !picker.marked.isEmpty else { return [("nothing marked", .marked)] }
        var parts: [(String, Role)] = [("\(picker.marked.count) marked, \(ByteCount(picker.markedBytes))", .marked)]
        if let total = picker.totalBytesWithMarked, let existing = picker.existing, !existing.isEmpty {
            let noun = picker.targetKind == .message ? "message" : "event"
            let over = total > FilePickerState.defaultMessageLimit
            parts.append((" · the \(noun) then holds about \(ByteCount(total))", over ? .warn : .dim))
            if over { parts.append((", over Exchange's default limit of 35 MB", .warn)) }
        }
        let duplicates = picker.duplicateNames
        if !duplicates.isEmpty {
            parts.append((" · attached already: " + duplicates.joined(separator: ", ") + " (would be there twice)", .warn))
        }
        return parts
    }

    /// Where the entries are listed, inside the box over `rect`: under the folder's line
    /// (and its problem, when there is one), above the typing and summary lines.
    static func listRect(for picker: FilePickerState, in rect: Rect) -> Rect {
        let inside = Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
        let problem = picker.error != nil && picker.mode == .browsing ? 1 : 0
        return Rect(x: inside.x, y: inside.y + 1 + problem, width: inside.width, height: max(0, inside.height - 3 - problem))
    }

    func renderInputLine(y: Int, x: Int, width: Int, into buffer: inout ScreenBuffer) {
        switch picker.mode {
        case .path(let text):
            let label = "path: "
            var shown = text
            let room = width - DisplayWidth.of(label) - 1
            while DisplayWidth.of(shown) > room, !shown.isEmpty { shown.removeFirst() }
            var at = x + buffer.put(label, x: x, y: y, role: .statusKey)
            at += buffer.put(shown + "▏", x: at, y: y, role: .input, limit: x + width - at)
            if let error = picker.error, at < x + width - 4 {
                buffer.put("  " + error, x: at, y: y, role: .warn, limit: x + width - at)
            }
        case .filtering, .browsing where !picker.filter.isEmpty:
            var at = x + buffer.put("/", x: x, y: y, role: .statusKey)
            at += buffer.put(picker.filter + (picker.mode == .filtering ? "▏" : ""), x: at, y: y, role: .input, limit: x + width - at)
        default:
            break
        }
    }

    func renderEntries(_ visible: [FilePickerState.Entry], in list: Rect, into buffer: inout ScreenBuffer) {
        guard list.height > 0 else { return }
        let sizeWidth = 10
        let planWidth = list.width >= 50 ? 14 : 0
        let nameWidth = max(4, list.width - 4 - sizeWidth - planWidth - 1)
        let top = Draw.scrollTop(selection: picker.selection, count: visible.count, height: list.height)
        for row in 0..<min(list.height, max(0, visible.count - top)) {
            let index = top + row
            let entry = visible[index]
            let y = list.y + row
            let isMarked = picker.isMarked(entry.path)
            var x = list.x
            x += buffer.put(isMarked ? (unicode ? " ✓ " : "[x]") : "   ", x: x, y: y, role: .marked)
            x += 1
            let name: String
            let role: Role
            let size: String
            switch entry.kind {
            case .parent:
                (name, role, size) = ("../", .directory, "")
            case .directory:
                (name, role, size) = (entry.name + "/", .directory, "")
            case .file(let bytes):
                (name, role, size) = (entry.name, isMarked ? .marked : .normal, "\(ByteCount(bytes))")
            case .unusable:
                (name, role, size) = (entry.name, .dim, "")
            }
            x += buffer.put(DisplayWidth.pad(name, to: nameWidth), x: x, y: y, role: role, limit: list.maxX - x)
            x += buffer.put(DisplayWidth.pad(size, to: sizeWidth, alignRight: true), x: x, y: y, role: .dim, limit: list.maxX - x)
            if planWidth > 0 {
                let plan = entry.plan
                let planRole: Role = !entry.isAttachable && !plan.isEmpty ? .error : .dim
                buffer.put(" " + DisplayWidth.pad(plan, to: planWidth - 1, alignRight: true), x: x, y: y, role: planRole, limit: list.maxX - x)
            }
            if index == picker.selection {
                buffer.paint(Rect(x: list.x, y: y, width: list.width, height: 1), role: .selection)
            }
        }
    }

    /// `v`: every marked file, with its folder, wherever it was marked.
    func renderMarked(selection: Int, in list: Rect, into buffer: inout ScreenBuffer) {
        guard list.height > 1 else { return }
        buffer.put("Marked files (\(picker.marked.count)), in the order they will go:", x: list.x, y: list.y, role: .header, limit: list.width)
        let rows = Rect(x: list.x, y: list.y + 1, width: list.width, height: list.height - 1)
        let sizeWidth = 10
        let top = Draw.scrollTop(selection: selection, count: picker.marked.count, height: rows.height)
        for row in 0..<min(rows.height, max(0, picker.marked.count - top)) {
            let index = top + row
            let file = picker.marked[index]
            let y = rows.y + row
            var x = rows.x
            x += buffer.put(" " + DisplayWidth.pad(file.path, to: max(4, rows.width - sizeWidth - 2)), x: x, y: y, role: .normal, limit: rows.maxX - x)
            buffer.put(DisplayWidth.pad("\(ByteCount(file.size))", to: sizeWidth, alignRight: true), x: x, y: y, role: .dim, limit: rows.maxX - x)
            if index == selection {
                buffer.paint(Rect(x: rows.x, y: y, width: rows.width, height: 1), role: .selection)
            }
        }
    }
}
