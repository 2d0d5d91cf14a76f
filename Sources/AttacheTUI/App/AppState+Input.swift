import AttacheCore
import Foundation

extension AppState {
    /// Rows a page key moves by.
    static let pageSize = 10

    // MARK: Keys

    /// Applies a key press; returns what must be done beyond changing the state.
    public mutating func handle(_ key: Key) -> [Effect] {
        if key == .resize { return [] }
        if case .mouse(let event) = key { return handle(event) }
        if screenTooSmall {
            // Nothing shows what a key would do: only quitting (which asks, as elsewhere, while
            // transfers run), its question, and suspending act.
            if case .confirm(_, .quit) = modal, let action = KeyMap.action(for: key, in: .confirm), action == .yes || action == .no {
                return confirmAction(action, onYes: .quit)
            }
            switch KeyMap.action(for: key, in: .global) {
            case .forceQuit:
                quitting = true
                return [.quit]
            case .suspend:
                return [.suspend]
            case .quit where modal == nil || modal.map(Self.isQuitQuestion) == true:
                modal = nil
                return perform(.quit)
            default:
                return []
            }
        }
        let scope = self.scope
        guard let action = KeyMap.action(for: key, in: scope) else {
            if case .character(let c) = key { return type(c, in: scope) }
            return []
        }
        switch action {
        case .forceQuit:
            quitting = true
            return [.quit]
        case .suspend:
            return [.suspend]
        default:
            break
        }
        switch scope {
        case .global, .items, .details, .transfers: return perform(action)
        case .filter: return filterAction(action)
        case .pager, .pagerSearch: return pagerAction(action)
        default: return windowAction(action)
        }
    }

    static func isQuitQuestion(_ modal: Modal) -> Bool {
        if case .confirm(_, .quit) = modal { return true }
        return false
    }

    /// A character typed where text is being typed: the filter, a prompt, the picker's filter.
    mutating func type(_ character: Character, in scope: KeyMap.Scope) -> [Effect] {
        switch scope {
        case .filter:
            filter.append(character)
            itemSelection[tab] = 0
        case .prompt:
            // A path is typed as in a shell's or an editor's prompt: `~/` or `//` typed after
            // the folder it began with starts again from home or from the root.
            let isPath: Bool = switch modal {
            case .picker: true
            case .prompt(_, _, .saveAttachment): true
            default: false
            }
            editText { text in text = isPath ? TypedPath.typing(character, after: text) : text + String(character) }
        case .pickerFilter:
            editPicker { picker in
                picker.filter.append(character)
                picker.selection = Self.firstMatch(in: picker)
            }
        case .pagerSearch:
            typeSearch(character)
        default:
            break
        }
        return []
    }

    mutating func filterAction(_ action: KeyMap.Action) -> [Effect] {
        switch action {
        case .accept:
            editingFilter = false
            itemSelection[tab] = 0
            guard !filter.isEmpty, mailboxHoldsMore, searches[tab]?.text != filter else { return [] }
            // The list holds only the newest items: the mailbox is asked for the rest.
            searches[tab] = (filter, .loading)
            return [.search(tab, filter)]
        case .dismiss:
            editingFilter = false
            filter = ""
        case .erase:
            if !filter.isEmpty { filter.removeLast() }
        case .clearLine:
            filter = ""
        default:
            return []
        }
        itemSelection[tab] = 0
        return []
    }

    mutating func perform(_ action: KeyMap.Action) -> [Effect] {
        switch action {
        case .moveDown, .moveUp, .pageDown, .pageUp, .top, .bottom:
            let delta = switch action {
            case .moveDown: 1
            case .moveUp: -1
            case .pageDown: Self.pageSize
            case .pageUp: -Self.pageSize
            case .top: -Int.max / 2
            default: Int.max / 2
            }
            move(by: delta)
            // The item now selected may have come without its attachments (a server that
            // omits the expanded list): they are asked for, never left "loading".
            return focus == .items ? loadDetailsIfNeeded() : []
        case .nextPane:
            focus = Pane(rawValue: (focus.rawValue + 1) % Pane.allCases.count) ?? .items
            return loadDetailsIfNeeded()
        case .previousPane:
            focus = Pane(rawValue: (focus.rawValue + Pane.allCases.count - 1) % Pane.allCases.count) ?? .items
            return loadDetailsIfNeeded()
        case .switchTab, .showMessages, .showEvents:
            let wanted: ItemKind = action == .showMessages ? .message : action == .showEvents ? .event : (tab == .message ? .event : .message)
            guard wanted != tab else { return [] }
            tab = wanted
            detailSelection = 0
            if focus == .details { focus = .items }
            return (items[tab] == .loading ? [Effect.loadItems(tab)] : []) + loadDetailsIfNeeded()
        case .open:
            switch focus {
            case .items:
                focus = .details
                return loadDetailsIfNeeded(force: true)
            case .details:
                if let item = selectedItem, let attachment = selectedAttachment {
                    modal = .attachmentInfo(attachment, itemTitle: item.subject ?? "")
                }
            case .transfers:
                if let transfer = selectedTransfer { modal = .transferDetail(transfer.id, offset: 0) }
            }
        case .read:
            guard let item = selectedItem else { return [] }
            modal = .reader(item.reference, offset: 0)
            // Asked for each time: a draft's recipients, an event's answers change.
            if itemDetails[item.id]?.value == nil { itemDetails[item.id] = .loading }
            return [.loadDetails(item.reference)] + loadDetailsIfNeeded()
        case .notifyAttendees where focus == .transfers && modal == nil, .sendDraft where focus == .transfers && modal == nil:
            return actOnTransferItem(action)
        case .notifyAttendees:
            guard let item = selectedItem, item.kind == .event else {
                notify("select an event: its attendees get the update", .warning)
                return []
            }
            askToSend(item.reference, .notifyAttendees(title: item.subject ?? "(no title)"))
        case .sendDraft:
            guard let item = selectedItem, item.kind == .message else {
                notify("only a draft message can be sent; select one in Messages", .warning)
                return []
            }
            guard item.isDraft == true else {
                notify("“\(item.subject ?? "")” is not a draft: it was sent or received already", .warning)
                return []
            }
            let subject = item.subject ?? "(no subject)"
            if let recipients = item.recipients, recipients.isEmpty {
                notify("“\(subject)” has no recipients: Outlook cannot send it (add them in Outlook, or compose with n)", .warning, for: 10)
                return []
            }
            askToSend(item.reference, .sendDraft(subject: subject))
        case .openExternally where focus == .transfers || isTransferDetailOpen:
            guard let transfer = selectedTransfer else { return [] }
            guard let link = transfer.sharedLink else {
                notify("o opens the link of a file shared from OneDrive; \(transfer.job.file.shownName) has none", .warning)
                return []
            }
            return [.openLink(link.webURL)]
        case .shareAsLink:
            guard let transfer = selectedTransfer else { return [] }
            return offerToShare(transfer)
        case .save, .openExternally:
            guard let item = selectedItem, let attachment = selectedAttachment else {
                notify("select an attachment first", .warning)
                return []
            }
            let name = FileNames.safe(attachment.name ?? attachment.id)
            if action == .openExternally {
                return startDownload(attachment, of: item.reference, to: nil)
            }
            let proposed = (downloadDirectory as NSString).appendingPathComponent(name)
            modal = .prompt(title: "Save “\(name)” as", text: proposed, purpose: .saveAttachment(attachment, of: item.reference))
        case .deleteAttachment:
            guard let item = selectedItem, let attachment = selectedAttachment else {
                notify("select an attachment first", .warning)
                return []
            }
            modal = .confirm(
                question: "Delete “\(attachment.name ?? attachment.id)” from “\(item.subject ?? "(no subject)")”? It is removed on the server.",
                onYes: .deleteAttachment(attachment, of: item.reference))
        case .pause:
            guard let transfer = selectedTransfer else { return [] }
            return pauseOrResume(transfer)
        case .clearFinished:
            let finished = transfers.filter { $0.phase.isFinished }.count
            guard finished > 0 else {
                notify("no finished transfers to clear", .info)
                return []
            }
            return [.clearFinished]
        case .attach:
            guard let item = selectedItem else {
                notify("select a message or an event first", .warning)
                return []
            }
            var picker = FilePickerState(target: item.reference, targetTitle: item.subject ?? "(no subject)", directory: pickerDirectory, home: home)
            // What the item holds already (for names attached twice and the total size), and
            // whether sessions are refused here (another's mailbox).
            picker.existing = details[item.id]?.value ?? item.attachments
            picker.targetKind = item.kind
            picker.sessionsRefused = inOtherMailbox
            picker.reload()
            modal = .picker(picker)
        case .newDraft, .reply, .forward:
            return startComposing(action)
        case .cancel where focus == .details:
            guard let download = downloads.last else {
                notify("nothing is being saved", .info)
                return []
            }
            return [.cancelDownload(id: download.id)]
        case .cancel:
            guard let transfer = selectedTransfer, !transfer.phase.isTerminal else {
                notify("only a queued or running transfer can be cancelled", .warning)
                return []
            }
            modal = .confirm(
                question: "Cancel the upload of \(transfer.job.file.shownName)? Its session is deleted.",
                onYes: .cancelTransfer(transfer.id))
        case .retry:
            guard let transfer = selectedTransfer else { return [] }
            switch transfer.phase {
            case .failed, .cancelled, .interrupted: return [.retry(transfer.id)]
            default: notify("only a failed or cancelled transfer can be retried", .warning)
            }
        case .remove:
            guard let transfer = selectedTransfer else { return [] }
            guard transfer.phase.isTerminal else {
                notify("cancel it first: \(transfer.job.file.shownName) is still running", .warning)
                return []
            }
            return [.remove(transfer.id)]
        case .filter:
            editingFilter = true
            focus = .items
            status = nil
        case .refresh:
            // The list is emptied while it loads: what was selected is taken first.
            let selected = selectedItem
            if let id = selected?.id { keptSelection[tab] = id }
            // What came back is said once it has: how many, how many new.
            pendingReports[tab] = Set((items[tab]?.value ?? []).map(\.id))
            // What the list said of attachments is asked for anew: counts are never older than
            // the refresh (a server that does not expand them has them asked for again).
            for item in items[tab]?.value ?? [] where item.id != selected?.id { details[item.id] = nil }
            items[tab] = .loading
            var effects: [Effect] = [.loadItems(tab)]
            if case .down = connection {
                // Both lists failed with the server: both are asked for again.
                connection = .connecting
                let other: ItemKind = tab == .message ? .event : .message
                items[other] = .loading
                effects.append(.loadItems(other))
            }
            // Its attachments too (once, the selected item's were never asked for again).
            if let item = selected { effects.append(.loadAttachments(item.reference)) }
            return effects
        case .help:
            modal = .help(Pager())
        case .messageLog:
            modal = .log(Pager())
            // The newest at the foot, in view, as a terminal's scrollback.
            editPager { pager, lines, room in pager.offset = Pager.clamped(lines.count, lines: lines.count, room: room) }
        case .quit:
            if activeTransfers + queuedTransfers > 0 {
                modal = .confirm(
                    question: (activeTransfers + queuedTransfers == 1 ? "1 transfer is" : "\(activeTransfers + queuedTransfers) transfers are")
                        + " not done. Quit? Running uploads go on where they stopped when attache starts again.",
                    onYes: .quit)
                return []
            }
            quitting = true
            return [.quit]
        case .forceQuit:
            quitting = true
            return [.quit]
        case .signIn:
            guard canSignIn else {
                notify("quit and run `attache login` to sign in", .info)
                return []
            }
            guard opening == nil else {
                notify(opening!, .info)
                return []
            }
            modal = .signingIn(nil)
            return [.signIn]
        case .switchMailbox:
            guard canSwitch else {
                notify("quit and start attache with --mailbox to work in another mailbox", .info)
                return []
            }
            guard opening == nil else {
                notify(opening!, .info)
                return []
            }
            modal = .prompt(title: "Mailbox: an address, or empty for your own", text: "", purpose: .mailbox)
        case .suspend:
            return [.suspend]
        case .toggleMark, .parentDirectory, .enterDirectory, .home, .typePath, .toggleHidden, .sortOrder, .showMarked, .unmarkAll, .closePicker,
            .accept, .dismiss, .erase, .clearLine, .complete, .yes, .no, .search, .nextMatch, .previousMatch:
            break
        }
        return []
    }

    mutating func move(by delta: Int) {
        func clamp(_ value: Int, _ count: Int) -> Int {
            max(0, min(count - 1, value))
        }
        switch focus {
        case .items:
            let count = visibleItems.count
            let before = itemSelection[tab] ?? 0
            itemSelection[tab] = clamp(before.addingReportingOverflow(delta).partialValue, count)
            if itemSelection[tab] != before { detailSelection = 0 }
        case .details:
            detailSelection = clamp(detailSelection.addingReportingOverflow(delta).partialValue, selectedAttachments?.value?.count ?? 0)
        case .transfers:
            followTransfers = false
            transferSelection = clamp(transferSelection.addingReportingOverflow(delta).partialValue, transfers.count)
        }
    }

    /// Asks for the selected item's attachments when they are not known yet.
    mutating func loadDetailsIfNeeded(force: Bool = false) -> [Effect] {
        guard let item = selectedItem else { return [] }
        if force || details[item.id] == nil {
            if details[item.id] == nil { details[item.id] = .loading }
            return [.loadAttachments(item.reference)]
        }
        return []
    }

    /// Says `text` in the status line for `seconds`, and keeps it in the log (`!`) unless
    /// `logged` is false (a search that found nothing): a message said again in a row counts
    /// once, with how many times.
    mutating func notify(_ text: String, _ kind: StatusMessage.Kind, for seconds: Double = 6, logged: Bool = true) {
        status = StatusMessage(text: text, kind: kind, until: now + seconds)
        guard logged else { return }
        if let last = log.last, last.text == text, last.kind == kind {
            log[log.count - 1].count += 1
            log[log.count - 1].time = wallClock()
        } else {
            log.append(LogEntry(text: text, kind: kind, time: wallClock()))
            if log.count > Self.logLimit { log.removeFirst(log.count - Self.logLimit) }
        }
    }

    /// `S` or `U` with the transfers pane focused: for the item the selected transfer went
    /// to, as the list would do for it; or why not.
    mutating func actOnTransferItem(_ action: KeyMap.Action) -> [Effect] {
        guard let transfer = selectedTransfer else {
            notify("no transfer selected: select the draft or the event in its list (Tab)", .warning)
            return []
        }
        let reference = transfer.job.item
        let title = self.title(of: reference) ?? transfer.job.itemTitle ?? reference.description
        if action == .sendDraft {
            guard reference.kind == .message else {
                notify("“\(title)” is an event: U sends its attendees an update", .warning)
                return []
            }
            guard let item = items[.message]?.value?.first(where: { $0.id == reference.id }) else {
                notify("“\(title)” is no longer in Messages (sent, or deleted); R refreshes the list", .warning)
                return []
            }
            guard item.isDraft == true else {
                notify("“\(title)” is not a draft: it was sent or received already", .warning)
                return []
            }
            if let recipients = item.recipients, recipients.isEmpty {
                notify("“\(title)” has no recipients: Outlook cannot send it (add them in Outlook, or compose with n)", .warning, for: 10)
                return []
            }
            askToSend(reference, .sendDraft(subject: title))
        } else {
            guard reference.kind == .event else {
                notify("“\(title)” is a message: only an event has attendees to update (S sends a draft)", .warning)
                return []
            }
            askToSend(reference, .notifyAttendees(title: title))
        }
        return []
    }

}
