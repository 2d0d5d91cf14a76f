import AttacheCore
import Foundation

extension AppState {
    // MARK: The help and the message log

    /// The lines of the pager on top (the help, the log) at the screen's width, and the
    /// rows its window shows them in; `nil` when neither is open.
    func pagerContent() -> (lines: [PagerLine], room: Int)? {
        let middle = screen.map { RootView.layout(of: self, in: $0).middle } ?? Rect(x: 0, y: 1, width: 100, height: 28)
        let width = PagerView.textWidth(in: middle)
        let lines: [PagerLine]
        switch modal {
        case .help: lines = HelpView.lines(width: width, hidden: [])
        case .log: lines = LogView.lines(log, width: width, time: timeZone)
        default: return nil
        }
        return (lines, PagerView.room(in: middle, lines: lines.count))
    }

    /// The pager on top, changed by `change` with its lines and room.
    mutating func editPager(_ change: (inout Pager, _ lines: [PagerLine], _ room: Int) -> Void) {
        guard let (lines, room) = pagerContent() else { return }
        switch modal {
        case .help(var pager):
            change(&pager, lines, room)
            modal = .help(pager)
        case .log(var pager):
            change(&pager, lines, room)
            modal = .log(pager)
        default:
            break
        }
    }

    /// A key's action in the help or the log, or in the search typed there.
    mutating func pagerAction(_ action: KeyMap.Action) -> [Effect] {
        // Esc while a search is typed ends the search, not the window.
        if action == .dismiss, !pagerTyping {
            modal = nil
            return []
        }
        var notFound: String?
        editPager { pager, lines, room in
            if pager.typingSearch {
                switch action {
                case .accept:
                    pager.typingSearch = false
                    if !pager.search.isEmpty, pager.matches(in: lines).isEmpty { notFound = pager.search }
                case .dismiss:
                    pager.typingSearch = false
                    pager.search = ""
                case .erase:
                    if !pager.search.isEmpty { pager.search.removeLast() }
                    Self.jumpToMatch(&pager, lines: lines, room: room, from: pager.offset, forward: true)
                case .clearLine:
                    pager.search = ""
                default:
                    break
                }
                return
            }
            switch action {
            case .moveDown: pager.scroll(by: 1, lines: lines.count, room: room)
            case .moveUp: pager.scroll(by: -1, lines: lines.count, room: room)
            case .pageDown: pager.scroll(by: max(1, room - 1), lines: lines.count, room: room)
            case .pageUp: pager.scroll(by: -max(1, room - 1), lines: lines.count, room: room)
            case .top: pager.offset = 0
            case .bottom: pager.offset = Pager.clamped(lines.count, lines: lines.count, room: room)
            case .search:
                pager.typingSearch = true
                pager.search = ""
            case .nextMatch, .previousMatch:
                guard !pager.search.isEmpty else { return }
                let forward = action == .nextMatch
                if !Self.jumpToMatch(&pager, lines: lines, room: room, from: pager.offset + (forward ? 1 : -1), forward: forward) {
                    notFound = pager.search
                }
            default:
                break
            }
        }
        if let notFound { notify("“\(notFound)” is not found\(action == .accept ? "" : " further")", .warning, logged: false) }
        return []
    }

    /// Whether a search was being typed before the key now handled (Esc then ends the
    /// search, not the window).
    private var pagerTyping: Bool {
        switch modal {
        case .help(let pager), .log(let pager): pager.typingSearch
        default: false
        }
    }

    /// Moves the view to the first match at or after (or before) line `start`; false when there is none.
    @discardableResult
    static func jumpToMatch(_ pager: inout Pager, lines: [PagerLine], room: Int, from start: Int, forward: Bool) -> Bool {
        let matches = pager.matches(in: lines)
        let found = forward ? matches.first { $0 >= start } : matches.last { $0 <= start }
        guard let found else { return false }
        pager.offset = Pager.clamped(found, lines: lines.count, room: room)
        return true
    }

    /// A character typed in a pager's search: the view follows the first match as it grows.
    mutating func typeSearch(_ character: Character) {
        editPager { pager, lines, room in
            pager.search.append(character)
            Self.jumpToMatch(&pager, lines: lines, room: room, from: pager.offset, forward: true)
        }
    }
}
