import AttacheCore
import Foundation

extension AppState {
    /// People the listed messages came from or went to, most recent first, each once:
    /// what a recipients prompt completes from.
    var knownRecipients: [EmailAddress] {
        var seen = Set<String>()
        var found: [EmailAddress] = []
        for item in items[.message]?.value ?? [] {
            for person in [item.from].compactMap({ $0 }) + (item.recipients ?? []) {
                guard let address = person.address, !address.isEmpty, seen.insert(address.lowercased()).inserted else { continue }
                found.append(person)
            }
        }
        return found
    }

    /// Tab in a recipients prompt: the name or address being typed (after the last comma)
    /// completed from ``knownRecipients``; the text as it was when none matches.
    func completeRecipient(_ text: String) -> String {
        let head: Substring
        let typed: Substring
        if let comma = text.lastIndex(of: ",") {
            head = text[...comma]
            typed = text[text.index(after: comma)...]
        } else {
            head = ""
            typed = Substring(text)
        }
        let word = typed.trimmingCharacters(in: .whitespaces).lowercased()
        guard !word.isEmpty else { return text }
        let match = knownRecipients.first { person in
            [person.name, person.address].compactMap { $0?.lowercased() }.contains { $0.hasPrefix(word) }
        }
        guard let match, let address = match.address else { return text }
        let written = match.name.map { "\($0) <\(address)>" } ?? address
        return (head.isEmpty ? "" : head + " ") + written + ", "
    }

    /// `n`, `r`, `f`: the first question of a message being written.
    mutating func startComposing(_ action: KeyMap.Action) -> [Effect] {
        switch action {
        case .newDraft:
            modal = .prompt(title: "New message: to (Tab completes, commas between)", text: "", purpose: .composeTo)
        case .reply, .forward:
            guard let item = selectedItem, item.kind == .message else {
                notify("select a message to \(action == .reply ? "reply to" : "forward")", .warning)
                return []
            }
            let subject = item.subject ?? ""
            if action == .reply {
                modal = nil
                return [.compose(Composition(kind: .reply(item.reference, subject: subject), to: []))]
            }
            modal = .prompt(title: "Forward “\(subject)” to (Tab completes)", text: "", purpose: .forwardTo(item.reference, subject: subject))
        default:
            break
        }
        return []
    }

    /// Enter in a recipients or subject prompt.
    mutating func acceptComposing(_ line: String, purpose: PromptPurpose) -> [Effect] {
        switch purpose {
        case .composeTo, .forwardTo:
            let recipients: [EmailAddress]
            do {
                recipients = try EmailAddress.parseList(line)
            } catch {
                notify("\(error)", .warning, for: 10)
                return []
            }
            if case .forwardTo(let message, let subject) = purpose {
                guard !recipients.isEmpty else {
                    notify("a forward needs someone to go to", .warning)
                    return []
                }
                modal = nil
                return [.compose(Composition(kind: .forward(message, subject: subject), to: recipients))]
            }
            modal = .prompt(title: "New message: subject", text: "", purpose: .composeSubject(to: recipients))
        case .composeSubject(let to):
            guard !line.isEmpty else {
                notify("a message needs a subject", .warning)
                return []
            }
            modal = nil
            return [.compose(Composition(kind: .new(subject: line), to: to))]
        default:
            break
        }
        return []
    }
}
