import Foundation
import GraphEmulator
import Testing

/// Microsoft's own libraries take `attache serve --tls` for Entra: MSAL Python's device-code
/// flow, its accounts, a silent refresh once Graph has refused the first access token as
/// expired, and azure-identity's DeviceCodeCredential; then attache lists messages with the
/// token MSAL got, trusting the emulator's authority with `--ca-file`. No proxy, nothing
/// rewritten: the script (`MSAL/sign_in.py`) points them at the emulator as docs/emulator.md
/// tells a developer to.
///
/// MSAL is installed from PyPI into a folder of the test's own, removed after; without PyPI
/// (or python3) the test is skipped, and says why.
@Suite("MSAL and azure-identity against attache serve --tls")
struct MSALSignInTests {
    /// Pinned, so a new release cannot change what this test proves without a change here.
    static let packages = ["msal==1.39.0", "azure-identity==1.27.0"]

    static let script: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("MSAL/sign_in.py").path
    }()

    @Test func msalAndAzureIdentitySignInAsAgainstEntraAndTheTokenListsMessages() async throws {
        let directory = NSTemporaryDirectory() + "attache-msal-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/home", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let packages = directory + "/python"
        try await Self.installMSAL(into: packages, home: directory + "/home")

        let server = try CLIHarness.launch([
            "serve", "--tls", "--port", "0", "--data-dir", directory + "/data", "--state-dir", directory + "/state", "--quiet",
            "--device-code-interval", "1", "--token-lifetime", "8",
        ])
        var failure: (any Error)?
        do {
            try await Self.signIn(with: server, in: directory, packages: packages)
        } catch {
            failure = error
        }
        server.signal(SIGTERM)
        let stopped = try await server.finish(within: .seconds(30))
        #expect(stopped.status == 0, "\(stopped.stderr)")
        if let failure { throw failure }
    }

    /// Everything between the server's start and its stop.
    static func signIn(with server: CLIHarness.Running, in directory: String, packages: String) async throws {
        let lines = try await serverLines(server)
        let graph = try #require(lines["graph root"]?.split(separator: " ").first.map(String.init))
        let identity = try #require(lines["identity"])
        let authority = try #require(lines["ca"])
        #expect(graph.hasPrefix("https://127.0.0.1:") && identity.hasPrefix("https://127.0.0.1:"))
        #expect(authority == directory + "/data/" + EmulatorCertificates.authorityFile)

        let tokenFile = directory + "/token"
        let python = try CLIHarness.launch(
            [script, identity, graph, IdentityConfiguration.defaultClientID, tokenFile],
            environment: [
                "HOME": directory + "/home", "PYTHONPATH": packages, "PYTHONDONTWRITEBYTECODE": "1",
                // The emulator's authority, as a developer would hand it to requests.
                "REQUESTS_CA_BUNDLE": authority, "SSL_CERT_FILE": authority, "CURL_CA_BUNDLE": "",
                // Straight to loopback: no proxy in between.
                "HTTP_PROXY": "", "HTTPS_PROXY": "", "ALL_PROXY": "", "http_proxy": "", "https_proxy": "", "all_proxy": "",
                "NO_PROXY": "*", "no_proxy": "*",
            ],
            prefix: ["/usr/bin/env", "python3"], bare: true)
        let run = try await python.finish(within: .seconds(300))
        try #require(run.status == 0, "sign_in.py: \(run.stderr)")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")

        // MSAL's account as Entra's would be: home_account_id is oid.tid, from client_info.
        let account = try #require(seen["account"] as? [String: Any])
        let localID = try #require(account["local_account_id"] as? String)
        let home = try #require(account["home_account_id"] as? String)
        let parts = home.split(separator: ".")
        #expect(parts.count == 2 && String(parts[0]) == localID, "\(account)")
        #expect(account["username"] as? String == EmulatorConfiguration.demoUser)
        #expect(account["authority_type"] as? String == "MSSTS")
        #expect(account["realm"] as? String == "organizations")
        let claims = Set(try #require(seen["idTokenClaims"] as? [String]))
        #expect(claims.isSuperset(of: ["aud", "iss", "iat", "nbf", "exp", "name", "oid", "preferred_username", "sub", "tid", "ver"]), "\(claims)")
        // acquire_token_silent after Graph refused the first token as expired: a refresh.
        #expect(seen["expiredMessage"] as? String == "Lifetime validation failed, the token is expired.")
        #expect(seen["silentTokenSource"] as? String == "identity_provider")
        #expect(seen["silentTokenIsNew"] as? Bool == true)
        #expect(seen["meAfterRefresh"] as? Int == 200)
        #expect(seen["meUser"] as? String == EmulatorConfiguration.demoUser)
        let azure = try #require(seen["azureIdentity"] as? [String: Any])
        #expect(azure["me"] as? Int == 200)
        #expect(azure["expiresOnInFuture"] as? Bool == true)
        #expect(!run.stdout.contains(try String(contentsOfFile: tokenFile, encoding: .utf8)), "a token in the script's output")

        // attache with MSAL's token, trusting the emulator's authority; refused without it.
        let state = directory + "/state"
        // Trusted first: the token lives the seconds the server was started with.
        let listed = try await CLIHarness.run(["ls", "messages", "--graph", graph, "--token-file", tokenFile, "--ca-file", authority, "--state-dir", state])
        let untrusted = try await CLIHarness.run(["ls", "messages", "--graph", graph, "--token-file", tokenFile, "--state-dir", state])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.split(separator: "\n").count == 6, "\(listed.stdout)")
        #expect(untrusted.status == 5, "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("certificate"), "\(untrusted.stderr)")
    }

    /// `name: value` of the lines `attache serve` prints (the first as `listening on`).
    static func serverLines(_ server: CLIHarness.Running) async throws -> [String: String] {
        let found = await Eventually.value { () -> [String: String]?? in
            let lines = server.stdoutSoFar.split(separator: "\n")
            if lines.contains(where: { $0.hasPrefix("ca: ") }) {
                var fields: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return .some(fields)
            }
            return server.process.isRunning ? nil : .some(nil)
        }
        if let fields = found ?? nil { return fields }
        Issue.record("attache serve --tls did not name its authority: \(server.stdoutSoFar)\(server.stderrSoFar)")
        throw Stopped()
    }

    /// Installs MSAL Python and azure-identity into `target` with pip; skips the test,
    /// saying why, when there is no python3 or PyPI cannot be reached.
    static func installMSAL(into target: String, home: String) async throws {
        let probe = try await CLIHarness.run(["python3", "-m", "pip", "--version"], prefix: ["/usr/bin/env"], bare: true)
        if probe.status != 0 {
            try Test.cancel("python3 with pip is not installed here, so MSAL Python cannot run: \(probe.stderr.split(separator: "\n").last ?? "")")
        }
        let installing = try CLIHarness.launch(
            ["python3", "-m", "pip", "install", "--quiet", "--no-cache-dir", "--disable-pip-version-check", "--no-input", "--timeout", "30", "--retries", "2",
             "--target", target] + packages,
            environment: ["HOME": home, "PYTHONDONTWRITEBYTECODE": "1"], prefix: ["/usr/bin/env"], bare: true)
        let installed = try await installing.finish(within: .seconds(600))
        guard installed.status != 0 else { return }
        let unreachable = [
            // pip found no version at all: the index was not there (a reachable PyPI lists them).
            "(from versions: none)", "Failed to establish a new connection",
            "Temporary failure in name resolution", "Name or service not known", "Network is unreachable", "Connection refused",
            "ProxyError", "Read timed out", "ConnectTimeoutError",
        ]
        if unreachable.contains(where: installed.stderr.contains) {
            try Test.cancel("PyPI cannot be reached, so MSAL Python was not installed: \(installed.stderr.split(separator: "\n").last ?? "")")
        }
        Issue.record("pip could not install \(packages.joined(separator: " ")): \(installed.stderr)")
        throw Stopped()
    }
}

/// The test cannot go on (what went wrong is already recorded).
private struct Stopped: Error {}
