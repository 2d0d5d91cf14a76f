/// What changed between two frames, as runs of cells a backend can draw in one call each:
/// same row, adjacent, same role.
public struct ScreenDiff: Hashable, Sendable {
    public struct Run: Hashable, Sendable {
        public var x: Int
        public var y: Int
        public var role: Role
        /// The graphemes of the run, wide ones once (their continuation cells draw nothing).
        public var text: String
    }

    public var runs: [Run]

    /// The runs that turn `old` into `new`; everything when there is no old frame or the size changed.
    public init(from old: ScreenBuffer?, to new: ScreenBuffer) {
        runs = []
        let full = old == nil || old!.width != new.width || old!.height != new.height
        for y in 0..<new.height {
            var x = 0
            while x < new.width {
                guard full || Self.differs(old!, new, x, y) else {
                    x += 1
                    continue
                }
                // A change in either half of a wide character redraws the whole character.
                let start = x > 0 && new[x, y].width == 0 ? x - 1 : x
                let role = new[start, y].role
                var text = ""
                var cursor = start
                repeat {
                    text += new[cursor, y].text
                    cursor += 1
                } while cursor < new.width
                    && (new[cursor, y].width == 0 || (new[cursor, y].role == role && (full || Self.differs(old!, new, cursor, y))))
                runs.append(Run(x: start, y: y, role: role, text: text))
                x = cursor
            }
        }
    }

    static func differs(_ old: ScreenBuffer, _ new: ScreenBuffer, _ x: Int, _ y: Int) -> Bool {
        old[x, y] != new[x, y]
    }

    /// Nothing changed: there is nothing to draw.
    public var isEmpty: Bool { runs.isEmpty }
}
