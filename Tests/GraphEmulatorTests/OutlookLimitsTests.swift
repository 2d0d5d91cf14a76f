import Clocks
import Foundation
import GraphEmulator
import Testing

/// Outlook's limits per mailbox, each answered as Outlook answers it: 429
/// `ApplicationThrottled` with `Retry-After`.
@Suite("Outlook's limits")
struct OutlookLimitsTests {
    static let mb = 1024 * 1024

    /// A fifth request while four are under way is refused; the four finish.
    @Test func aFifthRequestAtOnceIsThrottled() async throws {
        var configuration = EmulatorConfiguration(rangeDelay: .seconds(2))
        configuration.limits = OutlookLimits(concurrentRequests: 4)
        try await EmulatorHarness.with(configuration) { harness in
            let id = try await harness.firstItem()
            let size = 4 * Self.mb
            var urls: [String] = []
            for _ in 0..<5 { urls.append(try await harness.createSession(on: id, size: size)) }
            let bytes = testBytes(count: size)
            // Four slow PUTs hold the mailbox's four places.
            let held = urls.prefix(4).map { url in Task { try await harness.put(url, bytes: bytes, range: 0..<327_680, total: size) } }
            #expect(try await harness.until { try await harness.stats()["peakInFlight"] == 4 })
            let fifth = try await harness.graph(.GET, "/me/messages?$select=id&$top=1")
            #expect(fifth.status == 429)
            #expect(fifth.errorCode == "ApplicationThrottled")
            #expect(fifth.text.contains("Application is over its MailboxConcurrency limit."))
            #expect(fifth.headers.first(name: "Retry-After") == "1")
            for task in held { #expect(try await task.value.status == 200) }
            // Once they are done, there is room again.
            #expect(try await harness.graph(.GET, "/me/messages?$select=id&$top=1").status == 200)
            let stats = try await harness.send(.GET, harness.origin + "/_emulator/stats", headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
            #expect((stats.json["throttled"] as? [String: Int])?["MailboxConcurrency"] == 1)
            #expect(stats.json["peakInFlight"] as? Int == 4)
        }
    }

    /// Requests beyond the count per window are refused until the oldest leave it, with the
    /// wait to the second on the emulator's clock (a manual one here, so nothing waits).
    @Test func requestsOverTheCountPerWindowAreThrottled() async throws {
        let time = ManualClock()
        var configuration = EmulatorConfiguration()
        configuration.limits = OutlookLimits(requests: .init(3, per: .seconds(60)))
        configuration.clock = time.clock
        try await EmulatorHarness.with(configuration) { harness in
            for _ in 0..<3 {
                #expect(try await harness.graph(.GET, "/me/messages?$select=id&$top=1").status == 200)
                time.advance(by: .seconds(2))
            }
            let fourth = try await harness.graph(.GET, "/me/events?$select=id&$top=1")
            #expect(fourth.status == 429)
            #expect(fourth.errorCode == "ApplicationThrottled")
            #expect(fourth.text.contains("Application is over its MailboxRequests limit."))
            // The first of the window went at 0 s; it is 6 s now: 54 s to go.
            #expect(fourth.headers.first(name: "Retry-After") == "54")
            // The refused one counts too: at 60 s the window holds those of 2, 4 and 6 s, so
            // one more waits for the one of 2 s to leave it.
            time.advance(by: .seconds(54))
            let again = try await harness.graph(.GET, "/me/messages?$select=id&$top=1")
            #expect(again.status == 429)
            #expect(again.headers.first(name: "Retry-After") == "2")
            time.advance(by: .seconds(4))
            #expect(try await harness.graph(.GET, "/me/messages?$select=id&$top=1").status == 200)
        }
    }

    /// Bytes sent up beyond the budget are refused, with the wait until they fit; a refused
    /// range is not counted, and the session keeps what it had.
    @Test func bytesOverTheUploadBudgetAreThrottled() async throws {
        let time = ManualClock()
        var configuration = EmulatorConfiguration()
        configuration.limits = OutlookLimits(uploadBytes: .init(Int64(6 * Self.mb), per: .seconds(30)))
        configuration.clock = time.clock
        try await EmulatorHarness.with(configuration) { harness in
            let id = try await harness.firstItem()
            let size = 8 * Self.mb
            let bytes = testBytes(count: size)
            let url = try await harness.createSession(on: id, size: size)
            let first = try await harness.put(url, bytes: bytes, range: 0..<(4 * Self.mb), total: size)
            #expect(first.status == 200)
            time.advance(by: .seconds(5))
            let second = try await harness.put(url, bytes: bytes, range: (4 * Self.mb)..<size, total: size)
            #expect(second.status == 429)
            #expect(second.errorCode == "ApplicationThrottled")
            #expect(second.text.contains("Application is over its IncomingBytes limit."))
            #expect(second.headers.first(name: "Retry-After") == "25")
            let state = try await harness.send(.GET, url)
            #expect(state.json["NextExpectedRanges"] as? [String] == ["\(4 * Self.mb)-\(size - 1)"])
            // A small one still fits beside the first.
            let small = try await harness.put(url, bytes: bytes, range: (4 * Self.mb)..<(5 * Self.mb), total: size)
            #expect(small.status == 200)
            // Once the first 4 MiB leave the window, the rest fits.
            time.advance(by: .seconds(25))
            let rest = try await harness.put(url, bytes: bytes, range: (5 * Self.mb)..<size, total: size)
            #expect(rest.status == 201)
        }
    }
}
