import AttacheCore
import Foundation

/// Enter on an item: who sent it and to whom (a message), or who organizes it, when, where
/// and who attends (an event); its attachments; then the body as text, scrolled with j/k.
struct ReaderView: View {
    var state: AppState
    var reference: ItemReference
    var offset = 0

    /// The header fields, label and value, from what the list knows and what was asked for.
    static func fields(
        _ item: OutlookItem?, _ details: ItemDetails?, attachments: [AttachmentInfo]?, zone: LocalTime, fileSizes: [String: Int64] = [:]
    ) -> [(String, String, Role)] {
        var fields: [(String, String, Role)] = []
        let item = details?.item ?? item
        func people(_ list: [EmailAddress]) -> String { list.map(\.display).joined(separator: ", ") }
        switch item?.kind ?? .message {
        case .message:
            if let from = details?.from ?? item?.from { fields.append(("From", from.display, .dialog)) }
            if let to = details?.to, !to.isEmpty { fields.append(("To", people(to), .dialog)) }
            if let cc = details?.cc, !cc.isEmpty { fields.append(("Cc", people(cc), .dialog)) }
            if item?.isDraft == true {
                let changed = item?.lastModifiedDateTime.flatMap(GraphDate.parse)
                fields.append(("Draft", "not sent" + (changed.map { ", last changed \(zone.formatWithZone($0))" } ?? "") + " · S sends it", .warn))
            } else if let received = item?.receivedDateTime.flatMap(GraphDate.parse) {
                fields.append(("Received", zone.formatWithZone(received), .dialog))
            }
        case .event:
            if let organizer = details?.organizer ?? item?.from { fields.append(("Organizer", organizer.display, .dialog)) }
            if let start = item?.start?.date {
                let end = item?.end?.date
                let sameDay = end.map { zone.format($0).prefix(10) == zone.format(start).prefix(10) } ?? false
                let endText = end.map { sameDay ? String(zone.format($0).suffix(5)) : zone.format($0) } ?? "?"
                fields.append(("When", "\(zone.format(start))–\(endText) \(zone.name(at: start))", .dialog))
            }
            if let location = item?.location { fields.append(("Where", location, .dialog)) }
            if let attendees = details?.attendees, !attendees.isEmpty {
                let list = attendees.map { attendee in
                    let name = attendee.emailAddress.display
                    let answer = attendee.responseText
                    return answer.isEmpty ? name : "\(name) (\(answer))"
                }
                fields.append(("Attendees", list.joined(separator: ", "), .dialog))
            }
        }
        if let attachments {
            let names = attachments.map { "\($0.name ?? $0.id) (\(DetailView.sizeText($0, fileSizes: fileSizes)))" }
            fields.append(("Attachments", names.isEmpty ? "none" : names.joined(separator: ", "), names.isEmpty ? .dim : .dialog))
        }
        return fields
    }

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        let item = state.items[reference.kind]?.value?.first { $0.id == reference.id }
        let loadable = state.itemDetails[reference.id]
        let width = min(rect.width - 2, 100)
        let inner = max(1, width - 4)
        let labelWidth = 13
        // A header line has a label (empty on its continuations); a body line has none.
        var lines: [(label: String?, text: String, role: Role)] = []
        for (label, value, role) in Self.fields(item, loadable?.value, attachments: state.details[reference.id]?.value, zone: state.timeZone, fileSizes: state.fileSizes) {
            for (index, line) in Draw.wrap(value, width: max(1, inner - labelWidth)).enumerated() {
                lines.append((index == 0 ? label : "", line, role))
            }
        }
        lines.append((nil, "", .dialog))
        switch loadable ?? .loading {
        case .loading:
            lines.append((nil, "loading…", .dim))
        case .failed(let message):
            for line in Draw.wrap(message, width: inner) { lines.append((nil, line, .error)) }
        case .loaded(let details):
            let body = details.body.trimmingCharacters(in: .whitespacesAndNewlines)
            if body.isEmpty { lines.append((nil, "(no text)", .dim)) }
            for paragraph in body.split(separator: "\n", omittingEmptySubsequences: false) {
                let wrapped = Draw.wrap(String(paragraph).terminalSafe, width: inner)
                if wrapped.isEmpty { lines.append((nil, "", .dialog)) }
                for line in wrapped { lines.append((nil, line, .dialog)) }
            }
        }
        let box = rect.centered(width: width, height: rect.height)
        let noun = reference.kind == .message ? "Message" : "Event"
        let inside = Draw.box(box, title: "\(noun) · \(item?.subject ?? "(no subject)")", into: &buffer)
        guard inside.height > 1 else { return }
        let room = inside.height - 1
        let start = max(0, min(offset, lines.count - room))
        for (row, line) in lines.dropFirst(start).prefix(room).enumerated() {
            var x = inside.x
            if let label = line.label {
                x += buffer.put(DisplayWidth.pad(label, to: labelWidth), x: x, y: inside.y + row, role: .dim)
            }
            buffer.put(line.text, x: x, y: inside.y + row, role: line.role, limit: inside.maxX - x)
        }
        let more = lines.count - start - room
        let scroll = more > 0 ? "\(more) more line\(more == 1 ? "" : "s") · j/k scroll · " : ""
        Draw.keyHints(KeyMap.hints(for: .reader, except: state.inapplicableActions), prefix: scroll, in: Rect(x: inside.x, y: inside.maxY - 1, width: inside.width, height: 1), into: &buffer)
    }
}
