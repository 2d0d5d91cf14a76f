/// One cell of the screen: a grapheme and its role. A wide grapheme takes its cell and a
/// continuation cell after it (`width` 0), which draws nothing.
public struct Cell: Hashable, Sendable {
    public var text: String
    public var role: Role
    public var width: UInt8

    public init(text: String = " ", role: Role = .normal, width: UInt8 = 1) {
        self.text = text
        self.role = role
        self.width = width
    }

    public static let blank = Cell()
    static func continuation(_ role: Role) -> Cell { Cell(text: "", role: role, width: 0) }
}

/// The whole screen as a grid of cells. Views draw into it; the terminal backend draws only
/// what changed since the last frame; tests read it as text.
public struct ScreenBuffer: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Writes `text` from (`x`, `y`), never past `limit` columns (the row's end by default).
    /// A control character (or a bidirectional override) shows as its escape, `\x1b`, one
    /// cell a character, as the command line prints it: text from a server can neither act
    /// on the terminal nor hide. A wide character that would straddle the limit is replaced
    /// by a space. Returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role = .normal, limit: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let end = min(width, x + (limit ?? width))
        var column = x
        for character in text.flatMap(DisplayWidth.units(of:)) {
            guard column < end else { break }
            let grapheme = String(character)
            if let escape = DisplayWidth.escape(character) {
                for piece in escape {
                    guard column < end else { break }
                    if column >= 0 { set(x: column, y: y, Cell(text: String(piece), role: role)) }
                    column += 1
                }
                continue
            }
            let columns = DisplayWidth.of(character)
            if columns == 0 { continue }  // a lone combining mark: nothing to stand on
            if column < 0 {
                column += columns
                continue
            }
            if column + columns > end {
                set(x: column, y: y, Cell(text: " ", role: role))
                column += 1
                break
            }
            set(x: column, y: y, Cell(text: grapheme, role: role, width: UInt8(columns)))
            if columns == 2 { set(x: column + 1, y: y, .continuation(role)) }
            column += columns
        }
        return column - x
    }

    /// Fills a rectangle with one grapheme (a space by default).
    public mutating func fill(_ rect: Rect, with text: String = " ", role: Role = .normal) {
        for y in max(rect.y, 0)..<min(rect.maxY, height) {
            for x in max(rect.x, 0)..<min(rect.maxX, width) {
                set(x: x, y: y, Cell(text: text, role: role))
            }
        }
    }

    /// Sets the role of cells without changing their text (for highlighting a row).
    public mutating func paint(_ rect: Rect, role: Role) {
        for y in max(rect.y, 0)..<min(rect.maxY, height) {
            for x in max(rect.x, 0)..<min(rect.maxX, width) {
                cells[y * width + x].role = role
            }
        }
    }

    /// Sets one cell as it is, for a pass over the whole frame that keeps wide characters
    /// whole itself (``restrictToASCII()``).
    mutating func replace(x: Int, y: Int, with cell: Cell) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        cells[y * width + x] = cell
    }

    /// Keeps wide characters whole: writing over either half of one blanks the other.
    private mutating func set(x: Int, y: Int, _ cell: Cell) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let index = y * width + x
        let old = cells[index]
        if old.width == 0, x > 0, cells[index - 1].width == 2 {
            cells[index - 1] = Cell(text: " ", role: cells[index - 1].role)
        }
        if old.width == 2, x + 1 < width, cells[index + 1].width == 0 {
            cells[index + 1] = Cell(text: " ", role: old.role)
        }
        cells[index] = cell
        if cell.width == 2, x + 1 >= width {
            cells[index] = Cell(text: " ", role: cell.role)
        }
    }

    /// The screen as text, one line per row, trailing spaces kept so columns line up.
    public var text: String {
        (0..<height).map(line).joined(separator: "\n")
    }

    /// One row as text.
    public func line(_ y: Int) -> String {
        var out = ""
        for x in 0..<width {
            let cell = self[x, y]
            if cell.width > 0 { out += cell.text }
        }
        return out
    }
}
