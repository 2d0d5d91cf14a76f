import AttacheCore
import Foundation

extension AppState {
    // MARK: Events

    /// Applies what the world said; returns what to do next.
    public mutating func apply(_ event: AppEvent) -> [Effect] {
        switch event {
        case .itemsLoaded(let kind, let list):
            connection = .up
            let kept = keptSelection.removeValue(forKey: kind)
            let selectedID = kind == tab ? selectedItem?.id ?? kept : nil
            items[kind] = .loaded(list)
            if let selectedID, let index = visibleItems.firstIndex(where: { $0.id == selectedID }) {
                itemSelection[kind] = index
            } else {
                itemSelection[kind] = min(itemSelection[kind] ?? 0, max(0, list.count - 1))
            }
            for item in list {
                if let subject = item.subject { knownTitles[item.id] = subject }
                // Counts come with the list when the server expands them; they are also the
                // detail pane's contents. A list without them leaves what was known, and the
                // selected item's are asked for below.
                if let attachments = item.attachments { details[item.id] = .loaded(attachments) }
            }
            reportLoaded(kind, list)
            return (kind == tab ? loadDetailsIfNeeded() : []) + prefetchAttachments(of: list)
        case .itemsFailed(let kind, let message, let unreachable):
            items[kind] = .failed(message)
            pendingReports[kind] = nil
            if workplaceReport?.waiting.remove(kind) != nil, workplaceReport?.waiting.isEmpty == true {
                notify(workplaceReport!.notice, .success)
                workplaceReport = nil
            }
            if unreachable {
                // The title says it, once, for both lists; the panes say what was asked.
                connection = .down(message)
            } else {
                notify(message, .error, for: 12)
            }
        case .attachmentDeleted(let attachment, let item):
            notify("deleted \(attachment.name ?? attachment.id)", .success)
            if let list = details[item.id]?.value {
                let rest = list.filter { $0.id != attachment.id }
                details[item.id] = .loaded(rest)
                updateCount(itemID: item.id, attachments: rest)
                if selectedItem?.id == item.id { detailSelection = min(detailSelection, max(0, rest.count - 1)) }
            }
            return [.loadAttachments(item)]
        case .downloadProgress(let id, let bytes):
            if let index = downloads.firstIndex(where: { $0.id == id }) { downloads[index].bytes = bytes }
        case .downloadFinished(let id, let bytes):
            guard let index = downloads.firstIndex(where: { $0.id == id }) else { return [] }
            let download = downloads.remove(at: index)
            // Every byte of it came: the file's own size, which Graph's does not say.
            fileSizes[download.attachmentID] = bytes
            if download.opensWhenDone {
                notify("opened \(download.name) (\(ByteCount(bytes)))", .success)
            } else {
                notify("saved \(download.name) (\(ByteCount(bytes))) to \(download.destination)", .success, for: 10)
            }
        case .downloadFailed(let id, let message):
            downloads.removeAll { $0.id == id }
            notify(message, .error, for: 15)
        case .searchResults(let kind, let text, let found):
            guard searches[kind]?.text == text else { return [] }
            searches[kind] = (text, .loaded(found))
            for item in found { if let attachments = item.attachments { details[item.id] = .loaded(attachments) } }
            return kind == tab ? loadDetailsIfNeeded() : []
        case .searchFailed(let kind, let text, let message):
            guard searches[kind]?.text == text else { return [] }
            searches[kind] = (text, .failed(message))
            notify(message, .error, for: 12)
        case .detailsLoaded(let details):
            itemDetails[details.item.id] = .loaded(details)
        case .detailsFailed(let itemID, let message):
            itemDetails[itemID] = .failed(message)
        case .draftSent(let item, let subject):
            notify("sent “\(subject)”", .success)
            // Outlook moves it to Sent Items under a new id: the list is asked for anew.
            details[item.id] = nil
            itemDetails[item.id] = nil
            if case .reader(let reading, _) = modal, reading == item { modal = nil }
            return [.loadItems(.message)]
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
            opening = "opening the account of \(text)…"
            notify(opening!, .info)
            return [.openWorkplace(.signedIn(text))]
        case .workplaceOpened(let workplace, let notice):
            opening = nil
            self.account = workplace.account
            inOtherMailbox = workplace.graph.isOtherMailbox
            writableKinds = []
            // Said once both lists are in, with what they hold.
            workplaceReport = (notice, [.message, .event])
            pendingReports = [:]
            // Another account or mailbox: its items, not the last one's. The tab, the
            // filters and the place in each list stay; the transfers go on.
            items = [.message: .loading, .event: .loading]
            details = [:]
            itemDetails = [:]
            return [.loadItems(.message), .loadItems(.event)]
        case .workplaceFailed(let reason):
            opening = nil
            notify(reason, .error, for: 15)
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
        case .knownFileSizes(let sizes):
            fileSizes.merge(sizes) { current, _ in current }
        case .orphansFound:
            // The app takes them over before the state hears of them.
            break
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
            if followTransfers, let moving = transfers.firstIndex(where: { $0.phase.isActive }) ?? transfers.firstIndex(where: { $0.phase == .queued }) {
                // Files just queued from the picker: the selection follows the one under way.
                transferSelection = moving
            }
            if !wasDone, snapshot.phase.isTerminal {
                return finished(snapshot) + releaseWaitingSends()
            }
        case .transfer(.removed(let id)):
            transfers.removeAll { $0.id == id }
            transferSelection = min(transferSelection, max(0, transfers.count - 1))
        }
        return []
    }

    /// A transfer just ended: say so, and refresh the item's attachments when one was added.
    mutating func finished(_ snapshot: TransferSnapshot) -> [Effect] {
        let name = snapshot.job.file.shownName
        switch snapshot.phase {
        case .attached(let info):
            fileSizes[info.id] = snapshot.fileSize
            writableKinds.insert(snapshot.job.item.kind)
            if snapshot.cancelCameTooLate {
                notify("too late to cancel \(name): the server had already attached it; it stays", .warning, for: 15)
            } else {
                notify("attached \(name) (\(ByteCount(snapshot.fileSize)))", .success)
            }
            offerAttendeeUpdate(after: snapshot)
            return [.loadAttachments(snapshot.job.item)]
        case .attached where snapshot.job.plan.isDrive:
            notify("shared \(name) (\(ByteCount(snapshot.fileSize))) from OneDrive: its link is in the \(snapshot.job.item.kind == .message ? "message" : "event")", .success)
        case .failed(let error) where error.kind == .notAuthorized && error.status == 401:
            signInNeeded(error.reason)
        case .failed(let error) where error.shareReason != nil && !snapshot.job.plan.isDrive:
            // Outlook cannot take it: offer what Outlook on the web does.
            if modal == nil {
                _ = offerToShare(snapshot)
            } else {
                notify("\(name): \(error.shareReason!.sentence); l on the transfer shares it from your OneDrive as a link", .error, for: 15)
            }
        case .failed(let error):
            notify("\(name): \(TransferWords.failure(error, writable: writableKinds))", .error, for: 15)
        case .cancelled:
            notify("cancelled \(name); its session was deleted", .info)
        default:
            break
        }
        return []
    }

    /// Asks whether to share a failed or cancelled transfer's file from OneDrive as a link
    /// in its item instead.
    mutating func offerToShare(_ transfer: TransferSnapshot) -> [Effect] {
        let name = transfer.job.file.shownName
        guard !transfer.job.plan.isDrive else {
            notify("\(name) goes as a OneDrive link already", .info)
            return []
        }
        let why: String
        switch transfer.phase {
        case .failed(let error): why = error.shareReason.map { "\($0.sentence.prefix(1).uppercased())\($0.sentence.dropFirst())." } ?? "It failed."
        case .cancelled: why = "It was cancelled."
        default:
            notify("l shares a failed or cancelled transfer as a link; \(name) has not ended so", .warning)
            return []
        }
        let title = self.title(of: transfer.job.item) ?? transfer.job.itemTitle ?? transfer.job.item.description
        modal = .confirm(
            question: "\(why) Share “\(name)” (\(ByteCount(transfer.fileSize))) from your OneDrive as a link in “\(title)”, for \(share.linkScope.audience)?",
            onYes: .shareInstead(transfer.id, name: name))
        return []
    }

    /// Attachments added to an event reach its attendees only with an update: once the last
    /// file for the event is in, offer to send one (or say how, when a window is open).
    mutating func offerAttendeeUpdate(after snapshot: TransferSnapshot) {
        let event = snapshot.job.item
        guard event.kind == .event, sendsWaiting[event] == nil, !transfers.contains(where: { $0.job.item == event && !$0.phase.isTerminal }) else { return }
        let title = self.title(of: event) ?? snapshot.job.itemTitle ?? "the event"
        guard modal == nil else {
            notify("attached to “\(title)”; U on the event sends its attendees an update", .info, for: 12)
            return
        }
        modal = .confirm(
            question: "Attached to “\(title)”. Send its attendees an update, so they get the attachments?",
            onYes: .notifyAttendees(event, title: title))
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

    /// How many items at the top of a list that came without its attachments have them asked
    /// for at once, so the counts a screen shows are true (the rest as they are selected).
    static let prefetchLimit = 24

    /// Asks for the attachments of the first items a server listed without them (it may
    /// omit the expanded list) when it says they have some; marks them loading.
    mutating func prefetchAttachments(of list: [OutlookItem]) -> [Effect] {
        var effects: [Effect] = []
        for item in list.prefix(Self.prefetchLimit) where item.attachments == nil && item.hasAttachments != false {
            guard details[item.id]?.value == nil, details[item.id] != .loading else { continue }
            details[item.id] = .loading
            effects.append(.loadAttachments(item.reference))
        }
        return effects
    }

    /// Says what a list asked for again came back with: `R` how many and how many are new,
    /// `M` or `L` the mailbox now worked in and what it holds, once both lists are in.
    mutating func reportLoaded(_ kind: ItemKind, _ list: [OutlookItem]) {
        let noun = kind == .message ? (list.count == 1 ? "message" : "messages") : (list.count == 1 ? "event" : "events")
        let more = list.count >= listLimit ? "+" : ""
        if let before = pendingReports.removeValue(forKey: kind) {
            let new = list.filter { !before.contains($0.id) }.count
            let gone = before.subtracting(list.map(\.id)).count
            var text = "refreshed: \(list.count)\(more) \(noun)"
            if new > 0 { text += ", \(new) new" }
            if gone > 0 { text += ", \(gone) gone" }
            if new == 0, gone == 0 { text += ", nothing new" }
            notify(text, .success)
        }
        guard var report = workplaceReport, report.waiting.contains(kind) else { return }
        report.waiting.remove(kind)
        workplaceReport = report
        guard report.waiting.isEmpty else { return }
        workplaceReport = nil
        let counts = ItemKind.allCases.map { kind in
            let count = items[kind]?.value?.count ?? 0
            return "\(count)\(count >= listLimit ? "+" : "") \(kind == .message ? (count == 1 ? "message" : "messages") : (count == 1 ? "event" : "events"))"
        }
        notify("\(report.notice): \(counts.joined(separator: ", "))", .success)
    }

    /// Moves the clock; drops an expired status message.
    public mutating func tick(_ now: Double) {
        self.now = now
        if let status, status.until <= now { self.status = nil }
    }
}
