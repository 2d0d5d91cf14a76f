/// Where a window of many lines stands (the help, the message log): its first line in view,
/// and the text searched for, highlighted and stepped through with `n` and `N`, as in `less`.
public struct Pager: Hashable, Sendable {
    /// The first line in view.
    public var offset = 0
    /// What `/` searched for (empty: nothing).
    public var search = ""
    /// The search is being typed.
    public var typingSearch = false

    public init(offset: Int = 0) {
        self.offset = offset
    }

    /// The line numbers that match the search, case and accents ignored.
    public func matches(in lines: [PagerLine]) -> [Int] {
        guard !search.isEmpty else { return [] }
        return lines.indices.filter { TextMatch.contains(lines[$0].text, search) }
    }

    /// Moves by `delta` lines, kept within the lines with `room` rows to show them.
    mutating func scroll(by delta: Int, lines: Int, room: Int) {
        offset = Self.clamped(offset.addingReportingOverflow(delta).partialValue, lines: lines, room: room)
    }

    /// The first line in view for `offset`: never past the last page.
    static func clamped(_ offset: Int, lines: Int, room: Int) -> Int {
        max(0, min(offset, lines - max(1, room)))
    }
}

/// One line of a pager, with the role it is drawn in.
public struct PagerLine: Hashable, Sendable {
    public var text: String
    public var role: Role

    public init(_ text: String, _ role: Role) {
        self.text = text
        self.role = role
    }
}
