@testable import AttacheCore
import Foundation
import Testing

@testable import AttacheTUI

/// `S` and `U` on an item with files on their way to it: the question names how many, the
/// send waits for them, and a file that does not land gives the send up with the reason.
@Suite("Sending waits for its attachments")
struct SendWaitTests {
    static let draft = Fixtures.messages[4]
    static let event = Fixtures.events[0]

    static func state(_ transfers: [TransferSnapshot]) -> AppState {
        var state = Fixtures.state(transfers: false)
        state.transfers = transfers
        return state
    }

    static func select(_ item: OutlookItem, in state: inout AppState) {
        state.tab = item.kind
        state.itemSelection[item.kind] = state.visibleItems.firstIndex { $0.id == item.id } ?? 0
    }

    @Test func sAsksToSendWhenTheTwoUploadsFinishAndSendsOnceBothLand() {
        var state = Self.state([
            Fixtures.transfer(1, "a.bin", 9_000_000, to: Self.draft, .uploading),
            Fixtures.transfer(2, "b.bin", 1_000, to: Self.draft, .queued),
        ])
        Self.select(Self.draft, in: &state)
        #expect(state.handle(.character("S")) == [])
        guard case .confirm(let question, .whenAttached) = state.modal else {
            Issue.record("no question: \(String(describing: state.modal))")
            return
        }
        #expect(question == "Send the draft “Signed contract scan for legal” when the 2 uploads finish?")
        #expect(state.handle(.character("y")) == [])
        var first = state.transfers[0]
        first.phase = .attached(AttachmentInfo(id: "X1"))
        #expect(!state.apply(.transfer(.changed(first))).contains(.sendDraft(Self.draft.reference, subject: "Signed contract scan for legal")))
        var second = state.transfers[1]
        second.phase = .attached(AttachmentInfo(id: "X2"))
        #expect(state.apply(.transfer(.changed(second))).contains(.sendDraft(Self.draft.reference, subject: "Signed contract scan for legal")))
        #expect(state.sendsWaiting.isEmpty)
    }

    @Test func aFileThatFailsGivesTheSendUpWithTheReason() {
        var state = Self.state([Fixtures.transfer(1, "a.bin", 9_000_000, to: Self.draft, .uploading)])
        Self.select(Self.draft, in: &state)
        _ = state.handle(.character("S"))
        _ = state.handle(.character("y"))
        var failed = state.transfers[0]
        failed.phase = .failed(UploadError(.refused, reason: "the server refused it: HTTP 400", fileName: "a.bin", item: Self.draft.reference))
        let effects = state.apply(.transfer(.changed(failed)))
        #expect(!effects.contains { if case .sendDraft = $0 { true } else { false } })
        #expect(state.status?.text == "“Signed contract scan for legal” was not sent: 'a.bin' did not attach: the server refused it: HTTP 400")
        #expect(state.sendsWaiting.isEmpty)
        // Asked again, with nothing under way, it asks to send now.
        _ = state.handle(.character("S"))
        guard case .confirm(let question, .sendDraft) = state.modal else {
            Issue.record("no question: \(String(describing: state.modal))")
            return
        }
        #expect(question == "Send the draft “Signed contract scan for legal” now?")
    }

    @Test func aCancelledFileGivesTheEventUpdateUp() {
        var state = Self.state([Fixtures.transfer(1, "deck.pdf", 9_000_000, to: Self.event, .uploading)])
        Self.select(Self.event, in: &state)
        _ = state.handle(.character("U"))
        guard case .confirm(let question, .whenAttached) = state.modal else {
            Issue.record("no question: \(String(describing: state.modal))")
            return
        }
        #expect(question == "Send the attendees of “Design review: attache TUI” an update when the upload of 'deck.pdf' finishes?")
        _ = state.handle(.character("y"))
        var cancelled = state.transfers[0]
        cancelled.phase = .cancelled
        _ = state.apply(.transfer(.changed(cancelled)))
        #expect(state.status?.text == "“Design review: attache TUI” got no update: 'deck.pdf' was cancelled before it was attached")
        #expect(state.modal == nil)
    }

    @Test func aDraftWithoutRecipientsIsSaidBeforeAnyQuestion() {
        var state = Fixtures.state(transfers: false)
        var items = Fixtures.messages
        items[4].recipients = []
        _ = state.apply(.itemsLoaded(.message, items))
        Self.select(items[4], in: &state)
        #expect(state.handle(.character("S")) == [])
        #expect(state.modal == nil)
        #expect(state.status?.text.hasPrefix("“Signed contract scan for legal” has no recipients") == true, "\(state.status?.text ?? "")")
    }

    @Test func theDecisionFromTheJournal() {
        let record = { (id: String, state: TransferRecord.State) in
            TransferRecord(
                id: id, createdAt: Date(), updatedAt: Date(), filePath: "/tmp/\(id).bin", fileName: "\(id).bin", fileSize: 10_000_000, fileModified: 0,
                fingerprint: "", graphBase: "embedded", itemKind: .message, itemID: "d", method: "session", rangeLength: 327_680, uploadURL: nil,
                sessionExpires: nil, sessionStartedAt: nil, serverStartedAt: nil, priorAttachmentIDs: nil, confirmedBytes: 5_000_000, state: state,
                lastError: state == .failed ? "HTTP 500" : nil, errorCode: nil, attachmentID: nil)
        }
        let running = record("a", .uploading)
        #expect(SendGate.decide(records: [running], running: { _ in true }, watching: ["a"]) == .wait(files: ["a.bin"]))
        guard case .refuse(let stopped) = SendGate.decide(records: [running], running: { _ in false }, watching: ["a"]) else {
            Issue.record("not refused")
            return
        }
        #expect(stopped.hasPrefix("'a.bin' stopped at 4.7 MiB of 9.5 MiB and no attache is running it"))
        #expect(SendGate.decide(records: [record("a", .failed)], running: { _ in false }, watching: ["a"]) == .refuse("'a.bin' did not attach: HTTP 500"))
        #expect(SendGate.decide(records: [record("a", .done)], running: { _ in false }, watching: ["a"]) == .send)
    }
}

/// `n`, `r`, `f`: the questions of a message being written, and recipients completed from
/// the listed messages' people.
@Suite("Composing on the screen")
struct ComposeStateTests {
    @Test func recipientsAreCompletedFromTheListedMessages() {
        var state = Fixtures.state(transfers: false)
        _ = state.handle(.character("n"))
        for character in "jos" { _ = state.handle(.character(character)) }
        _ = state.handle(.tab)
        guard case .prompt(_, let text, .composeTo) = state.modal else {
            Issue.record("no prompt: \(String(describing: state.modal))")
            return
        }
        #expect(text == "José Müller <jose.muller@contoso.com>, ")
        for character in "not an address" { _ = state.handle(.character(character)) }
        #expect(state.handle(.enter) == [])
        #expect(state.status?.text.contains("is not an address") == true)
        _ = state.handle(.control("u"))
        for character in "ken.sato@contoso.com" { _ = state.handle(.character(character)) }
        _ = state.handle(.enter)
        for character in "Fotos" { _ = state.handle(.character(character)) }
        #expect(
            state.handle(.enter) == [.compose(Composition(kind: .new(subject: "Fotos"), to: [EmailAddress(name: nil, address: "ken.sato@contoso.com")]))])
    }

    @Test func replyAndForwardTheSelectedMessage() {
        var state = Fixtures.state(transfers: false)
        _ = state.handle(.down)
        let message = Fixtures.messages[1]
        #expect(state.handle(.character("r")) == [.compose(Composition(kind: .reply(message.reference, subject: message.subject ?? ""), to: []))])
        _ = state.handle(.character("f"))
        #expect(state.handle(.enter) == [])
        #expect(state.status?.text == "a forward needs someone to go to")
        for character in "a@contoso.com" { _ = state.handle(.character(character)) }
        #expect(
            state.handle(.enter)
                == [.compose(Composition(kind: .forward(message.reference, subject: message.subject ?? ""), to: [EmailAddress(name: nil, address: "a@contoso.com")]))])
        // Not on an event.
        _ = state.handle(.character("2"))
        #expect(state.handle(.character("r")) == [])
        #expect(state.status?.text == "select a message to reply to")
    }
}
