import Foundation
import Testing

/// `attache serve` listens beyond loopback only with a token the user chose. The refused
/// runs name documentation addresses (192.0.2.1, 2001:db8::1) that no machine holds: were
/// the refusal to fail, the bind would fail too, and nothing would listen on the network.
@Suite("serve --host")
struct ServeHostTests {
    /// Runs `attache serve ARGS` on a throwaway data directory; kills it if it is still
    /// running after 30 s (it should have exited at once).
    static func serve(_ arguments: [String]) async throws -> CLIHarness.Result {
        let directory = NSTemporaryDirectory() + "attache-serve-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try CLIHarness.launch(["serve", "--port", "0", "--data-dir", directory, "--state-dir", directory + "/state"] + arguments)
        return try await finish(server)
    }

    /// Waits for `server` to exit; kills it if it has not after `limit`.
    static func finish(_ server: CLIHarness.Running, within limit: Duration = .seconds(30)) async throws -> CLIHarness.Result {
        await Eventually.until(timeout: limit, every: .milliseconds(20)) { !server.process.isRunning }
        if server.process.isRunning { server.signal(SIGKILL) }
        return try await server.finish()
    }

    @Test(arguments: ["192.0.2.1", "2001:db8::1"], [String?.none, "attache-dev-token", ""])
    func aNetworkHostWithoutAChosenTokenIsRefused(host: String, token: String?) async throws {
        let result = try await Self.serve(["--host", host] + (token.map { ["--token", $0] } ?? []))
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("attache: error: "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(host))
        #expect(result.stderr.contains("--token"), "the message does not say what to do: \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
    }

    /// `localhost` is loopback: no token needed, and no warning.
    @Test func localhostListensWithTheDocumentedTokenAndNoWarning() async throws {
        let directory = NSTemporaryDirectory() + "attache-serve-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try CLIHarness.launch(["serve", "--host", "localhost", "--port", "0", "--data-dir", directory, "--quiet"])
        var listening = false
        await Eventually.until(timeout: .seconds(10)) {
            listening = server.stdoutSoFar.hasPrefix("listening on http://localhost:")
            return listening || !server.process.isRunning
        }
        if server.process.isRunning { server.signal(SIGTERM) }
        let stopped = try await Self.finish(server)
        #expect(listening, "\(stopped.stdout)\(stopped.stderr)")
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(!stopped.stderr.contains("warning"), "\(stopped.stderr)")
    }
}
