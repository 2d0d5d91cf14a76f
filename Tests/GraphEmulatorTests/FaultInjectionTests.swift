import Foundation
import GraphEmulator
import Testing

/// Each made-up fault does what it says on a ranged PUT, and corrupts nothing: what the
/// session holds afterwards is exactly a prefix of what was sent.
@Suite("Faults the emulator makes up")
struct FaultInjectionTests {
    static let mb = 1024 * 1024

    static func always(_ kind: FaultInjection.Kind) -> EmulatorConfiguration {
        EmulatorConfiguration(faultInjection: FaultInjection(rate: 1, seed: 3, kinds: [kind], retryAfterSeconds: 2, slowReplyDelay: .milliseconds(300)))
    }

    /// What the session expects next, from a GET on the upload URL (never faulted).
    static func nextExpected(_ harness: EmulatorHarness, _ url: String) async throws -> Int? {
        let state = try await harness.send(.GET, url)
        guard let first = (state.json["NextExpectedRanges"] as? [String])?.first else { return nil }
        return Int(first.split(separator: "-").first ?? "")
    }

    @Test("every kind", arguments: FaultInjection.Kind.allCases)
    func eachKind(_ kind: FaultInjection.Kind) async throws {
        try await EmulatorHarness.with(Self.always(kind)) { harness in
            let id = try await harness.firstItem()
            let size = 4 * Self.mb
            let bytes = testBytes(count: size)
            let url = try await harness.createSession(on: id, size: size)
            let range = 0..<Self.mb
            switch kind {
            case .unavailable, .throttled:
                let reply = try await harness.put(url, bytes: bytes, range: range, total: size)
                #expect(reply.status == (kind == .unavailable ? 503 : 429))
                #expect(reply.headers.first(name: "Retry-After") == "2")
                #expect(reply.errorCode == (kind == .unavailable ? "serviceNotAvailable" : "ApplicationThrottled"))
                #expect(try await Self.nextExpected(harness, url) == 0)
            case .expireSession:
                // Not on the first bytes: a new session that refuses them is a bad URL, not an expiry.
                #expect(try await harness.put(url, bytes: bytes, range: range, total: size).status == 200)
                let reply = try await harness.put(url, bytes: bytes, range: Self.mb..<2 * Self.mb, total: size)
                #expect(reply.status == 404)
                #expect(try await harness.send(.GET, url).status == 404)
                #expect(try await harness.openSessions().isEmpty)
            case .unauthorized:
                // Not on the first bytes either; then the URL is turned away for good.
                #expect(try await harness.put(url, bytes: bytes, range: range, total: size).status == 200)
                let reply = try await harness.put(url, bytes: bytes, range: Self.mb..<2 * Self.mb, total: size)
                #expect(reply.status == 401)
                #expect(reply.errorCode == "InvalidAuthenticationToken")
                #expect(try await harness.send(.GET, url).status == 401)
                #expect(try await harness.send(.DELETE, url).status == 401)
            case .slowReply:
                let started = ContinuousClock.now
                let reply = try await harness.put(url, bytes: bytes, range: range, total: size)
                #expect(ContinuousClock.now - started >= .milliseconds(300))
                #expect(reply.status == 200)
                #expect(try await Self.nextExpected(harness, url) == Self.mb)
            case .cutBody:
                await #expect(throws: (any Error).self) { try await harness.put(url, bytes: bytes, range: range, total: size) }
                let kept = try #require(try await Self.nextExpected(harness, url))
                #expect(kept < Self.mb)
            case .dropReply:
                await #expect(throws: (any Error).self) { try await harness.put(url, bytes: bytes, range: range, total: size) }
                #expect(try await Self.nextExpected(harness, url) == Self.mb)
            }
            let counted = try await harness.send(.GET, harness.origin + "/_emulator/stats", headers: [("Authorization", "Bearer \(EmulatorHarness.demoToken)")])
            #expect((counted.json["faults"] as? [String: Int]) == [kind.rawValue: 1])
        }
    }

    /// A run can be replayed: the same seed draws the same faults, in the same order.
    @Test func theScheduleIsSeededAndCanBeChanged() async throws {
        func draws(seed: UInt64) async throws -> [Int] {
            try await EmulatorHarness.with(EmulatorConfiguration(faultInjection: FaultInjection(rate: 0.5, seed: seed, kinds: [.unavailable]))) { harness in
                let id = try await harness.firstItem()
                let url = try await harness.createSession(on: id, size: 4 * Self.mb)
                var statuses: [Int] = []
                var offset = 0
                for _ in 0..<16 {
                    // One byte at a time, always where the session expects it.
                    let status = try await harness.put(url, bytes: Data(count: 4 * Self.mb), range: offset..<offset + 1, total: 4 * Self.mb).status
                    if status == 200 { offset += 1 }
                    statuses.append(status)
                }
                return statuses
            }
        }
        let first = try await draws(seed: 11)
        #expect(try await draws(seed: 11) == first)
        #expect(Set(first) == [200, 503])

        try await EmulatorHarness.with { harness in
            let auth = [("Authorization", "Bearer \(EmulatorHarness.demoToken)"), ("Content-Type", "application/json")]
            let bad = try await harness.send(.PUT, harness.origin + "/_emulator/faults", headers: auth, body: Data(#"{"rate":0.5,"kinds":["gremlins"]}"#.utf8))
            #expect(bad.status == 400)
            let set = try await harness.send(.PUT, harness.origin + "/_emulator/faults", headers: auth, body: Data(#"{"rate":1,"seed":2,"kinds":["throttled"]}"#.utf8))
            #expect(set.status == 204)
            let id = try await harness.firstItem()
            let url = try await harness.createSession(on: id, size: 4 * Self.mb)
            #expect(try await harness.put(url, bytes: Data(count: 4 * Self.mb), range: 0..<Self.mb, total: 4 * Self.mb).status == 429)
            _ = try await harness.send(.PUT, harness.origin + "/_emulator/faults", headers: auth, body: Data(#"{"rate":0}"#.utf8))
            #expect(try await harness.put(url, bytes: Data(count: 4 * Self.mb), range: 0..<Self.mb, total: 4 * Self.mb).status == 200)
        }
    }
}
