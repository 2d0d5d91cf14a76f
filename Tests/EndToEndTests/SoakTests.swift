import Foundation
import GraphEmulator
import Testing

/// Twenty files through a link where one ranged PUT in five meets a fault: cut bodies,
/// lost replies, 503 and 429 with Retry-After, slow replies and sessions that expire early.
/// Every file must land byte-exact, and no session may be left open.
@Suite("Uploads through a faulty link")
struct SoakTests {
    /// Link faults only: an upload URL turned away for good (`unauthorized`) costs a session
    /// each time, and has a test of its own.
    static let kinds: [FaultInjection.Kind] = [.cutBody, .dropReply, .unavailable, .throttled, .slowReply, .expireSession]
    static let injection = FaultInjection(rate: 0.2, seed: 20_261_125, kinds: kinds, retryAfterSeconds: 1, slowReplyDelay: .milliseconds(500))

    /// Faults, not Outlook's upload budget, are what this soaks in: 471 MB would take 15
    /// minutes under 150 MB per 5 (the budget has tests of its own).
    static var configuration: EmulatorConfiguration {
        var configuration = EmulatorConfiguration(faultInjection: injection)
        configuration.limits.uploadBytes = nil
        return configuration
    }

    @Test func twentyFilesThroughOneFaultInFiveAllLandByteExact() async throws {
        try await CLIHarness.with(Self.configuration) { harness in
            let listing = try await harness.json("/me/messages?$select=id&$top=4")
            let items = try #require((listing["value"] as? [[String: Any]])?.compactMap { $0["id"] as? String })
            try #require(items.count == 4)
            // Sizes from 3 MB to 40 MB, fixed: a session each, 1 to 11 ranges.
            var files: [(path: String, sha256: String, item: String)] = []
            for index in 0..<20 {
                let size = 3_000_000 + (index * 1_913_417) % 37_000_001
                let file = try harness.makeFile("soak-\(index).bin", size: size, seed: UInt64(100 + index))
                files.append((file.path, file.sha256, items[index % 4]))
            }
            // One `attache upload` per item, one transfer at a time: the requests then come in
            // the same order every run, so the seeded schedule gives every run the same faults.
            var attached: [String: String] = [:]  // name → attachment id
            for item in items {
                let paths = files.filter { $0.item == item }.map(\.path)
                let result = try await harness.attache("upload", paths + ["--message", item, "--json", "--parallel", "1"])
                #expect(result.status == 0, "\(result.stderr)")
                for line in result.jsonLines {
                    #expect(line["status"] as? String == "attached", "\(line)")
                    if let name = line["name"] as? String, let id = line["attachmentId"] as? String { attached[name] = id }
                }
            }
            #expect(attached.count == 20)
            for file in files {
                let name = (file.path as NSString).lastPathComponent
                let id = try #require(attached[name], "\(name) has no attachment")
                #expect(try await harness.valueDigest("messages", file.item, id).sha256 == file.sha256, "\(name)")
            }
            for item in items {
                #expect(try await harness.attachments("messages", item).count == 5)
            }
            #expect(try await harness.openSessions().isEmpty)
            let faults = try await harness.faults()
            print("soak: faults injected by kind: \(faults.sorted { $0.key < $1.key }); stats: \(try await harness.stats())")
            // The schedule is seeded and the requests come in order, so these are the same each run.
            #expect(Set(faults.keys) == Set(Self.kinds.map(\.rawValue)), "\(faults)")
            #expect(faults.values.reduce(0, +) >= 20)
            #expect(try await harness.attache("status", ["--json"]).stdout.isEmpty)
        }
    }
}
