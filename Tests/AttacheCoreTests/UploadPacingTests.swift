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

    /// A 429 that refused a send teaches a budget from what was seen, not from words: the
    /// bytes the server accepted, over a window from the first of them to the end of the
    /// wait. A send still in flight, lost or refused is not counted among them.
    @Test func a429TeachesTheBytesSeenAcceptedOverAWindowToTheEndOfTheWait() async throws {
        let time = ManualClock()
        let pacer = UploadPacer(clock: time.clock)
        for _ in 0..<3 {
            let ticket = try #require(try await pacer.reserve(1000))
            await pacer.sent(ticket)
        }
        time.advance(by: .seconds(1))
        // A send that got no reply counts in the window, but was not seen taken.
        let lost = try #require(try await pacer.reserve(1000))
        await pacer.sent(lost, accepted: false)
        let inFlight = try #require(try await pacer.reserve(1000))
        time.advance(by: .seconds(1))
        let refused = try #require(try await pacer.reserve(1000))
        await pacer.throttled(refused, retryAfter: .seconds(20))
        let budget = try #require(await pacer.budget)
        #expect(budget.bytes == 3000)
        #expect(budget.window == .seconds(22))
        #expect(await pacer.learnt)
        // The refused send counts for nothing; the lost one and the one in flight count as sends.
        #expect(await pacer.bytesInWindow == 5000)
        // The one in flight went before the refused one: taken, it is learnt from too.
        await pacer.sent(inFlight)
        #expect(await pacer.budget?.bytes == 4000)
        // Every send holds back at least until the wait is over, however small.
        let wait = try #require(await pacer.wait(for: 1))
        #expect(wait == .seconds(20))
    }

    /// A 429 before anything was accepted teaches nothing but the wait; one on any request
    /// holds sends back as long as it says, up to five minutes.
    @Test func a429WithNothingSeenOnlyHolds() async throws {
        let pacer = UploadPacer()
        let ticket = try #require(try await pacer.reserve(1000))
        await pacer.throttled(ticket, retryAfter: .seconds(1))
        #expect(await pacer.budget == nil)
        #expect(!(await pacer.learnt))
        #expect(try #require(await pacer.wait(for: 1)) <= .seconds(1))
        let held = UploadPacer()
        await held.hold(for: .seconds(86_400))
        let wait = try #require(await held.wait(for: 1))
        #expect(wait > .seconds(290) && wait <= .seconds(300))
    }

    /// What a later 429 teaches only tightens what is known (fewer bytes, a longer
    /// window), and never loosens a budget the user gave.
    @Test func whatIsLearntOnlyTightens() async throws {
        let pacer = UploadPacer(budget: UploadBudget(bytes: 10_000, window: .seconds(600)))
        let sent = try #require(try await pacer.reserve(3000))
        await pacer.sent(sent)
        let refused = try #require(try await pacer.reserve(1))
        await pacer.throttled(refused, retryAfter: .seconds(1))
        // Fewer bytes than the user said were seen to fit; the user's longer window stays.
        #expect(await pacer.budget == UploadBudget(bytes: 3000, window: .seconds(600)))
        let open = UploadPacer()
        for bytes in [3000, 1000] as [Int64] {
            let ticket = try #require(try await open.reserve(bytes))
            await open.sent(ticket)
        }
        // Two sends refused in the same burst, the second asking for a shorter wait.
        let refusedFirst = try #require(try await open.reserve(1))
        let refusedSecond = try #require(try await open.reserve(1))
        await open.throttled(refusedFirst, retryAfter: .seconds(30))
        let first = try #require(await open.budget)
        #expect(first.bytes == 4000)
        await open.throttled(refusedSecond, retryAfter: .seconds(2))
        #expect(await open.budget == first)
    }
}
