import AttacheCore
import Foundation

extension AppState {
    /// Rows a page key moves by.
    static let pageSize = 10

    // MARK: Keys

    /// Applies a key press; returns what must be done beyond changing the state.
    public mutating func handle(_ key: Key) -> [Effect] {
        if key == .resize { return [] }
        if let modal {
            return handleModal(modal, key)
        }
        if editingFilter {
            return handleFilterEditing(key)
        }
        guard let action = KeyMap.action(for: key, in: scope) else { return [] }
        return perform(action)
    }

    mutating func perform(_ action: KeyMap.Action) -> [Effect] {
        switch action {
        case .moveDown: move(by: 1)
        case .moveUp: move(by: -1)
        case .pageDown: move(by: Self.pageSize)
        case .pageUp: move(by: -Self.pageSize)
        case .top: move(by: -Int.max / 2)
        case .bottom: move(by: Int.max / 2)
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
                if let item = selectedItem, let list = selectedAttachments?.value, list.indices.contains(detailSelection) {
                    modal = .attachmentInfo(list[detailSelection], itemTitle: item.subject ?? "")
                }
            case .transfers:
                break
            }
        case .attach:
            guard let item = selectedItem else {
                notify("select a message or an event first", .warning)
                return []
            }
            var picker = FilePickerState(target: item.reference, targetTitle: item.subject ?? "(no subject)", directory: pickerDirectory)
            picker.reload()
            modal = .picker(picker)
        case .newDraft:
            modal = .prompt(title: "New draft: subject", text: "", purpose: .newDraft)
        case .cancel:
            guard let transfer = selectedTransfer, !transfer.phase.isTerminal else {
                notify("only a queued or running transfer can be cancelled", .warning)
                return []
            }
            modal = .confirm(
                question: "Cancel the upload of \(transfer.job.file.name)? Its session is deleted.",
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
                notify("cancel it first: \(transfer.job.file.name) is still running", .warning)
                return []
            }
            return [.remove(transfer.id)]
        case .filter:
            editingFilter = true
            focus = .items
        case .refresh:
            if let id = selectedItem?.id { keptSelection[tab] = id }
            items[tab] = .loading
            var effects: [Effect] = [.loadItems(tab)]
            if let item = selectedItem { effects.append(.loadAttachments(item.reference)) }
            return effects
        case .help:
            helpOffset = 0
            modal = .help
        case .quit:
            if activeTransfers + queuedTransfers > 0 {
                modal = .confirm(
                    question: (activeTransfers + queuedTransfers == 1 ? "1 transfer is" : "\(activeTransfers + queuedTransfers) transfers are")
                        + " not done. Quit? Running uploads wait for `attache resume`.",
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
            guard activeTransfers + queuedTransfers == 0 else {
                notify("finish or cancel the transfers first: signing in opens the screen anew", .warning)
                return []
            }
            modal = .signingIn(nil)
            return [.signIn]
        case .switchMailbox:
            guard activeTransfers + queuedTransfers == 0 else {
                notify("finish or cancel the transfers first: another mailbox opens the screen anew", .warning)
                return []
            }
            modal = .prompt(title: "Mailbox: an address, or empty for your own", text: "", purpose: .mailbox)
        case .toggleMark, .parentDirectory, .toggleHidden, .attachMarked, .closePicker:
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

    mutating func handleFilterEditing(_ key: Key) -> [Effect] {
        switch key {
        case .enter:
            editingFilter = false
        case .escape:
            editingFilter = false
            filter = ""
        case .backspace:
            if !filter.isEmpty { filter.removeLast() }
        case .character(let c):
            filter.append(c)
        case .control("c"):
            quitting = true
            return [.quit]
        default:
            return []
        }
        itemSelection[tab] = 0
        return []
    }

    mutating func handleModal(_ modal: Modal, _ key: Key) -> [Effect] {
        if key == .control("c") {
            quitting = true
            return [.quit]
        }
        switch modal {
        case .help:
            switch key {
            case .character("j"), .down: helpOffset += 1
            case .character("k"), .up: helpOffset = max(0, helpOffset - 1)
            case .escape, .enter, .character("q"), .character("?"): self.modal = nil
            default: break
            }
            return []
        case .attachmentInfo, .signInNeeded:
            if [.escape, .enter, .character("q")].contains(key) { self.modal = nil }
            return []
        case .signingIn:
            guard key == .escape || key == .character("q") else { return [] }
            self.modal = nil
            notify("the sign-in was given up", .info)
            return [.cancelSignIn]
        case .confirm(_, let onYes):
            switch key {
            case .character("y"), .character("Y"):
                self.modal = nil
                switch onYes {
                case .cancelTransfer(let id): return [.cancel(id)]
                case .quit:
                    quitting = true
                    return [.quit]
                }
            case .character("n"), .character("N"), .escape, .character("q"):
                self.modal = nil
            default:
                break
            }
            return []
        case .prompt(let title, var text, let purpose):
            switch key {
            case .escape:
                self.modal = nil
            case .enter:
                let subject = text.trimmingCharacters(in: .whitespaces)
                switch purpose {
                case .newDraft:
                    guard !subject.isEmpty else {
                        notify("a draft needs a subject", .warning)
                        return []
                    }
                    self.modal = nil
                    notify("creating the draft \"\(subject)\"…", .info)
                    return [.createDraft(subject: subject)]
                case .mailbox:
                    guard subject.isEmpty || (subject.contains("@") && !subject.contains("/")) else {
                        notify("a mailbox is an address, such as shared@contoso.com", .warning)
                        return []
                    }
                    self.modal = nil
                    restart = .mailbox(subject.isEmpty ? nil : subject)
                    quitting = true
                    return [.quit]
                }
            case .backspace:
                if !text.isEmpty { text.removeLast() }
                self.modal = .prompt(title: title, text: text, purpose: purpose)
            case .character(let c):
                text.append(c)
                self.modal = .prompt(title: title, text: text, purpose: purpose)
            default:
                break
            }
            return []
        case .picker(var picker):
            let effects = handlePicker(&picker, key)
            if case .picker = self.modal { self.modal = .picker(picker) }
            return effects
        }
    }

    mutating func handlePicker(_ picker: inout FilePickerState, _ key: Key) -> [Effect] {
        guard let action = KeyMap.action(for: key, in: .picker) else { return [] }
        switch action {
        case .moveDown: picker.selection = min(picker.entries.count - 1, picker.selection + 1)
        case .moveUp: picker.selection = max(0, picker.selection - 1)
        case .pageDown: picker.selection = min(picker.entries.count - 1, picker.selection + Self.pageSize)
        case .pageUp: picker.selection = max(0, picker.selection - Self.pageSize)
        case .top: picker.selection = 0
        case .bottom: picker.selection = max(0, picker.entries.count - 1)
        case .toggleMark:
            if let problem = picker.toggleMark() {
                notify(problem, .warning)
            } else {
                picker.selection = min(picker.entries.count - 1, picker.selection + 1)
            }
        case .parentDirectory:
            let name = (picker.directory as NSString).lastPathComponent
            picker.open(directory: (picker.directory as NSString).deletingLastPathComponent, selecting: name)
        case .toggleHidden:
            picker.showHidden.toggle()
            picker.reload()
        case .closePicker:
            modal = nil
        case .forceQuit:
            quitting = true
            return [.quit]
        case .open:
            guard let entry = picker.selectedEntry else { return [] }
            switch entry.kind {
            case .parent:
                let name = (picker.directory as NSString).lastPathComponent
                picker.open(directory: entry.path, selecting: name)
            case .directory:
                picker.open(directory: entry.path)
            case .file, .unusable:
                var paths = picker.marked
                if paths.isEmpty {
                    guard entry.isAttachable else {
                        if let problem = picker.toggleMark() { notify(problem, .warning) }
                        return []
                    }
                    paths = [entry.path]
                }
                pickerDirectory = picker.directory
                modal = nil
                focus = .transfers
                return [.upload(paths: paths, to: picker.target, title: picker.targetTitle)]
            }
        default:
            break
        }
        return []
    }

    mutating func notify(_ text: String, _ kind: StatusMessage.Kind, for seconds: Double = 6) {
        status = StatusMessage(text: text, kind: kind, until: now + seconds)
    }

    // MARK: Events

    /// Applies what the world said; returns what to do next.
    public mutating func apply(_ event: AppEvent) -> [Effect] {
        switch event {
        case .itemsLoaded(let kind, let list):
            let kept = keptSelection.removeValue(forKey: kind)
            let selectedID = kind == tab ? selectedItem?.id ?? kept : nil
            items[kind] = .loaded(list)
            if let selectedID, let index = visibleItems.firstIndex(where: { $0.id == selectedID }) {
                itemSelection[kind] = index
            } else {
                itemSelection[kind] = min(itemSelection[kind] ?? 0, max(0, list.count - 1))
            }
            // Counts come with the list; they are also the detail pane's contents.
            for item in list { if let attachments = item.attachments { details[item.id] = .loaded(attachments) } }
            return kind == tab ? loadDetailsIfNeeded() : []
        case .itemsFailed(let kind, let message):
            items[kind] = .failed(message)
            notify(message, .error, for: 12)
        case .attachmentsLoaded(let itemID, let list):
            details[itemID] = .loaded(list)
            updateCount(itemID: itemID, attachments: list)
            if let count = selectedAttachments?.value?.count { detailSelection = min(detailSelection, max(0, count - 1)) }
        case .attachmentsFailed(let itemID, let message):
            details[itemID] = .failed(message)
        case .signInNeeded(let reason):
            signInNeeded(reason)
        case .signInPrompt(let prompt):
            if case .signingIn = modal { modal = .signingIn(prompt) }
        case .signedIn(let text):
            modal = nil
            restart = .signedIn(text)
            quitting = true
            return [.quit]
        case .signInFailed(let reason):
            if case .signingIn = modal { modal = nil }
            notify("could not sign in: \(reason)", .error, for: 15)
        case .draftCreated(let item):
            var list = items[.message]?.value ?? []
            list.insert(item, at: 0)
            items[.message] = .loaded(list)
            details[item.id] = .loaded([])
            tab = .message
            filter = ""
            itemSelection[.message] = 0
            focus = .items
            notify("created the draft \"\(item.subject ?? "")\"; press a to attach files", .success)
        case .draftFailed(let message):
            notify(message, .error, for: 12)
        case .uploadRefused(let message):
            notify(message, .error, for: 12)
        case .notice(let text, let kind):
            notify(text, kind)
        case .quitRequested:
            quitting = true
        case .terminalResized:
            break
        case .transfer(.changed(let snapshot)):
            let wasDone: Bool
            if let index = transfers.firstIndex(where: { $0.id == snapshot.id }) {
                wasDone = transfers[index].phase.isTerminal
                transfers[index] = snapshot
            } else {
                wasDone = false
                transfers.append(snapshot)
            }
            if !wasDone, snapshot.phase.isTerminal {
                return finished(snapshot)
            }
        case .transfer(.removed(let id)):
            transfers.removeAll { $0.id == id }
            transferSelection = min(transferSelection, max(0, transfers.count - 1))
        }
        return []
    }

    /// A transfer just ended: say so, and refresh the item's attachments when one was added.
    mutating func finished(_ snapshot: TransferSnapshot) -> [Effect] {
        let name = snapshot.job.file.name
        switch snapshot.phase {
        case .attached:
            if snapshot.cancelCameTooLate {
                notify("too late to cancel \(name): the server had already attached it; it stays", .warning, for: 15)
            } else {
                notify("attached \(name) (\(ByteCount(snapshot.fileSize)))", .success)
            }
            return [.loadAttachments(snapshot.job.item)]
        case .failed(let error) where error.kind == .notAuthorized && error.status == 401:
            signInNeeded(error.reason)
        case .failed(let error):
            notify("\(name): \(error.reason)", .error, for: 15)
        case .cancelled:
            notify("cancelled \(name); its session was deleted", .info)
        default:
            break
        }
        return []
    }

    /// Shows the sign-in dialog, once: later refusals add nothing while it is open.
    mutating func signInNeeded(_ reason: String) {
        if case .signInNeeded = modal { return }
        guard modal == nil else {
            notify(reason, .error, for: 15)
            return
        }
        modal = .signInNeeded(reason)
    }

    mutating func updateCount(itemID: String, attachments: [AttachmentInfo]) {
        for kind in ItemKind.allCases {
            guard var list = items[kind]?.value, let index = list.firstIndex(where: { $0.id == itemID }) else { continue }
            list[index].attachments = attachments
            list[index].hasAttachments = !attachments.isEmpty
            items[kind] = .loaded(list)
        }
    }

    /// Moves the clock; drops an expired status message.
    public mutating func tick(_ now: Double) {
        self.now = now
        if let status, status.until <= now { self.status = nil }
    }
}
