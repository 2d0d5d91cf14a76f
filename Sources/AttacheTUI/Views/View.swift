import AttacheCore
import Foundation

/// Something that draws itself into a rectangle of the screen buffer.
public protocol View {
    func render(in rect: Rect, into buffer: inout ScreenBuffer)
}

/// Drawing helpers the views share.
enum Draw {
    /// `── Title ────────` across the rect's first row; returns the rows below it.
    /// `right` goes at the row's end (a position such as `4–6 of 9`) and is never cut: the
    /// title gives way to it.
    static func paneTitle(_ title: String, right: String? = nil, in rect: Rect, focused: Bool, into buffer: inout ScreenBuffer) -> Rect {
        guard !rect.isEmpty else { return rect }
        let role: Role = focused ? .paneTitleFocused : .paneTitle
        buffer.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), with: "─", role: .paneTitle)
        var room = rect.width - 4
        if let right, DisplayWidth.of(right) + 12 <= rect.width {
            let label = " " + right + " "
            let width = DisplayWidth.of(label)
            buffer.put(label, x: rect.maxX - 1 - width, y: rect.y, role: role)
            room -= width + 1
        }
        let label = " " + DisplayWidth.truncate(title, to: max(0, room)) + " "
        buffer.put(label, x: rect.x + 1, y: rect.y, role: role, limit: rect.width - 1)
        return rect.splitTop(1).rest
    }

    /// A bordered box with a title, cleared inside; returns the inside.
    static func box(_ rect: Rect, title: String, into buffer: inout ScreenBuffer) -> Rect {
        guard rect.width >= 4, rect.height >= 3 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        buffer.fill(rect, role: .dialog)
        let inner = rect.width - 2
        buffer.put("┌" + String(repeating: "─", count: inner) + "┐", x: rect.x, y: rect.y, role: .dialog)
        for y in (rect.y + 1)..<(rect.maxY - 1) {
            buffer.put("│", x: rect.x, y: y, role: .dialog)
            buffer.put("│", x: rect.maxX - 1, y: y, role: .dialog)
        }
        buffer.put("└" + String(repeating: "─", count: inner) + "┘", x: rect.x, y: rect.maxY - 1, role: .dialog)
        if !title.isEmpty {
            buffer.put(" " + DisplayWidth.truncate(title, to: max(0, inner - 4)) + " ", x: rect.x + 2, y: rect.y, role: .dialogTitle, limit: inner - 1)
        }
        return Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
    }

    /// Words wrapped to `width` columns.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            let candidate = line.isEmpty ? word : line + " " + word
            if DisplayWidth.of(candidate) <= width {
                line = candidate
                continue
            }
            if !line.isEmpty { lines.append(line) }
            var rest = word
            while DisplayWidth.of(rest) > width {
                let head = DisplayWidth.truncate(rest, to: width, ellipsis: false)
                lines.append(head)
                rest = String(rest.dropFirst(head.count))
            }
            line = rest
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// The first row to show so that `selection` stays in view of `height` rows.
    static func scrollTop(selection: Int, count: Int, height: Int) -> Int {
        guard count > height, height > 0 else { return 0 }
        return max(0, min(selection - height / 2, count - height))
    }

    /// `2026-11-25 09:13` in the local zone, or `11-25 09:13` when `short`.
    static func date(_ date: Foundation.Date?, short: Bool, in zone: LocalTime) -> String {
        guard let date else { return "" }
        return zone.format(date, short: short)
    }
}

extension Draw {
    /// `key label · key label` hints from the key table, as many as fit, after `prefix`.
    static func keyHints(_ hints: [(String, String)], prefix: String = "", in rect: Rect, into buffer: inout ScreenBuffer) {
        var x = rect.x
        if !prefix.isEmpty { x += buffer.put(prefix, x: x, y: rect.y, role: .dim, limit: rect.maxX - x) }
        for (index, (keys, label)) in hints.enumerated() {
            let text = (index == 0 ? "" : " · ") + keys + " " + label
            guard x + DisplayWidth.of(text) <= rect.maxX else { break }
            x += buffer.put(text, x: x, y: rect.y, role: .dim, limit: rect.maxX - x)
        }
    }
}
