import AttacheCore
import Foundation
import Testing

@testable import AttacheTUI

/// Every view, drawn from the screen model and compared as text with `Snapshots/*.txt`.
/// Set `ATTACHE_RECORD_SNAPSHOTS=1` to write them anew on purpose, then read the diff.
@Suite("Screens as text")
struct ScreenSnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    func check(_ name: String, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = Self.directory.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["ATTACHE_RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try (text + "\n").write(to: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: path, encoding: .utf8)
        #expect(text + "\n" == expected, "screen \(name) changed; re-record with ATTACHE_RECORD_SNAPSHOTS=1", sourceLocation: sourceLocation)
    }

    /// Every line is exactly as wide as the screen, wide characters counted twice.
    func expectFits(_ text: String, width: Int, height: Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == height)
        for line in lines { #expect(DisplayWidth.of(line) == width, "\(line)") }
    }

    @Test("the main screen", arguments: [(60, 15), (100, 30), (200, 50)])
    func mainScreen(width: Int, height: Int) throws {
        let text = Fixtures.render(Fixtures.state(focus: .transfers), width: width, height: height)
        expectFits(text, width: width, height: height)
        try check("main-\(width)x\(height)", text)
    }

    @Test func eventsTabWithTheDetailsFocused() throws {
        var state = Fixtures.state(focus: .items, transfers: false)
        _ = state.handle(.character("2"))
        _ = state.apply(.attachmentsLoaded(itemID: Fixtures.events[0].id, []))
        _ = state.handle(.tab)
        try check("events-120x24", Fixtures.render(state, width: 120, height: 24))
    }

    @Test func attachmentsFocusedInAWideTerminal() throws {
        var state = Fixtures.state(focus: .details)
        state.detailSelection = 1
        try check("details-140x30", Fixtures.render(state, width: 140, height: 30))
    }

    @Test func help() throws {
        var state = Fixtures.state()
        _ = state.handle(.character("?"))
        try check("help-100x44", Fixtures.render(state, width: 100, height: 44))
        try check("help-60x15", Fixtures.render(state, width: 60, height: 15))
    }

    @Test func cancelConfirmation() throws {
        var state = Fixtures.state(focus: .transfers)
        _ = state.handle(.character("c"))
        try check("confirm-cancel-100x30", Fixtures.render(state, width: 100, height: 30))
    }

    @Test func newDraftPrompt() throws {
        var state = Fixtures.state()
        _ = state.handle(.character("n"))
        // No recipients: on to the subject.
        _ = state.handle(.enter)
        for character in "Relatório — fotos 旅行" { _ = state.handle(.character(character)) }
        try check("prompt-100x30", Fixtures.render(state, width: 100, height: 30))
    }

    @Test func attachmentMetadata() throws {
        var state = Fixtures.state(focus: .details)
        _ = state.handle(.down)
        _ = state.handle(.enter)
        try check("attachment-info-100x30", Fixtures.render(state, width: 100, height: 30))
    }

    @Test func filterWhileTyping() throws {
        var state = Fixtures.state(transfers: false)
        _ = state.handle(.character("/"))
        for character in "caf" { _ = state.handle(.character(character)) }
        try check("filter-80x20", Fixtures.render(state, width: 80, height: 20))
    }

    @Test func loadingAndErrors() throws {
        var state = AppState(account: "graph.microsoft.com", pickerDirectory: "/")
        _ = state.apply(.itemsFailed(.event, "could not list events: no reply from the server (connection refused); is the server running, and is --graph right?", unreachable: true))
        try check("loading-80x16", Fixtures.render(state, width: 80, height: 16))
        _ = state.handle(.character("2"))
        try check("failed-80x16", Fixtures.render(state, width: 80, height: 16))
    }

    /// A transfer held back by Outlook's upload budget says so, with the time left.
    @Test func waitingForTheUploadBudget() throws {
        var state = Fixtures.state(focus: .transfers)
        state.transfers[0].phase = .waiting(until: 200, reason: "waiting for Outlook's upload budget")
        let wide = Fixtures.render(state, width: 160, height: 30)
        #expect(wide.contains("waiting for Outlook's upload budget · 1:40"), "\(wide)")
        // Narrower, the reason gives way; the time left stays.
        let text = Fixtures.render(state, width: 120, height: 30)
        #expect(text.contains("waiting for Outlook's upload… · 1:40"), "\(text)")
        try check("waiting-budget-120x30", text)
    }

    @Test func tooSmall() throws {
        let text = Fixtures.render(Fixtures.state(), width: 40, height: 10)
        expectFits(text, width: 40, height: 10)
        try check("too-small-40x10", text)
    }

    @Test func asciiWhenTheTerminalIsNotUTF8() throws {
        try check("ascii-bars-100x30", Fixtures.render(Fixtures.state(focus: .transfers), width: 100, height: 30, unicode: false))
    }

    @Test func filePicker() throws {
        let directory = PickerFixture.make()
        var state = Fixtures.state()
        state.pickerDirectory = directory
        _ = state.handle(.character("a"))
        _ = state.handle(.down)
        _ = state.handle(.down)
        _ = state.handle(.character(" "))  // marks brochure.pdf, moves on
        _ = state.handle(.character(" "))  // marks dataset.csv
        try check("picker-100x30", PickerFixture.asRecorded(Fixtures.render(state, width: 100, height: 30)))
        try check("picker-60x15", PickerFixture.asRecorded(Fixtures.render(state, width: 60, height: 15)))
    }
}

extension ScreenSnapshotTests {
    /// Finished rows first, then what is moving: at 60x15 the running and queued rows are in
    /// view, and the title says where the rows are.
    @Test func runningTransfersStayInViewInASmallTerminal() throws {
        var state = Fixtures.state(focus: .items)
        let all = Fixtures.transfers
        let finished = all.filter { $0.phase.isTerminal }
        let moving = all.filter { !$0.phase.isTerminal }
        state.transfers = finished + moving
        let text = Fixtures.render(state, width: 60, height: 15)
        #expect(text.contains("holiday-vid"), "\(text)")
        #expect(text.contains("of 6 ─"), "\(text)")
        try check("transfers-in-view-60x15", text)
    }

    @Test func transferDetails() throws {
        var state = Fixtures.state(focus: .transfers)
        var retrying = state.transfers[2]
        retrying.retries = 2
        retrying.lastRetryReason = "HTTP 503 ServiceUnavailable: The service is temporarily unavailable, try again in a moment"
        state.transfers[2] = retrying
        state.transferSelection = 2
        _ = state.handle(.enter)
        #expect(state.scope == .transferDetail)
        try check("transfer-details-100x30", Fixtures.render(state, width: 100, height: 30))
        // The failure's whole reason, which the row cuts.
        state.modal = nil
        state.transferSelection = 4
        _ = state.handle(.enter)
        let failed = Fixtures.render(state, width: 80, height: 24)
        #expect(failed.contains("HTTP 403") && failed.contains("ErrorAccessDenied"), "\(failed)")
        try check("transfer-details-failed-80x24", failed)
    }

    /// The ETA is whole at every width (it was cut at 85, 95 and 100 columns).
    @Test func theTimeLeftIsNeverCut() {
        var state = Fixtures.state(focus: .items)
        state.transfers = [Fixtures.transfers[0]]
        for width in 60...220 {
            let text = Fixtures.render(state, width: width, height: 24)
            #expect(text.contains("ETA 0:02"), "at \(width) columns:\n\(text)")
        }
    }

    @Test func aLongMessageWrapsInsteadOfStoppingMidSentence() throws {
        var state = Fixtures.state(focus: .items)
        state.notify(
            "budget-2027-final-final.xlsx: the server refused it: HTTP 403 ErrorAccessDenied: Access is denied. Check credentials and try again; the shared mailbox needs Mail.ReadWrite.Shared",
            .error)
        let text = Fixtures.render(state, width: 80, height: 20)
        #expect(text.contains("Mail.ReadWrite.Shared"), "\(text)")
        try check("status-wrapped-80x20", text)
    }

    @Test func theTitleSaysWhenTheServerDoesNotAnswer() throws {
        var state = AppState(account: "ana@contoso.com · graph.microsoft.com", pickerDirectory: "/")
        state.server = "127.0.0.1:18181"
        #expect(Fixtures.render(state, width: 100, height: 20).contains("connecting to 127.0.0.1:18181…"))
        _ = state.apply(.itemsFailed(.message, "could not list messages: no reply from the server (connection refused)", unreachable: true))
        _ = state.apply(.itemsFailed(.event, "could not list events: no reply from the server (connection refused)", unreachable: true))
        let text = Fixtures.render(state, width: 100, height: 20)
        #expect(text.contains("offline: 127.0.0.1:18181 does not answer · R retries"))
        try check("offline-100x20", text)
        // R asks for both lists again.
        #expect(state.handle(.character("R")) == [.loadItems(.message), .loadItems(.event)])
    }

    @Test func pickerModes() throws {
        let directory = PickerFixture.make()
        var state = Fixtures.state()
        state.pickerDirectory = directory
        _ = state.handle(.character("a"))
        _ = state.handle(.character("/"))
        for c in "DATA" { _ = state.handle(.character(c)) }
        try check("picker-filter-100x30", PickerFixture.asRecorded(Fixtures.render(state, width: 100, height: 30)))
        _ = state.handle(.enter)
        _ = state.handle(.character(" "))
        _ = state.handle(.escape)
        _ = state.handle(.character("/"))
        _ = state.handle(.escape)
        _ = state.handle(.character("s"))  // by size
        _ = state.handle(.character(":"))
        for c in "Pho" { _ = state.handle(.character(c)) }
        _ = state.handle(.tab)
        try check("picker-path-100x30", PickerFixture.asRecorded(Fixtures.render(state, width: 100, height: 30)))
        _ = state.handle(.escape)
        _ = state.handle(.character("v"))
        try check("picker-marked-100x30", PickerFixture.asRecorded(Fixtures.render(state, width: 100, height: 30)))
    }

    /// Names with joined emoji, a heart, a flag, escapes: the size column stays put.
    @Test func oddNamesKeepTheSizeColumnInPlace() throws {
        let directory = NSTemporaryDirectory() + "attache-odd-names-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let names = ["famille 👨‍👩‍👧.txt", "thumbs 👍🏽.pdf", "heart ❤️.doc", "tab\there.txt", "soft\u{AD}hyphen.txt", "esc\u{1B}[31mred.txt", "flag 🇵🇹.txt", "plain.txt"]
        for name in names { _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(count: 1234)) }
        var state = Fixtures.state()
        state.pickerDirectory = directory
        _ = state.handle(.character("a"))
        var buffer = ScreenBuffer(width: 100, height: 30)
        RootView(state: state).render(in: buffer.bounds, into: &buffer)
        var columns = Set<Int>()
        for y in 0..<buffer.height where buffer.line(y).contains("1.2 KiB") {
            // The cell where the size starts, counted in cells as the terminal places them.
            let x = (0..<buffer.width).first { x in
                x + 7 <= buffer.width && (x..<(x + 7)).map { buffer[$0, y].text }.joined() == "1.2 KiB"
            }
            columns.insert(x ?? -1)
        }
        #expect(columns.count == 1, "\(buffer.text)")
    }
}

/// A folder with a subfolder, a hidden file, small and large files, and one over 150 MB
/// (sparse, so it costs no disk).
enum PickerFixture {
    /// Built once per test process: tests run in parallel, and rewriting the files while
    /// another test lists them showed it sizes of zero.
    static func make() -> String { directory }

    /// The path snapshots show, whatever `TMPDIR` the tests run with.
    static let recordedPath = "/tmp/attache-picker-fixture"

    /// A screen with the fixture's path written as ``recordedPath``, the columns kept: the
    /// columns the path gains or loses are taken from, or given to, the first run of spaces
    /// after the text that follows it (the padding before the next column or the border), so
    /// the screen reads as if drawn with the recorded path, whatever `TMPDIR` is.
    static func asRecorded(_ screen: String) -> String {
        let actual = directory
        guard actual != recordedPath else { return screen }
        let grow = recordedPath.count - actual.count
        return screen.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let range = line.range(of: actual) else { return String(line) }
            let rest = String(line[range.upperBound...])
            // Where the padding starts: two spaces in a row, else the line's end.
            let padding = rest.range(of: "  ")?.lowerBound ?? rest.endIndex
            var after = rest[padding...]
            if grow > 0 {
                guard after.prefix(grow).count == grow, after.prefix(grow).allSatisfy({ $0 == " " }) else { return String(line) }
                after = after.dropFirst(grow)
            }
            let spaces = String(repeating: " ", count: max(0, -grow))
            return line[..<range.lowerBound] + recordedPath + rest[..<padding] + spaces + after
        }.joined(separator: "\n")
    }

    private static let directory: String = {
        // In the tests' own TMPDIR (see scripts/run-tests), so parallel runs never share it.
        let directory = NSTemporaryDirectory() + "attache-picker-fixture"
        let fileManager = FileManager.default
        // Gone when the test process ends, like every folder a test makes.
        atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "attache-picker-fixture") }
        try? fileManager.createDirectory(atPath: directory + "/Photos 2026", withIntermediateDirectories: true)
        for (name, size) in [("brochure.pdf", 1_200_000), ("dataset.csv", 5_400_000), ("movie.mkv", 157_286_401), ("写真.jpg", 3_145_728), (".hidden", 10)] {
            let path = directory + "/" + name
            if !fileManager.fileExists(atPath: path) {
                _ = fileManager.createFile(atPath: path, contents: nil)
            }
            // truncate(2) sets the size in one step, so a reader never sees a short file.
            if let handle = FileHandle(forWritingAtPath: path) {
                try? handle.truncate(atOffset: UInt64(size))
                try? handle.close()
            }
        }
        return directory
    }()
}

/// The workflow around an attachment: reading, saving, deleting, sending, updating attendees.
@Suite("The workflow's screens")
struct WorkflowScreenTests {
    let snapshots = ScreenSnapshotTests()

    static let messageDetails = ItemDetails(
        item: Fixtures.messages[1], from: EmailAddress(name: "Inês Sousa", address: "ines@contoso.com"),
        to: [EmailAddress(name: "Demo User", address: "demo@attache.test")],
        cc: [EmailAddress(name: "José Müller", address: "jose.muller@contoso.com"), EmailAddress(name: nil, address: "finance@contoso.com")],
        body: "Olá,\n\nSegue o relatório trimestral com os números de setembro. The figures for Q3 are in the attached spreadsheet; the slides follow tomorrow.\n\nObrigada,\nInês")

    @Test func readingAMessage() throws {
        var state = Fixtures.state()
        _ = state.handle(.down)
        #expect(state.handle(.enter) == [.loadDetails(Fixtures.messages[1].reference)])
        #expect(state.scope == .reader)
        try snapshots.check("reader-loading-100x30", Fixtures.render(state, width: 100, height: 30))
        _ = state.apply(.detailsLoaded(Self.messageDetails))
        _ = state.apply(.attachmentsLoaded(itemID: Fixtures.messages[1].id, []))
        let text = Fixtures.render(state, width: 100, height: 30)
        #expect(text.contains("From         Inês Sousa <ines@contoso.com>"))
        #expect(text.contains("Cc           José Müller <jose.muller@contoso.com>, finance@contoso.com"))
        try snapshots.check("reader-message-100x30", text)
        // S from the read view: not a draft.
        _ = state.handle(.character("S"))
        #expect(state.status?.text.contains("is not a draft") == true)
        _ = state.handle(.escape)
        #expect(state.modal == nil)
    }

    @Test func readingAnEvent() throws {
        var state = Fixtures.state()
        _ = state.handle(.character("2"))
        _ = state.handle(.enter)
        var event = Fixtures.events[0]
        event.end = .init(dateTime: "2026-11-26T11:00:00.0000000", timeZone: "UTC")
        event.location = "Room 4.12"
        let details = ItemDetails(
            item: event, organizer: EmailAddress(name: "Demo User", address: "demo@attache.test"),
            attendees: [
                Attendee(emailAddress: EmailAddress(name: "Inês Sousa", address: "ines@contoso.com"), type: "required", response: "accepted"),
                Attendee(emailAddress: EmailAddress(name: "佐藤 健", address: "ken.sato@contoso.com"), type: "optional", response: "none"),
            ],
            body: "Agenda: the picker, the transfers pane, and the read view.")
        _ = state.apply(.detailsLoaded(details))
        let text = Fixtures.render(state, width: 100, height: 30)
        #expect(text.contains("Inês Sousa <ines@contoso.com>"), "\(text)")
        try snapshots.check("reader-event-100x30", text)
    }

    @Test func deletingAnAttachmentAsksFirst() throws {
        var state = Fixtures.state(focus: .details)
        state.detailSelection = 1
        #expect(state.handle(.character("x")) == [])
        try snapshots.check("confirm-delete-100x30", Fixtures.render(state, width: 100, height: 30))
        #expect(state.handle(.character("n")) == [])
        #expect(state.modal == nil)
        _ = state.handle(.character("x"))
        let effects = state.handle(.character("y"))
        #expect(effects == [.deleteAttachment(Fixtures.attachments[1], of: Fixtures.messages[0].reference)])
        let refresh = state.apply(.attachmentDeleted(Fixtures.attachments[1], of: Fixtures.messages[0].reference))
        #expect(refresh == [.loadAttachments(Fixtures.messages[0].reference)])
        #expect(state.selectedAttachments?.value == [Fixtures.attachments[0]])
        #expect(state.detailSelection == 0)
        #expect(state.status?.text == "deleted グラフ.xlsx")
    }

    @Test func savingAnAttachmentWithItsProgress() throws {
        var state = Fixtures.state(focus: .details)
        state.downloadDirectory = "/home/ana/Downloads"
        _ = state.handle(.character("s"))
        guard case .prompt(_, let proposed, _) = state.modal else { return #expect(Bool(false), "a prompt") }
        #expect(proposed == "/home/ana/Downloads/report-q3.pdf")
        try snapshots.check("save-prompt-100x30", Fixtures.render(state, width: 100, height: 30))
        for _ in 0..<"report-q3.pdf".count { _ = state.handle(.backspace) }
        for c in "q3.pdf" { _ = state.handle(.character(c)) }
        let effects = state.handle(.enter)
        let download = AppState.Download(
            id: 1, attachmentID: Fixtures.attachments[0].id, name: "report-q3.pdf", destination: "/home/ana/Downloads/q3.pdf", expected: 2_411_008,
            opensWhenDone: false)
        #expect(effects == [.download(download, attachment: Fixtures.attachments[0], of: Fixtures.messages[0].reference)])
        _ = state.apply(.downloadProgress(id: 1, bytes: 1_200_000))
        #expect(state.handle(.character("c")) == [.cancelDownload(id: 1)])
        let text = Fixtures.render(state, width: 100, height: 30)
        #expect(text.contains("saving report-q3.pdf"), "\(text)")
        try snapshots.check("saving-100x30", text)
        _ = state.apply(.downloadFinished(id: 1, bytes: 2_300_000))
        #expect(state.downloads.isEmpty)
        #expect(state.status?.text == "saved report-q3.pdf (2.2 MiB) to /home/ana/Downloads/q3.pdf")
        // Over a file that is there: asked first.
        let folder = NSTemporaryDirectory() + "attache-save-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = FileManager.default.createFile(atPath: folder + "/report-q3.pdf", contents: Data("old".utf8))
        state.downloadDirectory = folder
        _ = state.handle(.character("s"))
        #expect(state.handle(.enter) == [])
        guard case .confirm(let question, _)? = state.modal else { return #expect(Bool(false), "a question") }
        #expect(question == "\(folder)/report-q3.pdf is there already. Replace it with “report-q3.pdf”?")
        let replace = state.handle(.character("y"))
        guard case .download(let again, _, _)? = replace.first else { return #expect(Bool(false), "a download") }
        #expect(again.destination == folder + "/report-q3.pdf")
        // o fetches to a private folder and opens it.
        let open = state.handle(.character("o"))
        guard case .download(let fetch, _, _)? = open.first else { return #expect(Bool(false), "a download") }
        #expect(fetch.opensWhenDone && fetch.destination.isEmpty)
    }

    @Test func sendingADraftAsksFirstAndRefusesWhatIsNotOne() throws {
        var state = Fixtures.state()
        _ = state.handle(.character("S"))
        try snapshots.check("confirm-send-100x30", Fixtures.render(state, width: 100, height: 30))
        // holiday-video.mp4 is still on its way to it: yes waits for it, and sends once it lands.
        #expect(state.handle(.character("y")) == [])
        #expect(state.sendsWaiting[Fixtures.messages[0].reference] != nil)
        var landed = state.transfers[0]
        landed.phase = .attached(AttachmentInfo(id: "AAMkADvideo=", name: "holiday-video.mp4"))
        #expect(state.apply(.transfer(.changed(landed))).contains(.sendDraft(Fixtures.messages[0].reference, subject: "Quarterly report — Q3 figures")))
        #expect(state.sendsWaiting.isEmpty)
        #expect(state.apply(.draftSent(Fixtures.messages[0].reference, subject: "Quarterly report — Q3 figures")) == [.loadItems(.message)])
        _ = state.handle(.down)
        #expect(state.handle(.character("S")) == [])
        #expect(state.modal == nil)
        #expect(state.status?.text == "“Relatório trimestral: números de setembro” is not a draft: it was sent or received already")
        _ = state.handle(.character("2"))
        _ = state.handle(.character("S"))
        #expect(state.status?.text == "only a draft message can be sent; select one in Messages")
    }

    @Test func attachingToAnEventOffersToUpdateItsAttendees() throws {
        var state = Fixtures.state(transfers: false)
        var snapshot = Fixtures.transfer(7, "agenda.pdf", 900_000, to: Fixtures.events[0], .uploading)
        _ = state.apply(.transfer(.changed(snapshot)))
        snapshot.phase = .attached(AttachmentInfo(id: "AAMkADagenda="))
        _ = state.apply(.transfer(.changed(snapshot)))
        let text = Fixtures.render(state, width: 100, height: 30)
        #expect(text.contains("Send its attendees an"))
        try snapshots.check("confirm-notify-100x30", text)
        #expect(state.handle(.character("y")) == [.notifyAttendees(Fixtures.events[0].reference, title: "Design review: attache TUI")])
        // U on an event asks the same.
        _ = state.handle(.character("2"))
        _ = state.handle(.character("U"))
        guard case .confirm(_, .notifyAttendees)? = state.modal else {
            Issue.record("a question, not \(String(describing: state.modal)); \(String(describing: state.status))")
            return
        }
    }

    @Test func pausingAndClearing() {
        var state = Fixtures.state(focus: .transfers)
        #expect(state.handle(.character("p")) == [.pause(1)])
        var pausing = state.transfers[0]
        pausing.stopping = .pausing
        _ = state.apply(.transfer(.changed(pausing)))
        #expect(Fixtures.render(state, width: 100, height: 30).contains("pausing…"))
        var cancelling = pausing
        cancelling.stopping = .cancelling
        _ = state.apply(.transfer(.changed(cancelling)))
        #expect(Fixtures.render(state, width: 100, height: 30).contains("cancelling…"))
        var paused = pausing
        paused.stopping = nil
        paused.phase = .paused
        _ = state.apply(.transfer(.changed(paused)))
        let text = Fixtures.render(state, width: 100, height: 30)
        #expect(text.contains("paused · p resumes"), "\(text)")
        #expect(state.handle(.character("p")) == [.resume(1)])
        #expect(state.handle(.character("D")) == [.clearFinished])
        state.transfers = [paused]
        #expect(state.handle(.character("D")) == [])
        #expect(state.status?.text == "no finished transfers to clear")
    }

    @Test func theMouseSelectsAndScrolls() {
        var state = Fixtures.state()
        state.screen = Rect(x: 0, y: 0, width: 100, height: 30)
        // Row 3 of the list is the third message (the title row, the pane's title, then rows).
        _ = state.handle(.mouse(MouseEvent(x: 10, y: 4, .click)))
        #expect(state.selectedItem?.id == Fixtures.messages[2].id)
        #expect(state.focus == .items)
        _ = state.handle(.mouse(MouseEvent(x: 10, y: 4, .wheelDown)))
        #expect(state.selectedItem?.id == Fixtures.messages[4].id)
        // The Events tab in the title.
        let events = TitleBarView.tabColumns(of: state)[1].1
        _ = state.handle(.mouse(MouseEvent(x: events.lowerBound + 2, y: 0, .click)))
        #expect(state.tab == .event)
        // A transfer row.
        let transfers = RootView.layout(of: state, in: Rect(x: 0, y: 0, width: 100, height: 30)).transfers
        _ = state.handle(.mouse(MouseEvent(x: 5, y: transfers.y + 3, .click)))
        #expect(state.focus == .transfers)
        #expect(state.selectedTransfer?.id == 3)
    }
}

extension ScreenSnapshotTests {
    /// The screen README.md shows, so its picture stays true to the code.
    @Test func theReadmeScreen() throws {
        var state = Fixtures.state(focus: .items)
        state.notify("attached report-q3.pdf (2.3 MiB)", .success)
        try check("readme-128x30", Fixtures.render(state, width: 128, height: 30))
    }
}
