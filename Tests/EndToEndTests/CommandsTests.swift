import AsyncHTTPClient
import Foundation
import GraphEmulator
import NIOCore
import Testing

@Suite("The other commands")
struct CommandsTests {
    @Test func listsAsTextAndAsJSON() async throws {
        try await CLIHarness.with { harness in
            let text = try await harness.attache("ls", ["messages"])
            #expect(text.status == 0)
            let lines = text.stdout.split(separator: "\n")
            #expect(lines.count == 6)
            #expect(lines[0].hasPrefix("ID "))
            #expect(lines[0].hasSuffix("DATE              ATT  SUBJECT"))
            #expect(text.stdout.contains("  0  旅行の写真 (Kyoto trip photos)"))
            let json = try await harness.attache("ls", ["events", "--json"])
            #expect(json.jsonLines.count == 4)
            #expect(json.jsonLines.allSatisfy { $0["kind"] as? String == "event" && ($0["id"] as? String)?.hasPrefix("AAMkAD") == true })
        }
    }

    /// `attache --state-dir DIR status`, git's order, means the same as the usual one; the
    /// screen (the default subcommand) must not swallow the options and then the command.
    @Test func globalOptionsMayComeBeforeTheCommand() async throws {
        try await CLIHarness.with { harness in
            let usual = try await harness.attache("ls", ["messages", "--json"])
            #expect(usual.status == 0)
            let first = try await CLIHarness.run(harness.connection + ["ls", "messages", "--json"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout == usual.stdout)
            let joined = harness.connection.enumerated().reduce(into: [String]()) { result, pair in
                // --graph=URL --token=T --state-dir=DIR
                if pair.offset % 2 == 0 { result.append(pair.element) } else { result[result.count - 1] += "=" + pair.element }
            }
            let withEquals = try await CLIHarness.run(joined + ["--log-level", "debug", "ls", "messages", "--json"])
            #expect(withEquals.status == 0, "\(withEquals.stderr)")
            #expect(withEquals.stdout == usual.stdout)
            // Anything else before the command is still the parser's to refuse, with one error.
            let wrong = try await CLIHarness.run(harness.connection + ["--json", "ls", "messages"])
            #expect(wrong.status == 64)
            #expect(wrong.stderr.hasPrefix("Error: Unknown option '--json'"))
        }
    }

    /// `attache ls --json | head -1`: a reader that goes away costs no crash and no upload.
    @Test func aClosedStandardOutputIsNotACrash() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("piped.bin", size: 4 * 1024 * 1024, seed: 31)
            for arguments in [["ls", "messages", "--json"], ["upload", file.path, "--message", item, "--json"]] {
                // The reader is gone before the first write. Waited for without blocking a
                // thread, which the emulator in this process needs.
                let running = try CLIHarness.launch([arguments[0]] + harness.connection + Array(arguments.dropFirst()), stdoutReaderGone: true)
                let result = try await running.finish()
                #expect(running.process.terminationReason == .exit && result.status == 0, "\(arguments[0]): \(result.stderr)")
                #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("crashed"), "\(result.stderr)")
            }
            let attached = try await harness.attachments("messages", item)
            let attachmentID = try #require(attached.first { $0["name"] as? String == "piped.bin" }?["id"] as? String)
            #expect(try await harness.valueDigest("messages", item, attachmentID).sha256 == file.sha256)
        }
    }

    /// `--verify` reads each attachment back: a match says so, a difference fails the file.
    @Test func verifyReadsTheAttachmentBack() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let big = try harness.makeFile("checked.bin", size: 5 * 1024 * 1024, seed: 41)
            let json = try await harness.attache("upload", [big.path, "--message", item, "--verify", "--json"])
            #expect(json.status == 0, "\(json.stderr)")
            #expect(json.jsonLines.first?["verified"] as? Bool == true)
            #expect(json.jsonLines.first?["sha256"] as? String == big.sha256)
            let small = try harness.makeFile("note.txt", size: 2000, seed: 42)
            let text = try await harness.attache("upload", [small.path, "--message", item, "--verify"])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("[one request, verified, "))
        }
        try await CLIHarness.with(EmulatorConfiguration(faults: [.corruptValue])) { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("bent.bin", size: 4 * 1024 * 1024, seed: 43)
            let result = try await harness.attache("upload", [file.path, "--message", item, "--verify", "--json"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("attache: error: could not attach 'bent.bin' to message "))
            #expect(result.stderr.contains(": it was attached as "))
            #expect(result.stderr.contains("but its bytes differ from the file (sha256 "))
            #expect(result.stderr.contains("file \(file.sha256)); delete it and upload again"))
            #expect(result.jsonLines.first?["status"] as? String == "failed")
            let error = try #require(result.jsonLines.first?["error"] as? [String: Any])
            #expect(error["kind"] as? String == "verificationFailed")
            #expect(error["code"] as? String == "verificationFailed")
            // Nothing is taken away: the attachment is there to look at.
            #expect(try await harness.attachments("messages", item).count == 1)
        }
    }

    @Test func getShowsMetadataAndStreamsTheRawBytes() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("events")
            let file = try harness.makeFile("agenda.pdf", size: 3_500_000, seed: 5)
            let uploaded = try await harness.attache("upload", [file.path, "--event", item, "--json"])
            let attachment = try #require(uploaded.jsonLines.first?["attachmentId"] as? String)
            let list = try await harness.attache("get", ["--event", item])
            // Graph's size, which counts more than the file's 3.3 MiB.
            #expect(list.stdout.contains("\(attachment)     3.5 MiB  application/pdf           agenda.pdf"), "\(list.stdout)")
            let metadata = try await harness.attache("get", ["--event", item, attachment, "--json"])
            let json = try #require(metadata.jsonLines.first)
            #expect(json["name"] as? String == "agenda.pdf")
            #expect(json["size"] as? Int == Int(GraphEmulator.reportedSize(ofBytes: 3_500_000)))
            let out = harness.workDirectory + "/copy.pdf"
            let raw = try await harness.attache("get", ["--event", item, attachment, "--raw", "-o", out])
            #expect(raw.status == 0)
            #expect(raw.stdout == "saved 3500000 bytes to \(out) (sha256 \(file.sha256))\n")
            let missing = try await harness.attache("get", ["--event", item, "AAMkADnothing="])
            #expect(missing.status == 3)
            #expect(missing.stderr == "attache: error: attachment AAMkADnothing= of event \(item.prefix(12))…\(item.suffix(8)) not found\n")
        }
    }

    @Test func serveListensAndStopsOnSIGTERM() async throws {
        let directory = NSTemporaryDirectory() + "attache-serve-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try CLIHarness.launch(["serve", "--port", "0", "--data-dir", directory, "--quiet"])
        let origin = await Eventually.value(timeout: .seconds(5)) { () -> String? in
            guard let line = server.stdoutSoFar.split(separator: "\n").first, line.hasPrefix("listening on http://127.0.0.1:") else { return nil }
            return String(line.dropFirst("listening on ".count))
        }
        let base = try #require(origin)
        let listed = try await CLIHarness.run(["ls", "messages", "--graph", base + "/v1.0", "--token", "attache-dev-token", "--state-dir", directory + "/state"])
        #expect(listed.status == 0)
        #expect(listed.stdout.split(separator: "\n").count == 6)
        server.signal(SIGTERM)
        let stopped = try await server.finish()
        #expect(stopped.status == 0)
        #expect(stopped.stdout.hasPrefix("listening on \(base)\n"))
    }

    @Test func serveNamesItsIdentityOriginAndTakesItsOptions() async throws {
        let directory = NSTemporaryDirectory() + "attache-serve-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try CLIHarness.launch([
            "serve", "--port", "0", "--data-dir", directory, "--quiet", "--device-code-interval", "2", "--device-code-expiry", "30",
            "--token-lifetime", "7",
        ])
        let identity = await Eventually.value(timeout: .seconds(5)) { () -> String? in
            server.stdoutSoFar.split(separator: "\n").first { $0.hasPrefix("identity: ") }.map { String($0.dropFirst("identity: ".count)) }
        }
        let authority = try #require(identity)
        #expect(authority.hasPrefix("http://127.0.0.1:"))
        var request = HTTPClientRequest(url: authority + "/organizations/oauth2/v2.0/devicecode")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "client_id=\(IdentityConfiguration.defaultClientID)&scope=offline_access%20User.Read"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 * 1024)
        let reply = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
        #expect(response.status.code == 200)
        #expect(reply["interval"] as? Int == 2)
        #expect(reply["expires_in"] as? Int == 30)
        #expect(reply["verification_uri"] as? String == authority + "/devicelogin")
        server.signal(SIGTERM)
        let stopped = try await server.finish()
        #expect(stopped.status == 0)
        let lines = stopped.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.dropLast().last == "identity: \(authority)")
        #expect(lines.last?.hasPrefix("uploads: http://127.0.0.1:") == true)
    }

    @Test func noSecretInOutputOrLogs() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("big.bin", size: 7 * 1024 * 1024)
            let log = harness.workDirectory + "/trace.log"
            let result = try await harness.attache("upload", [file.path, "--message", item, "--json", "--log-level", "trace", "--log-file", log])
            #expect(result.status == 0)
            let logged = try String(contentsOfFile: log, encoding: .utf8)
            #expect(logged.contains("graph request"))
            for text in [result.stdout, result.stderr, logged] {
                #expect(!text.contains(CLIHarness.token))
                #expect(!text.contains("authtoken"))
                #expect(!text.contains("AttachmentSessions('"))
            }
            // The HTTP client's own trace lines print reply bytes (in hex, too): none may be there.
            #expect(!logged.contains("ahc-"), "the HTTP client logged")
            #expect(!logged.contains("61757468746f6b656e") && !logged.contains("61 75 74 68 74 6f 6b 65 6e"), "authtoken in hex")
            let journal = try FileManager.default.attributesOfItem(atPath: harness.stateDirectory + "/journal.sqlite")
            #expect(journal[.posixPermissions] as? Int == 0o600)
        }
    }
}
