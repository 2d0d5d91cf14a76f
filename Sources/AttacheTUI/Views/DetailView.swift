import AttacheCore

/// The selected item's attachments, as `$select` metadata: name, size, type, last modified.
struct DetailView: View {
    var state: AppState

    /// An attachment's size: its file's own where the screen knows it (it attached or saved
    /// it), else what Graph reports, which counts Outlook's overhead (a 150 MiB file reads
    /// 156.7 MiB) and is marked `~` as no more than near the file's.
    static func sizeText(_ info: AttachmentInfo, fileSizes: [String: Int64]) -> String {
        if let known = fileSizes[info.id] { return "\(ByteCount(known))" }
        return info.size.map { "~\(ByteCount($0))" } ?? "?"
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        let item = state.selectedItem
        let title = item.map { "Attachments · \($0.subject ?? "(no subject)")" } ?? "Attachments"
        let area = Draw.paneTitle(title, in: rect, focused: state.focus == .details, into: &buffer)
        guard !area.isEmpty else { return }
        guard item != nil else {
            buffer.put(" select a message or an event", x: area.x, y: area.y, role: .dim, limit: area.width)
            return
        }
        switch state.selectedAttachments ?? .loading {
        case .loading:
            buffer.put(" loading attachments…", x: area.x, y: area.y, role: .dim, limit: area.width)
        case .failed(let message):
            for (row, line) in Draw.wrap(message, width: area.width - 1).prefix(area.height).enumerated() {
                buffer.put(" " + line, x: area.x, y: area.y + row, role: .error, limit: area.width)
            }
        case .loaded(let list) where list.isEmpty:
            buffer.put(" no attachments; press a to attach files", x: area.x, y: area.y, role: .dim, limit: area.width)
        case .loaded(let list):
            let sizeWidth = 10
            let showType = area.width >= 52
            let showDate = area.width >= 80
            let typeWidth = showType ? min(26, area.width / 4) : 0
            let dateWidth = showDate ? 17 : 0
            let nameWidth = max(6, area.width - 1 - sizeWidth - (showType ? typeWidth + 2 : 0) - dateWidth - 1)
            let top = Draw.scrollTop(selection: state.detailSelection, count: list.count, height: area.height)
            for row in 0..<min(area.height, list.count - top) {
                let index = top + row
                let info = list[index]
                let y = area.y + row
                var x = area.x + 1
                x += buffer.put(DisplayWidth.pad(info.name ?? info.id, to: nameWidth), x: x, y: y, role: .normal, limit: area.maxX - x)
                let size = Self.sizeText(info, fileSizes: state.fileSizes)
                x += buffer.put(DisplayWidth.pad(size, to: sizeWidth, alignRight: true), x: x, y: y, role: .normal, limit: area.maxX - x)
                if showType {
                    x += buffer.put("  " + DisplayWidth.pad(info.contentType ?? "", to: typeWidth), x: x, y: y, role: .dim, limit: area.maxX - x)
                }
                if showDate {
                    let modified = info.lastModifiedDateTime.flatMap(GraphDate.parse)
                    buffer.put(" " + Draw.date(modified, short: false, in: state.timeZone), x: x, y: y, role: .dim, limit: area.maxX - x)
                }
                if index == state.detailSelection, state.focus == .details {
                    buffer.paint(Rect(x: area.x, y: y, width: area.width, height: 1), role: .selection)
                }
            }
        }
    }
}
