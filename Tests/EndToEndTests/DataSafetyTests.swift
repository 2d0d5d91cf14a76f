import Foundation
import GraphEmulator
import Testing

/// What an outside test found losing or corrupting data, or saying something untrue: a file
/// that changes while it goes, a cancel that comes too late, a Ctrl-C during a range, odd
/// replies, and exit codes that must mean what README says.
@Suite("Data safety")
struct DataSafetyTests {
    static let mib = 1024 * 1024
    static let chunk = 327_680

    /// Nothing of the file is left on the server: no attachment, no session.
    func expectNothingLeft(_ harness: CLIHarness, item: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await harness.attachments("messages", item).isEmpty, sourceLocation: sourceLocation)
        #expect(try await harness.openSessions().isEmpty, sourceLocation: sourceLocation)
    }

    // MARK: Item 5: a file that changes while it is uploaded

    enum Change: String, CaseIterable, Sendable {
        case rewrittenInPlace, shrunk, grown
    }

    /// Once attached as a mix of two versions, or its first bytes only, and called a success.
    @Test(arguments: Change.allCases)
    func aFileThatChangesMidUploadIsNotAttached(_ change: Change) async throws {
        try await CLIHarness.with(EmulatorConfiguration(rangeDelay: .milliseconds(40))) { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("moving.bin", size: 8 * Self.mib, seed: 51)
            let running = try await harness.launchUpload(file.path, to: item, until: 2 * Self.mib)
            let handle = try #require(FileHandle(forUpdatingAtPath: file.path))
            switch change {
            case .rewrittenInPlace:
                try handle.seek(toOffset: UInt64(6 * Self.mib))
                try handle.write(contentsOf: Data(repeating: 0xAB, count: 4096))
            case .shrunk:
                try handle.truncate(atOffset: UInt64(5 * Self.mib))
            case .grown:
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(repeating: 0xCD, count: 1000))
            }
            try handle.close()
            let result = try await running.finish()
            #expect(result.status == 6, "\(change): \(result.stderr)")
            #expect(result.stderr.contains("could not attach 'moving.bin' to message "), "\(result.stderr)")
            #expect(result.stderr.contains("the file changed since its upload began"), "\(result.stderr)")
            #expect((result.jsonLines.first?["error"] as? [String: Any])?["kind"] as? String == "fileChanged")
            try await expectNothingLeft(harness, item: item)
            let status = try await harness.attache("status", ["--all", "--json"])
            #expect(status.jsonLines.first?["state"] as? String == "failed")
        }
    }

    /// The bytes already sent are rewritten and the modification time put back (`touch -r`
    /// does as much): the kernel's change time, which no user can set back, tells. For a file
    /// written just before its upload, what was sent is hashed and read back too; for one left
    /// alone for a while (attache's clock moved 10 s on, with faketime, makes this one so), the
    /// change time alone decides, and nothing is hashed.
    @Test(arguments: [false, true])
    func aRewriteThatKeepsSizeAndTimeIsCaught(settled: Bool) async throws {
        if settled { try #require(HostileInputTests.hasFaketime, "needs faketime (make setup installs it)") }
        try await CLIHarness.with(EmulatorConfiguration(rangeDelay: .milliseconds(40))) { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("sly.bin", size: 6 * Self.mib, seed: 52)
            var before = stat()
            stat(file.path, &before)
            let clock = settled ? HostileInputTests.skewed("+10s") : (prefix: [String](), environment: [String: String]())
            let running = try CLIHarness.launch(
                ["upload"] + harness.connection + [file.path, "--message", item, "--chunk-size", "327680", "--json"],
                environment: clock.environment, prefix: clock.prefix)
            try await Eventually.until { (try await harness.openSessions().first?["received"] as? Int ?? 0) >= 2 * Self.mib || !running.process.isRunning }
            let descriptor = open(file.path, O_WRONLY)
            _ = [UInt8](repeating: 0xEE, count: 4096).withUnsafeBytes { pwrite(descriptor, $0.baseAddress, 4096, 0) }
            var times = [before.st_atim, before.st_mtim]
            futimens(descriptor, &times)
            close(descriptor)
            let result = try await running.finish()
            #expect(result.status == 6, "\(result.stderr)")
            #expect(result.stderr.contains("the file changed since its upload began"), "\(result.stderr)")
            try await expectNothingLeft(harness, item: item)
        }
    }

    // MARK: Item 6: a cancel that comes too late

    /// Killed while its only range was in flight, the server had made the attachment: cancel
    /// once said "cancelled" (and a retry attached it twice). It now reports it attached.
    /// A file of one range whose only reply is lost (the server made the attachment, the
    /// client never heard): attache looks, finds it, and attaches nothing twice.
    @Test func aSingleRangeWhoseOnlyReplyIsLostIsAttachedOnce() async throws {
        let injection = FaultInjection(rate: 1, seed: 3, kinds: [.dropReply])
        try await CLIHarness.with(EmulatorConfiguration(faultInjection: injection)) { harness in
            let item = try await harness.firstItem("messages")
            // 3 MiB + 5: a session of a single range of the default length.
            let file = try harness.makeFile("single.bin", size: 3 * Self.mib + 5, seed: 97)
            let result = try await harness.attache("upload", [file.path, "--message", item, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.jsonLines.first?["status"] as? String == "attached")
            let stats = try await harness.stats()
            #expect(stats["putRequests"] == 1, "the range was sent again")
            #expect(stats["createSessionRequests"] == 1)
            let attached = try await harness.attachments("messages", item).filter { $0["name"] as? String == "single.bin" }
            #expect(attached.count == 1)
            let id = try #require(attached.first?["id"] as? String)
            #expect(try await harness.valueDigest("messages", item, id).sha256 == file.sha256)
        }
    }

    @Test func cancellingATransferWhoseFinalRangeLandedReportsItAttached() async throws {
        try await CLIHarness.withHostileProxy(rule: { exchange in
            exchange.isUploadURL && exchange.method == "PUT" ? .forwardLate(.seconds(20)) : .forward
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("late.bin", size: 3_500_000, seed: 61)
            let running = try harness.launch("upload", [file.path, "--message", item])
            // The range went through the proxy; the emulator made the attachment; the reply waits.
            var attached: [[String: Any]] = []
            try await Eventually.until { attached = try await harness.attachments("messages", item); return !attached.isEmpty }
            let attachment = try #require(attached.first?["id"] as? String)
            running.signal(SIGKILL)
            _ = try await running.finish()
            let before = try await harness.attache("status", ["--json"])
            #expect(before.jsonLines.first?["state"] as? String == "uploading")

            let cancel = try await harness.attache("cancel", ["--all"])
            #expect(cancel.status == 0, "\(cancel.stderr)")
            #expect(cancel.stdout.contains("('late.bin' → message "), "\(cancel.stdout)")
            #expect(cancel.stdout.contains("was already attached as \(attachment) before the cancel; it stays"), "\(cancel.stdout)")
            let after = try await harness.attache("status", ["--all", "--json"])
            #expect(after.jsonLines.first?["state"] as? String == "done")
            #expect(after.jsonLines.first?["attachmentId"] as? String == attachment)
            #expect(try await harness.attache("resume", []).stderr.contains("nothing to resume"))
            #expect(try await harness.attachments("messages", item).count == 1)
        }
    }

    /// A transfer whose session was still open is cancelled for real.
    @Test func cancellingATransferWithALiveSessionDeletesIt() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("alive.bin", size: 40 * Self.mib, seed: 62)
            let running = try await harness.launchUpload(file.path, to: item, until: 2 * Self.mib)
            running.signal(SIGKILL)
            _ = try await running.finish()
            let cancel = try await harness.attache("cancel", ["--all", "--json"])
            #expect(cancel.status == 0, "\(cancel.stderr)")
            #expect(cancel.jsonLines.first?["state"] as? String == "cancelled")
            #expect(cancel.jsonLines.first?["note"] as? String == "session deleted")
            try await expectNothingLeft(harness, item: item)
        }
    }

    // MARK: Item 7: Ctrl-C during a range

    /// Ctrl-C once left in 11 ms, so a range that landed after was never recorded. Requests
    /// in flight now get a moment: the journal ends knowing what the server holds.
    @Test func ctrlCLetsTheRangeInFlightFinish() async throws {
        try await CLIHarness.withHostileProxy(rule: { exchange in
            exchange.isUploadURL && exchange.method == "PUT" ? .forwardLate(.seconds(1)) : .forward
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("grace.bin", size: 12 * Self.chunk, seed: 71)
            // The first range is in the emulator; its reply is a second away.
            let running = try await harness.launchUpload(file.path, to: item, until: Self.chunk)
            running.signal(SIGINT)
            let result = try await running.finish()
            #expect(result.status == 130, "\(result.stderr)")
            let held = try #require(try await harness.openSessions().first?["received"] as? Int)
            let status = try await harness.attache("status", ["--json"])
            #expect(status.jsonLines.first?["confirmedBytes"] as? Int == held, "the journal must know what landed")
            #expect(status.jsonLines.first?["state"] as? String == "interrupted")
        }
    }

    // MARK: Item 8: odd replies

    /// An empty or impossible NextExpectedRanges was read as an expired session: three
    /// sessions opened, two left open.
    @Test(arguments: [[String](), ["99999999999-"]])
    func oddExpectedRangesOpenNoSecondSessionAndLeaveNoneOpen(entries: [String]) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["ExpirationDateTime": "2030-01-01T00:00:00Z", "NextExpectedRanges": entries])
        try await CLIHarness.withHostileProxy(rule: { exchange in
            exchange.isUploadURL && exchange.method == "PUT"
                ? .rewrite { reply in reply.status == 200 ? HostileProxy.Reply(status: 200, body: body) : reply } : .forward
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("odd.bin", size: 5 * Self.mib, seed: 81)
            let result = try await harness.attache("upload", [file.path, "--message", item, "--json"])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("disagree"), "\(result.stderr)")
            #expect((result.jsonLines.first?["error"] as? [String: Any])?["kind"] as? String == "serverDisagrees")
            #expect(try await harness.stats()["createSessionRequests"] == 1)
            try await expectNothingLeft(harness, item: item)
        }
    }

    /// A final 201 without `Location`, and an attachment list that does not show it yet (as
    /// a list can lag): the file was sent again on three sessions. Now it is sent once.
    @Test func aFinal201WithoutLocationIsNeverSentAgain() async throws {
        try await CLIHarness.withHostileProxy(rule: { exchange in
            if exchange.method == "GET", exchange.target.contains("/attachments?") {
                return .answer(HostileProxy.Reply(status: 200, json: #"{"value":[]}"#))
            }
            guard exchange.isUploadURL, exchange.method == "PUT" else { return .forward }
            return .rewrite { reply in
                var reply = reply
                reply.headers.removeAll { $0.0.lowercased() == "location" }
                return reply
            }
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("unseen.bin", size: 5 * Self.mib, seed: 83)
            let result = try await harness.attache("upload", [file.path, "--message", item, "--json"])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("gave no Location"), "\(result.stderr)")
            #expect(result.stderr.contains("nothing was sent again"), "\(result.stderr)")
            let stats = try await harness.stats()
            #expect(stats["createSessionRequests"] == 1)
            #expect(stats["putBytes"] == 5 * Self.mib)
            #expect(try await harness.attachments("messages", item).count == 1)
        }
    }

    /// A final 201 without `Location`: the attachment is found on the item, not sent again.
    @Test func aFinal201WithoutLocationIsFoundNotSentAgain() async throws {
        try await CLIHarness.withHostileProxy(rule: { exchange in
            guard exchange.isUploadURL, exchange.method == "PUT" else { return .forward }
            return .rewrite { reply in
                var reply = reply
                reply.headers.removeAll { $0.0.lowercased() == "location" }
                return reply
            }
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("nolocation.bin", size: 5 * Self.mib, seed: 82)
            let result = try await harness.attache("upload", [file.path, "--message", item, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let attachments = try await harness.attachments("messages", item)
            #expect(attachments.count == 1)
            #expect(result.jsonLines.first?["attachmentId"] as? String == attachments.first?["id"] as? String)
            let stats = try await harness.stats()
            #expect(stats["createSessionRequests"] == 1)
            #expect(stats["putBytes"] == 5 * Self.mib)
        }
    }

    // MARK: Item 9: exit codes and messages

    @Test(arguments: [1000, 4 * 1024 * 1024])
    func a403ExitsFourWithGraphsCode(size: Int) async throws {
        try await CLIHarness.withHostileProxy(rule: { exchange in
            exchange.method == "POST" && exchange.target.contains("/attachments")
                ? .answer(.graphError(403, code: "ErrorAccessDenied", message: "Access is denied. Check credentials and try again.")) : .forward
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("denied.bin", size: size, seed: 91)
            let result = try await harness.attache("upload", [file.path, "--message", item, "--json"])
            #expect(result.status == 4, "\(result.stderr)")
            #expect(result.stderr.contains("HTTP 403 ErrorAccessDenied"), "\(result.stderr)")
            #expect(result.stderr.contains("Mail.ReadWrite"), "\(result.stderr)")
            let error = try #require(result.jsonLines.first?["error"] as? [String: Any])
            #expect(error["code"] as? String == "ErrorAccessDenied")
            #expect(error["kind"] as? String == "notAuthorized")
            #expect(error["status"] as? Int == 403)
            #expect(error["requestId"] as? String != nil)
        }
    }

    @Test func anOversizedReplyIsCalledThatNotSilence() async throws {
        let huge = Data(repeating: 0x20, count: 33 * Self.mib)
        try await CLIHarness.withHostileProxy(rule: { exchange in
            exchange.method == "GET" && exchange.target.contains("/attachments")
                ? .answer(HostileProxy.Reply(status: 200, body: huge)) : .forward
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let result = try await harness.attache("get", ["--message", item])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("the reply was larger than 32.0 MiB"), "\(result.stderr)")
            #expect(!result.stderr.contains("no reply"), "\(result.stderr)")
        }
    }

    @Test func aRedirectIsCalledThat() async throws {
        try await CLIHarness.withHostileProxy(rule: { exchange in
            exchange.method == "GET" && exchange.target.contains("/attachments")
                ? .answer(HostileProxy.Reply(status: 302, headers: [("Location", "http://127.0.0.1:1/elsewhere"), ("Content-Type", "application/json")], body: Data("{}".utf8)))
                : .forward
        }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let result = try await harness.attache("get", ["--message", item])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("HTTP 302"), "\(result.stderr)")
            #expect(result.stderr.contains("does not follow redirects"), "\(result.stderr)")
            #expect(!result.stderr.contains("({})"), "\(result.stderr)")
        }
    }

    /// A refused upload host was blamed on `--graph`.
    @Test func anUnreachableUploadHostIsNamed() async throws {
        let (closedPort, reservation) = try Self.closedLoopbackPort()
        defer { close(reservation) }
        try await CLIHarness.withHostileProxy(rule: HostileProxy.rewritingUploadURL { $0.replacing(#/127\.0\.0\.1:\d+/#, with: "127.0.0.1:\(closedPort)") }) { harness, proxy in
            let item = try await harness.firstItem("messages")
            let file = try harness.makeFile("nowhere.bin", size: 4 * Self.mib, seed: 94)
            let result = try await harness.attache("upload", [file.path, "--message", item])
            #expect(result.status == 5, "\(result.stderr)")
            #expect(result.stderr.contains("the upload host 127.0.0.1 could not be reached"), "\(result.stderr)")
            #expect(!result.stderr.contains("--graph"), "\(result.stderr)")
        }
    }

    /// Two `resume`s at once once both exited 1, although every file landed once: each took
    /// some transfers and called the ones the other had taken failed. Those are left to the
    /// other, said so, and are no failure.
    @Test func twoResumesAtOnceBothSucceed() async throws {
        try await CLIHarness.with { harness in
            let item = try await harness.firstItem("messages")
            let files = try (1...3).map { try harness.makeFile("twice\($0).bin", size: 30 * Self.mib, seed: UInt64(95 + $0)) }
            let running = try harness.launch("upload", files.map(\.path) + ["--message", item, "--chunk-size", "\(Self.chunk)", "--parallel", "3"])
            try await Eventually.until {
                let sessions = try await harness.openSessions()
                return sessions.count == 3 && sessions.allSatisfy { ($0["received"] as? Int ?? 0) >= Self.mib }
            }
            running.signal(SIGINT)
            #expect(try await running.finish().status == 130)
            // One at a time each: the second plans while the first holds one transfer, so
            // they meet over the others as they go.
            let first = try harness.launch("resume", ["--parallel", "1"])
            try await Eventually.until(timeout: .seconds(30)) {
                try await harness.attache("status", ["--json"]).jsonLines.contains { $0["running"] as? Bool == true }
            }
            let second = try harness.launch("resume", ["--parallel", "1"])
            let (a, b) = (try await first.finish(), try await second.finish())
            #expect(a.status == 0, "\(a.stderr)")
            #expect(b.status == 0, "\(b.stderr)")
            let attachments = try await harness.attachments("messages", item)
            #expect(attachments.count == 3)
            for file in files {
                let attachment = try #require(attachments.first { $0["name"] as? String == (file.path as NSString).lastPathComponent })
                let digest = try await harness.valueDigest("messages", item, try #require(attachment["id"] as? String))
                #expect(digest.sha256 == file.sha256)
            }
        }
    }

    /// A loopback port that refuses connections: bound but not listening, so no other
    /// test's server can take it while `descriptor` stays open. Close it when done.
    static func closedLoopbackPort() throws -> (port: Int, descriptor: Int32) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        return (Int(UInt16(bigEndian: address.sin_port)), descriptor)
    }
}
