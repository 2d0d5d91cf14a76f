import AttacheCore

extension AppState {
    /// `S` on a draft, `U` on an event: asks to send now, or, with files still on their way
    /// to it, whether to send once they land (naming how many), since what goes out is what
    /// the item holds at that moment.
    mutating func askToSend(_ item: ItemReference, _ action: WaitingSend.Action) {
        if let waiting = sendsWaiting[item] {
            notify("“\(waiting.title)” already goes out once its files land", .info)
            return
        }
        let now: Confirmation
        let question: String
        let later: String
        switch action {
        case .sendDraft(let subject):
            now = .sendDraft(item, subject: subject)
            question = "Send the draft “\(subject)” now?"
            later = "Send the draft “\(subject)”"
        case .notifyAttendees(let title):
            now = .notifyAttendees(item, title: title)
            question = "Send the attendees of “\(title)” an update, so they get its attachments?"
            later = "Send the attendees of “\(title)” an update"
        }
        switch SendGate.decide(for: item, in: transfers) {
        case .wait(let files):
            let under = transfers.filter { $0.job.item == item && !$0.phase.isFinished }.map(\.id)
            let finish = files.count == 1 ? "finishes" : "finish"
            modal = .confirm(
                question: "\(later) when \(SendGate.Decision.describe(waitingFor: files)) \(finish)?",
                onYes: .whenAttached(WaitingSend(item: item, action: action, watching: Set(under))))
        case .send, .refuse:
            modal = .confirm(question: question, onYes: now)
        }
    }

    /// Sends what waited for its files, once they have landed; gives up, saying why, a send
    /// whose file failed, was cancelled or interrupted.
    mutating func releaseWaitingSends() -> [Effect] {
        var effects: [Effect] = []
        for (item, var waiting) in sendsWaiting.sorted(by: { $0.key.id < $1.key.id }) {
            waiting.watching.formUnion(transfers.filter { $0.job.item == item && !$0.phase.isFinished }.map(\.id))
            sendsWaiting[item] = waiting
            switch SendGate.decide(for: item, watching: waiting.watching, in: transfers) {
            case .wait:
                continue
            case .refuse(let reason):
                sendsWaiting[item] = nil
                let what = if case .sendDraft = waiting.action { "was not sent" } else { "got no update" }
                notify("“\(waiting.title)” \(what): \(reason)", .error, for: 15)
            case .send:
                sendsWaiting[item] = nil
                switch waiting.action {
                case .sendDraft(let subject):
                    notify("its files are in: sending “\(subject)”…", .info)
                    effects.append(.sendDraft(item, subject: subject))
                case .notifyAttendees(let title):
                    notify("its files are in: sending “\(title)” to its attendees…", .info)
                    effects.append(.notifyAttendees(item, title: title))
                }
            }
        }
        return effects
    }
}
