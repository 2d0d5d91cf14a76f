import AttacheCore
import Foundation
import Testing

@testable import AttacheTUI

/// The small habits of terminal mail programs that issue 24 found missing, on the state
/// alone (the tmux tests check the real terminal).
struct HabitsTests {
    /// `Ctrl-U` erases the whole list filter being typed, as the README says.
    @Test func ctrlUClearsTheListFilter() {
        var state = Fixtures.state()
        _ = state.handle(.character("/"))
        for c in "CAFE" { _ = state.handle(.character(c)) }
        #expect(state.visibleItems.count == 1)
        _ = state.handle(.control("u"))
        #expect(state.filter == "")
        #expect(state.visibleItems.count == Fixtures.messages.count)
        for c in "kyoto" { _ = state.handle(.character(c)) }
        _ = state.handle(.enter)
        #expect(state.visibleItems.map(\.subject) == ["旅行の写真 (Kyoto trip photos)"])
    }

    /// `S` and `U` with the transfers pane focused act on the item the selected transfer went
    /// to, or say why not.
    @Test func sendAndUpdateFromTheTransfersPane() {
        var state = Fixtures.state(focus: .transfers)
        // slides.pptx went to a draft that still has holiday-video.mp4 under way: S asks
        // whether to send it once that lands.
        state.transferSelection = 1
        #expect(state.handle(.character("S")) == [])
        guard case .confirm(let waitQuestion, .whenAttached) = state.modal else {
            Issue.record("no question: \(String(describing: state.modal))")
            return
        }
        #expect(waitQuestion == "Send the draft “Quarterly report — Q3 figures” when the upload of 'holiday-video.mp4' finishes?")
        _ = state.handle(.character("n"))
        #expect(state.handle(.character("U")) == [])
        #expect(state.status?.text.contains("is a message") == true)
        // draft.docx went to a message that is not a draft.
        state.transferSelection = 5
        #expect(state.handle(.character("S")) == [])
        #expect(state.status?.text.contains("is not a draft") == true, "\(state.status?.text ?? "")")
        // budget.xlsx went to an event: U asks to update its attendees.
        state.transferSelection = 4
        #expect(state.handle(.character("S")) == [])
        #expect(state.status?.text.contains("is an event") == true)
        _ = state.handle(.character("U"))
        guard case .confirm(let question, .notifyAttendees(let reference, _)) = state.modal else {
            Issue.record("no question: \(String(describing: state.modal))")
            return
        }
        #expect(reference == Fixtures.events[0].reference)
        #expect(question.contains("Send the attendees of"))
    }

    /// A transfer's row keeps its item's subject after the item leaves the list (a draft
    /// sent, a refresh that no longer lists it).
    @Test func aRowKeepsItsItemsSubjectAfterTheItemLeavesTheList() {
        var state = Fixtures.state()
        let item = Fixtures.messages[4]
        var snapshot = Fixtures.transfer(9, "contract.pdf", 80_000, to: item, .queued)
        snapshot.job.itemTitle = nil
        state.transfers.append(snapshot)
        #expect(state.title(of: item.reference) == item.subject)
        _ = state.apply(.itemsLoaded(.message, Array(Fixtures.messages.prefix(4))))
        #expect(state.title(of: item.reference) == item.subject)
    }

    /// The log keeps every status message, a repeat once with its count, and pages with the
    /// pager's keys; a search that finds nothing is said but not logged.
    @Test func theLogKeepsMessagesAndPages() {
        var state = Fixtures.state()
        state.screen = Rect(x: 0, y: 0, width: 100, height: 30)
        state.notify("refreshed: 5 messages, nothing new", .success)
        state.notify("refreshed: 5 messages, nothing new", .success)
        for index in 1...40 { state.notify("message \(index)", .info) }
        state.notify("could not save a.bin: HTTP 404", .error)
        #expect(state.log.first?.count == 2)
        #expect(state.log.count == 42)
        _ = state.handle(.character("!"))
        guard case .log(let pager) = state.modal else {
            Issue.record("no log: \(String(describing: state.modal))")
            return
        }
        // The newest at the foot, in view.
        #expect(pager.offset > 0)
        let screen = Fixtures.render(state, width: 100, height: 30)
        #expect(screen.contains("could not save a.bin: HTTP 404"))
        #expect(screen.contains("Message log"))
        _ = state.handle(.character("g"))
        #expect(Fixtures.render(state, width: 100, height: 30).contains("refreshed: 5 messages, nothing new (×2)"))
        _ = state.handle(.character("/"))
        for c in "nowhere" { _ = state.handle(.character(c)) }
        _ = state.handle(.enter)
        #expect(state.status?.text.contains("is not found") == true)
        #expect(state.log.count == 42)
        _ = state.handle(.escape)
        #expect(state.modal == nil)
    }

    /// A cancel asked for says so at once, as a pause does: no rate nor time left while the
    /// transfer stops (issue 24, defect 10: "uploading · ETA" stayed for 1.5 s).
    @Test func aStoppingTransferSaysSoAndShowsNoTimeLeft() {
        for (stopping, said) in [(TransferSnapshot.Stopping.cancelling, "cancelling…"), (.pausing, "pausing…")] {
            var state = Fixtures.state()
            state.transfers[0].stopping = stopping
            let screen = Fixtures.render(state, width: 120, height: 30)
            let row = screen.split(separator: "\n").first { $0.contains("holiday-video.mp4") }.map(String.init) ?? ""
            #expect(row.contains(said), "\(row)")
            #expect(!row.contains("ETA") && !row.contains("MiB/s"), "\(row)")
        }
    }

    /// Before attaching, the picker says when a marked file's name is one the item has
    /// already, and what the item then holds in all.
    @Test func thePickerNamesADuplicateAndTheItemsTotal() throws {
        let directory = NSTemporaryDirectory() + "attache-habits-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let name = try #require(Fixtures.attachments[0].name)
        try Data(repeating: 7, count: 10_000).write(to: URL(fileURLWithPath: directory + "/" + name))
        var state = Fixtures.state()
        state.pickerDirectory = directory
        _ = state.handle(.character("a"))
        guard case .picker(var picker) = state.modal else {
            Issue.record("no picker: \(String(describing: state.modal))")
            return
        }
        picker.selection = try #require(picker.visibleEntries.firstIndex { $0.name == name })
        state.modal = .picker(picker)
        _ = state.handle(.character(" "))
        #expect(state.status?.text.contains("has an attachment named \(name) already") == true, "\(state.status?.text ?? "")")
        let screen = Fixtures.render(state, width: 120, height: 30)
        #expect(screen.contains("the message then holds about"), "\(screen)")
    }
}
