import AsyncHTTPClient
import Foundation
import GraphEmulator
import NIOCore
import Testing

/// Every failure is called by its name (issue 19, item 15): a message that blames the
/// wrong thing, or a silent success, sends the user the wrong way.
@Suite("Messages that do not mislead")
struct MisleadingTests {
    static let bound = HangTests.bound

    // MARK: The command line

    /// `-photo.jpg` reads as -p -h -o …, and so as a request for help: refused, whether or
    /// not such a file exists; `./-photo.jpg` and `-- -photo.jpg` attach it.
    @Test func aDashWordIsRefusedNotReadAsHelp() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            _ = try harness.makeFile("-photo.jpg", size: 1000, seed: 1915)
            let file = try await CLIHarness.run(["upload", "-photo.jpg", "--message", item] + harness.connection, directory: harness.workDirectory)
            #expect(file.status == 64, "\(file.stderr)")
            #expect(file.stdout.isEmpty, "\(file.stdout)")
            #expect(
                file.stderr == "attache: error: '-photo.jpg' would be read as options (-p -h -o …), not as the file of that name: write ./-photo.jpg, or put it after --\n",
                "\(file.stderr)")
            let none = try await CLIHarness.run(["upload", "-nofile.jpg", "--message", item] + harness.connection, directory: harness.workDirectory)
            #expect(none.status == 64, "\(none.stderr)")
            #expect(none.stderr.contains("'-nofile.jpg' is not an option"), "\(none.stderr)")
            #expect(try await harness.attachments("messages", item).isEmpty)

            let dotted = try await CLIHarness.run(["upload", "./-photo.jpg", "--message", item] + harness.connection, directory: harness.workDirectory)
            #expect(dotted.status == 0, "\(dotted.stderr)")
            let separated = try await CLIHarness.run(
                ["upload", "--message", item] + harness.connection + ["--", "-photo.jpg"], directory: harness.workDirectory)
            #expect(separated.status == 0, "\(separated.stderr)")
            #expect(try await harness.attachments("messages", item).filter { $0["name"] as? String == "-photo.jpg" }.count == 2)
        }
    }

    /// A command attache does not have is named as such, with or without --help, and
    /// wherever the global options are.
    @Test func anUnknownCommandIsRefusedNotAnsweredWithTheScreensHelp() async throws {
        // A state directory of its own, though none of these runs gets as far as making it.
        let state = NSTemporaryDirectory() + "attache-mailto-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: state) }
        for arguments in [["mailto", "--help"], ["mailto"], ["--state-dir", state, "mailto", "--help"], ["--theme", "light", "mailto", "-h"]] {
            let result = try await CLIHarness.run(arguments + (arguments.contains("--state-dir") ? [] : ["--state-dir", state]))
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
            #expect(result.stderr.hasPrefix("attache: error: 'mailto' is not a command of attache (the commands are "), "\(result.stderr)")
        }
        // What is right still is.
        let help = try await CLIHarness.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("SUBCOMMANDS"), "\(help.stdout)")
        let upload = try await CLIHarness.run(["--state-dir", state, "upload", "--help"])
        #expect(upload.status == 0, "\(upload.stderr)")
        #expect(upload.stdout.contains("attache upload <file>"), "\(upload.stdout)")
    }

    // MARK: Replies and connections

    /// Bytes that are no HTTP reply: the server is there, and wrong, not unreachable.
    @Test func aReplyThatIsNotHTTPIsCalledSo() async throws {
        let server = try RawReplyServer(reply: "SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n")
        let directory = NSTemporaryDirectory() + "attache-raw-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await CLIHarness.launch([
            "ls", "messages", "--graph", "http://127.0.0.1:\(server.port)/v1.0", "--token", "t", "--state-dir", directory,
        ]).finish(within: Self.bound)
        await server.stop()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("could not list messages: the server's reply could not be read (the reply is not HTTP"), "\(result.stderr)")
        #expect(!result.stderr.contains("no reply"), "\(result.stderr)")
        #expect(!result.stderr.contains("is the server running"), "\(result.stderr)")
    }

    /// A CA file that is no PEM is said to be so before anything is sent, not blamed on
    /// the server's certificate.
    @Test func aCAFileThatCannotBeLoadedIsNamed() async throws {
        try await CLIHarness.with { harness in
            let path = harness.workDirectory + "/corporate.pem"
            try "not a certificate\n".write(toFile: path, atomically: false, encoding: .utf8)
            let result = try await harness.attache("ls", ["messages", "--ca-file", path])
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("--ca-file '\(path)' holds no PEM certificate"), "\(result.stderr)")
            #expect(!result.stderr.contains("not trusted"), "\(result.stderr)")
            let variable = try await harness.attache("ls", ["messages"], environment: ["SSL_CERT_FILE": harness.workDirectory])
            #expect(variable.status == 64, "\(variable.stderr)")
            #expect(variable.stderr.contains("SSL_CERT_FILE '\(harness.workDirectory)' is a directory, not a file"), "\(variable.stderr)")
        }
    }

    /// https:// to a port that speaks plain HTTP is no certificate problem.
    @Test func httpsToAPlainHTTPServerIsNotACertificateProblem() async throws {
        try await CLIHarness.with { harness in
            let https = harness.emulator.graphBaseURL.replacingOccurrences(of: "http://", with: "https://")
            let result = try await CLIHarness.run(["ls", "messages", "--graph", https, "--token", CLIHarness.token, "--state-dir", harness.stateDirectory])
            #expect(result.status == 5, "\(result.stderr)")
            #expect(result.stderr.contains("the server does not speak TLS there"), "\(result.stderr)")
            #expect(result.stderr.contains("scheme"), "\(result.stderr)")
            #expect(!result.stderr.contains("certificate"), "\(result.stderr)")
        }
    }

    /// One byte that is not UTF-8 in one subject: the list is still read, that byte shown
    /// as U+FFFD.
    @Test func oneInvalidUTF8ByteDoesNotFailTheWholeList() async throws {
        try await CLIHarness.withHostileProxy(rule: { exchange in
            guard exchange.method == "GET", exchange.target.contains("/me/messages?") else { return .forward }
            return .rewrite { reply in
                var reply = reply
                if let range = reply.body.range(of: Data("Quarterly report".utf8)) { reply.body[range.lowerBound] = 0xFF }
                return reply
            }
        }) { harness, proxy in
            let result = try await harness.attache("ls", ["messages"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("\u{FFFD}uarterly report"), "\(result.stdout)")
            #expect(result.stdout.contains("Kyoto trip photos"), "\(result.stdout)")
        }
    }

    /// U+2028 and U+2029, which some terminals and log readers break lines at, are escaped.
    @Test func lineAndParagraphSeparatorsAreEscaped() async throws {
        try await CLIHarness.with { harness in
            _ = try await harness.postJSON("/me/messages", ["subject": "one\u{2028}two\u{2029}three"])
            let result = try await harness.attache("ls", ["messages"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("one\\u{2028}two\\u{2029}three"), "\(result.stdout)")
            #expect(!result.stdout.contains("\u{2028}") && !result.stdout.contains("\u{2029}"))
        }
    }

    // MARK: Files where files should be

    /// `config.toml` as a FIFO or a directory: named for what it is, not "permission" or
    /// "NSCocoaErrorDomain error 256", and a FIFO does not hang the command.
    @Test func aConfigFileThatIsAFIFOOrADirectoryIsNamed() async throws {
        try await CLIHarness.with { harness in
            let fifo = harness.workDirectory + "/config.toml"
            try HangTests.mkfifo(fifo)
            let piped = try await CLIHarness.launch(["status", "--config", fifo] + harness.connection).finish(within: Self.bound)
            #expect(piped.status == 64, "\(piped.stderr)")
            #expect(piped.stderr == "attache: error: \(fifo): is a FIFO, not a regular file\n", "\(piped.stderr)")
            let folder = harness.workDirectory + "/config.d"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let directory = try await harness.attache("status", ["--config", folder])
            #expect(directory.status == 64, "\(directory.stderr)")
            #expect(directory.stderr == "attache: error: \(folder): is a directory, not a file\n", "\(directory.stderr)")
        }
    }

    /// A token file cut short, made a directory, or garbled, and a Secret Service that
    /// fails: each said as it is, none as "not signed in".
    @Test func aBrokenTokenStoreIsNotCalledSignedOut() async throws {
        try await CLIHarness.with(SignInTests.configuration()) { harness in
            try await HangTests.signIn(harness, authority: harness.emulator.identityOrigin)
            let tokens = harness.stateDirectory + "/tokens.json"
            let cases: [(String, () throws -> Void)] = [
                ("is empty; remove it, then run `attache login`", { try Data().write(to: URL(fileURLWithPath: tokens)) }),
                ("cannot be read as tokens", { try Data("{\"x\":".utf8).write(to: URL(fileURLWithPath: tokens)) }),
                (
                    "is a directory, not a file",
                    {
                        try FileManager.default.removeItem(atPath: tokens)
                        try FileManager.default.createDirectory(atPath: tokens, withIntermediateDirectories: false)
                    }
                ),
            ]
            for (expected, breakIt) in cases {
                try breakIt()
                let result = try await CLIHarness.run(["ls", "messages"] + SignInTests.signedIn(harness), environment: SignInTests.environment)
                #expect(result.status == 1, "\(result.stderr)")
                #expect(result.stderr.hasPrefix("attache: error: the token store (\(tokens)) \(expected)"), "\(result.stderr)")
                #expect(!result.stderr.contains("not signed in"), "\(result.stderr)")
            }
            let failing = HangTests.fakeSecretTool(harness, "echo 'secret-tool: Cannot autolaunch D-Bus without X11 $DISPLAY' >&2\nexit 1\n")
            let result = try await CLIHarness.run(["ls", "messages"] + SignInTests.signedIn(harness), environment: failing)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(
                result.stderr.contains("the token store (the Secret Service) could not be read (secret-tool exited 1: secret-tool: Cannot autolaunch D-Bus"),
                "\(result.stderr)")
            #expect(!result.stderr.contains("not signed in"), "\(result.stderr)")
        }
    }

    // MARK: Signing in

    /// `attache config` shows the Graph and authority the signed-in account uses, as every
    /// command would, not the defaults.
    @Test func configShowsTheSignedInAccountsGraphAndAuthority() async throws {
        try await CLIHarness.with(SignInTests.configuration()) { harness in
            let before = try await CLIHarness.run(["config", "--state-dir", harness.stateDirectory], environment: SignInTests.environment)
            #expect(before.stdout.contains("graph           the embedded Graph emulator  (no account signed in)"), "\(before.stdout)")
            try await HangTests.signIn(harness, authority: harness.emulator.identityOrigin)
            let after = try await CLIHarness.run(["config", "--state-dir", harness.stateDirectory], environment: SignInTests.environment)
            #expect(after.status == 0, "\(after.stderr)")
            #expect(after.stdout.contains("account         demo@attache.test  (signed in last)"), "\(after.stdout)")
            #expect(after.stdout.contains("graph           \(harness.emulator.graphBaseURL)  (the signed-in account)"), "\(after.stdout)")
            #expect(after.stdout.contains("authority       \(harness.emulator.identityOrigin)  (the signed-in account)"), "\(after.stdout)")
            // A flag still wins.
            let flagged = try await CLIHarness.run(
                ["config", "--state-dir", harness.stateDirectory, "--authority", "https://login.example.com"], environment: SignInTests.environment)
            #expect(flagged.stdout.contains("authority       https://login.example.com  (--authority)"), "\(flagged.stdout)")
        }
    }

    /// Another local process reaching the browser sign-in's listener first, with a state of
    /// its own, is told it is not the one: it neither ends the sign-in nor hears "Signed in",
    /// and the real redirect still completes it.
    @Test func aRedirectWithAnotherStateDoesNotEndTheBrowserSignIn() async throws {
        try await CLIHarness.with(SignInTests.configuration()) { harness in
            let login = try CLIHarness.launch(["login", "--browser"] + SignInTests.signedIn(harness), environment: SignInTests.environment)
            var address: String?
            _ = try await login.waitForStderr { text in
                address = text.firstMatch(of: /\s(http:\/\/127\.0\.0\.1:\d+\/\S+\/oauth2\/v2\.0\/authorize\?\S+)/).map { String($0.1) }
                return address != nil
            }
            let authorize = try #require(address, "\(login.stderrSoFar)")
            let redirect = try #require(
                URLComponents(string: authorize)?.queryItems?.first { $0.name == "redirect_uri" }?.value, "no redirect_uri in \(authorize)")
            let intruder = try await HTTPClient.shared.execute(HTTPClientRequest(url: redirect + "?code=EVIL&state=forged"), timeout: .seconds(30))
            let page = String(buffer: try await intruder.body.collect(upTo: 1 << 16))
            #expect(intruder.status == .badRequest)
            #expect(!page.contains("Signed in"), "\(page)")
            #expect(page.contains("not the sign-in attache is waiting for"), "\(page)")
            #expect(login.process.isRunning, "the forged redirect ended the sign-in: \(login.stderrSoFar)")

            let real = try await HTTPClient.shared.execute(HTTPClientRequest(url: authorize), timeout: .seconds(30))
            #expect(String(buffer: try await real.body.collect(upTo: 1 << 16)).contains("Signed in to attache"))
            let result = try await login.finish(within: Self.bound)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("<demo@attache.test>"), "\(result.stdout)")
        }
    }

    /// A `verification_uri` that is no web page (`javascript:`) is refused, never shown as
    /// the address to open.
    @Test func aJavascriptVerificationAddressIsNotShown() async throws {
        try await CLIHarness.with(SignInTests.configuration()) { harness in
            let proxy = try await HostileProxy.start { exchange in
                guard exchange.target.hasSuffix("/oauth2/v2.0/devicecode") else { return .forward }
                return .rewrite { reply in
                    var reply = reply
                    var json = reply.json
                    json["verification_uri"] = "javascript:alert(document.cookie)"
                    json["message"] = "To sign in, use a web browser to open the page javascript:alert(document.cookie) and enter the code \(json["user_code"] ?? "") to authenticate."
                    reply.body = try! JSONSerialization.data(withJSONObject: json)
                    return reply
                }
            }
            proxy.forward(to: harness.emulator.identityOrigin, uploads: harness.emulator.uploadOrigin)
            let result = try await CLIHarness.launch(
                ["login", "--graph", harness.emulator.graphBaseURL, "--authority", proxy.origin, "--state-dir", harness.stateDirectory],
                environment: SignInTests.environment
            ).finish(within: Self.bound)
            await proxy.stop()
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("gave a javascript: address as the page to sign in on, not an https:// one"), "\(result.stderr)")
            #expect(!result.stderr.contains("alert"), "\(result.stderr)")
            #expect(!result.stderr.contains("To sign in"), "\(result.stderr)")
        }
    }

    // MARK: get --raw

    /// More bytes than the attachment's size, or bytes gzipped unasked: nothing is saved.
    @Test func getRawSavesNoMoreThanTheSizeAndNoEncodedBody() async throws {
        let gzip = HangTests.Counter()
        try await CLIHarness.withHostileProxy(rule: { exchange in
            guard exchange.method == "GET", exchange.target.hasSuffix("/$value") || exchange.target.hasSuffix("/%24value") else { return .forward }
            return .rewrite { reply in
                var reply = reply
                if gzip.armed {
                    reply.headers.append(("Content-Encoding", "gzip"))
                } else {
                    reply.body = Data(count: 4 * 1024 * 1024)
                }
                return reply
            }
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let small = try harness.makeFile("small.bin", size: 100_000, seed: 1916)
            let uploaded = try await harness.attache("upload", [small.path, "--message", item, "--json"])
            let attachment = try #require(uploaded.jsonLines.first?["attachmentId"] as? String, "\(uploaded.stderr)")
            let size = try #require(try await harness.json("/me/messages/\(item)/attachments/\(attachment)?$select=size")["size"] as? Int)
            let path = harness.workDirectory + "/copy.bin"
            let oversized = try await harness.attache("get", ["--message", item, attachment, "--raw", "-o", path])
            #expect(oversized.status == 1, "\(oversized.stderr)")
            #expect(oversized.stderr.contains("the server sent more than the \(size) bytes the attachment's size says it has"), "\(oversized.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path))

            gzip.arm()
            let encoded = try await harness.attache("get", ["--message", item, attachment, "--raw", "-o", path])
            #expect(encoded.status == 1, "\(encoded.stderr)")
            #expect(encoded.stderr.contains("the bytes came encoded (Content-Encoding: gzip), which attache did not ask for"), "\(encoded.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }
}
