import Foundation
import Logging
import Synchronization
import Testing

@testable import AttacheCore

/// Collects what a callback heard.
final class Reasons: Sendable {
    private let lock = Mutex<[String]>([])
    func append(_ reason: String) { lock.withLock { $0.append(reason) } }
    var all: [String] { lock.withLock { $0 } }
}

@Suite("Retry, rates, formatting")
struct SupportTests {
    @Test func backOffGrowsAndStaysCapped() {
        let policy = RetryPolicy(maximumAttempts: 10, baseDelay: .milliseconds(100), maximumDelay: .seconds(2))
        var generator = SystemRandomNumberGenerator()
        for attempt in 1...10 {
            let ceiling = min(100 * (1 << (attempt - 1)), 2000)
            for _ in 0..<50 {
                let delay = policy.delay(forAttempt: attempt, retryAfter: nil, using: &generator)
                #expect(delay >= .milliseconds(ceiling / 2))
                #expect(delay <= .milliseconds(ceiling + 1))
            }
        }
    }

    @Test func retryAfterIsAFloor() {
        let policy = RetryPolicy(baseDelay: .milliseconds(10))
        var generator = SystemRandomNumberGenerator()
        #expect(policy.delay(forAttempt: 1, retryAfter: .seconds(9), using: &generator) == .seconds(9))
    }

    @Test func retryAfterIsHonouredUpToAFewMinutes() {
        let policy = RetryPolicy()
        var generator = SystemRandomNumberGenerator()
        #expect(policy.delay(forAttempt: 1, retryAfter: .seconds(299), using: &generator) == .seconds(299))
        #expect(policy.delay(forAttempt: 1, retryAfter: RetryAfter.longest, using: &generator) == .seconds(300))
        #expect(policy.delay(forAttempt: 1, retryAfter: .seconds(3600), using: &generator) == policy.maximumRetryAfter)
    }

    @Test func theLogEscapesWhatCouldForgeALine() throws {
        let path = NSTemporaryDirectory() + "attache-log-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = FileLogHandler.Sink(path: path + "/attache.log")
        let handler = FileLogHandler(label: "test", sink: sink, level: .info)
        handler.log(event: LogEvent(
            level: .info, message: "range failed", metadata: ["error": "HTTP 400: bad\n2026-01-01 error attache: forged\u{1B}[2J"],
            source: "test", file: #fileID, function: #function, line: #line))
        let text = try String(contentsOfFile: path + "/attache.log", encoding: .utf8)
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.contains("bad\\n2026-01-01 error attache: forged\\x1b[2J"))
        let mode = try FileManager.default.attributesOfItem(atPath: path + "/attache.log")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func theLogNeverFollowsASymlink() throws {
        let directory = NSTemporaryDirectory() + "attache-log-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let target = directory + "/elsewhere"
        FileManager.default.createFile(atPath: target, contents: Data("keep\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: directory + "/attache.log", withDestinationPath: target)
        let reasons = Reasons()
        let sink = FileLogHandler.Sink(path: directory + "/attache.log") { reasons.append($0) }
        FileLogHandler(label: "test", sink: sink, level: .info).log(event: LogEvent(
            level: .error, message: "hello", metadata: nil, source: "test", file: #fileID, function: #function, line: #line))
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep\n")
        #expect(sink.failure != nil)
        #expect(reasons.all.count == 1)
    }

    @Test func rateIsAMovingAverage() {
        var meter = RateMeter(window: 5)
        #expect(meter.bytesPerSecond == nil)
        for second in 0...10 {
            meter.record(total: Int64(second) * 1_000_000, at: Double(second))
        }
        #expect(meter.bytesPerSecond == 1_000_000)
        #expect(meter.secondsRemaining(for: 3_000_000) == 3)
        // A stall shows up within the window.
        meter.record(total: 10_000_000, at: 13)
        #expect((meter.bytesPerSecond ?? 0) < 1_000_000)
    }

    @Test func byteCounts() {
        #expect("\(ByteCount(0))" == "0 B")
        #expect("\(ByteCount(1023))" == "1023 B")
        #expect("\(ByteCount(1024))" == "1.0 KiB")
        #expect("\(ByteCount(3_483_322))" == "3.3 MiB")
        #expect("\(ByteCount(157_286_400))" == "150.0 MiB")
    }

    @Test func clocks() {
        #expect(TransferFormat.clock(0) == "0:00")
        #expect(TransferFormat.clock(7.2) == "0:08")
        #expect(TransferFormat.clock(3723) == "1:02:03")
        #expect(TransferFormat.clock(.infinity) == "--:--")
        #expect(TransferFormat.rate(nil) == "--")
        #expect(TransferFormat.rate(1_048_576) == "1.0 MiB/s")
    }

    @Test func graphErrorsSayWhatToDoAndNeverCarryAURL() {
        let error = GraphError(kind: .status(403), code: "ErrorAccessDenied", message: "Access is denied.", requestID: "r-1", operation: "create an upload session for \"a.bin\" on message M")
        #expect(error.description == "could not create an upload session for \"a.bin\" on message M: HTTP 403 ErrorAccessDenied (Access is denied); the token lacks the permission (Mail.ReadWrite for messages, Calendars.ReadWrite for events)")
        let offline = GraphError(kind: .noReply, message: "connection refused", operation: "list messages")
        #expect(offline.description.contains("is the server running"))
        #expect(offline.requestFailure == .noReply("connection refused"))
    }

    @Test func noReplyErrorsHideUploadURLs() {
        let error = GraphClient.transportError(
            NSError(domain: "x", code: 1, userInfo: [NSLocalizedDescriptionKey: "failed http://h/api/v2.0/Users('u')/Messages('m')/AttachmentSessions('s')?authtoken=SECRET"]),
            operation: "upload")
        #expect(!"\(error)".contains("SECRET"))
    }

    @Test func itemReferencesAbbreviateLongIDs() {
        #expect("\(ItemReference.message("short"))" == "message short")
        let long = String(repeating: "A", count: 40) + "Z="
        #expect("\(ItemReference.event(long))" == "event AAAAAAAAAAAA…AAAAAAZ=")
    }

    @Test func contentTypes() {
        #expect(ContentType.forFileName("Report.PDF") == "application/pdf")
        #expect(ContentType.forFileName("flower") == "application/octet-stream")
        #expect(ContentType.forFileName(".bashrc") == "application/octet-stream")
    }
}

@Suite("Advice in the words of the front end")
struct AdviceTests {
    /// An error carries its advice as values; the command line names commands, the screen
    /// keys, and the error's own words stay the same.
    @Test func theSameErrorIsWordedForTheCommandLineAndForTheScreen() {
        var error = UploadError(.unreachable, reason: "gave up after 6 tries", fileName: "a.bin", item: nil)
        error.advice = [.resume, .cancel]
        #expect(error.description == "could not attach 'a.bin': gave up after 6 tries; `attache resume` continues it; `attache cancel` discards it")
        let screen = Advice.$style.withValue(.screen) { error.description }
        #expect(screen == "could not attach 'a.bin': gave up after 6 tries; r on the transfer continues it (or the next start of attache); c on the transfer discards it")
        let refused = GraphError(kind: .status(401), code: "InvalidAuthenticationToken", operation: "list messages")
        #expect(refused.hint == "the token was refused: pass a valid one with --token or ATTACHE_TOKEN, or run `attache login`")
        #expect(Advice.$style.withValue(.screen) { refused.hint } == "the token was refused: press L to sign in")
    }
}

@Suite("Finding programs")
struct ExecutableSearchTests {
    @Test func foundOnPathInOrderOrTakenAsGiven() throws {
        let folder = NSTemporaryDirectory() + "attache-path-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/b", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (dir, mode) in [("a", 0o644), ("b", 0o755)] {
            _ = FileManager.default.createFile(atPath: "\(folder)/\(dir)/tool", contents: Data("#!/bin/sh\n".utf8))
            chmod("\(folder)/\(dir)/tool", mode_t(mode))
        }
        // Not runnable in a/, so b/'s.
        #expect(ExecutableSearch.find("tool", environment: ["PATH": "\(folder)/a:\(folder)/b"]) == "\(folder)/b/tool")
        #expect(ExecutableSearch.find("tool", environment: ["PATH": "\(folder)/a"]) == nil)
        #expect(ExecutableSearch.find("\(folder)/b/tool", environment: [:]) == "\(folder)/b/tool")
        #expect(ExecutableSearch.find("\(folder)/a/tool", environment: [:]) == nil)
    }
}
