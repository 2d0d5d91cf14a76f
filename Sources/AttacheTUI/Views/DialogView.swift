import AttacheCore

/// Small windows: a yes/no question, a line to type, an attachment's metadata.
struct DialogView: View {
    var modal: AppState.Modal
    /// Whether `L` signs in here; else the way out is the command line's.
    var canSignIn = false
    /// The zone times are shown in.
    var zone = LocalTime.current
    /// The file's own size of attachments the screen attached or saved, by id.
    var fileSizes: [String: Int64] = [:]

    func render(in rect: Rect, into buffer: inout ScreenBuffer) {
        switch modal {
        case .confirm(let question, _):
            let width = min(rect.width - 2, max(44, min(70, DisplayWidth.of(question) + 4)))
            let lines = Draw.wrap(question, width: width - 4)
            let box = rect.centered(width: width, height: lines.count + 4)
            let inside = Draw.box(box, title: "Confirm", into: &buffer)
            for (row, line) in lines.prefix(max(0, inside.height - 1)).enumerated() {
                buffer.put(line, x: inside.x, y: inside.y + row, role: .dialog, limit: inside.width)
            }
            var x = inside.x
            for (keys, label) in KeyMap.hints(for: .confirm) {
                x += buffer.put(keys, x: x, y: inside.maxY - 1, role: .statusKey)
                x += buffer.put(" \(label)   ", x: x, y: inside.maxY - 1, role: .dialog, limit: inside.maxX - x)
            }
        case .prompt(let title, let text, _):
            let width = min(rect.width - 2, 60)
            let box = rect.centered(width: width, height: 5)
            let inside = Draw.box(box, title: title, into: &buffer)
            guard inside.height >= 2 else { return }
            buffer.fill(Rect(x: inside.x, y: inside.y, width: inside.width, height: 1), role: .input)
            // Show the end of a long text, where typing happens.
            var shown = text
            while DisplayWidth.of(shown) > inside.width - 1 { shown.removeFirst() }
            buffer.put(shown + "▏", x: inside.x, y: inside.y, role: .input, limit: inside.width)
            Draw.keyHints(KeyMap.hints(for: .prompt), in: Rect(x: inside.x, y: inside.maxY - 1, width: inside.width, height: 1), into: &buffer)
        case .attachmentInfo(let info, let itemTitle):
            var fields: [(String, String)] = [("name", info.name ?? ""), ("id", info.id), ("type", info.contentType ?? "")]
            // The file's own size where known; Graph's, which counts Outlook's overhead, beside it.
            let graph = info.size.map { "\($0) bytes (\(ByteCount($0)))" }
            if let known = fileSizes[info.id] {
                fields.append(("size", "\(known) bytes (\(ByteCount(known))), the file's"))
                if let graph, info.size != known { fields.append(("Graph says", graph + ", counting Outlook's overhead")) }
            } else {
                fields.append(("size", graph.map { $0 + " as Graph counts it, with Outlook's overhead: the file is a little smaller" } ?? "not given"))
            }
            let modified = info.lastModifiedDateTime.flatMap(GraphDate.parse).map(zone.formatWithZone) ?? info.lastModifiedDateTime ?? ""
            fields += [("modified", modified), ("inline", info.isInline.map { $0 ? "yes" : "no" } ?? ""), ("item", itemTitle)]
            let width = min(rect.width - 2, 90)
            var lines: [(String, String)] = []
            for (label, value) in fields {
                for (index, line) in Draw.wrap(value, width: max(1, width - 4 - 11)).enumerated() { lines.append((index == 0 ? label : "", line)) }
            }
            let box = rect.centered(width: width, height: lines.count + 4)
            let inside = Draw.box(box, title: "Attachment", into: &buffer)
            for (row, field) in lines.prefix(max(0, inside.height - 1)).enumerated() {
                let x = inside.x + buffer.put(DisplayWidth.pad(field.0, to: 11), x: inside.x, y: inside.y + row, role: .dim)
                buffer.put(field.1, x: x, y: inside.y + row, role: .dialog, limit: inside.maxX - x)
            }
            Draw.keyHints(KeyMap.hints(for: .info), in: Rect(x: inside.x, y: inside.maxY - 1, width: inside.width, height: 1), into: &buffer)
        case .signInNeeded(let reason):
            let text = "attache cannot act as you: \(reason)"
            let width = min(rect.width - 2, max(44, min(76, DisplayWidth.of(text) + 4)))
            let lines = Draw.wrap(text, width: width - 4)
            let box = rect.centered(width: width, height: lines.count + 5)
            let inside = Draw.box(box, title: "Sign in", into: &buffer)
            for (row, line) in lines.prefix(max(0, inside.height - 2)).enumerated() {
                buffer.put(line, x: inside.x, y: inside.y + row, role: .dialog, limit: inside.width)
            }
            buffer.put(
                canSignIn ? "Press L to sign in again (Esc first)." : "Quit (q) and run `attache login` to sign in again.", x: inside.x,
                y: inside.maxY - 2, role: .dialog, limit: inside.width)
            Draw.keyHints(KeyMap.hints(for: .info), in: Rect(x: inside.x, y: inside.maxY - 1, width: inside.width, height: 1), into: &buffer)
        case .signingIn(let prompt):
            // What to do, with what to type or open in the title's colour.
            var lines: [(String, Role)]
            switch prompt {
            case nil:
                lines = [("Asking the identity platform for a code…", .dialog)]
            case .deviceCode(let code, let uri, _, let expiresAt):
                lines = [
                    ("On any device, open", .dialog), (uri, .title), ("and enter the code", .dialog), (code, .title), ("", .dialog),
                    ("Waiting (the code expires at \(zone.formatWithZone(expiresAt)))…", .dialog),
                ]
            case .browser(let url, let opened):
                lines = [(opened ? "Sign in in the browser that opened, or go to:" : "To sign in, open:", .dialog), (url, .title), ("", .dialog), ("Waiting…", .dialog)]
            }
            let width = min(rect.width - 2, 76)
            let wrapped = lines.flatMap { line in line.0.isEmpty ? [("", line.1)] : Draw.wrap(line.0, width: width - 4).map { ($0, line.1) } }
            let box = rect.centered(width: width, height: wrapped.count + 4)
            let inside = Draw.box(box, title: "Sign in", into: &buffer)
            for (row, line) in wrapped.prefix(max(0, inside.height - 1)).enumerated() {
                buffer.put(line.0, x: inside.x, y: inside.y + row, role: line.1, limit: inside.width)
            }
            buffer.put("Esc give up", x: inside.x, y: inside.maxY - 1, role: .dim, limit: inside.width)
        case .help, .log, .picker, .transferDetail, .reader:
            break
        }
    }
}
