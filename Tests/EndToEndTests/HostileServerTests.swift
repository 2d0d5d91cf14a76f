import Foundation
import GraphEmulator
import Testing

/// A server that answers what no sane Graph would: attache must neither crash, nor wait for
/// ever, nor let the server's text act on the terminal or the log.
@Suite("A hostile server")
struct HostileServerTests {
    static let mib = 1024 * 1024

    /// Bytes a terminal acts on, that must never reach it from a server or a file name.
    static func expectInert(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for scalar in ["\u{1B}", "\u{07}", "\r", "\u{9B}"] {
            #expect(!text.contains(scalar), "\(what) holds \(scalar.unicodeScalars.first!.value): \(text.debugDescription)", sourceLocation: sourceLocation)
        }
    }

    /// Once crashed attache converting to Int64, or made it sleep for years without a word.
    @Test(arguments: ["1e300", "99999999999999999999", "999999", "Fri, 31 Dec 9999 23:59:59 GMT"])
    func aRetryAfterOutOfAllProportionIsCappedAndSaid(value: String) async throws {
        try await CLIHarness.withHostileProxy(rule: { exchange in
            exchange.isUploadURL && exchange.method == "PUT"
                ? .answer(.graphError(503, code: "ServiceUnavailable", message: "Busy.", headers: [("Retry-After", value)])) : .forward
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("wait.bin", size: 4 * Self.mib)
            let running = try harness.launch("upload", [file.path, "--message", item])
            let said = try await running.waitForStderr { $0.contains(/waiting [45]:[0-9]{2} before trying 'wait.bin' again \(try 2\): HTTP 503/) }
            #expect(said, "\(running.stderrSoFar)")
            running.signal(SIGINT)
            let result = try await running.finish()
            #expect(result.status == 130, "\(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
            let status = try await harness.attache("status", ["--json"])
            #expect(status.jsonLines.first?["state"] as? String == "interrupted")
        }
    }

    @Test func serverTextNeverActsOnTheTerminalOrTheLog() async throws {
        let hostile = "\u{1B}]0;pwned\u{07}\u{1B}[2J\r\n2026-01-01T00:00:00.000Z error attache: forged"
        try await CLIHarness.withHostileProxy(rule: { exchange in
            exchange.method == "POST" && exchange.target.hasSuffix("/attachments")
                ? .answer(.graphError(400, code: "ErrorInvalidRequest", message: "Refused \(hostile)")) : .forward
        }) { harness, proxy in
            // A subject and an attachment name as a server may send them.
            let draft = try await harness.postJSON("/me/messages", ["subject": "Hello \(hostile)"])
            let id = try #require(draft["id"] as? String)
            _ = try await harness.postJSON(
                "/me/messages/\(id)/attachments",
                ["@odata.type": "#microsoft.graph.fileAttachment", "name": "evil\u{1B}[31m.txt", "contentBytes": "aGk="])

            let listed = try await harness.attache("ls", ["messages"])
            #expect(listed.status == 0)
            #expect(listed.stdout.contains("Hello \\x1b]0;pwned\\x07\\x1b[2J\\r\\n2026"))
            Self.expectInert(listed.stdout, "ls")

            let attachments = try await harness.attache("get", ["--message", id])
            #expect(attachments.stdout.contains("evil\\x1b[31m.txt"))
            Self.expectInert(attachments.stdout, "get")

            // A file name from disk, and a refusal from the server.
            let file = try harness.makeFile("bad\u{1B}[2Jname.bin", size: 1000)
            let log = harness.workDirectory + "/attache.log"
            let refused = try await harness.attache("upload", [file.path, "--message", id, "--log-level", "debug", "--log-file", log])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("bad\\x1b[2Jname.bin"))
            #expect(refused.stderr.contains("Refused \\x1b]0;pwned"))
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
            Self.expectInert(refused.stderr, "upload's error")

            let status = try await harness.attache("status", ["--all"])
            #expect(status.stdout.contains("bad\\x1b[2Jname.bin"))
            Self.expectInert(status.stdout, "status --all")

            let logged = try String(contentsOfFile: log, encoding: .utf8)
            Self.expectInert(logged, "the log")
            for line in logged.split(separator: "\n") {
                #expect(!line.hasPrefix("2026-01-01T00:00:00.000Z"), "a forged log line: \(line)")
            }
        }
    }

    @Test func aPortNoTCPConnectionCanHaveIsRefusedNotACrash() async throws {
        try await CLIHarness.withHostileProxy(rule: HostileProxy.rewritingUploadURL { $0.replacing(#/127\.0\.0\.1:\d+/#, with: "127.0.0.1:70000") }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("port.bin", size: 4 * Self.mib)
            let result = try await harness.attache("upload", [file.path, "--message", item])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("port 70000 is not from 1 to 65535"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")

            for graph in ["http://127.0.0.1:70000/v1.0", "http:///v1.0", "http://127.0.0.1:99999999999999999999/v1.0"] {
                let bad = try await CLIHarness.run(["ls", "messages", "--graph", graph, "--token", "t", "--state-dir", harness.stateDirectory])
                #expect(bad.status == 64, "\(graph): \(bad.stderr)")
                #expect(bad.stderr.contains("--graph"), "\(bad.stderr)")
            }
        }
    }

    /// Logging to a reader that went away must not take the upload down with it.
    @Test func aLogThatCannotBeWrittenIsNotACrash() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("logged.bin", size: 5 * Self.mib)
            // The reader of stderr is gone before the first line: every log write meets EPIPE.
            let running = try CLIHarness.launch(
                ["upload"] + harness.connection + [file.path, "--message", item, "--log-file", "-", "--log-level", "trace", "--json"],
                stderrReaderGone: true)
            let result = try await running.finish()
            #expect(result.status == 0)
            let line = try #require(result.stdout.split(separator: "\n").first)
            #expect(line.contains("\"status\":\"attached\""))
            let attachments = try await harness.attachments("messages", item)
            #expect(attachments.contains { $0["name"] as? String == "logged.bin" })
        }
    }

    static let canMountPrivately: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = ["-m", "true"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? CLIHarness.launching.withLock({ try probe.run() })) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    /// The state directory fills up mid-upload (a small tmpfs in a private mount namespace,
    /// so nothing outside the test sees it). The journal can no longer record the upload, so
    /// the upload stops there, says so and why, and keeps its session; once there is room,
    /// `attache resume` finishes it byte-exact. It once printed "attached" and exited 0 while
    /// the journal still said 7.5 MiB of 19.1 MiB, and a later resume reported nonsense.
    @Test(.enabled(if: canMountPrivately, "needs root and unshare(1) for a private mount namespace"))
    func aFullStateDiskStopsTheUploadWhichResumesOnceThereIsRoom() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("full.bin", size: 12 * Self.mib)
            // One shell in the namespace: the tmpfs lives only as long as it does.
            let script = """
                mount -t tmpfs -o size=256k,mode=0700 tmpfs "$STATE" || exit 90
                "$BIN" upload --graph "$GRAPH" --token "$TOKEN" --state-dir "$STATE" "$FILE" --message "$ITEM" --chunk-size 327680 --log-level trace
                echo "upload exited $?"
                "$BIN" status --state-dir "$STATE" --json
                mount -o remount,size=64m "$STATE" || exit 91
                "$BIN" resume --graph "$GRAPH" --token "$TOKEN" --state-dir "$STATE" --json
                echo "resume exited $?"
                """
            let result = try await CLIHarness.run(
                ["/bin/sh", "-c", script],
                environment: [
                    "BIN": CLIHarness.binary, "GRAPH": harness.graphBase, "TOKEN": CLIHarness.token, "STATE": harness.stateDirectory,
                    "FILE": file.path, "ITEM": item,
                ],
                prefix: ["/usr/bin/unshare", "-m"], bare: true)
            #expect(result.stdout.contains("upload exited 1"), "\(result.stdout)\n\(result.stderr)")
            #expect(
                result.stderr.contains(
                    #/could not attach 'full.bin' to message \S+: the transfer journal \S+journal.sqlite cannot be written \(database or disk is full\), so the upload stopped at [0-9.]+ [KM]iB of 12.0 MiB with its session kept; make room; `attache resume` continues it/#),
                "\(result.stderr)")
            #expect(!result.stderr.contains("attached full.bin"), "\(result.stderr)")
            let lines = result.jsonLines
            let status = try #require(lines.first { $0["transfer"] != nil && $0["state"] as? String != "done" && $0["status"] == nil })
            #expect(status["hasSession"] as? Bool == true, "\(status)")
            let resumed = try #require(lines.first { $0["status"] != nil })
            #expect(resumed["status"] as? String == "attached", "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("resume exited 0"), "\(result.stdout)\n\(result.stderr)")
            let attachments = try await harness.attachments("messages", item).filter { $0["name"] as? String == "full.bin" }
            #expect(attachments.count == 1)
            let attachment = try #require(attachments.first)
            let digest = try await harness.valueDigest("messages", item, try #require(attachment["id"] as? String))
            #expect(digest.sha256 == file.sha256)
            #expect(try await harness.openSessions().isEmpty)
        }
    }
}
