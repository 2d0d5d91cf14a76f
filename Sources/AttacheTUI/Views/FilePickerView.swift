import AttacheCore

/// The file picker over the whole screen: folders and files with sizes and the path each
/// file takes (one POST or an upload session), the marked files, and the keys.
struct FilePickerView: View {
    var picker: FilePickerState
    var unicode = true

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        let inside = Draw.box(rect, title: "Attach to: \(picker.targetTitle)", into: &buffer)
        guard inside.height >= 3 else { return }
        buffer.put(DisplayWidth.truncate(picker.directory, to: inside.width), x: inside.x, y: inside.y, role: .header)
        let list = Rect(x: inside.x, y: inside.y + 1, width: inside.width, height: inside.height - 2)
        if let error = picker.error {
            buffer.put(error, x: list.x, y: list.y, role: .error, limit: list.width)
        }
        let sizeWidth = 10
        let planWidth = list.width >= 50 ? 12 : 0
        let nameWidth = max(4, list.width - 4 - sizeWidth - planWidth - 1)
        let top = Draw.scrollTop(selection: picker.selection, count: picker.entries.count, height: list.height)
        for row in 0..<min(list.height, max(0, picker.entries.count - top)) {
            let index = top + row
            let entry = picker.entries[index]
            let y = list.y + row
            let isMarked = picker.marked.contains(entry.path)
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
                let planRole: Role = plan == "over 150 MB" || (!entry.isAttachable && !plan.isEmpty) ? .error : .dim
                buffer.put(" " + DisplayWidth.pad(plan, to: planWidth - 1, alignRight: true), x: x, y: y, role: planRole, limit: list.maxX - x)
            }
            if index == picker.selection {
                buffer.paint(Rect(x: list.x, y: y, width: list.width, height: 1), role: .selection)
            }
        }
        let markedBytes = picker.marked.compactMap { path in
            picker.entries.first { $0.path == path }.flatMap { entry -> Int64? in
                if case .file(let size) = entry.kind { return size }
                return nil
            }
        }.reduce(Int64(0), +)
        let summary = picker.marked.isEmpty ? "nothing marked" : "\(picker.marked.count) marked, \(ByteCount(markedBytes))"
        buffer.put(summary, x: inside.x, y: inside.maxY - 1, role: .marked, limit: inside.width)
    }
}
