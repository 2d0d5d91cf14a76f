import AttacheCore
import Foundation
import Testing

@testable import AttacheTUI

@Suite("Keys and events, without a terminal")
struct AppStateTests {
    @Test func movingStaysInBounds() {
        var state = Fixtures.state()
        #expect(state.selectedItem?.id == Fixtures.messages[0].id)
        _ = state.handle(.character("k"))
        #expect(state.itemSelection[.message] == 0)
        for _ in 0..<10 { _ = state.handle(.character("j")) }
        #expect(state.itemSelection[.message] == 4)
        _ = state.handle(.character("g"))
        #expect(state.itemSelection[.message] == 0)
        _ = state.handle(.end)
        #expect(state.itemSelection[.message] == 4)
        _ = state.handle(.pageUp)
        #expect(state.itemSelection[.message] == 0)
    }

    /// `R` keeps the item, not the row: a message arriving above the selection leaves the
    /// selection on the same message, so `a` attaches where the user was looking.
    @Test func refreshKeepsTheSelectedItemWhenAMessageArrivesAbove() {
        var state = Fixtures.state(transfers: false)
        _ = state.handle(.down)
        _ = state.handle(.down)
        let selected = Fixtures.messages[2].id
        #expect(state.selectedItem?.id == selected)
        _ = state.handle(.character("R"))
        let arrived = OutlookItem(id: "AAMkADnewAAA=", kind: .message, subject: "Just arrived", receivedDateTime: "2026-11-25T09:00:00Z", isDraft: true, attachments: [])
        _ = state.apply(.itemsLoaded(.message, [arrived] + Fixtures.messages))
        #expect(state.selectedItem?.id == selected)
        #expect(state.itemSelection[.message] == 3)
        // Gone from the new list: the row stays where it was, within bounds.
        _ = state.handle(.character("R"))
        _ = state.apply(.itemsLoaded(.message, Array(Fixtures.messages.prefix(2))))
        #expect(state.itemSelection[.message] == 1)
    }

    @Test func tabCyclesPanesAndAsksForAttachments() {
        var state = Fixtures.state()
        _ = state.handle(.down)
        state.details[Fixtures.messages[1].id] = nil
        #expect(state.handle(.tab) == [.loadAttachments(Fixtures.messages[1].reference)])
        #expect(state.focus == .details)
        #expect(state.handle(.tab) == [])
        #expect(state.focus == .transfers)
        _ = state.handle(.tab)
        #expect(state.focus == .items)
        _ = state.handle(.backTab)
        #expect(state.focus == .transfers)
    }

    @Test func attachingThroughThePicker() {
        let directory = PickerFixture.make()
        var state = Fixtures.state()
        state.pickerDirectory = directory
        #expect(state.handle(.character("a")) == [])
        guard case .picker(let picker) = state.modal else {
            Issue.record("the picker should be open")
            return
        }
        #expect(picker.target == Fixtures.messages[0].reference)
        #expect(picker.entries.map(\.name) == ["..", "Photos 2026", "brochure.pdf", "dataset.csv", "movie.mkv", "写真.jpg"])
        #expect(picker.entries.map(\.plan) == ["", "", "POST", "session", "→ link", "session"])
        _ = state.handle(.down)
        _ = state.handle(.down)
        let effects = state.handle(.enter)
        #expect(effects == [.upload(paths: [directory + "/brochure.pdf"], to: Fixtures.messages[0].reference, title: "Quarterly report — Q3 figures")])
        #expect(state.modal == nil)
        #expect(state.focus == .transfers)
    }

    /// A file over 150 MiB is marked as a OneDrive link, with why; attaching asks, and the
    /// others go as attachments whatever the answer.
    @Test func markingSeveralFilesWithOneOverOutlooksLimit() {
        let directory = PickerFixture.make()
        var state = Fixtures.state()
        state.pickerDirectory = directory
        _ = state.handle(.character("a"))
        _ = state.handle(.character("G"))  // 写真.jpg
        _ = state.handle(.character(" "))
        _ = state.handle(.up)  // movie.mkv
        _ = state.handle(.character(" "))
        #expect(state.status?.text == "movie.mkv would go as a OneDrive link: it is over the 150 MiB Outlook takes per attachment")
        _ = state.handle(.up)  // the mark moved the selection down: movie.mkv again
        _ = state.handle(.up)  // dataset.csv
        _ = state.handle(.character(" "))
        guard case .picker(let picker) = state.modal else { return }
        #expect(picker.markedPaths == [directory + "/写真.jpg", directory + "/movie.mkv", directory + "/dataset.csv"])
        #expect(state.handle(.enter) == [])
        guard case .confirm(let question, _) = state.modal else {
            Issue.record("attaching a file Outlook cannot take asks first")
            return
        }
        #expect(question.hasPrefix("“movie.mkv”: it is over the 150 MiB Outlook takes per attachment. Share it from your OneDrive as a link"))
        #expect(question.hasSuffix("The other 2 files are attached either way."))
        let title = "Quarterly report — Q3 figures"
        let attach = [directory + "/写真.jpg", directory + "/dataset.csv"]
        #expect(
            state.handle(.character("y")) == [
                .upload(paths: attach, to: Fixtures.messages[0].reference, title: title),
                .share(paths: [directory + "/movie.mkv"], to: Fixtures.messages[0].reference, title: title),
            ])
    }

    @Test func noToTheLinkStillAttachesTheOthersAndWithTheConfigNothingIsAsked() {
        let directory = PickerFixture.make()
        for asks in [true, false] {
            var state = Fixtures.state()
            state.pickerDirectory = directory
            state.shareWithoutAsking = !asks
            _ = state.handle(.character("a"))
            _ = state.handle(.character("G"))
            _ = state.handle(.character(" "))
            _ = state.handle(.up)
            _ = state.handle(.character(" "))
            let title = "Quarterly report — Q3 figures"
            let effects = state.handle(.enter)
            if asks {
                #expect(effects == [])
                #expect(state.handle(.character("n")) == [.upload(paths: [directory + "/写真.jpg"], to: Fixtures.messages[0].reference, title: title)])
                #expect(state.status?.text == "not shared: movie.mkv")
            } else {
                #expect(
                    effects == [
                        .upload(paths: [directory + "/写真.jpg"], to: Fixtures.messages[0].reference, title: title),
                        .share(paths: [directory + "/movie.mkv"], to: Fixtures.messages[0].reference, title: title),
                    ])
            }
        }
    }

    @Test func pickerFoldersAndEscape() {
        let directory = PickerFixture.make()
        var state = Fixtures.state()
        state.pickerDirectory = directory
        _ = state.handle(.character("a"))
        _ = state.handle(.down)
        _ = state.handle(.enter)
        guard case .picker(let inside) = state.modal else { return }
        #expect(inside.directory == directory + "/Photos 2026")
        _ = state.handle(.backspace)
        guard case .picker(let back) = state.modal else { return }
        #expect(back.directory == directory)
        #expect(back.selectedEntry?.name == "Photos 2026")
        _ = state.handle(.character("."))
        guard case .picker(let hidden) = state.modal else { return }
        #expect(hidden.entries.contains { $0.name == ".hidden" })
        _ = state.handle(.escape)
        #expect(state.modal == nil)
    }

    @Test func cancellingAskesFirst() {
        var state = Fixtures.state(focus: .transfers)
        #expect(state.handle(.character("c")) == [])
        guard case .confirm(_, .cancelTransfer(1)) = state.modal else {
            Issue.record("a confirmation should be up")
            return
        }
        #expect(state.handle(.character("x")) == [])
        #expect(state.handle(.character("y")) == [.cancel(1)])
        #expect(state.modal == nil)
        _ = state.handle(.character("j"))  // a finished one
        _ = state.handle(.character("c"))
        #expect(state.modal == nil)
        #expect(state.status?.kind == .warning)
    }

    @Test func retryAndRemoveOnlyWhereTheyMakeSense() {
        var state = Fixtures.state(focus: .transfers)
        #expect(state.handle(.character("r")) == [])
        #expect(state.handle(.character("d")) == [])
        state.transferSelection = 4  // failed
        #expect(state.handle(.character("r")) == [.retry(5)])
        #expect(state.handle(.character("d")) == [.remove(5)])
    }

    @Test func quittingAsksWhileTransfersRun() {
        var state = Fixtures.state()
        #expect(state.handle(.character("q")) == [])
        guard case .confirm(_, .quit) = state.modal else {
            Issue.record("quitting with running transfers should ask")
            return
        }
        #expect(state.handle(.character("n")) == [])
        #expect(!state.quitting)
        _ = state.handle(.character("q"))
        #expect(state.handle(.character("y")) == [.quit])
        #expect(state.quitting)

        // One transfer is "1 transfer", not "1 transfers".
        var one = Fixtures.state(transfers: false)
        one.transfers = [Fixtures.transfers[0]]
        _ = one.handle(.character("q"))
        if case .confirm(let question, .quit) = one.modal {
            #expect(question.hasPrefix("1 transfer is not done."), "\(question)")
        } else {
            Issue.record("quitting with one running transfer should ask")
        }

        var idle = Fixtures.state(transfers: false)
        #expect(idle.handle(.character("q")) == [.quit])
        var forced = Fixtures.state()
        #expect(forced.handle(.control("c")) == [.quit])
    }

    @Test func filterNarrowsTheList() {
        var state = Fixtures.state()
        _ = state.handle(.character("/"))
        for character in "RELAT" { _ = state.handle(.character(character)) }
        #expect(state.visibleItems.map(\.id) == [Fixtures.messages[1].id])
        _ = state.handle(.backspace)
        _ = state.handle(.enter)
        #expect(!state.editingFilter)
        #expect(state.filter == "RELA")
        _ = state.handle(.character("/"))
        _ = state.handle(.escape)
        #expect(state.filter.isEmpty)
        #expect(state.visibleItems.count == 5)
    }

    @Test func newDraftPrompt() {
        var state = Fixtures.state()
        _ = state.handle(.character("n"))
        // No recipients yet: the draft is made without them.
        #expect(state.handle(.enter) == [])
        #expect(state.handle(.enter) == [])
        #expect(state.status?.text == "a message needs a subject")
        for character in "Olá" { _ = state.handle(.character(character)) }
        #expect(state.handle(.enter) == [.compose(Composition(kind: .new(subject: "Olá"), to: []))])
        let draft = OutlookItem(id: "NEW=", kind: .message, subject: "Olá", isDraft: true)
        _ = state.apply(.draftCreated(draft))
        #expect(state.selectedItem?.id == "NEW=")
        #expect(state.details["NEW="] == .loaded([]))
    }

    @Test func reloadingKeepsTheSelectedItem() {
        var state = Fixtures.state()
        _ = state.handle(.down)
        _ = state.handle(.down)
        let selected = state.selectedItem?.id
        _ = state.apply(.itemsLoaded(.message, Array(Fixtures.messages.reversed())))
        #expect(state.selectedItem?.id == selected)
    }

    @Test func aFinishedTransferRefreshesTheItem() {
        var state = Fixtures.state(transfers: false)
        var snapshot = Fixtures.transfers[0]
        _ = state.apply(.transfer(.changed(snapshot)))
        snapshot.phase = .attached(AttachmentInfo(id: "X", size: 41_943_040))
        #expect(state.apply(.transfer(.changed(snapshot))) == [.loadAttachments(Fixtures.messages[0].reference)])
        #expect(state.status?.text == "attached holiday-video.mp4 (40.0 MiB)")
        // The same event again changes nothing more.
        #expect(state.apply(.transfer(.changed(snapshot))) == [])
        _ = state.apply(.transfer(.removed(snapshot.id)))
        #expect(state.transfers.isEmpty)
    }

    @Test func statusMessagesExpire() {
        var state = Fixtures.state()
        state.notify("hello", .info, for: 5)
        state.tick(104)
        #expect(state.status != nil)
        state.tick(106)
        #expect(state.status == nil)
    }

    @Test func everyActionHasAKeyAndHelpListsThemAll() {
        let help = HelpView.lines(width: 400, hidden: []).map(\.text).joined(separator: "\n")
        for binding in KeyMap.bindings {
            #expect(help.contains(binding.help))
        }
        #expect(KeyMap.action(for: .character("c"), in: .transfers) == .cancel)
        #expect(KeyMap.action(for: .character("c"), in: .items) == nil)
        #expect(KeyMap.action(for: .character("q"), in: .picker) == .closePicker)
        #expect(KeyMap.action(for: .character("a"), in: .picker) == nil)
        #expect(KeyMap.hints(for: .transfers).map(\.1).prefix(4) == ["details", "cancel", "pause", "retry"])
        // Every mode has its keys in the table, and no key means two things in one scope.
        for scope in KeyMap.Scope.allCases {
            if scope != .global { #expect(!KeyMap.bindings.filter { $0.scope == scope }.isEmpty, "\(scope)") }
            let keys = KeyMap.bindings.filter { $0.scope == scope }.flatMap(\.keys)
            #expect(Set(keys).count == keys.count, "a key bound twice in \(scope)")
        }
        // Windows take only Ctrl-C from the global keys: q is typed into a prompt.
        #expect(KeyMap.action(for: .character("q"), in: .prompt) == nil)
        #expect(KeyMap.action(for: .control("c"), in: .confirm) == .forceQuit)
    }

    @Test func keysOnATooSmallScreenDoNothingButQuit() {
        var state = Fixtures.state()
        state.screen = Rect(x: 0, y: 0, width: 40, height: 10)
        #expect(state.handle(.character("a")) == [])
        #expect(state.handle(.character("2")) == [])
        #expect(state.modal == nil && state.tab == .message)
        state.screen = Rect(x: 0, y: 0, width: 100, height: 30)
        #expect(state.modal == nil)
        state.screen = Rect(x: 0, y: 0, width: 40, height: 10)
        // Transfers run: q asks there as it does on the full screen, and the small screen
        // shows the question; n stays, y quits.
        #expect(state.handle(.character("q")) == [])
        #expect(Fixtures.render(state, width: 40, height: 10).contains("Quit?"))
        #expect(state.handle(.character("n")) == [])
        #expect(state.modal == nil && !state.quitting)
        _ = state.handle(.character("q"))
        #expect(state.handle(.character("y")) == [.quit])
        #expect(state.quitting)
        // With nothing running, q quits at once; Ctrl-Z suspends from here too.
        var idle = Fixtures.state(transfers: false)
        idle.screen = Rect(x: 0, y: 0, width: 40, height: 10)
        #expect(idle.handle(.control("z")) == [.suspend])
        #expect(idle.handle(.character("q")) == [.quit])
    }

    @Test func eachTabHasItsOwnFilterThatIgnoresAccentsAndCase() {
        var state = Fixtures.state()
        _ = state.handle(.character("/"))
        for c in "CAFE" { _ = state.handle(.character(c)) }
        _ = state.handle(.enter)
        #expect(state.visibleItems.map(\.subject) == ["Café ☕ menu for the offsite"])
        _ = state.handle(.character("2"))
        #expect(state.filter == "")
        #expect(state.visibleItems.count == Fixtures.events.count)
        _ = state.handle(.character("1"))
        #expect(state.filter == "CAFE")
        #expect(state.visibleItems.count == 1)
    }

    @Test func aMessageGoesWithTheScreenItWasSaidOn() {
        var state = Fixtures.state()
        state.notify("attached report.pdf", .success)
        _ = state.handle(.character("?"))
        #expect(state.status == nil)
        state.notify("something in the help", .info)
        _ = state.handle(.escape)
        #expect(state.status == nil)
    }

    @Test func theSelectionFollowsTheTransferUnderWayUntilMoved() {
        var state = Fixtures.state(focus: .transfers)
        state.transferSelection = 1
        let directory = PickerFixture.make()
        state.pickerDirectory = directory
        _ = state.handle(.character("a"))
        _ = state.handle(.down)
        _ = state.handle(.down)
        _ = state.handle(.enter)
        // The fixture's own running transfer comes first; once it ends, the new one.
        var new = TransferSnapshot(id: 99, job: Fixtures.transfers[3].job)
        _ = state.apply(.transfer(.changed(new)))
        #expect(state.selectedTransfer?.id == 1)
        var running = state.transfers[0]
        running.phase = .cancelled
        _ = state.apply(.transfer(.changed(running)))
        var retrying = state.transfers[2]
        retrying.phase = .cancelled
        _ = state.apply(.transfer(.changed(retrying)))
        #expect(state.selectedTransfer?.job.file.name == "notes.txt")  // queued, the first
        state.transfers.removeAll { $0.id == 4 }
        new.phase = .uploading
        _ = state.apply(.transfer(.changed(new)))
        #expect(state.selectedTransfer?.id == 99)
        // Moving the selection by hand stops the following.
        _ = state.handle(.character("g"))
        new.phase = .starting
        _ = state.apply(.transfer(.changed(new)))
        #expect(state.transferSelection == 0)
    }
}

@Suite("Themes")
struct ThemeTests {
    @Test func theBuiltinThemesAreTheFilesInThemes() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".theme") }.sorted()
        #expect(files.map { String($0.dropLast(6)) } == Theme.builtinNames)
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            #expect(Theme.builtinSources[String(file.dropLast(6))] == text.trimmingCharacters(in: .newlines), "run scripts/embed-themes")
        }
    }

    @Test(arguments: ["default", "light", "monochrome", "high-contrast"])
    func everyThemeStylesEveryRole(name: String) throws {
        let theme = try Theme.load(name)
        for role in Role.allCases { #expect(theme.styles[role] != nil, "\(name) lacks \(role.rawValue)") }
    }

    @Test func monochromeUsesNoColour() throws {
        #expect(try !Theme.load("monochrome").usesColor)
        #expect(try Theme.load("default").usesColor)
        #expect(try Theme.load("default").style(for: .selection).withoutColor.foreground == .terminalDefault)
    }

    @Test func badThemesSayWhatIsWrong() {
        #expect(throws: ThemeError(message: "no theme 'neon'; try one of default, high-contrast, light, monochrome, or a path to a .theme file")) {
            try Theme.load("neon")
        }
        #expect(throws: ThemeError(message: "t, line 2: 'pink default' does not start with two colours")) {
            try Theme.parse("normal = default default\nselection = pink default", name: "t")
        }
        #expect(throws: ThemeError(message: "t, line 1: unknown attribute 'blink'")) {
            try Theme.parse("normal = red default blink", name: "t")
        }
    }
}
