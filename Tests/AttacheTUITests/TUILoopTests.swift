import AttacheCore
import AttacheTUI
import Foundation
import Testing

/// The screen's real loop (keys → state → effects → frame → diff → terminal) on a
/// ``TestBackend``, against an emulator over loopback: what the tmux tests check, without tmux,
/// plus what a terminal cannot tell (which cells each frame wrote).
///
/// The loop runs on the main actor and sleeps in `poll`, as it does in the binary; a test
/// presses keys between turns. Serialized: each test owns the main actor while its loop turns.
@Suite("The screen's loop, on a test terminal", .serialized)
@MainActor
struct TUILoopTests {
    static let mib = LoopHarness.mib
    static let subject = "Quarterly report — Q3 figures"
    static let second = "Relatório trimestral: números de setembro"

    /// A subject as its row in the list shows it (after the attachment count), not as the
    /// detail pane's title does: its start, which the sender column leaves room for.
    static func listed(_ subject: String) -> String { "  " + subject.prefix(24) }

    /// `42` from a transfer row's `42%`.
    static func percent(_ line: String) -> Int? {
        line.firstMatch(of: /(\d+)%/).flatMap { Int($0.1) }
    }

    @Test func theDemoMailboxAppearsAfterStart() async throws {
        try await LoopHarness.with { harness in
            try harness.waitForMailbox()
            let screen = harness.backend.screen
            #expect(harness.backend.calls.first == .start)
            // The first frame is drawn whole: no cell is left as it was before.
            #expect(harness.backend.frames.first?.cells == 120 * 40)
            #expect(harness.backend.unpaintedCells == 0)
            #expect(screen.line(0).hasPrefix(" attache "))
            #expect(screen.line(0).contains(LoopHarness.account))
            #expect(screen.contains(String(Self.second.prefix(24))))
            // At 120 columns the list has its sender column beside the attachments.
            #expect(screen.row(with: "Inês Sousa", "Relatório trimestral") != nil)
            #expect(screen.contains("旅行の写真 (Kyoto trip photos)"))
            #expect(screen.contains("no transfers yet; select an item and press a"))
            #expect(screen.role(of: Self.listed(Self.subject)) == .selection)
            #expect(screen.contains("Attachments · \(Self.subject)"))
        }
    }

    @Test func keysMoveTheSelectionAndTabChangesThePane() async throws {
        try await LoopHarness.with { harness in
            try harness.waitForMailbox()
            #expect(harness.backend.screen.role(of: " Messages ─") == .paneTitleFocused)
            #expect(harness.backend.screen.role(of: " Attachments · ") == .paneTitle)

            harness.backend.type("j")
            let moved = try harness.waitFor("the second message selected") { $0.role(of: Self.listed(Self.second)) == .selection }
            #expect(moved.role(of: Self.listed(Self.subject)) != .selection)
            #expect(moved.contains("Attachments · Relatório trimestral"))

            harness.backend.press(.tab)
            let details = try harness.waitFor("the attachments pane focused") { $0.role(of: " Attachments · ") == .paneTitleFocused }
            #expect(details.role(of: " Messages ─") == .paneTitle)
            #expect(details.role(of: Self.listed(Self.second)) == .selectionUnfocused)

            harness.backend.press(.tab)
            let transfers = try harness.waitFor("the transfers pane focused") { $0.role(of: " Transfers ─") == .paneTitleFocused }
            #expect(transfers.role(of: " Attachments · ") == .paneTitle)
            #expect(transfers.line(39).contains("c cancel"))

            harness.backend.press(.backTab, .backTab, .character("2"))
            let events = try harness.waitFor("the Events tab") { $0.contains("Design review: attache TUI") }
            #expect(events.role(of: " Events 4 ") == .tabActive)
            #expect(events.role(of: " Events ─") == .paneTitleFocused)
            #expect(!events.contains(Self.subject))
        }
    }

    @Test func aKeySendsOnlyTheCellsItChangedAndIdleSendsNothing() async throws {
        try await LoopHarness.with { harness in
            try harness.waitForMailbox()
            let backend = harness.backend
            let settled = backend.frames.count

            // Nothing changes: the loop sleeps in poll and draws nothing, however long it runs.
            #expect(!harness.app.run(until: { backend.frames.count > settled }, timeout: .milliseconds(300)))
            #expect(backend.frames.count == settled)

            // One key: one frame, writing exactly the cells that differ (two rows' colours
            // and the detail pane's title), a small part of the screen.
            let before = backend.screen
            backend.type("j")
            let after = try harness.waitFor("the frame for j") { _ in backend.frames.count == settled + 1 }
            let frame = try #require(backend.frames.last)
            let changed = after.cellsDiffering(from: before)
            #expect(changed > 0)
            #expect(frame.cells == changed)
            #expect(frame.cells < 120 * 40 / 20, "\(frame.cells) cells for one key")

            // Keys that undo each other: a frame with nothing in it.
            backend.type("jk")
            try harness.waitFor("the frame for j k") { _ in backend.frames.count == settled + 2 }
            #expect(backend.frames.last?.diff.isEmpty == true)
            #expect(backend.frames.last?.cells == 0)
            #expect(backend.screen == after)
        }
    }

    @Test func attachingAFileFillsItsBarAndListsTheAttachment() async throws {
        try await LoopHarness.with(LoopHarness.slowLink) { harness in
            let bytes = try harness.makeFile("report.bin", size: 12 * Self.mib, seed: 7)
            try harness.waitForMailbox()

            harness.backend.type("a")
            try harness.waitFor("the picker, with the file's size and path") { screen in
                screen.contains("Attach to: \(Self.subject)") && screen.row(with: "report.bin", "12.0 MiB", "session") != nil
            }
            harness.backend.press(.character("j"), .enter)

            // Every frame of the transfer's row: the percentages it went through.
            var seen: [Int] = []
            var midway: String?
            try harness.waitFor("report.bin done", timeout: .seconds(60)) { screen in
                guard let y = screen.row(with: "report.bin", "%"), let value = Self.percent(screen.line(y)) else { return false }
                if seen.last != value { seen.append(value) }
                if value > 0, value < 100, midway == nil { midway = screen.line(y) }
                return screen.line(y).contains("done") && value == 100
            }
            #expect(seen.filter { $0 > 0 && $0 < 100 }.count >= 2, "percentages seen: \(seen)")
            #expect(seen == seen.sorted(), "percentages seen: \(seen)")
            let bar = try #require(midway)
            #expect((bar.contains("█") || bar.contains("▓")) && bar.contains("░"), "\(bar)")

            // The item's attachments are read again: the detail pane lists the file, the
            // message counts it, the status bar says so.
            let listed = try harness.waitFor("report.bin in the attachments pane") { screen in
                (0..<screen.height).contains { y in
                    let line = screen.line(y)
                    // In the attachments pane, right of its border: the status bar says the
                    // same name and size as soon as the transfer ends, before the list reloads.
                    // The file's own size, which the screen knows: not Graph's, with its overhead.
                    return line.contains("│ report.bin") && line.contains("12.0 MiB") && !line.contains("%")
                }
            }
            #expect(listed.row(with: "  1  draft", String(Self.subject.prefix(24))) != nil)
            #expect(listed.line(39).contains("attached report.bin (12.0 MiB)"))

            // A status message waiting to expire is no reason to draw: once drew an empty
            // frame every second while it stood.
            let settled = harness.backend.frames.count
            #expect(!harness.app.run(until: { harness.backend.frames.count > settled }, timeout: .milliseconds(2500)))

            // Byte-exact on the server, and no session left open.
            let item = try await harness.message(Self.subject)
            let attachments = try await harness.graph.attachments(of: item.reference)
            #expect(attachments.map(\.name) == ["report.bin"])
            let attachment = try #require(attachments.first)
            #expect(try await harness.value(of: attachment.id, on: item) == bytes)
            #expect(try await harness.openSessions().isEmpty)
        }
    }

    @Test func cancellingARunningTransferEndsItCancelledWithNoSessionLeft() async throws {
        try await LoopHarness.with(LoopHarness.slowLink) { harness in
            try harness.makeFile("big.bin", size: 20 * Self.mib, seed: 9)
            try harness.waitForMailbox()
            harness.backend.type("a")
            try harness.waitFor("the picker") { $0.row(with: "big.bin", "20.0 MiB") != nil }
            harness.backend.press(.character("j"), .enter)
            try harness.waitFor("big.bin uploading", timeout: .seconds(30)) { screen in
                screen.row(with: "big.bin", "uploading").flatMap { Self.percent(screen.line($0)) }.map { $0 > 0 } ?? false
            }
            #expect(try await harness.openSessions().count == 1)

            // Enter on the file moved the focus to the transfers, onto the new row.
            harness.backend.type("c")
            try harness.waitFor("the confirmation") { $0.contains("Cancel the upload of big.bin?") }
            harness.backend.type("y")
            let cancelled = try harness.waitFor("big.bin cancelled", timeout: .seconds(20)) { $0.row(with: "big.bin", "cancelled") != nil }
            #expect(cancelled.line(39).contains("cancelled big.bin; its session was deleted"))
            #expect(try await harness.openSessions().isEmpty)
            #expect(try await harness.stats()["deletedSessions"] == 1)
            let item = try await harness.message(Self.subject)
            #expect(try await harness.graph.attachments(of: item.reference).isEmpty)
        }
    }

    @Test func aResizeRedrawsTheWholeScreenAtTheNewSize() async throws {
        try await LoopHarness.with { harness in
            let backend = harness.backend
            try harness.waitForMailbox()
            #expect(backend.screen.contains("┬─ Attachments"))

            // A SIGWINCH, as the app's handler passes it on: the backend takes the new size,
            // and the next frame writes every cell of it.
            backend.resize(width: 80, height: 24)
            harness.app.receive(signal: SIGWINCH)
            let narrow = try harness.waitFor("the 80-column layout") { screen in
                screen.width == 80 && (0..<screen.height).contains { screen.line($0).hasPrefix("─ Messages") }
            }
            #expect(narrow.height == 24)
            #expect(!narrow.contains("┬"))  // stacked panes below 90 columns
            #expect(backend.unpaintedCells == 0)
            let resized = try #require(backend.calls.lastIndex(of: .resized))
            guard case .draw(_, let cells) = backend.calls[resized + 1] else {
                Issue.record("no frame after the resize: \(backend.calls.suffix(3))")
                return
            }
            #expect(cells == 80 * 24)

            // ncurses' own way, a KEY_RESIZE: the same whole frame.
            backend.resize(width: 120, height: 40)
            backend.press(.resize)
            let wide = try harness.waitFor("the 120-column layout again") { $0.width == 120 && $0.contains("┬─ Attachments") }
            #expect(wide.height == 40)
            #expect(backend.frames.last?.cells == 120 * 40)
            #expect(backend.unpaintedCells == 0)
        }
    }

    @Test func aTinyTerminalShowsItsTooSmallMessage() async throws {
        try await LoopHarness.with(width: 40, height: 10) { harness in
            let tiny = try harness.waitFor("the too-small message") { $0.contains("attache needs at least") }
            let words = (0..<tiny.height).map { tiny.line($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            #expect(words.joined(separator: " ") == "attache needs at least 50×12; this terminal is 40×10. Enlarge it, or press q to quit.")
            #expect(harness.backend.unpaintedCells == 0)

            harness.backend.resize(width: 100, height: 30)
            harness.app.receive(signal: SIGWINCH)
            try harness.waitFor("the screen at 100×30") { $0.width == 100 && $0.contains(Self.subject) }

            harness.backend.resize(width: 30, height: 8)
            harness.app.receive(signal: SIGWINCH)
            try harness.waitFor("the message at 30×8") { $0.width == 30 && $0.contains("30×8.") }
            // Keys pressed while nothing shows what they do are not kept for later.
            harness.backend.type("2a")
            harness.app.run(until: { false }, timeout: .milliseconds(300))
            harness.backend.resize(width: 100, height: 30)
            harness.app.receive(signal: SIGWINCH)
            try harness.waitFor("the screen again, as it was") { $0.width == 100 && $0.contains(Self.subject) }
            #expect(harness.app.state.modal == nil && harness.app.state.tab == .message)
            harness.backend.resize(width: 30, height: 8)
            harness.app.receive(signal: SIGWINCH)
            try harness.waitFor("the message at 30×8 again") { $0.width == 30 && $0.contains("30×8.") }
            // q works at any size.
            harness.backend.type("q")
            #expect(!harness.app.run(until: { false }, timeout: .seconds(10)))
            #expect(harness.app.state.quitting)
        }
    }

    @Test func qWithNothingRunningEndsTheLoopAndStopsTheTerminal() async throws {
        try await LoopHarness.with { harness in
            try harness.waitForMailbox()
            harness.backend.type("q")
            // The loop ends by itself (run(until:) gives up at once when the app quits).
            #expect(!harness.app.run(until: { false }, timeout: .seconds(10)))
            #expect(harness.app.state.quitting)
            #expect(harness.backend.isStarted)
            #expect(await harness.finish() == 0)
            #expect(!harness.backend.isStarted)
            #expect(harness.backend.calls.filter { $0 == .start || $0 == .stop } == [.start, .stop])
            #expect(harness.backend.calls.last == .stop)
        }
    }

    /// `run()` itself, the binary's entry, with the keys typed before it starts.
    @Test func runDrawsAWholeFrameThenEndsOnQ() async throws {
        try await LoopHarness.with(start: false) { harness in
            harness.backend.type("q")
            let unfinished = try await harness.app.run()
            #expect(unfinished == 0)
            let calls = harness.backend.calls
            #expect(calls.first == .start)
            #expect(calls.last == .stop)
            #expect(harness.backend.frames.first?.cells == 120 * 40)
            #expect(harness.backend.unpaintedCells == 0)
        }
    }

    @Test func aSIGTERMMidUploadEndsTheLoopAndKeepsTheSession() async throws {
        try await LoopHarness.with(LoopHarness.slowLink) { harness in
            try harness.makeFile("big.bin", size: 20 * Self.mib, seed: 11)
            try harness.waitForMailbox()
            harness.backend.type("a")
            try harness.waitFor("the picker") { $0.contains("big.bin") }
            harness.backend.press(.character("j"), .enter)
            try harness.waitFor("big.bin uploading", timeout: .seconds(30)) { screen in
                screen.row(with: "big.bin", "uploading").flatMap { Self.percent(screen.line($0)) }.map { $0 > 0 } ?? false
            }
            harness.app.receive(signal: SIGTERM)
            #expect(!harness.app.run(until: { false }, timeout: .seconds(10)))
            #expect(harness.app.state.quitting)
            // Interrupted, not cancelled: the session stays for `attache resume`.
            #expect(await harness.finish() == 1)
            #expect(try await harness.openSessions().count == 1)
        }
    }
}

extension TUILoopTests {
    /// A list that loaded as many items as it may can leave more on the server: Enter on
    /// the filter asks the mailbox (`$search`), and what it finds joins the list.
    @Test func aFilterSearchesTheMailboxBeyondTheLoadedList() async throws {
        try await LoopHarness.with(listLimit: 3) { harness in
            try harness.waitFor("three messages, the newest") { $0.contains("Quarterly report — Q3 figures") }
            #expect(!harness.backend.screen.contains("Café ☕ menu"))
            harness.backend.type("/cafe")
            try harness.waitFor("no match among the loaded ones") { $0.contains("Enter searches the mailbox") }
            harness.backend.press(.enter)
            try harness.waitFor("the mailbox's match") { screen in
                screen.contains("Café ☕ menu for the offsite") && screen.contains("1 in the mailbox")
            }
            harness.backend.type("a")
            try harness.waitFor("the picker, for the found message") { $0.contains("Attach to: Café ☕ menu for the offsite") }
        }
    }
}
