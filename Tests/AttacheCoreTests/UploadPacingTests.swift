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
    /// has left the window; without a budget nothing waits.
    @Test func sendsWaitOnlyWhenTheyWouldGoOver() async throws {
        let free = UploadPacer()
        for _ in 0..<10 { _ = try await free.reserve(100) }
        #expect(await free.wait(for: 1_000_000) == nil)
        #expect(await free.bytesInWindow == 1000)

        let pacer = UploadPacer(budget: UploadBudget(bytes: 1000, window: .milliseconds(400)))
        let first = try #require(try await pacer.reserve(600))
        await pacer.sent(first)
        #expect(await pacer.wait(for: 400) == nil)
        let wait = try #require(await pacer.wait(for: 500))
        #expect(wait > .milliseconds(200) && wait <= .milliseconds(400))
        let started = ContinuousClock.now
        let waits = Mutex(0)
        let second = try #require(try await pacer.reserve(500, onWait: { _ in waits.withLock { $0 += 1 } }))
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        #expect(waits.withLock { $0 } == 1)
        // A refused send does not count.
        await pacer.refused(second)
        #expect(await pacer.bytesInWindow == 0)
        // A stop while waiting ends the wait without a ticket.
        _ = try await pacer.reserve(900)
        #expect(try await pacer.reserve(500, shouldStop: { true }) == nil)
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
