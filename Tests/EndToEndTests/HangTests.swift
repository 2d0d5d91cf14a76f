import Foundation
import GraphEmulator
import Synchronization
import Testing

/// Nothing a server or the machine does may hang a command (issue 19, items 12 to 14): a
/// list that pages for ever, a reply that trickles, a FIFO where a file should be, a
/// keyring that never answers. Each run is bounded by ``CLIHarness/Running/finish(within:)``,
/// so that without the fix the test fails rather than waits for ever.
@Suite("Nothing hangs")
struct HangTests {
    /// Far longer than any of these runs needs; reached only when attache hangs.
    static let bound: Duration = .seconds(90)

    /// A config file with `request_timeout = 2`, so a deadline is met in seconds.
    static func quickConfig(_ harness: CLIHarness) throws -> [String] {
        let path = harness.workDirectory + "/quick.toml"
        try "[defaults]\nrequest_timeout = 2\n".write(toFile: path, atomically: false, encoding: .utf8)
        return ["--config", path]
    }

    /// The origin a rule writes links with, known only once the proxy runs.
    final class Origin: Sendable {
        private let value = Mutex("")
        func set(_ origin: String) { value.withLock { $0 = origin } }
        var get: String { value.withLock { $0 } }
    }

    /// Counts what the rule saw, to act on the first only.
    final class Counter: Sendable {
        private let value = Mutex(0)
        /// The count before this one.
        func next() -> Int { value.withLock { count in defer { count += 1 }; return count } }
        var armed: Bool { value.withLock { $0 } > 0 }
        func arm() { value.withLock { $0 = 1 } }
    }

    static func mkfifo(_ path: String) throws {
        unlink(path)
        guard Foundation.mkfifo(path, 0o600) == 0 else { throw POSIXError(.EIO) }
    }

    /// Signs in with a device code through `authority` (the file store), as `attache login` does.
    static func signIn(_ harness: CLIHarness, authority: String) async throws {
        let login = try CLIHarness.launch(
            ["login", "--graph", harness.emulator.graphBaseURL, "--authority", authority, "--state-dir", harness.stateDirectory],
            environment: SignInTests.environment)
        var code: String?
        _ = try await login.waitForStderr { text in
            code = text.firstMatch(of: /enter the code (\S+) to authenticate/).map { String($0.1) }
            return code != nil
        }
        _ = try await SignInTests.control(harness, .POST, "/_emulator/identity/device-codes/\(try #require(code, "\(login.stderrSoFar)"))/approve")
        let result = try await login.finish(within: bound)
        try #require(result.status == 0, "\(result.stderr)")
    }

    // MARK: 12. Pages for ever

    /// Each list page says the next is itself: `ls` and `get` (the attachment list) stop at
    /// once, saying why, instead of asking for ever.
    @Test func aNextLinkBackToItsOwnPageIsRefused() async throws {
        let origin = Origin()
        try await CLIHarness.withHostileProxy(rule: { exchange in
            let isList = exchange.target.contains("/messages?") || exchange.target.contains("/attachments?")
            guard exchange.method == "GET", isList else { return .forward }
            return .rewrite { reply in
                var reply = reply
                var json = reply.json
                json["@odata.nextLink"] = origin.get + exchange.target
                reply.body = try! JSONSerialization.data(withJSONObject: json)
                return reply
            }
        }) { harness, proxy in
            origin.set(proxy.origin)
            let item = try await harness.firstItem("messages")
            for command in [["ls", "messages"], ["get", "--message", item]] {
                let before = proxy.exchanges.count
                let result = try await CLIHarness.launch(command + harness.connection).finish(within: Self.bound)
                #expect(result.status == 1, "\(command): \(result.stderr)")
                #expect(result.stderr.contains("@odata.nextLink leads back to a page already read"), "\(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
                // The link as sent may be escaped differently from the one attache wrote:
                // then it reads that page once more, and no more.
                #expect(proxy.exchanges.count - before <= 2, "\(command) asked for \(proxy.exchanges.count - before) pages")
            }
        }
    }

    /// A server that hands out a new link with every empty page is stopped at the page limit.
    @Test func pagesThatNeverEndAreCapped() async throws {
        let origin = Origin()
        try await CLIHarness.withHostileProxy(rule: { exchange in
            guard exchange.method == "GET", exchange.target.contains("/messages") else { return .forward }
            return .answer(.init(status: 200, json: #"{"value":[],"@odata.nextLink":"\#(origin.get)/v1.0/me/messages?page=\#(exchange.index + 1)"}"#))
        }) { harness, proxy in
            origin.set(proxy.origin)
            let result = try await CLIHarness.launch(["ls", "messages"] + harness.connection).finish(within: Self.bound)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("went on past 500 pages; attache stopped there"), "\(result.stderr)")
            #expect(proxy.exchanges.filter { $0.target.contains("/messages") }.count == 500)
        }
    }

    // MARK: 13. Replies that trickle

    /// A list whose body comes a byte at a time, for ever: the reply's deadline ends it.
    @Test func aTricklingListTimesOut() async throws {
        try await CLIHarness.withHostileProxy(rule: { exchange in
            exchange.method == "GET" && exchange.target.contains("/me/messages?") ? .trickle(every: .milliseconds(200)) : .forward
        }) { harness, proxy in
            let result = try await CLIHarness.launch(["ls", "messages"] + harness.connection + Self.quickConfig(harness)).finish(within: Self.bound)
            #expect(result.status == 5, "\(result.stderr)")
            #expect(result.stderr.contains("could not list messages: no reply from the server (the reply did not come whole within 0:02)"), "\(result.stderr)")
            #expect(result.stderr.contains("answering too slowly"), "\(result.stderr)")
            #expect(!result.stderr.contains("is the server running"), "\(result.stderr)")
        }
    }

    /// The reply to a range trickles: given up on once overdue, the session is asked where
    /// it stands, and the upload goes on from there.
    @Test func aTricklingRangeReplyIsGivenUpOnAndTheUploadGoesOn() async throws {
        let puts = Counter()
        try await CLIHarness.withHostileProxy(rule: { exchange in
            guard exchange.isUploadURL, exchange.method == "PUT" else { return .forward }
            return puts.next() == 0 ? .trickle(every: .milliseconds(200)) : .forward
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("trickle.bin", size: 5 * 1024 * 1024, seed: 1913)
            let log = harness.workDirectory + "/attache.log"
            let result = try await CLIHarness.launch(
                ["upload", file.path, "--message", item, "--json", "--log-file", log, "--log-level", "debug"] + harness.connection + Self.quickConfig(harness)
            ).finish(within: Self.bound)
            let logged = try String(contentsOfFile: log, encoding: .utf8)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(logged.contains("did not come whole within 0:02"), "\(logged)")
            let id = try #require(result.jsonLines.first?["attachmentId"] as? String)
            #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
        }
    }

    /// The identity platform's reply to a refresh trickles: the command ends, saying so.
    @Test func aTricklingTokenRefreshTimesOut() async throws {
        let armed = Counter()
        try await CLIHarness.with(SignInTests.configuration()) { harness in
            let proxy = try await HostileProxy.start { exchange in
                armed.armed && exchange.target.hasSuffix("/oauth2/v2.0/token") ? .trickle(every: .milliseconds(200)) : .forward
            }
            proxy.forward(to: harness.emulator.identityOrigin, uploads: harness.emulator.uploadOrigin)
            do {
                try await Self.signIn(harness, authority: proxy.origin)
                armed.arm()
                // Graph stops taking the access token: attache must refresh it.
                _ = try await SignInTests.control(harness, .POST, "/_emulator/identity/users/demo@attache.test/expireAccessTokens")
                let result = try await CLIHarness.launch(
                    ["ls", "messages", "--graph", harness.emulator.graphBaseURL, "--authority", proxy.origin, "--state-dir", harness.stateDirectory]
                        + Self.quickConfig(harness), environment: SignInTests.environment
                ).finish(within: Self.bound)
                #expect(result.status == 5, "\(result.stderr)")
                #expect(result.stderr.contains("the reply did not come whole within 0:02"), "\(result.stderr)")
                #expect(result.stderr.contains("--authority"), "\(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
                await proxy.stop()
            } catch {
                await proxy.stop()
                throw error
            }
        }
    }

    // MARK: 14. FIFOs and helpers that never return

    /// `tokens.json` replaced by a FIFO with no writer: refused at once, by name.
    @Test func aFIFOForTheTokenFileIsRefused() async throws {
        try await CLIHarness.with(SignInTests.configuration()) { harness in
            try await Self.signIn(harness, authority: harness.emulator.identityOrigin)
            let tokens = harness.stateDirectory + "/tokens.json"
            try Self.mkfifo(tokens)
            let result = try await CLIHarness.launch(["ls", "messages"] + SignInTests.signedIn(harness), environment: SignInTests.environment)
                .finish(within: Self.bound)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("the token store (\(tokens)) is a FIFO, not a regular file"), "\(result.stderr)")
        }
    }

    /// `--ca-file` or `SSL_CERT_FILE` naming a FIFO: a usage error, not a hang at the handshake.
    @Test func aFIFOForTheCAFileIsRefused() async throws {
        try await CLIHarness.with { harness in
            let fifo = harness.workDirectory + "/ca.pem"
            try Self.mkfifo(fifo)
            let flag = try await CLIHarness.launch(["ls", "messages", "--ca-file", fifo] + harness.connection).finish(within: Self.bound)
            #expect(flag.status == 64, "\(flag.stderr)")
            #expect(flag.stderr.contains("--ca-file '\(fifo)' is a FIFO, not a regular file"), "\(flag.stderr)")
            let variable = try await CLIHarness.launch(["ls", "messages"] + harness.connection, environment: ["SSL_CERT_FILE": fifo])
                .finish(within: Self.bound)
            #expect(variable.status == 64, "\(variable.stderr)")
            #expect(variable.stderr.contains("SSL_CERT_FILE '\(fifo)' is a FIFO, not a regular file"), "\(variable.stderr)")
        }
    }

    /// The file of an interrupted upload is a FIFO by the time it is resumed: refused by
    /// name, its session deleted.
    @Test func aResumedFileThatBecameAFIFOIsRefused() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("swapped.bin", size: 6 * 1024 * 1024, seed: 1914)
            let upload = try await harness.launchUpload(file.path, to: item, until: 2 * 327_680)
            upload.signal(SIGINT)
            #expect(try await upload.finish(within: Self.bound).status == 130)
            try Self.mkfifo(file.path)
            let result = try await CLIHarness.launch(["resume"] + harness.connection).finish(within: Self.bound)
            #expect(result.status == 6, "\(result.stderr)")
            #expect(result.stderr.contains("'\(file.path)' is not a regular file"), "\(result.stderr)")
            #expect(try await harness.openSessions().isEmpty)
        }
    }

    /// A PATH holding a `secret-tool` made of `script`, and the environment that uses it.
    static func fakeSecretTool(_ harness: CLIHarness, _ script: String) -> [String: String] {
        let bin = harness.workDirectory + "/bin"
        try? FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: bin + "/secret-tool", contents: Data(("#!/bin/sh\n" + script).utf8), attributes: [.posixPermissions: 0o755])
        return [
            "BROWSER": "", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent", "ATTACHE_TOKEN_STORE": "",
            "PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
        ]
    }

    /// Whether `pid` is gone (or a zombie nobody waited for yet).
    static func isGone(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true
    }

    /// A keyring that never answers (locked, its prompt nowhere to be seen): `ls` ends after
    /// the deadline saying what to do, and the helper is killed with what it started.
    @Test func aSecretToolThatNeverReturnsIsGivenADeadline() async throws {
        try await CLIHarness.with(SignInTests.configuration()) { harness in
            try await Self.signIn(harness, authority: harness.emulator.identityOrigin)
            let pids = harness.workDirectory + "/pids"
            let environment = Self.fakeSecretTool(harness, "sleep 600 &\necho \"$$ $!\" > '\(pids)'\nwait\n")
            let result = try await CLIHarness.launch(["ls", "messages"] + SignInTests.signedIn(harness) + Self.quickConfig(harness), environment: environment)
                .finish(within: Self.bound)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("the token store (the Secret Service) did not answer within 0:02"), "\(result.stderr)")
            #expect(result.stderr.contains("is the keyring locked?"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            let started = try String(contentsOfFile: pids, encoding: .utf8).split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(started.count == 2)
            for pid in started {
                let gone = await Eventually.until(timeout: .seconds(2)) { Self.isGone(pid) }
                #expect(gone, "process \(pid) of the helper outlived it")
                if !gone { kill(pid, SIGKILL) }
            }
        }
    }
}
