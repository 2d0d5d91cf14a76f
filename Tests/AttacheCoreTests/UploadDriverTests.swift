import Clocks
import Foundation
import Logging
import Synchronization
import Testing

@testable import AttacheCore

/// ``UploadDriver`` against a scripted world: what it asks of the server, the journal and the
/// clock for what the state machine decides, without a socket or a real second of waiting.
@Suite("The upload driver, on scripted effects")
struct UploadDriverTests {
    static let chunk: Int64 = 327_680
    static let url = UploadURL("https://outlook.office.com/api/v2.0/Users('u')/Messages('m')/AttachmentSessions('s')?authtoken=t")
    static let item = ItemReference(kind: .message, id: "AAMkM")

    /// A file of `size` in ranges of 320 KiB (small ranges keep the scripts short), or one POST.
    static func job(size: Int64, post: Bool = false) -> UploadJob {
        UploadJob(
            file: LocalFile(path: "/nowhere/file.bin", name: "file.bin", size: size, modified: 0), item: item,
            plan: post ? .singleRequest : .uploadSession(rangeLength: chunk))
    }

    static func session(expecting next: String = "0-") -> ScriptedEffects.Answer<UploadSession> {
        .value(UploadSession(uploadURL: url, expirationDateTime: nil, nextExpectedRanges: ExpectedRanges([ByteRange(parsing: next)!])))
    }

    static func accepted(_ next: String) -> ScriptedEffects.Answer<RangeReply> {
        .value(.accepted(UploadSessionStatus(expirationDateTime: nil, nextExpectedRanges: ExpectedRanges([ByteRange(parsing: next)!]))))
    }

    static func failure(_ status: Int, retryAfter: Duration? = nil, code: String? = nil) -> GraphError {
        GraphError(kind: .status(status), code: code, retryAfter: retryAfter, operation: "upload", isUploadSession: true)
    }

    /// A driver over `effects`, its updates collected.
    /// What the driver reported, in order.
    final class Updates: Sendable {
        let list = Mutex<[TransferUpdate]>([])
    }

    static func driver(_ effects: ScriptedEffects, size: Int64, post: Bool = false, stop: StopSignal = StopSignal()) -> (UploadDriver, Updates) {
        let logger = Logger(label: "test.driver")
        let job = Self.job(size: size, post: post)
        // No journal: the recorder records nothing and never fails (TransferRecorder's own ways
        // are the end-to-end tests').
        let recorder = TransferRecorder(journal: nil, logger: logger)
        let updates = Updates()
        let driver = UploadDriver(
            job: job, effects: effects, recorder: recorder, search: AttachmentSearch(name: job.file.name, minimumSize: size), stop: stop,
            retryPolicy: RetryPolicy(), verify: false, logger: logger, report: { update in updates.list.withLock { $0.append(update) } })
        return (driver, updates)
    }

    @Test func rangesGoInOrderAndTheFinal201Attaches() async throws {
        let time = ManualClock()
        let size = 2 * Self.chunk + 10
        let effects = ScriptedEffects(
            .init(sessions: [Self.session()], puts: [Self.accepted("\(Self.chunk)-"), Self.accepted("\(2 * Self.chunk)-"), .value(.completed(attachmentID: "ATT"))]),
            file: Int(size), clock: time.clock)
        var (driver, _) = Self.driver(effects, size: size)
        let outcome = await driver.run(from: driver.step { try $0.start() })
        guard case .attached(let info) = outcome else { return #expect(Bool(false), "\(outcome)") }
        #expect(info.id == "ATT")
        #expect(effects.calls == ["create", "put 0-327679", "put 327680-655359", "put 655360-655369", "confirm"])
    }

    /// A 503 with `Retry-After: 5` is waited out on the clock, and the session asked before
    /// anything is sent again: the test moves the clock, nothing sleeps.
    @Test func aRetryWaitsOnTheClockThenAsksTheSession() async throws {
        let time = ManualClock()
        let size = 2 * Self.chunk
        let effects = ScriptedEffects(
            .init(
                sessions: [Self.session()], puts: [.graphError(Self.failure(503, retryAfter: .seconds(5))), Self.accepted("\(Self.chunk)-"), .value(.completed(attachmentID: "ATT"))],
                statuses: [.value(UploadSessionStatus(expirationDateTime: nil, nextExpectedRanges: .everything))]),
            file: Int(size), clock: time.clock)
        var (driver, updates) = Self.driver(effects, size: size)
        let first = driver.step { try $0.start() }
        let run = Task { [driver] in
            var driver = driver
            return await driver.run(from: first)
        }
        #expect(await time.waitForSleepers())
        #expect(effects.calls == ["create", "put 0-327679"])
        let retrying = updates.list.withLock { $0 }.compactMap { update -> Duration? in
            if case .retrying(let delay, _, _) = update { return delay } else { return nil }
        }
        let delay = try #require(retrying.first)
        #expect(delay >= .seconds(5))
        time.advance(by: delay)
        guard case .attached = await run.value else { return #expect(Bool(false)) }
        #expect(effects.calls == ["create", "put 0-327679", "status", "put 0-327679", "put 327680-655359", "confirm"])
        #expect(time.now.sinceEpoch == delay)
    }

    /// The final range's reply lost and the session gone: the driver looks for the attachment
    /// before anything else, and finds it; nothing is sent again.
    @Test func aLostFinalReplyIsFoundNotSentAgain() async throws {
        let time = ManualClock()
        let size = Self.chunk + 5
        let effects = ScriptedEffects(
            .init(
                sessions: [Self.session()],
                puts: [Self.accepted("\(Self.chunk)-"), .graphError(GraphError(kind: .noReply, message: "reset", operation: "put", isUploadSession: true))],
                statuses: [.graphError(Self.failure(404))], found: [.value(AttachmentInfo(id: "LANDED", name: "file.bin", size: size))]),
            file: Int(size), clock: time.clock)
        var (driver, _) = Self.driver(effects, size: size)
        let first = driver.step { try $0.start() }
        let run = Task { [driver] in
            var driver = driver
            return await driver.run(from: first)
        }
        #expect(await time.waitForSleepers())
        time.advance(by: .seconds(60))
        guard case .attached(let info) = await run.value else { return #expect(Bool(false)) }
        #expect(info.id == "LANDED")
        #expect(effects.calls == ["create", "put 0-327679", "put 327680-327684", "status", "find", "confirm"])
    }

    /// A cancel while a retry waits wakes it within a tenth of a second of the clock, and the
    /// session is deleted.
    @Test func aCancelDuringAWaitDeletesTheSession() async throws {
        let time = ManualClock()
        let size = 2 * Self.chunk
        let effects = ScriptedEffects(
            .init(sessions: [Self.session()], puts: [.graphError(Self.failure(503, retryAfter: .seconds(30)))]), file: Int(size), clock: time.clock)
        let stop = StopSignal()
        var (driver, _) = Self.driver(effects, size: size, stop: stop)
        let first = driver.step { try $0.start() }
        let run = Task { [driver] in
            var driver = driver
            return await driver.run(from: first)
        }
        #expect(await time.waitForSleepers())
        stop.request(.cancel)
        time.advance(by: .milliseconds(100))
        guard case .cancelled = await run.value else { return #expect(Bool(false)) }
        #expect(effects.calls == ["create", "put 0-327679", "delete"])
    }

    /// A single POST: the whole file in one request, then confirmed.
    @Test func aSmallFileIsOnePost() async throws {
        let time = ManualClock()
        let effects = ScriptedEffects(.init(posts: [.value(AttachmentInfo(id: "P", name: "file.bin", size: 10))]), file: 10, clock: time.clock)
        var (driver, _) = Self.driver(effects, size: 10, post: true)
        guard case .attached(let info) = await driver.run(from: driver.step { try $0.start() }) else { return #expect(Bool(false)) }
        #expect(info.id == "P")
        #expect(effects.calls == ["post", "confirm"])
    }
}
