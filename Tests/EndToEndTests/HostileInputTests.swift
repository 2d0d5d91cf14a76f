import Foundation
import GraphEmulator
import Synchronization
import Testing

/// The second outside attack (issue 19): a skewed clock, a file whose size lies, a state disk
/// that fills, an upload host that goes away, tokens and upload URLs in odd places, numbers
/// from a server that overflow, and a server that keeps attache sending. Each runs the real
/// binary against the emulator, through a ``HostileProxy`` where the server must misbehave.
@Suite("Hostile input, round 2")
struct HostileInputTests {
    static let mib = 1024 * 1024

    /// Runs attache with its wall clock moved by `offset` (`+30s`, `-60s`), as libfaketime does.
    static func skewed(_ offset: String) -> (prefix: [String], environment: [String: String]) {
        (["/usr/bin/faketime", "-f", offset], ["FAKETIME_DONT_FAKE_MONOTONIC": "1"])
    }

    static let hasFaketime = FileManager.default.isExecutableFile(atPath: "/usr/bin/faketime")

    // MARK: 1. The clock that decides whether an attachment is this upload's

    /// Clock 30 s ahead and the final reply lost: the attachment made was missed (it looked
    /// older than the session), so a second session attached the file again.
    @Test(.enabled(if: hasFaketime, "needs faketime (make setup installs it)"))
    func aClockAheadNeverAttachesTwice() async throws {
        let injection = FaultInjection(rate: 1, seed: 3, kinds: [.dropReply])
        try await CLIHarness.with(EmulatorConfiguration(faultInjection: injection)) { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("ahead.bin", size: 3 * Self.mib + 5, seed: 11)
            let clock = Self.skewed("+30s")
            let result = try await CLIHarness.run(
                ["upload"] + harness.connection + [file.path, "--message", item, "--json"], environment: clock.environment, prefix: clock.prefix)
            #expect(result.status == 0, "\(result.stderr)")
            let attached = try await harness.attachments("messages", item).filter { $0["name"] as? String == "ahead.bin" }
            #expect(attached.count == 1, "\(attached)")
            #expect(try await harness.stats()["createSessionRequests"] == 1)
            let id = try #require(attached.first?["id"] as? String)
            #expect(result.jsonLines.first?["attachmentId"] as? String == id)
            #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
        }
    }

    /// Clock 60 s behind, an older version of the file already attached (same name, same
    /// size), and the final reply lost: v2 was reported attached with v1's id, and never landed.
    @Test(.enabled(if: hasFaketime, "needs faketime (make setup installs it)"))
    func aClockBehindNeverTakesAnOlderAttachmentForThisOne() async throws {
        let injection = FaultInjection(rate: 1, seed: 4, kinds: [.dropReply])
        try await CLIHarness.with(EmulatorConfiguration(faultInjection: injection)) { harness in
            let item = try await harness.firstItem("messages")
            let v1 = try harness.makeFile("report.bin", size: 3 * Self.mib + 5, seed: 21)
            let first = try await harness.attache("upload", [v1.path, "--message", item, "--json"])
            #expect(first.status == 0, "\(first.stderr)")
            let v1ID = try #require(first.jsonLines.first?["attachmentId"] as? String)

            // The second version, in a folder of its own under the same name.
            let folder = harness.workDirectory + "/v2"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let v2Path = folder + "/report.bin"
            let made = try harness.makeFile("v2-source.bin", size: 3 * Self.mib + 5, seed: 22)
            try FileManager.default.moveItem(atPath: made.path, toPath: v2Path)
            let clock = Self.skewed("-60s")
            let second = try await CLIHarness.run(
                ["upload"] + harness.connection + [v2Path, "--message", item, "--json"], environment: clock.environment, prefix: clock.prefix)
            #expect(second.status == 0, "\(second.stderr)")
            let v2ID = try #require(second.jsonLines.first?["attachmentId"] as? String)
            #expect(v2ID != v1ID, "v2 was reported as v1's attachment")
            let attached = try await harness.attachments("messages", item).filter { $0["name"] as? String == "report.bin" }
            #expect(attached.count == 2)
            #expect(try await harness.valueDigest("messages", item, v2ID).sha256 == made.sha256)
            #expect(try await harness.valueDigest("messages", item, v1ID).sha256 == v1.sha256)
        }
    }

    // MARK: 2. A file whose size lies

    /// A file of the kernel's reports 0 bytes and has content: it was attached empty, exit 0.
    /// `proc` is mounted in a folder of the test's own, in a private mount namespace.
    @Test(.enabled(if: HostileServerTests.canMountPrivately, "needs root and unshare(1) for a private mount namespace"))
    func aFileThatSaysItIsEmptyButIsNotIsRefused() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let mountPoint = harness.workDirectory + "/kernel"
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            let script = #"mount -t proc proc "$DIR" || exit 90; "$BIN" upload --graph "$GRAPH" --token "$TOKEN" --state-dir "$STATE" "$DIR/self/status" --message "$ITEM""#
            let result = try await CLIHarness.run(
                ["/bin/sh", "-c", script],
                environment: [
                    "BIN": CLIHarness.binary, "GRAPH": harness.graphBase, "TOKEN": CLIHarness.token, "STATE": harness.stateDirectory,
                    "DIR": mountPoint, "ITEM": item,
                ],
                prefix: ["/usr/bin/unshare", "-m"], bare: true)
            #expect(result.status == 6, "\(result.stderr)")
            #expect(result.stderr.contains("status' cannot be attached as it is: it reports 0 bytes, yet has content"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(try await harness.attachments("messages", item).isEmpty)
        }
    }

    // MARK: 4. An upload host that cannot be reached

    /// The session's host went away: the row was marked failed and its URL dropped, so the
    /// advice "then `attache resume`" found nothing to resume, and the session was left open
    /// with nothing to cancel it. The URL is kept, and once the host answers, resume ends it.
    @Test func anUnreachableUploadHostKeepsTheSessionForAResume() async throws {
        // A port that refuses connections now, where the upload host comes back later.
        let uploadProxy = try await HostileProxy.start { _ in .forward }
        let port = try #require(Int(uploadProxy.origin.split(separator: ":").last ?? ""))
        await uploadProxy.stop()
        try await CLIHarness.withHostileProxy(
            rule: HostileProxy.rewritingUploadURL { $0.replacing(#/127\.0\.0\.1:\d+/#, with: "127.0.0.1:\(port)") }
        ) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("away.bin", size: 5 * Self.mib, seed: 31)
            let failed = try await harness.attache("upload", [file.path, "--message", item, "--json"])
            #expect(failed.status == 5, "\(failed.stderr)")
            #expect(failed.stderr.contains("`attache resume` continues it"), "\(failed.stderr)")
            let status = try await harness.attache("status", ["--json"])
            let row = try #require(status.jsonLines.first)
            #expect(row["state"] as? String == "interrupted", "\(row)")
            #expect(row["hasSession"] as? Bool == true)
            #expect(try await harness.openSessions().count == 1, "the session is still open on the server")

            // The host is back, on the same port.
            let back = try await HostileProxy.start(port: port) { _ in .forward }
            back.forward(to: harness.emulator.origin, uploads: harness.emulator.uploadOrigin)
            defer { Task { await back.stop() } }
            let resumed = try await harness.attache("resume", ["--json"])
            await back.stop()
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.jsonLines.first?["status"] as? String == "attached")
            let attached = try await harness.attachments("messages", item).filter { $0["name"] as? String == "away.bin" }
            #expect(attached.count == 1)
            let id = try #require(attached.first?["id"] as? String)
            #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
            #expect(try await harness.openSessions().isEmpty)
        }
    }

    // MARK: 5. A token with a control character

    @Test(arguments: [
        ("ATTACHE_TOKEN", "ends in a carriage return"), ("--token", "holds a control character (0x01) at character 8"),
        ("--token-file", "holds a control character (0x1B) at character 8"),
    ])
    func aTokenWithAControlCharacterIsRefusedBeforeAnyRequest(source: String, said: String) async throws {
        try await CLIHarness.withHostileProxy(rule: { _ in .forward }) { harness, proxy in
            let secret = "s3cr3t-bearer-value"
            var arguments = ["ls", "messages", "--graph", harness.graphBase, "--state-dir", harness.stateDirectory, "--json"]
            var environment: [String: String] = [:]
            switch source {
            case "ATTACHE_TOKEN":
                environment["ATTACHE_TOKEN"] = secret + "\r"
            case "--token":
                arguments += ["--token", "s3cr3t-\u{01}bearer-value"]
            default:
                let path = harness.workDirectory + "/token.txt"
                try Data("s3cr3t-\u{1B}bearer-value\r\n".utf8).write(to: URL(fileURLWithPath: path))
                arguments += ["--token-file", path]
            }
            let result = try await CLIHarness.run(arguments, environment: environment)
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("the token from \(source == "--token-file" ? "the token file" : source)"), "\(result.stderr)")
            #expect(result.stderr.contains(said), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            for text in [result.stdout, result.stderr] {
                #expect(!text.contains("s3cr3t") && !text.contains("bearer-value"), "the token leaked: \(text)")
            }
            #expect(proxy.exchanges.isEmpty, "a request was made")
        }
    }

    /// The identity platform's own reply, with a control character in the access token, or
    /// a token of another type than Bearer: refused, and never printed.
    @Test(arguments: ["control", "pop"])
    func anIdentityReplyWithAnUnusableTokenIsRefused(flaw: String) async throws {
        try await CLIHarness.with(SignInTests.configuration()) { harness in
            let proxy = try await HostileProxy.start { exchange in
                guard exchange.method == "POST", exchange.target.hasSuffix("/oauth2/v2.0/token") else { return .forward }
                return .rewrite { reply in
                    guard reply.status == 200 else { return reply }
                    var json = reply.json
                    if flaw == "pop" {
                        json["token_type"] = "pop"
                    } else {
                        json["access_token"] = "leaky\u{01}" + ((json["access_token"] as? String) ?? "")
                    }
                    var changed = reply
                    changed.body = try! JSONSerialization.data(withJSONObject: json)
                    return changed
                }
            }
            proxy.forward(to: harness.emulator.identityOrigin, uploads: harness.emulator.uploadOrigin)
            let login = try CLIHarness.launch(
                ["login", "--graph", harness.emulator.graphBaseURL, "--authority", proxy.origin, "--state-dir", harness.stateDirectory],
                environment: SignInTests.environment)
            var code: String?
            _ = try await login.waitForStderr { text in
                code = text.firstMatch(of: /enter the code (\S+) to authenticate/).map { String($0.1) }
                return code != nil
            }
            let userCode = try #require(code, "\(login.stderrSoFar)")
            #expect(try await SignInTests.control(harness, .POST, "/_emulator/identity/device-codes/\(userCode)/approve").status == 204)
            let result = try await login.finish()
            await proxy.stop()
            #expect(result.status != 0, "\(result.stdout)")
            if flaw == "pop" {
                #expect(result.stderr.contains("issued a token of type 'pop'; attache uses Bearer tokens only"), "\(result.stderr)")
            } else {
                #expect(result.stderr.contains("the token from the identity platform's reply holds a control character (0x01)"), "\(result.stderr)")
                #expect(!result.stderr.contains("leaky"), "\(result.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: harness.stateDirectory + "/tokens.json"), "an unusable token was kept")
        }
    }

    // MARK: 6. An upload URL repeated in a server's error

    @Test func anUploadURLRepeatedInAnErrorIsNeverShownNorKept() async throws {
        let origin = Mutex("")
        try await CLIHarness.withHostileProxy(rule: { exchange in
            guard exchange.isUploadURL, exchange.method == "PUT" else { return .forward }
            let url = origin.withLock { $0 } + exchange.target
            return .answer(.graphError(400, code: "InvalidRequest", message: "The request to \(url) is not valid; see \(url)."))
        }) { harness, proxy in
            origin.withLock { $0 = proxy.origin }
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("echo.bin", size: 4 * Self.mib, seed: 41)
            let result = try await harness.attache("upload", [file.path, "--message", item, "--json"])
            #expect(result.status == 1, "\(result.stderr)")
            let target = try #require(proxy.exchanges.first { $0.isUploadURL && $0.method == "PUT" }?.target)
            let authtoken = try #require(target.firstMatch(of: /authtoken=([^&]+)/).map { String($0.1) })
            let status = try await harness.attache("status", ["--all", "--json"])
            let log = try String(contentsOfFile: harness.stateDirectory + "/attache.log", encoding: .utf8)
            #expect(result.stderr.contains("The request to"), "\(result.stderr)")
            for (what, text) in [("stderr", result.stderr), ("--json", result.stdout), ("the log", log), ("the journal's error", status.stdout)] {
                #expect(!text.contains(authtoken), "\(what) holds the authtoken: \(text)")
            }
        }
    }

    // MARK: 7. Plain http for an upload, and a token file others can read

    @Test func aPlainHTTPUploadURLToAnotherHostIsRefused() async throws {
        try await CLIHarness.withHostileProxy(rule: HostileProxy.rewritingUploadURL { $0.replacing(#/http:\/\/127\.0\.0\.1/#, with: "http://0.0.0.0") }) {
            harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("clear.bin", size: 4 * Self.mib, seed: 42)
            let result = try await harness.attache("upload", [file.path, "--message", item])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("the uploadUrl is plain http:// to 0.0.0.0; attache sends files only over https"), "\(result.stderr)")
            #expect(try await harness.stats()["putRequests"] == 0, "the file went in the clear")
        }
    }

    @Test func aTokenFileOthersCanReadIsRefusedWithTheFix() async throws {
        try await CLIHarness.with(SignInTests.configuration()) { harness in
            let (login, code) = try await SignInTests.startDeviceLogin(harness)
            #expect(try await SignInTests.control(harness, .POST, "/_emulator/identity/device-codes/\(code)/approve").status == 204)
            #expect(try await login.finish().status == 0)
            let tokens = harness.stateDirectory + "/tokens.json"
            chmod(tokens, 0o644)
            let refused = try await CLIHarness.run(["ls", "messages"] + SignInTests.signedIn(harness), environment: SignInTests.environment)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("can be read by others (mode 0644)"), "\(refused.stderr)")
            #expect(refused.stderr.contains("chmod 600 \(tokens)"), "\(refused.stderr)")
            chmod(tokens, 0o600)
            let listed = try await CLIHarness.run(["ls", "messages"] + SignInTests.signedIn(harness), environment: SignInTests.environment)
            #expect(listed.status == 0, "\(listed.stderr)")
        }
    }

    // MARK: 8–10. Numbers from a server that do not fit

    /// `["0-9223372036854775807"]` trapped computing `end + 1`; every resume crashed again.
    @Test func anExpectedRangeToInt64MaxIsNotACrash() async throws {
        try await CLIHarness.withHostileProxy(rule: { exchange in
            guard exchange.isUploadURL, exchange.method == "PUT" || exchange.method == "GET" else { return .forward }
            return .answer(.init(status: 200, json: #"{"ExpirationDateTime":"2099-01-01T00:00:00Z","NextExpectedRanges":["0-9223372036854775807"]}"#))
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("huge-range.bin", size: 5 * Self.mib, seed: 81)
            let result = try await harness.attache("upload", [file.path, "--message", item])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("the server and attache disagree"), "\(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
            for command in [["status", "--all"], ["resume"], ["cancel", "--all"]] {
                let after = try await harness.attache(command[0], Array(command.dropFirst()))
                #expect(after.status == 0, "\(command): \(after.stderr)")
            }
            #expect(try await harness.openSessions().isEmpty)
        }
    }

    /// A device code's `interval` of 2^63 trapped in the poll's sleep, an `expires_in` of
    /// 2^63 trapped printing the time, a negative one printed year −292277022601, and an
    /// expired code was polled for ever.
    @Test(arguments: [
        (#""interval":9223372036854775807,"expires_in":2"#, "expired before the sign-in was approved"),
        (#""expires_in":-5"#, "gave a sign-in code that had already expired"),
        (#""expires_in":9223372036854775807,"interval":1"#, "signed in as"),
    ])
    func deviceCodeNumbersOutOfAllProportion(fields: String, said: String) async throws {
        try await CLIHarness.with(SignInTests.configuration()) { harness in
            let proxy = try await HostileProxy.start { exchange in
                guard exchange.method == "POST", exchange.target.hasSuffix("/oauth2/v2.0/devicecode") else { return .forward }
                return .rewrite { reply in
                    var json = reply.json
                    json["interval"] = nil
                    json["expires_in"] = nil
                    var text = String(decoding: try! JSONSerialization.data(withJSONObject: json), as: UTF8.self)
                    text.removeLast()
                    var changed = reply
                    changed.body = Data((text + "," + fields + "}").utf8)
                    return changed
                }
            }
            proxy.forward(to: harness.emulator.identityOrigin, uploads: harness.emulator.uploadOrigin)
            let started = ContinuousClock.now
            let login = try CLIHarness.launch(
                ["login", "--graph", harness.emulator.graphBaseURL, "--authority", proxy.origin, "--state-dir", harness.stateDirectory],
                environment: SignInTests.environment)
            if said == "signed in as" {
                var code: String?
                _ = try await login.waitForStderr { text in
                    code = text.firstMatch(of: /enter the code (\S+) to authenticate/).map { String($0.1) }
                    // The expiry comes on a line of its own, after the code: wait for both.
                    return code != nil && text.contains("the code expires at")
                }
                let userCode = try #require(code, "\(login.stderrSoFar)")
                #expect(login.stderrSoFar.contains(#/the code expires at \d{4}-\d{2}-\d{2} \d{2}:\d{2}/#), "\(login.stderrSoFar)")
                #expect(try await SignInTests.control(harness, .POST, "/_emulator/identity/device-codes/\(userCode)/approve").status == 204)
            }
            let result = try await login.finish()
            await proxy.stop()
            #expect((result.stdout + result.stderr).contains(said), "\(result.stdout)\(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
            #expect(ContinuousClock.now - started < .seconds(60), "it waited as the server said")
            if said != "signed in as" { #expect(result.status != 0) }
        }
    }

    /// A budget named in a 429's text that no Outlook would set: it trapped ("1 bytes per
    /// 9223372036854775807 seconds") or waited 24,000 hours ("86400000 seconds"). A 429's
    /// words are not read any more (Outlook's name no budget); the upload still lands.
    @Test(arguments: ["1 bytes per 9223372036854775807 seconds", "157286400 bytes per 86400000 seconds"])
    func aBudgetNamedOutOfAllProportionIsNotBelieved(budget: String) async throws {
        let refused = Mutex(false)
        try await CLIHarness.withHostileProxy(rule: { exchange in
            guard exchange.isUploadURL, exchange.method == "PUT", refused.withLock({ done in defer { done = true }; return !done }) else { return .forward }
            return .answer(
                .graphError(429, code: "ApplicationThrottled", message: "Application is over its upload limit: \(budget).", headers: [("Retry-After", "1")]))
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("budget.bin", size: 5 * Self.mib, seed: 91)
            let result = try await harness.attache("upload", [file.path, "--message", item, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
            #expect(!result.stderr.contains(#/[0-9]{3,}:[0-9]{2}:[0-9]{2}/#), "a wait of hundreds of hours: \(result.stderr)")
            let id = try #require(result.jsonLines.first?["attachmentId"] as? String)
            #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
        }
    }

    // MARK: 11. A server that keeps attache sending

    /// `NextExpectedRanges` alternating between `["0-"]` and the end of the range just sent
    /// defeated the stall guard: 1,122 PUTs and 4.4 GB for a 20 MB file in 60 s.
    @Test func aServerThatKeepsFallingBackCannotKeepAttacheSending() async throws {
        let size = 8 * Self.mib
        let count = Mutex(0)
        try await CLIHarness.withHostileProxy(rule: { exchange in
            guard exchange.isUploadURL, exchange.method == "PUT", let range = exchange.contentRange,
                let match = range.firstMatch(of: /bytes (\d+)-(\d+)\//), let end = Int(match.2)
            else { return .forward }
            let odd = count.withLock { n in defer { n += 1 }; return n % 2 == 1 }
            let next = odd ? "0-" : "\(end + 1)-"
            return .answer(.init(status: 200, json: #"{"ExpirationDateTime":"2099-01-01T00:00:00Z","NextExpectedRanges":["\#(next)"]}"#))
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("loop.bin", size: size, seed: 95)
            let result = try await harness.attache("upload", [file.path, "--message", item, "--chunk-size", "327680"])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("the server and attache disagree"), "\(result.stderr)")
            let sent = proxy.exchanges.filter { $0.isUploadURL && $0.method == "PUT" }.compactMap { exchange -> Int? in
                guard let match = exchange.contentRange?.firstMatch(of: /bytes (\d+)-(\d+)\//), let a = Int(match.1), let b = Int(match.2) else { return nil }
                return b - a + 1
            }.reduce(0, +)
            // At most the file once per session attache may open, and a range per failure.
            #expect(sent <= 3 * size + 6 * 327_680, "sent \(sent) bytes for a file of \(size)")
            #expect(try await harness.openSessions().isEmpty)
        }
    }
}
