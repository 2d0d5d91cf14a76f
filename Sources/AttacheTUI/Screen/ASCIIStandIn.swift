import Foundation

/// What a terminal that shows ASCII alone (`LANG=C`, `LC_ALL=C`) draws for each cell: box
/// drawing as `+-|`, bars as `#=-`, accented letters without their accents, and anything
/// else as `?`, one for each column it would have taken, so every column stays where it was.
enum ASCIIStandIn {
    /// The screen's own glyphs, each by one ASCII character.
    static let glyphs: [Character: Character] = [
        "─": "-", "━": "-", "│": "|", "┃": "|", "┌": "+", "┐": "+", "└": "+", "┘": "+", "├": "+", "┤": "+", "┬": "+", "┴": "+",
        "┼": "+", "█": "#", "▓": "=", "▒": "=", "░": "-", "▏": "|", "…": ".", "·": ".", "“": "\"", "”": "\"", "‘": "'", "’": "'",
        "–": "-", "—": "-", "→": ">", "←": "<", "↑": "^", "↓": "v", "✓": "x", "×": "x", "•": "*", "▚": "%", "\u{A0}": " ",
    ]

    /// The ASCII text of a cell's grapheme, as many characters as the cell's columns.
    static func text(for cell: Cell) -> String {
        guard let character = cell.text.first else { return cell.text }
        if cell.text.allSatisfy(\.isASCII) { return cell.text }
        if let glyph = glyphs[character] { return String(glyph) }
        // Latin letters with accents keep their letter: “Relatório” reads “Relatorio”.
        let folded = cell.text.folding(options: [.diacriticInsensitive, .widthInsensitive], locale: nil)
        if folded.count == 1, folded.allSatisfy(\.isASCII), folded.first?.isLetter == true || folded.first?.isNumber == true {
            return cell.width == 2 ? folded + " " : folded
        }
        return String(repeating: "?", count: max(1, Int(cell.width)))
    }
}

extension ScreenBuffer {
    /// Every cell in ASCII (see ``ASCIIStandIn``): a wide character's two columns become two
    /// narrow cells.
    public mutating func restrictToASCII() {
        for y in 0..<height {
            for x in 0..<width {
                let cell = self[x, y]
                guard cell.width > 0, !cell.text.allSatisfy(\.isASCII) else { continue }
                let text = ASCIIStandIn.text(for: cell)
                var column = x
                for character in text where column < width {
                    replace(x: column, y: y, with: Cell(text: String(character), role: cell.role))
                    column += 1
                }
            }
        }
    }
}
