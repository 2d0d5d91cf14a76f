import Foundation
import GraphEmulator
import Synchronization
import Testing

/// A value a proxy's rule reads and the test sets once it knows it.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func get() -> Value { value.withLock { $0 } }
    func set(_ new: Value) { value.withLock { $0 = new } }
}

/// What the screen says is what is so, in the real binary under tmux against the emulator
/// (and a proxy in front of it, where a server must misbehave): issue 24's defects 4 to 11.
extension TUITests {
    /// The screen's text as sentences: rows trimmed and joined, so a message the status bar
    /// wrapped reads whole.
    static func sentences(_ screen: [String]) -> String {
        screen.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ").replacing(/\ {2,}/, with: " ")
    }

    /// The first message's id and subject, and the third's.
    func demoMessages(_ harness: CLIHarness) async throws -> [(id: String, subject: String)] {
        let list = try await harness.json("/me/messages?$select=id,subject&$top=10")["value"] as? [[String: Any]] ?? []
        return list.compactMap { item in (item["id"] as? String).map { ($0, item["subject"] as? String ?? "") } }
    }

    /// Defect 4: a server that lists items without their expanded attachments (a server may
    /// omit them) has each item's attachments asked for: the pane lists them, never stays
    /// "loading attachments…", and the counts are true, also after `R`, which says what it did.
    @Test func aListWithoutItsAttachmentsHasThemAskedFor() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.withHostileProxy(rule: { exchange in
            guard exchange.method == "GET", exchange.target.contains("expand") else { return .forward }
            return .rewrite { reply in
                var reply = reply
                var json = reply.json
                json["value"] = (json["value"] as? [[String: Any]])?.map { item in
                    var item = item
                    item["attachments"] = nil
                    return item
                }
                reply.body = try! JSONSerialization.data(withJSONObject: json)
                return reply
            }
        }) { harness, proxy in
            let messages = try await demoMessages(harness)
            let first = messages[0]
            let third = messages[2]
            for (index, item) in [first, third, third].enumerated() {
                let file = try harness.makeFile("file-\(index).txt", size: 1_000 + index, seed: UInt64(index + 1))
                #expect(try await harness.attache("upload", [file.path, "--message", item.id]).status == 0)
            }
            let tmux = try launch(harness, width: 120, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the first message's attachment, and its count") { screen in
                screen.contains { $0.contains("│ file-0.txt") }
                    && screen.contains { $0.contains("  1  ") && $0.contains(String(first.subject.prefix(20))) }
            }
            try tmux.send("j", "j")
            try await tmux.waitFor("the third message's two attachments") { screen in
                screen.contains { $0.contains("│ file-1.txt") } && screen.contains { $0.contains("│ file-2.txt") }
                    && screen.contains { $0.contains("  2  ") && $0.contains(String(third.subject.prefix(20))) }
                    && !screen.contains { $0.contains("loading attachments") }
            }
            // They were asked for, item by item, since the list held none.
            let asked = proxy.exchanges.filter { $0.method == "GET" && $0.target.contains("/attachments") && !$0.target.contains("expand") }
            #expect(asked.contains { $0.target.contains(third.id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? third.id) || $0.target.contains(third.id) })
            // A new one arrives on the first message; R finds it, says so, and counts it.
            let more = try harness.makeFile("file-3.txt", size: 900, seed: 9)
            #expect(try await harness.attache("upload", [more.path, "--message", first.id]).status == 0)
            try tmux.send("g", "R")
            try await tmux.waitFor("R's report and the new count") { screen in
                screen.joined().contains("refreshed: 5 messages, nothing new")
                    && screen.contains { $0.contains("  2  ") && $0.contains(String(first.subject.prefix(20))) }
                    && screen.contains { $0.contains("  2  ") && $0.contains(String(third.subject.prefix(20))) }
            }
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// Defect 5: in a shared mailbox, where Graph refuses upload sessions with delegated
    /// permissions, the picker says which files go as OneDrive links, and why, before anything
    /// is sent; attaching asks, and a yes shares the large file (on the sender's own OneDrive,
    /// its link in the shared draft's body) while the small one goes as one request.
    @Test func thePickerInASharedMailboxSaysWhichFilesGoAsLinks() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let big = try harness.makeFile("big-scan.pdf", size: 5 * Self.mib, seed: 51)
            let small = try harness.makeFile("small-note.txt", size: 20_000, seed: 52)
            let draft = try await harness.postJSON("/users/\(EmulatorConfiguration.sharedMailbox)/messages", ["subject": "Scans for the team"])
            let item = try #require(draft["id"] as? String)
            let tmux = try launch(harness, width: 120, height: 30, extra: "--mailbox \(EmulatorConfiguration.sharedMailbox)")
            defer { tmux.kill() }
            try await tmux.waitFor("the shared mailbox") { $0.contains { $0.contains("Scans for the team") } }
            try tmux.send("a")
            try await tmux.waitFor("big-scan.pdf as a link in the picker") { screen in
                screen.contains { $0.contains("big-scan.pdf") && $0.contains("→ link") }
                    && screen.contains { $0.contains("small-note.txt") && $0.contains("POST") }
            }
            try tmux.send("j", "Space", "j", "Space", "Enter")
            try await tmux.waitFor("the question") { screen in
                screen.contains { $0.contains("“big-scan.pdf”: Graph takes no large attachments in a shared") }
                    && screen.contains { $0.contains("Share it from your OneDrive as a link") }
                    && screen.contains { $0.contains("file is attached either way.") }
            }
            try tmux.send("y")
            try await tmux.waitFor("both done", timeout: .seconds(30)) { screen in
                screen.contains { $0.contains("big-scan.pdf → OneDrive link") && $0.contains("done · link in the message") }
                    && screen.contains { $0.contains("small-note.txt") && $0.contains("done") }
            }
            let mailbox = "users/\(EmulatorConfiguration.sharedMailbox)"
            let attached = try #require(try await harness.json("/\(mailbox)/messages/\(item)/attachments")["value"] as? [[String: Any]])
            #expect(attached.map { $0["name"] as? String } == ["small-note.txt"])
            let id = try #require(attached.first?["id"] as? String)
            #expect(try await harness.valueDigest("messages", item, id, mailbox: mailbox).sha256 == small.sha256)
            #expect(try await harness.stats()["createSessionRequests"] ?? 0 == 0)
            let drive = try await harness.http(.GET, harness.emulator.origin + "/_emulator/drive")
            let files = try #require((try JSONSerialization.jsonObject(with: drive.body) as? [String: Any])?["items"] as? [[String: Any]])
            #expect(files.map { $0["sha256"] as? String } == [big.sha256])
            let link = try #require((files.first?["links"] as? [[String: Any]])?.first?["webUrl"] as? String)
            let body = try await harness.json("/\(mailbox)/messages/\(item)?$select=body")["body"] as? [String: Any]
            #expect((body?["content"] as? String ?? "").contains(link))
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// Defect 6: a file whose name is not UTF-8 (Latin-1 `café`) is listed as the file it is,
    /// its name shown escaped, and attached byte for byte, through an upload session; the
    /// attachment is named with U+FFFD where the byte was. The command line takes it too.
    @Test func aFileNameThatIsNotUTF8IsAttachedByteForByte() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let messages = try await demoMessages(harness)
            let item = messages[0].id
            let made = try harness.makeFile("latin1-source.bin", size: 3_500_000, seed: 61)
            // caf\xe9.bin, by its bytes: Foundation cannot name it.
            let raw = Array((harness.workDirectory + "/caf").utf8) + [0xE9] + Array(".bin".utf8)
            let renamed = (raw + [0]).withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { rename(made.path, $0.baseAddress!) }
            }
            try #require(renamed == 0)
            let tmux = try launch(harness, width: 120, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("a")
            try await tmux.waitFor("the file, its name escaped, with its size and path") { screen in
                screen.contains { $0.contains("caf\\xe9.bin") && $0.contains("3.3 MiB") && $0.contains("session") }
            }
            try tmux.send("j", "Enter")
            try await tmux.waitFor("attached", timeout: .seconds(60)) { screen in
                screen.contains { $0.contains("caf\\xe9.bin") && $0.contains("done") }
            }
            let attached = try await harness.attachments("messages", item)
            let id = try #require(attached.first { $0["name"] as? String == "caf\u{FFFD}.bin" }?["id"] as? String, "\(attached)")
            #expect(try await harness.valueDigest("messages", item, id).sha256 == made.sha256)
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }

            // The command line: the shell hands it the same bytes.
            let script = "exec \"$0\" upload \"$(printf '\(harness.workDirectory)/caf\\351.bin')\" --message '\(messages[1].id)' " + harness.connection.map { "'\($0)'" }.joined(separator: " ")
            let upload = try await CLIHarness.run(["/bin/sh", "-c", script, CLIHarness.binary], prefix: ["/usr/bin/env"], bare: true)
            #expect(upload.status == 0, "\(upload.stderr)")
            let second = try await harness.attachments("messages", messages[1].id)
            let other = try #require(second.first { $0["name"] as? String == "caf\u{FFFD}.bin" }?["id"] as? String, "\(second)")
            #expect(try await harness.valueDigest("messages", messages[1].id, other).sha256 == made.sha256)
        }
    }

    /// Defect 7: once a cancel deletes the session, the row and the details claim no byte
    /// held (no percentage, no `▓`, no ranges), and `r` after "file changed" checks the file
    /// again and attaches it as it now is.
    @Test func aCancelledRowHoldsNothingAndRetryTakesTheFileAsItNowIs() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(Self.slowLink) { harness in
            let item = try await demoMessages(harness)[0].id
            _ = try harness.makeFile("cancel-me.bin", size: 20 * Self.mib, seed: 71)
            let changing = try harness.makeFile("changes.bin", size: 12 * Self.mib, seed: 72)
            let tmux = try launch(harness, width: 120, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("a")
            try await tmux.waitFor("the picker") { $0.contains { $0.contains("cancel-me.bin") } }
            try tmux.send("j", "Enter")
            try await tmux.waitFor("some of it held", timeout: .seconds(30)) { (Self.row($0, "cancel-me.bin").flatMap(Self.percent) ?? 0) >= 10 }
            try tmux.send("c")
            try await tmux.waitFor("the question") { $0.joined().contains("Cancel the upload of cancel-me.bin?") }
            try tmux.send("y")
            let cancelled = try await tmux.waitFor("cancelled", timeout: .seconds(30)) { screen in
                screen.contains { $0.contains("cancel-me.bin") && $0.contains("cancelled") && !$0.contains("cancelling") }
            }
            let row = try #require(cancelled.first { $0.contains("cancel-me.bin") && $0.contains("cancelled") })
            #expect(!row.contains("%") && !row.contains("▓") && !row.contains("█") && !row.contains("/20.0 MiB"), "\(row)")
            #expect(row.contains("20.0 MiB"), "\(row)")
            #expect(try await harness.openSessions().isEmpty)
            try tmux.send("Enter")
            let details = try await tmux.waitFor("its details") { $0.contains { $0.contains("ranges held") } }
            #expect(details.contains { $0.contains("ranges held") && $0.contains("none") }, "\(details)")
            #expect(details.contains { $0.contains("confirmed") && $0.contains("its session was deleted") }, "\(details)")
            #expect(!details.contains { $0.contains("in flight") })
            try tmux.send("Escape")

            // A file that changes while it goes fails; r takes it as it now is.
            try tmux.send("a")
            try await tmux.waitFor("the picker again") { $0.contains { $0.contains("changes.bin") } }
            try tmux.send("j", "j", "Enter")
            try await tmux.waitFor("changes.bin under way", timeout: .seconds(30)) { (Self.row($0, "changes.bin").flatMap(Self.percent) ?? 0) > 0 }
            let handle = try #require(FileHandle(forWritingAtPath: changing.path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(repeating: 0x5A, count: 100_000))
            try handle.close()
            try await tmux.waitFor("changes.bin failed as changed", timeout: .seconds(60)) { screen in
                screen.contains { $0.contains("changes.bin") && $0.contains("failed") }
            }
            // r once the file stands still: it goes whole, as it now is.
            try tmux.send("r")
            try await tmux.waitFor("changes.bin attached", timeout: .seconds(90)) { screen in
                screen.contains { $0.contains("changes.bin") && $0.contains("done") }
            }
            let attached = try await harness.attachments("messages", item)
            let id = try #require(attached.first { $0["name"] as? String == "changes.bin" }?["id"] as? String)
            let now = try RawDownloadTests.sha256(ofFile: changing.path)
            #expect(now != changing.sha256)
            let digest = try await harness.valueDigest("messages", item, id)
            #expect(digest.sha256 == now && digest.bytes == 12 * Self.mib + 100_000)
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// Defect 8: times are in the local zone (`TZ`), as mail clients show them, and where a
    /// time stands alone the zone is named.
    @Test func timesAreShownInTheLocalZone() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let list = try await harness.json("/me/messages?$select=id,subject,receivedDateTime&$top=5")["value"] as? [[String: Any]] ?? []
            let second = try #require(list.dropFirst().first)
            let received = try #require((second["receivedDateTime"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
            var tokyo = Calendar(identifier: .gregorian)
            tokyo.timeZone = TimeZone(identifier: "Asia/Tokyo")!
            let parts = tokyo.dateComponents([.year, .month, .day, .hour, .minute], from: received)
            let local = String(format: "%04d-%02d-%02d %02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!)
            let tmux = try launch(harness, width: 140, height: 30, environment: ["TZ": "Asia/Tokyo"])
            defer { tmux.kill() }
            try await tmux.waitFor("the list, in Tokyo's time") { $0.contains { $0.contains(local) } }
            try tmux.send("j", "Enter")
            try await tmux.waitFor("the message, its time and zone") { screen in
                screen.contains { $0.contains("Received") && $0.contains(local + " JST") }
            }
            try tmux.send("Escape", "q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// Defect 9: an attachment attache made shows its file's size (Graph's counts Outlook's
    /// overhead on top), also in a later run, from the journal; its details say both; and the
    /// save bar runs to the file's size. One it did not make shows Graph's size, marked `~`.
    @Test func attachmentsShowTheirFilesSize() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with { harness in
            let item = try await demoMessages(harness)[0].id
            let file = try harness.makeFile("sized.bin", size: 5 * Self.mib, seed: 91)
            #expect(try await harness.attache("upload", [file.path, "--message", item]).status == 0)
            let reported = try #require(try await harness.attachments("messages", item).first { $0["name"] as? String == "sized.bin" }?["size"] as? Int)
            #expect(reported > 5 * Self.mib, "the emulator counts overhead as Outlook does")
            _ = try await harness.postJSON(
                "/me/messages/\(item)/attachments",
                ["@odata.type": "#microsoft.graph.fileAttachment", "name": "from-elsewhere.txt", "contentBytes": Data(repeating: 65, count: 30_000).base64EncodedString()])
            let downloads = harness.workDirectory + "/dl"
            try FileManager.default.createDirectory(atPath: downloads, withIntermediateDirectories: true)
            let tmux = try launch(harness, width: 120, height: 30, environment: ["XDG_DOWNLOAD_DIR": downloads])
            defer { tmux.kill() }
            try await tmux.waitFor("the file's own size, from the journal") { screen in
                screen.contains { $0.contains("│ sized.bin") && $0.contains(" 5.0 MiB") && !$0.contains("~") }
                    && screen.contains { $0.contains("│ from-elsewhere.txt") && $0.contains("~") }
            }
            try tmux.send("Tab", "Enter")
            try await tmux.waitFor("both sizes in its details") { screen in
                screen.contains { $0.contains("size") && $0.contains("\(5 * Self.mib) bytes (5.0 MiB), the file's") }
                    && screen.contains { $0.contains("Graph says") && $0.contains("\(reported) bytes") }
            }
            try tmux.send("Escape", "s", "Enter")
            try await tmux.waitFor("saved, with the file's size", timeout: .seconds(30)) { $0.joined().contains("saved sized.bin (5.0 MiB)") }
            #expect(try RawDownloadTests.sha256(ofFile: downloads + "/sized.bin") == file.sha256)
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// Defect 10: a transfer resumed from an earlier run counts in its average only what this
    /// run sent, and says what was there before; what a pause cut short and sent again is
    /// said with its cause, and what is confirmed and held read the same.
    @Test func transferDetailsCountThisRunAndSayWhy() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(Self.slowLink) { harness in
            let item = try await demoMessages(harness)[0].id
            let size = 20 * Self.mib
            let file = try harness.makeFile("resumed.bin", size: size, seed: 101)
            let upload = try harness.launch("upload", [file.path, "--message", item, "--chunk-size", "327680"])
            try await Eventually.until(timeout: .seconds(30)) { try await harness.openSessions().first?["received"] as? Int ?? 0 >= 6 * Self.mib }
            upload.signal(SIGKILL)
            _ = try await upload.finish()
            let tmux = try launch(harness, width: 120, height: 40)
            defer { tmux.kill() }
            try await tmux.waitFor("resumed.bin under way") { (Self.row($0, "resumed.bin").flatMap(Self.percent) ?? 0) > 30 }
            // Paused mid-range: what is confirmed and the runs held agree to the digit.
            try tmux.send("Tab", "Tab", "p")
            try await tmux.waitFor("paused") { $0.contains { $0.contains("resumed.bin") && $0.contains("paused") } }
            try tmux.send("Enter")
            let paused = try await tmux.waitFor("its details") { $0.contains { $0.contains("ranges held") } }
            let confirmed = try #require(paused.first { $0.contains("confirmed") }?.firstMatch(of: /\(([\d.]+ MiB), \d+%\)/).map { String($0.1) })
            let held = try #require(paused.first { $0.contains("ranges held") }?.firstMatch(of: /0 B–([\d.]+ MiB)/).map { String($0.1) })
            #expect(confirmed == held, "\(paused.joined(separator: "\n"))")
            try tmux.send("p")
            try await tmux.waitFor("resumed.bin done", timeout: .seconds(90)) { screen in
                screen.contains { $0.contains("resumed.bin") && $0.contains("done") } && screen.contains { $0.contains("time") && $0.contains("in all") }
            }
            let done = try tmux.capture()
            let time = try #require(done.first { $0.contains("time") && $0.contains("in all") })
            // The field wraps inside the details' box: its next line goes on after the border.
            let said = Self.sentences(done)
            #expect(time.contains("this run;") && said.contains(/were there[ │]+before\)/), "\(said)")
            if let sent = done.first(where: { $0.contains("sent") && $0.contains("more than once") }) {
                #expect(sent.contains("retried") || sent.contains("cut short by a pause"), "\(sent)")
            }
            #expect(try await harness.valueDigest("messages", item, try #require(try await harness.attachments("messages", item).first { $0["name"] as? String == "resumed.bin" }?["id"] as? String)).sha256 == file.sha256)
            try tmux.send("Escape", "q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// Defect 11: an item Graph will not change (403) is said to be read-only to the user,
    /// not blamed on the sign-in's permission once other items took files.
    @Test func aReadOnlyItemIsNotBlamedOnThePermission() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        let readOnly = Shared<String?>(nil)
        try await CLIHarness.withHostileProxy(rule: { exchange in
            guard exchange.method == "POST", let id = readOnly.get(), exchange.target.contains(id) else { return .forward }
            return .answer(.graphError(403, code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again."))
        }) { harness, _ in
            let messages = try await demoMessages(harness)
            readOnly.set(messages[1].id)
            _ = try harness.makeFile("note.txt", size: 2_000, seed: 111)
            let tmux = try launch(harness, width: 160, height: 30)
            defer { tmux.kill() }
            try await tmux.waitFor("the demo mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("a")
            try await tmux.waitFor("the picker") { $0.contains { $0.contains("note.txt") } }
            try tmux.send("j", "Enter")
            try await tmux.waitFor("attached to the first") { $0.joined().contains("attached note.txt") }
            try tmux.send("Tab", "j", "a")
            try await tmux.waitFor("the picker for the second") { $0.contains { $0.contains("Attach to: Relatório") } }
            try tmux.send("j", "Enter")
            let refused = try await tmux.waitFor("refused") { $0.contains { $0.contains("note.txt") && $0.contains("failed") } }
            #expect(refused.contains { $0.contains("note.txt") && $0.contains("refused: the item is read-only") }, "\(refused)")
            let said = Self.sentences(refused)
            #expect(said.contains("other messages take files, so it is not the sign-in's permission"), "\(said)")
            #expect(!said.contains("the token lacks the permission"))
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }

    /// Defect 11: `attache --graph ROOT` with no token and no account opens the screen, which
    /// says to sign in, and `L` does, in place.
    @Test func aGraphWithNoSignInOpensTheScreenForL() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(SignInTests.configuration()) { harness in
            let command = ([CLIHarness.binary] + SignInTests.signedIn(harness)).map { "'\($0)'" }.joined(separator: " ")
            let tmux = try TmuxSession.start(
                command, width: 110, height: 30, directory: harness.workDirectory, environment: SignInTests.environment.merging(["ATTACHE_TOKEN": ""]) { a, _ in a })
            defer { tmux.kill() }
            try await tmux.waitFor("the screen, asking to sign in") { screen in
                screen.joined().contains("no account is signed in to") && screen.contains { $0.contains("Press L to sign in") }
            }
            try tmux.send("Escape", "L")
            var code: String?
            try await tmux.waitFor("the code in the sign-in dialog") { screen in
                guard let index = screen.firstIndex(where: { $0.contains("and enter the code") }), index + 1 < screen.count else { return false }
                code = screen[index + 1].split(separator: "│").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
                return code?.isEmpty == false
            }
            #expect(try await SignInTests.control(harness, .POST, "/_emulator/identity/device-codes/\(try #require(code))/approve").status == 204)
            try await tmux.waitFor("signed in, the mailbox listed") { screen in
                screen.joined().contains("signed in as Demo User <demo@attache.test>") && screen.contains { $0.contains("Quarterly report") }
            }
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains("attache-exited-0") }
        }
    }
}
