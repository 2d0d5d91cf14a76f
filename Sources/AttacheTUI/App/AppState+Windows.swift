import AttacheCore
import Foundation

extension AppState {
    /// A key's action in a window: a question, a prompt, information, a transfer's details,
    /// the picker in any of its modes.
    mutating func windowAction(_ action: KeyMap.Action) -> [Effect] {
        guard let modal else { return [] }
        switch modal {
        case .confirm(_, let onYes):
            return confirmAction(action, onYes: onYes)
        case .prompt(_, let text, let purpose):
            return promptAction(action, text: text, purpose: purpose)
        case .picker(var picker):
            let effects = pickerAction(action, &picker)
            if case .picker = self.modal { self.modal = .picker(picker) }
            return effects
        case .transferDetail(let id, let offset):
            switch action {
            case .moveDown: self.modal = .transferDetail(id, offset: offset + 1)
            case .moveUp: self.modal = .transferDetail(id, offset: max(0, offset - 1))
            case .dismiss: self.modal = nil
            case .cancel, .retry, .pause, .shareAsLink, .openExternally:
                guard let index = transfers.firstIndex(where: { $0.id == id }) else { return [] }
                transferSelection = index
                // What the pane would do; a question it asks takes the window's place.
                return perform(action)
            default: break
            }
        case .reader(let reference, let offset):
            switch action {
            case .moveDown: self.modal = .reader(reference, offset: offset + 1)
            case .moveUp: self.modal = .reader(reference, offset: max(0, offset - 1))
            case .pageDown: self.modal = .reader(reference, offset: offset + Self.pageSize)
            case .pageUp: self.modal = .reader(reference, offset: max(0, offset - Self.pageSize))
            case .dismiss: self.modal = nil
            case .attach, .sendDraft, .notifyAttendees, .reply, .forward:
                // What the list would do for the item being read (the selected one); the
                // picker or a question it opens takes the window's place.
                return perform(action)
            default: break
            }
        case .help, .log:
            return pagerAction(action)
        case .signingIn:
            guard action == .dismiss else { return [] }
            self.modal = nil
            notify("the sign-in was given up", .info)
            return [.cancelSignIn]
        case .attachmentInfo, .signInNeeded:
            if action == .dismiss { self.modal = nil }
        }
        return []
    }

    mutating func confirmAction(_ action: KeyMap.Action, onYes: Confirmation) -> [Effect] {
        switch action {
        case .yes:
            self.modal = nil
            switch onYes {
            case .cancelTransfer(let id):
                return [.cancel(id)]
            case .deleteAttachment(let attachment, let item):
                notify("deleting \(attachment.name ?? attachment.id)…", .info)
                return [.deleteAttachment(attachment, of: item)]
            case .sendDraft(let item, let subject):
                notify("sending “\(subject)”…", .info)
                return [.sendDraft(item, subject: subject)]
            case .notifyAttendees(let item, let title):
                notify("sending “\(title)” to its attendees…", .info)
                return [.notifyAttendees(item, title: title)]
            case .whenAttached(var waiting):
                waiting.watching.formUnion(transfers.filter { $0.job.item == waiting.item && !$0.phase.isFinished }.map(\.id))
                sendsWaiting[waiting.item] = waiting
                notify("“\(waiting.title)” goes out once its files land", .info)
                // They may have landed while the question was open.
                return releaseWaitingSends()
            case .saveAs(let attachment, let item, let path):
                return startDownload(attachment, of: item, to: path)
            case .quit:
                quitting = true
                return [.quit]
            case .discardMarked:
                notify("closed the picker; nothing was attached", .info)
            case .share(let links, let attach, let item, let title):
                return Self.uploads(links: links, attach: attach, to: item, title: title)
            case .shareInstead(let id, _):
                return [.shareInstead(id)]
            }
        case .no:
            self.modal = nil
            if case .discardMarked(let picker) = onYes { self.modal = .picker(picker) }
            if case .share(let links, let attach, let item, let title) = onYes {
                notify("not shared: \(links.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))", .info)
                if !attach.isEmpty { return [.upload(paths: attach, to: item, title: title)] }
            }
        default:
            break
        }
        return []
    }

    mutating func promptAction(_ action: KeyMap.Action, text: String, purpose: PromptPurpose) -> [Effect] {
        switch action {
        case .dismiss:
            self.modal = nil
        case .erase:
            editText { if !$0.isEmpty { $0.removeLast() } }
        case .clearLine:
            editText { $0 = "" }
        case .complete:
            switch purpose {
            case .saveAttachment:
                let paths = TypedPath(directory: downloadDirectory, home: home, showHidden: true)
                editText { text in text = paths.complete(text).text }
            case .composeTo, .forwardTo:
                let completed = completeRecipient(text)
                editText { $0 = completed }
            default:
                break
            }
        case .accept:
            let line = text.trimmingCharacters(in: .whitespaces)
            switch purpose {
            case .composeTo, .composeSubject, .forwardTo:
                return acceptComposing(line, purpose: purpose)
            case .newDraft:
                guard !line.isEmpty else {
                    notify("a draft needs a subject", .warning)
                    return []
                }
                self.modal = nil
                notify("creating the draft \"\(line)\"…", .info)
                return [.createDraft(subject: line)]
            case .mailbox:
                guard line.isEmpty || (line.contains("@") && !line.contains("/")) else {
                    notify("a mailbox is an address, such as shared@contoso.com", .warning)
                    return []
                }
                self.modal = nil
                let address = line.isEmpty ? nil : line
                opening = "opening \(address ?? "your own mailbox")…"
                notify(opening!, .info)
                return [.openWorkplace(.mailbox(address))]
            case .saveAttachment(let attachment, let item):
                guard !line.isEmpty else {
                    notify("type where to save it", .warning)
                    return []
                }
                var path = TypedPath(directory: downloadDirectory, home: home).absolute(line)
                if FileStatus(at: path, followingLinks: true)?.kind == .directory {
                    path = (path as NSString).appendingPathComponent(FileNames.safe(attachment.name ?? attachment.id))
                } else if TypedPath.namesFolder(line) {
                    // Never a file with the folder's name: the folder must be there.
                    notify("there is no folder \(path.terminalSafe): make it first, or save elsewhere", .warning)
                    return []
                }
                if FileManager.default.fileExists(atPath: path) {
                    // Replaced only once every byte is in, but replaced: ask first.
                    self.modal = .confirm(
                        question: "\(path) is there already. Replace it with “\(attachment.name ?? attachment.id)”?",
                        onYes: .saveAs(attachment, of: item, path: path))
                    return []
                }
                let name = (path as NSString).lastPathComponent
                if (name as NSString).pathExtension.isEmpty, !((attachment.name ?? "") as NSString).pathExtension.isEmpty {
                    // `~/Downloads` where there is no such folder once became a file of that name.
                    self.modal = .confirm(
                        question: "There is no folder \(path). Save “\(attachment.name ?? attachment.id)” as a file named “\(name)” in \((path as NSString).deletingLastPathComponent)?",
                        onYes: .saveAs(attachment, of: item, path: path))
                    return []
                }
                self.modal = nil
                return startDownload(attachment, of: item, to: path)
            }
        default:
            break
        }
        return []
    }

    /// Changes the text of the prompt on top, in the picker's path mode too.
    mutating func editText(_ change: (inout String) -> Void) {
        switch modal {
        case .prompt(let title, var text, let purpose):
            change(&text)
            modal = .prompt(title: title, text: text, purpose: purpose)
        case .picker(var picker):
            guard case .path(var text) = picker.mode else { return }
            change(&text)
            picker.mode = .path(text)
            picker.error = nil
            modal = .picker(picker)
        default:
            break
        }
    }

    mutating func editPicker(_ change: (inout FilePickerState) -> Void) {
        guard case .picker(var picker) = modal else { return }
        change(&picker)
        modal = .picker(picker)
    }

    /// The attachment selected in the attachments pane.
    public var selectedAttachment: AttachmentInfo? {
        guard let list = selectedAttachments?.value, list.indices.contains(detailSelection) else { return nil }
        return list[detailSelection]
    }

    /// Starts saving an attachment to `path`, or to a private temporary folder to open it
    /// (`path` nil).
    mutating func startDownload(_ attachment: AttachmentInfo, of item: ItemReference, to path: String?) -> [Effect] {
        let name = FileNames.safe(attachment.name ?? attachment.id)
        let known = fileSizes[attachment.id]
        let download = Download(
            id: nextDownloadID, attachmentID: attachment.id, name: name, destination: path ?? "", expected: known ?? attachment.size,
            expectedIsExact: known != nil, opensWhenDone: path == nil)
        nextDownloadID += 1
        downloads.append(download)
        return [.download(download, attachment: attachment, of: item)]
    }

    /// `p`: a running or queued transfer pauses (its session kept), a paused one goes on.
    mutating func pauseOrResume(_ transfer: TransferSnapshot) -> [Effect] {
        if transfer.phase == .paused || transfer.stopping == .pausing { return [.resume(transfer.id)] }
        guard !transfer.phase.isTerminal else {
            notify("only a running or queued transfer can be paused", .warning)
            return []
        }
        return [.pause(transfer.id)]
    }
}
