import Foundation
import GraphEmulator
import Testing

/// The emulator listens beyond loopback only with tokens the user chose. Nothing here binds
/// a public address: the one start that passes the check names 192.0.2.1, a documentation
/// address no machine holds, so its bind fails.
@Suite("Exposure")
struct ExposureTests {
    @Test(arguments: ["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "localhost", "LocalHost"])
    func loopbackHosts(host: String) {
        #expect(EmulatorConfiguration.isLoopback(host))
        #expect(EmulatorConfiguration.exposure(host: host, tokens: [EmulatorConfiguration.developerToken]) == .loopback)
    }

    @Test(arguments: [
        "0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "128.0.0.1", "126.255.255.255", "::2", "::ffff:10.0.0.1",
        "2001:db8::1", "example.com", "localhost.example.com", "127.0.0.1.example.com", "127.1", "",
    ])
    func networkHosts(host: String) {
        #expect(!EmulatorConfiguration.isLoopback(host))
        #expect(EmulatorConfiguration.exposure(host: host, tokens: [EmulatorConfiguration.developerToken]) == .refused)
        #expect(EmulatorConfiguration.exposure(host: host, tokens: [""]) == .refused)
        #expect(EmulatorConfiguration.exposure(host: host, tokens: ["s3cret", EmulatorConfiguration.developerToken]) == .refused)
        #expect(EmulatorConfiguration.exposure(host: host, tokens: ["s3cret"]) == .network)
    }

    @Test func startRefusesTheDocumentedTokenBeyondLoopbackBeforeBinding() async throws {
        let directory = NSTemporaryDirectory() + "attache-exposure-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        await #expect(throws: EmulatorExposureError.self) {
            _ = try await EmulatorHarness.start(EmulatorConfiguration(host: "192.0.2.1", dataDirectory: directory))
        }
        #expect(!FileManager.default.fileExists(atPath: directory), "the store was opened before the check")
        var chosen = EmulatorConfiguration(host: "192.0.2.1", dataDirectory: directory)
        chosen.tokens = [.init(token: "s3cret", user: EmulatorConfiguration.demoUser)]
        #expect(chosen.exposure == .network)
        // Past the check; the bind itself fails, as nobody holds that address.
        await #expect(throws: EmulatorStartError.self) {
            _ = try await EmulatorHarness.start(chosen)
        }
    }
}
