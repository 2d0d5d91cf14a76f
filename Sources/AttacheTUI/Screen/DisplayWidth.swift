import AttacheCore

/// How many terminal columns text takes: 2 for East Asian wide and fullwidth characters and
/// for emoji shown as emoji, 0 for combining marks, 1 for the rest; what `wcwidth` says on a
/// current glibc, and what terminals and tmux draw.
public enum DisplayWidth {
    /// The columns of one grapheme cluster.
    public static func of(_ character: Character) -> Int {
        let parts = units(of: character)
        if parts.count != 1 || parts[0] != character { return parts.reduce(0) { $0 + of($1) } }
        let scalars = character.unicodeScalars
        guard !scalars.isEmpty else { return 0 }
        if let escape = escape(character) { return escape.count }
        if scalars.contains(where: { (0x1F1E6...0x1F1FF).contains($0.value) }) { return 2 }
        guard let base = scalars.first(where: { !isZeroWidth($0) }) else { return 0 }
        // A narrow symbol made emoji by U+FE0F (❤️) stays one column: so says wcwidth, and
        // so curses and tmux place it (measured); counting two shifted the columns after it.
        return isWide(base) ? 2 : 1
    }

    /// A grapheme as the cells it is drawn in. Almost always itself; but an emoji sequence
    /// joined by zero-width joiners (👨‍👩‍👧) or with a skin-tone modifier is drawn as one
    /// glyph by some terminals and as several by others and by curses, which would shift
    /// every column after it. It is drawn as its parts, without the joiners and modifiers,
    /// the same everywhere.
    public static func units(of character: Character) -> [Character] {
        let scalars = character.unicodeScalars
        guard scalars.count > 1, scalars.contains(where: { $0.value == 0x200D || isEmojiModifier($0) }) else { return [character] }
        var units: [Character] = []
        var current = String.UnicodeScalarView()
        for scalar in scalars {
            if scalar.value == 0x200D || isEmojiModifier(scalar) {
                // A part may be several graphemes once the joiner is gone.
                units += String(current)
                current = String.UnicodeScalarView()
                continue
            }
            current.append(scalar)
        }
        units += String(current)
        return units
    }

    static func isEmojiModifier(_ scalar: Unicode.Scalar) -> Bool {
        (0x1F3FB...0x1F3FF).contains(scalar.value)
    }

    /// How a character a terminal would act on is shown instead (`\x1b`, `\r`, `\u{202E}`),
    /// or `nil` for one shown as it is.
    public static func escape(_ character: Character) -> String? {
        let text = String(character)
        let safe = text.terminalSafe
        return safe == text ? nil : safe
    }

    /// The columns of a string.
    public static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return true
        default: break
        }
        return scalar.value == 0x200B || (0xFE00...0xFE0F).contains(scalar.value) || (0xE0100...0xE01EF).contains(scalar.value)
    }

    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x1100 { return false }
        if scalar.properties.isEmojiPresentation { return true }
        for range in wideRanges where range.contains(value) { return true }
        return false
    }

    /// East Asian Wide (W) and Fullwidth (F) blocks, emoji aside (those come from the
    /// Emoji_Presentation property).
    static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
        0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF,
        0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4,
        0x17000...0x18AFF, 0x1B000...0x1B2FF, 0x1F200...0x1F202, 0x1F210...0x1F23B, 0x1F240...0x1F248,
        0x1F250...0x1F251, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    /// `text` cut to at most `columns` columns, with `…` where it was cut.
    public static func truncate(_ text: String, to columns: Int, ellipsis: Bool = true) -> String {
        guard columns > 0 else { return "" }
        guard of(text) > columns else { return text }
        let room = ellipsis ? columns - 1 : columns
        var out = ""
        var used = 0
        for character in text {
            let width = of(character)
            if used + width > room { break }
            out.append(character)
            used += width
        }
        return ellipsis ? out + "…" : out
    }

    /// `text` padded with spaces (or cut) to exactly `columns` columns.
    public static func pad(_ text: String, to columns: Int, alignRight: Bool = false) -> String {
        let cut = truncate(text, to: columns)
        let gap = String(repeating: " ", count: max(0, columns - of(cut)))
        return alignRight ? gap + cut : cut + gap
    }
}
