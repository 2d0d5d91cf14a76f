import AsyncHTTPClient
import Foundation
import GraphEmulator
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing

/// `attache login`, `whoami`, `logout` and the commands after them, against the emulator's
/// identity endpoints over loopback: every path a real account takes.
@Suite("Signing in")
struct SignInTests {
    /// Fast device-code polls, so the tests take seconds.
    static func configuration(tokenLifetime: Duration = .seconds(3600)) -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration()
        configuration.identity.deviceCodeInterval = .seconds(1)
        configuration.identity.accessTokenLifetime = tokenLifetime
        return configuration
    }

    /// The options that point a command at the emulator's Graph and identity platform,
    /// with no token of their own: the signed-in account supplies it.
    static func signedIn(_ harness: CLIHarness) -> [String] {
        ["--graph", harness.emulator.graphBaseURL, "--authority", harness.emulator.identityOrigin, "--state-dir", harness.stateDirectory]
    }

    static let environment = ["ATTACHE_TOKEN_STORE": "file", "BROWSER": ""]

    /// A control route of the identity origin, as the demo user.
    static func control(_ harness: CLIHarness, _ method: HTTPMethod, _ path: String) async throws -> (status: Int, json: Any?) {
        var request = HTTPClientRequest(url: harness.emulator.identityOrigin + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(CLIHarness.token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), try? JSONSerialization.jsonObject(with: Data(buffer: body)))
    }

    static func stats(_ harness: CLIHarness) async throws -> [String: Any] {
        (try await control(harness, .GET, "/_emulator/identity/stats").json as? [String: Any]) ?? [:]
    }

    /// Starts `attache login` and returns it with the user code it showed.
    static func startDeviceLogin(_ harness: CLIHarness, extra: [String] = []) async throws -> (CLIHarness.Running, String) {
        let login = try CLIHarness.launch(["login"] + signedIn(harness) + ["--log-level", "trace"] + extra, environment: environment)
        var code: String?
        _ = try await login.waitForStderr { text in
            code = text.firstMatch(of: /enter the code (\S+) to authenticate/).map { String($0.1) }
            return code != nil
        }
        return (login, try #require(code, "no code in: \(login.stderrSoFar)"))
    }

    @Test func aDeviceCodeSignInWaitsThenWorksForEveryCommandUntilLogout() async throws {
        try await CLIHarness.with(Self.configuration()) { harness in
            let (login, code) = try await Self.startDeviceLogin(harness)
            // It polls, and is told to wait, before the user acts.
            try await Eventually.until(timeout: .seconds(6)) { (try await Self.stats(harness)["pendingReplies"] as? Int ?? 0) >= 1 }
            #expect(try await Self.control(harness, .POST, "/_emulator/identity/device-codes/\(code)/approve").status == 204)
            let result = try await login.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("signed in as "), "\(result.stdout)")
            #expect(result.stdout.contains("<demo@attache.test>"))
            #expect((try await Self.stats(harness)["slowDownReplies"] as? Int) == 0, "it polled no faster than asked")

            // The token file is the only place a token is written, and it is private.
            let tokens = harness.stateDirectory + "/tokens.json"
            #expect(try FileManager.default.attributesOfItem(atPath: tokens)[.posixPermissions] as? Int == 0o600)
            let stored = try String(contentsOfFile: tokens, encoding: .utf8)
            let access = try #require(stored.firstMatch(of: /"accessToken":"([^"]+)"/).map { String($0.1) })
            let refresh = try #require(stored.firstMatch(of: /"refreshToken":"([^"]+)"/).map { String($0.1) })
            let log = try String(contentsOfFile: harness.stateDirectory + "/attache.log", encoding: .utf8)
            for text in [result.stdout, result.stderr, log] {
                #expect(!text.contains(access) && !text.contains(refresh), "a token leaked")
            }
            // No other file in the state directory holds one either.
            let files = FileManager.default.enumerator(atPath: harness.stateDirectory)?.compactMap { $0 as? String } ?? []
            for file in files where file != "tokens.json" {
                guard let data = FileManager.default.contents(atPath: harness.stateDirectory + "/" + file) else { continue }
                let text = String(decoding: data, as: UTF8.self)
                #expect(!text.contains(access) && !text.contains(refresh), "a token in \(file)")
            }

            // Every command now works as the account, no token given.
            let listed = try await CLIHarness.run(["ls", "messages"] + Self.signedIn(harness), environment: Self.environment)
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.stdout.contains("Quarterly report"))
            let whoami = try await CLIHarness.run(["whoami", "--state-dir", harness.stateDirectory], environment: Self.environment)
            #expect(whoami.status == 0, "\(whoami.stderr)")
            #expect(whoami.stdout.contains("<demo@attache.test> on \(harness.emulator.graphBaseURL)"), "\(whoami.stdout)")

            let logout = try await CLIHarness.run(["logout", "--state-dir", harness.stateDirectory], environment: Self.environment)
            #expect(logout.status == 0, "\(logout.stderr)")
            let after = try await CLIHarness.run(["ls", "messages", "--state-dir", harness.stateDirectory], environment: Self.environment)
            #expect(after.status == 4, "\(after.stderr)")
            #expect(after.stderr.contains("run `attache login`"), "\(after.stderr)")
            #expect(!(try String(contentsOfFile: tokens, encoding: .utf8)).contains(access))
        }
    }

    /// With a session bus, tokens go to the Secret Service through `secret-tool`: here a
    /// stand-in on PATH that keeps each secret in a file, so the test sees exactly what
    /// attache asks of the tool (the secret on stdin, never in its arguments).
    @Test func withASessionBusTheTokensGoToTheSecretService() async throws {
        try await CLIHarness.with(Self.configuration()) { harness in
            let bin = harness.workDirectory + "/bin"
            let vault = harness.workDirectory + "/vault"
            try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: vault, withIntermediateDirectories: true)
            let tool = """
                #!/bin/sh
                # A stand-in for libsecret's secret-tool: one file per item, named by its attributes.
                echo "$@" >> "\(vault)/calls"
                command="$1"; shift
                [ "$command" = store ] && { shift; shift; }
                key=$(printf '%s' "$*" | sha256sum | cut -c1-16)
                case "$command" in
                  store) cat > "\(vault)/$key" ;;
                  lookup) [ -f "\(vault)/$key" ] && cat "\(vault)/$key" || exit 1 ;;
                  clear) rm -f "\(vault)/$key" ;;
                esac
                """
            FileManager.default.createFile(atPath: bin + "/secret-tool", contents: Data(tool.utf8), attributes: [.posixPermissions: 0o755])
            var environment = ["BROWSER": "", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent", "ATTACHE_TOKEN_STORE": ""]
            environment["PATH"] = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let login = try CLIHarness.launch(["login"] + Self.signedIn(harness), environment: environment)
            var code: String?
            _ = try await login.waitForStderr { text in
                code = text.firstMatch(of: /enter the code (\S+) to authenticate/).map { String($0.1) }
                return code != nil
            }
            _ = try await Self.control(harness, .POST, "/_emulator/identity/device-codes/\(try #require(code))/approve")
            let result = try await login.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("tokens kept in the Secret Service"), "\(result.stdout)")
            #expect(!FileManager.default.fileExists(atPath: harness.stateDirectory + "/tokens.json"))
            let calls = try String(contentsOfFile: vault + "/calls", encoding: .utf8)
            #expect(calls.contains("store --label attache: demo@attache.test application attache account demo@attache.test"), "\(calls)")
            #expect(!calls.contains("accessToken"), "the secret went in the arguments")

            let listed = try await CLIHarness.run(["ls", "messages"] + Self.signedIn(harness), environment: environment)
            #expect(listed.status == 0, "\(listed.stderr)")
            let logout = try await CLIHarness.run(["logout", "--state-dir", harness.stateDirectory], environment: environment)
            #expect(logout.status == 0, "\(logout.stderr)")
            let items = try FileManager.default.contentsOfDirectory(atPath: vault).filter { $0 != "calls" }
            #expect(items.isEmpty, "logout left \(items) in the Secret Service")
        }
    }

    @Test func aDeclinedSignInSaysSoAndKeepsNothing() async throws {
        try await CLIHarness.with(Self.configuration()) { harness in
            let (login, code) = try await Self.startDeviceLogin(harness)
            #expect(try await Self.control(harness, .POST, "/_emulator/identity/device-codes/\(code)/decline").status == 204)
            let result = try await login.finish()
            #expect(result.status == 4, "\(result.stderr)")
            #expect(result.stderr.contains("attache: error: could not sign in:"), "\(result.stderr)")
            #expect(result.stderr.contains("declined"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: harness.stateDirectory + "/tokens.json"))
        }
    }

    /// A slow_down adds five seconds to the pace, as RFC 8628 asks.
    @Test func slowDownSlowsThePolling() async throws {
        try await CLIHarness.with(Self.configuration()) { harness in
            let proxy = try await HostileProxy.start { exchange in
                exchange.target.hasSuffix("/oauth2/v2.0/token") && exchange.index <= 1
                    ? .answer(HostileProxy.Reply(status: 400, json: #"{"error":"slow_down","error_description":"AADSTS70016: poll less often."}"#))
                    : .forward
            }
            proxy.forward(to: harness.emulator.identityOrigin, uploads: harness.emulator.uploadOrigin)
            do {
                try await Self.signInThroughASlowingProxy(harness, proxy)
                await proxy.stop()
            } catch {
                await proxy.stop()
                throw error
            }
        }
    }

    static func signInThroughASlowingProxy(_ harness: CLIHarness, _ proxy: HostileProxy) async throws {
        do {
            let login = try CLIHarness.launch(
                ["login", "--graph", harness.emulator.graphBaseURL, "--authority", proxy.origin, "--state-dir", harness.stateDirectory],
                environment: Self.environment)
            var code: String?
            _ = try await login.waitForStderr { text in
                code = text.firstMatch(of: /enter the code (\S+) to authenticate/).map { String($0.1) }
                return code != nil
            }
            // Wait for the slowed poll to come, then approve.
            var polls: [Date] = []
            await Eventually.until(timeout: .seconds(20)) {
                polls = proxy.exchanges.filter { $0.target.hasSuffix("/token") }.map(\.receivedAt)
                return polls.count >= 2
            }
            #expect(try await Self.control(harness, .POST, "/_emulator/identity/device-codes/\(try #require(code))/approve").status == 204)
            let result = try await login.finish()
            #expect(result.status == 0, "\(result.stderr)")
            try #require(polls.count >= 2)
            // Asked for 1 s between polls, told to slow down: 6 s at least before the next.
            #expect(polls[1].timeIntervalSince(polls[0]) >= 5.5, "the poll after slow_down came \(polls[1].timeIntervalSince(polls[0])) s later")
        }
    }

    @Test func aBrowserSignInWithPKCEComesBackToTheLoopbackListener() async throws {
        try await CLIHarness.with(Self.configuration()) { harness in
            let login = try CLIHarness.launch(["login", "--browser"] + Self.signedIn(harness), environment: Self.environment)
            var address: String?
            _ = try await login.waitForStderr { text in
                address = text.firstMatch(of: /\s(http:\/\/127\.0\.0\.1:\d+\/\S+\/oauth2\/v2\.0\/authorize\?\S+)/).map { String($0.1) }
                return address != nil
            }
            let authorize = try #require(address, "\(login.stderrSoFar)")
            #expect(authorize.contains("code_challenge_method=S256"))
            #expect(authorize.contains("&state="))
            // The browser's part: the sign-in page redirects to the listener with a code, and
            // the listener answers the browser.
            let page = try await HTTPClient.shared.execute(HTTPClientRequest(url: authorize), timeout: .seconds(30))
            #expect(page.status == .ok)
            #expect(String(buffer: try await page.body.collect(upTo: 1 << 16)).contains("You can close this tab"))
            let result = try await login.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("<demo@attache.test>"))
        }
    }

    /// Each refresh rotates the refresh token, and the new one is kept (the emulator refuses
    /// an old one, as rotation means); an upload whose token expires midway carries on, its
    /// upload URL needing none and the calls after it refreshing.
    @Test func refreshesKeepTheRotatedTokenAndAnUploadOutlivesItsToken() async throws {
        var configuration = Self.configuration()
        configuration.rangeDelay = .milliseconds(100)
        try await CLIHarness.with(configuration) { harness in
            let (login, code) = try await Self.startDeviceLogin(harness)
            _ = try await Self.control(harness, .POST, "/_emulator/identity/device-codes/\(code)/approve")
            #expect(try await login.finish().status == 0)
            for _ in 0..<2 {
                _ = try await Self.control(harness, .POST, "/_emulator/identity/users/demo@attache.test/expireAccessTokens")
                let listed = try await CLIHarness.run(["ls", "messages"] + Self.signedIn(harness), environment: Self.environment)
                #expect(listed.status == 0, "\(listed.stderr)")
            }
            var stats = try await Self.stats(harness)
            #expect(stats["refreshes"] as? Int == 2)
            #expect(stats["refusedRefreshes"] as? Int == 0, "an old refresh token was used")
            #expect(stats["liveRefreshTokens"] as? Int == 1)

            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("long.bin", size: 20 * 327_680, seed: 131)
            let upload = try CLIHarness.launch(
                ["upload", file.path, "--message", item, "--chunk-size", "327680", "--json"] + Self.signedIn(harness), environment: Self.environment)
            try await Eventually.until { (try await harness.openSessions().first?["received"] as? Int ?? 0) > 0 }
            // Mid-upload, the access token stops working.
            _ = try await Self.control(harness, .POST, "/_emulator/identity/users/demo@attache.test/expireAccessTokens")
            let uploaded = try await upload.finish()
            #expect(uploaded.status == 0, "\(uploaded.stderr)")
            let id = try #require(uploaded.jsonLines.first?["attachmentId"] as? String)
            #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
            // Its ranges went to the pre-authenticated upload URL: it needed no new token.
            stats = try await Self.stats(harness)
            #expect(stats["refreshes"] as? Int == 2)
            // The next Graph request meets the 401, refreshes once, and is sent again.
            let attachments = try await CLIHarness.run(["get", "--message", item] + Self.signedIn(harness), environment: Self.environment)
            #expect(attachments.status == 0, "\(attachments.stderr)")
            #expect(attachments.stdout.contains("long.bin"))
            stats = try await Self.stats(harness)
            #expect(stats["refreshes"] as? Int == 3)
            #expect(stats["refusedRefreshes"] as? Int == 0)
        }
    }

    /// An access token that lives seconds is refreshed before it runs out, not after Graph
    /// refuses it.
    @Test func aShortLivedTokenIsRefreshedBeforeItExpires() async throws {
        try await CLIHarness.with(Self.configuration(tokenLifetime: .seconds(10))) { harness in
            let (login, code) = try await Self.startDeviceLogin(harness)
            _ = try await Self.control(harness, .POST, "/_emulator/identity/device-codes/\(code)/approve")
            #expect(try await login.finish().status == 0)
            let listed = try await CLIHarness.run(["ls", "messages"] + Self.signedIn(harness), environment: Self.environment)
            #expect(listed.status == 0, "\(listed.stderr)")
            let stats = try await Self.stats(harness)
            #expect(stats["refreshes"] as? Int == 1)
            #expect(stats["expiredTokenRejections"] as? Int == 0, "it waited for Graph to refuse the token")
        }
    }

    /// Graph stops honouring a token before its time: attache refreshes once and sends the
    /// request again, and the command never notices.
    @Test func a401InvalidAuthenticationTokenIsRefreshedOnceAndRepeated() async throws {
        try await CLIHarness.with(Self.configuration()) { harness in
            let (login, code) = try await Self.startDeviceLogin(harness)
            _ = try await Self.control(harness, .POST, "/_emulator/identity/device-codes/\(code)/approve")
            #expect(try await login.finish().status == 0)
            _ = try await Self.control(harness, .POST, "/_emulator/identity/users/demo@attache.test/expireAccessTokens")
            let listed = try await CLIHarness.run(["ls", "messages"] + Self.signedIn(harness), environment: Self.environment)
            #expect(listed.status == 0, "\(listed.stderr)")
            let stats = try await Self.stats(harness)
            #expect((stats["expiredTokenRejections"] as? Int ?? 0) >= 1)
            #expect(stats["refreshes"] as? Int == 1)
        }
    }

    /// On the screen, an ended sign-in is one dialog saying so, not a stack of failures.
    @Test func theScreenSaysOnceThatTheSignInEnded() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(Self.configuration()) { harness in
            let (login, code) = try await Self.startDeviceLogin(harness)
            _ = try await Self.control(harness, .POST, "/_emulator/identity/device-codes/\(code)/approve")
            #expect(try await login.finish().status == 0)
            try await Self.revoke(harness)
            let command = ([CLIHarness.binary] + Self.signedIn(harness)).map { "'\($0)'" }.joined(separator: " ")
            let tmux = try TmuxSession.start(
                command, width: 100, height: 30, directory: harness.workDirectory, environment: ["ATTACHE_TOKEN_STORE": "file", "NO_COLOR": "1"])
            defer { tmux.kill() }
            let screen = try await tmux.waitFor("the sign-in dialog") { screen in
                screen.contains { $0.contains("─ Sign in ─") } && screen.contains { $0.contains("Press L to sign in again") }
            }
            #expect(screen.filter { $0.contains("─ Sign in ─") }.count == 1)
            try tmux.send("Escape")
            try await tmux.waitFor("the dialog to close") { screen in !screen.contains { $0.contains("─ Sign in ─") } }
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains { $0.contains("attache-exited-0") } }
        }
    }

    /// `L` in the screen: the code in a dialog while it waits, then the screen works as the
    /// account; `M` then switches to a shared mailbox, which the title names.
    @Test func theScreenSignsInWithLAndSwitchesMailboxWithM() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        try await CLIHarness.with(Self.configuration()) { harness in
            let command = ([CLIHarness.binary] + Self.signedIn(harness) + ["--token", CLIHarness.token]).map { "'\($0)'" }.joined(separator: " ")
            let tmux = try TmuxSession.start(
                command, width: 100, height: 30, directory: harness.workDirectory, environment: ["ATTACHE_TOKEN_STORE": "file", "NO_COLOR": "1"])
            defer { tmux.kill() }
            try await tmux.waitFor("the mailbox") { $0.contains { $0.contains("Quarterly report") } }
            try tmux.send("L")
            var code: String?
            try await tmux.waitFor("the code in the sign-in dialog") { screen in
                guard let index = screen.firstIndex(where: { $0.contains("and enter the code") }), index + 1 < screen.count else { return false }
                code = screen[index + 1].split(separator: "│").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
                return code?.isEmpty == false
            }
            #expect(try await Self.control(harness, .POST, "/_emulator/identity/device-codes/\(try #require(code))/approve").status == 204)
            let signedIn = try await tmux.waitFor("the screen as the account") { screen in
                screen.contains { $0.contains("signed in as Demo User <demo@attache.test>") } && screen.contains { $0.contains("Quarterly report") }
            }
            #expect(!(signedIn.first ?? "").contains("127.0.0.1"), "the title names the account: \(signedIn.first ?? "")")

            try tmux.send("M")
            try await tmux.waitFor("the mailbox prompt") { $0.contains { $0.contains("Mailbox: an address") } }
            try tmux.send("-l", EmulatorConfiguration.sharedMailbox)
            try tmux.send("Enter")
            let shared = try await tmux.waitFor("the shared mailbox") { screen in
                screen.contains { $0.contains("Team newsletter") }
            }
            #expect(shared.first?.contains("demo@attache.test · \(EmulatorConfiguration.sharedMailbox)") == true, "\(shared.first ?? "")")
            // M says what it did: where it works now, and what that mailbox holds.
            try await tmux.waitFor("M's report") { screen in
                screen.joined(separator: " ").contains(/working in \S+: \d+\+? messages?, \d+\+? events?/)
            }
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains { $0.contains("attache-exited-0") } }
            let stats = try await Self.stats(harness)
            #expect((stats["tokensIssued"] as? Int ?? 0) >= 1)
        }
    }

    /// `L` and `M` while transfers run: each transfer goes on with the account and mailbox
    /// it was queued in and lands whole, while the screen, in place, keeps its tab and the
    /// item it was on.
    @Test func signingInAndSwitchingMailboxLeaveTransfersAndTheScreenWhereTheyWere() async throws {
        try #require(TmuxSession.available, "tmux is needed: make setup installs it")
        var configuration = Self.configuration()
        configuration.rangeDelay = .milliseconds(150)
        try await CLIHarness.with(configuration) { harness in
            let first = try harness.makeFile("while-signing-in.bin", size: 8 * 1024 * 1024, seed: 141)
            let second = try harness.makeFile("while-switching.bin", size: 8 * 1024 * 1024, seed: 142)
            let command = ([CLIHarness.binary] + Self.signedIn(harness) + ["--token", CLIHarness.token, "--chunk-size", "327680",
                "--start-dir", harness.workDirectory]).map { "'\($0)'" }.joined(separator: " ")
            let tmux = try TmuxSession.start(
                command, width: 110, height: 30, directory: harness.workDirectory, environment: ["ATTACHE_TOKEN_STORE": "file", "NO_COLOR": "1"])
            defer { tmux.kill() }
            try await tmux.waitFor("the mailbox") { $0.contains { $0.contains("Quarterly report") } }
            // The fifth message, a draft: the selection must stay on it.
            try tmux.send("j", "j", "j", "j")
            try await tmux.waitFor("the fifth message") { $0.contains { $0.contains("Attachments · Signed contract scan") } }
            let item = try #require(try await harness.json(harness.emulator.graphBaseURL + "/me/messages?$select=id,subject")["value"]
                .flatMap { $0 as? [[String: Any]] }?.first { ($0["subject"] as? String)?.hasPrefix("Signed contract scan") == true }?["id"] as? String)

            // The first file goes, and L signs in while it does.
            try tmux.send("a")
            try await tmux.waitFor("the picker") { $0.contains { $0.contains("while-signing-in.bin") } }
            try tmux.send("/")
            try tmux.send("-l", "signing")
            try tmux.send("Enter", "Enter")
            try await tmux.waitFor("the first transfer under way") { $0.contains { $0.contains("while-signing-in.bin") && $0.contains("%") } }
            try tmux.send("L")
            var code: String?
            try await tmux.waitFor("the code in the sign-in dialog") { screen in
                guard let index = screen.firstIndex(where: { $0.contains("and enter the code") }), index + 1 < screen.count else { return false }
                code = screen[index + 1].split(separator: "│").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
                return code?.isEmpty == false
            }
            #expect(try await Self.control(harness, .POST, "/_emulator/identity/device-codes/\(try #require(code))/approve").status == 204)
            let signedIn = try await tmux.waitFor("the screen, in place, as the account") { screen in
                screen.contains { $0.contains("signed in as Demo User <demo@attache.test>") }
                    && screen.contains { $0.contains("Attachments · Signed contract scan") }
            }
            #expect(signedIn.first?.contains("demo@attache.test") == true, "\(signedIn.first ?? "")")

            // The second file goes, and M switches mailbox while it does.
            try tmux.send("a")
            try await tmux.waitFor("the picker again") { $0.contains { $0.contains("while-switching.bin") } }
            try tmux.send("/")
            try tmux.send("-l", "switching")
            try tmux.send("Enter", "Enter")
            try await tmux.waitFor("the second transfer under way") { $0.contains { $0.contains("while-switching.bin") && $0.contains("%") } }
            try tmux.send("M")
            try await tmux.waitFor("the mailbox prompt") { $0.contains { $0.contains("Mailbox: an address") } }
            try tmux.send("-l", EmulatorConfiguration.sharedMailbox)
            try tmux.send("Enter")
            try await tmux.waitFor("the shared mailbox, on the same tab") { screen in
                screen.contains { $0.contains("Team newsletter") } && screen.contains { $0.contains("working in \(EmulatorConfiguration.sharedMailbox)") }
            }
            try await tmux.waitFor("both transfers done", timeout: .seconds(60)) { screen in
                screen.filter { ($0.contains("while-signing-in.bin") || $0.contains("while-switching.bin")) && $0.contains("done") }.count == 2
            }
            // Each went to the item it was queued for, in the demo user's own mailbox, whole.
            let attachments = try await harness.attachments("messages", item)
            for file in [first, second] {
                let name = (file.path as NSString).lastPathComponent
                let id = try #require(attachments.first { $0["name"] as? String == name }?["id"] as? String, "\(name) not on the item")
                #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
            }
            try tmux.send("q")
            try await tmux.waitFor("attache to exit") { $0.contains { $0.contains("attache-exited-0") } }
        }
    }

    /// Revoked (a password change, an administrator): the access token stops working and the
    /// refresh is refused.
    static func revoke(_ harness: CLIHarness) async throws {
        _ = try await control(harness, .POST, "/_emulator/identity/users/demo@attache.test/revokeSignInSessions")
        _ = try await control(harness, .POST, "/_emulator/identity/users/demo@attache.test/expireAccessTokens")
    }

    @Test func aRevokedSignInAsksToSignInAgain() async throws {
        try await CLIHarness.with(Self.configuration()) { harness in
            let (login, code) = try await Self.startDeviceLogin(harness)
            _ = try await Self.control(harness, .POST, "/_emulator/identity/device-codes/\(code)/approve")
            #expect(try await login.finish().status == 0)
            try await Self.revoke(harness)
            let listed = try await CLIHarness.run(["ls", "messages"] + Self.signedIn(harness), environment: Self.environment)
            #expect(listed.status == 4, "\(listed.stderr)")
            #expect(listed.stderr.contains("run `attache login`"), "\(listed.stderr)")
            #expect(listed.stderr.split(separator: "\n").count == 1, "\(listed.stderr)")
        }
    }
}
