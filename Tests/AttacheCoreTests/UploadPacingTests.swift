import Clocks
import Synchronization
import Testing

@testable import AttacheCore

@Suite("Upload budget and pacing")
struct UploadPacingTests {
    @Test func budgetsReadAsSizeOverTime() throws {
        #expect(try UploadBudget(parsing: "150MB/5m") == UploadBudget(bytes: 150_000_000, window: .seconds(300)))
        #expect(try UploadBudget(parsing: "30000000/20s") == UploadBudget(bytes: 30_000_000, window: .seconds(20)))
        #expect(try UploadBudget(parsing: "1.5GiB/1h") == UploadBudget(bytes: 1_610_612_736, window: .seconds(3600)))
        #expect(try UploadBudget(parsing: "150MiB/300") == .outlook)
        for bad in ["150MB", "/5m", "150MB/", "lots/5m", "150XB/5m", "150MB/5y", "0/5m", "150MB/0s", "1e30/5m"] {
            #expect(throws: UploadBudget.ParseError.self, "\(bad)") { try UploadBudget(parsing: bad) }
        }
        #expect(UploadBudget.outlook.description == "150.0 MiB per 5m")
    }

    @Test func a429NamesItsBudgetOrOutlooksIsAssumed() {
        #expect(UploadPacer.budget(named: "Application is over its MailboxUpload limit: 30000000 bytes per 20 seconds.")
            == UploadBudget(bytes: 30_000_000, window: .seconds(20)))
        #expect(UploadPacer.budget(named: "Application is over its upload limit.") == .outlook)
        #expect(UploadPacer.isUploadLimit(status: 429, code: "ApplicationThrottled", message: "over its MailboxUpload limit"))
        #expect(!UploadPacer.isUploadLimit(status: 429, code: "ApplicationThrottled", message: "over its MailboxConcurrency limit"))
        #expect(!UploadPacer.isUploadLimit(status: 503, code: nil, message: "upload"))
    }

    /// Within the budget sends go at once; the one that would go over waits until enough
    /// has left the window, to the millisecond of a manual clock; without a budget nothing
    /// waits.
    @Test func sendsWaitOnlyWhenTheyWouldGoOver() async throws {
        let free = UploadPacer()
        for _ in 0..<10 { _ = try await free.reserve(100) }
        #expect(await free.wait(for: 1_000_000) == nil)
        #expect(await free.bytesInWindow == 1000)

        let time = ManualClock()
        let pacer = UploadPacer(budget: UploadBudget(bytes: 1000, window: .seconds(20)), clock: time.clock)
        let first = try #require(try await pacer.reserve(600))
        await pacer.sent(first)
        #expect(await pacer.wait(for: 400) == nil)
        time.advance(by: .seconds(5))
        #expect(await pacer.wait(for: 500) == .seconds(15))

        let waits = Mutex<[Duration]>([])
        let second = Task { try await pacer.reserve(500, onWait: { wait in waits.withLock { $0.append(wait) } }) }
        #expect(await time.waitForSleepers())
        #expect(waits.withLock { $0 } == [.seconds(15)])
        time.advance(by: .milliseconds(14_950))
        // Still waiting: asleep again, the first send not yet out of the window.
        #expect(await time.waitForSleepers())
        time.advance(by: .milliseconds(50))
        let ticket = try #require(try await second.value)
        #expect(time.now.sinceEpoch == .seconds(20))
        // A refused send does not count.
        await pacer.refused(ticket)
        #expect(await pacer.bytesInWindow == 0)
        // A stop while waiting ends the wait without a ticket.
        _ = try await pacer.reserve(900)
        #expect(try await pacer.reserve(500, shouldStop: { true }) == nil)
    }

    /// A wait is heard to stop within a tenth of a second of the clock: the pacer looks
    /// again at every tenth.
    @Test func aStopIsHeardWhileWaiting() async throws {
        let time = ManualClock()
        let pacer = UploadPacer(budget: UploadBudget(bytes: 1000, window: .seconds(60)), clock: time.clock)
        _ = try await pacer.reserve(1000)
        let stopped = Mutex(false)
        let waiting = Task { try await pacer.reserve(10, shouldStop: { stopped.withLock { $0 } }) }
        #expect(await time.waitForSleepers())
        stopped.withLock { $0 = true }
        time.advance(by: .milliseconds(100))
        #expect(try await waiting.value == nil)
        #expect(time.now.sinceEpoch == .milliseconds(100))
    }

    /// A budget from a 429 replaces none, or a looser one, never a stricter one given.
    @Test func aLearntBudgetOnlyTightens() async {
        let pacer = UploadPacer(budget: UploadBudget(bytes: 10, window: .seconds(60)))
        await pacer.learn(.outlook)
        #expect(await pacer.budget == UploadBudget(bytes: 10, window: .seconds(60)))
        let open = UploadPacer()
        await open.learn(UploadBudget(bytes: 30_000_000, window: .seconds(20)))
        #expect(await open.budget == UploadBudget(bytes: 30_000_000, window: .seconds(20)))
        #expect(await open.learnt)
    }
}
