import Foundation
import Testing

/// `config.toml`: accounts and defaults, flags over it, one line for a broken file, and no
/// secret in it or in what `attache config` prints.
@Suite("The configuration file")
struct ConfigTests {
    func write(_ text: String, in harness: CLIHarness) throws -> String {
        let path = harness.workDirectory + "/config.toml"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    @Test func aBrokenFileIsOneLineNamingTheFileTheLineAndTheKey() async throws {
        try await CLIHarness.with { harness in
            let cases: [(String, String)] = [
                ("[defaults]\nparallel = 4\nchunk_size = 1000\n", ":3: defaults.chunk_size a range of 1000 bytes is not a multiple of 327680"),
                ("[defaults]\nparalel = 2\n", ":2: defaults.paralel is not a setting attache knows"),
                ("account = \"work\"\n", ":1: account names \"work\", but there is no [accounts.work] table"),
                ("[accounts.work]\ntenant = \"contoso.com\"\ntoken = \"eyJ0\"\n", ":3: accounts.work.token secrets are never kept in the config"),
                ("[defaults\nparallel = 2\n", ":1: is not valid TOML"),
                ("[defaults]\nrequest_timeout = 0\n", ":2: defaults.request_timeout must be a whole number of seconds from 1 to 3600"),
                ("[defaults]\noutage_tolerance = -1\n", ":2: defaults.outage_tolerance must be a whole number of seconds from 0 to 86400"),
            ]
            for (text, expected) in cases {
                let path = try write(text, in: harness)
                let result = try await harness.attache("status", ["--config", path])
                #expect(result.status == 64, "\(text)")
                #expect(result.stderr == "attache: error: \(path)\(result.stderr.dropFirst("attache: error: \(path)".count))")
                #expect(result.stderr.hasPrefix("attache: error: \(path)\(expected)"), "\(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            }
        }
    }

    @Test func settingsComeFromFlagsThenTheFileThenDefaultsAndTokensAreMasked() async throws {
        try await CLIHarness.with { harness in
            let path = try write(
                """
                # mine
                account = "work"

                [defaults]
                parallel = 2
                theme = "light"

                [accounts.work]
                graph = "https://graph.microsoft.com/v1.0"
                tenant = "contoso.com"
                mailbox = "shared@contoso.com"
                """, in: harness)
            let shown = try await CLIHarness.run(
                ["config", "--config", path, "--state-dir", harness.stateDirectory, "--tenant", "fabrikam.com", "--token", "SECRET-T"])
            #expect(shown.status == 0, "\(shown.stderr)")
            let lines = shown.stdout
            #expect(lines.contains("account         work  (config)"), "\(lines)")
            #expect(lines.contains("tenant          fabrikam.com  (--tenant)"), "\(lines)")
            #expect(lines.contains("mailbox         shared@contoso.com  (account work)"), "\(lines)")
            #expect(lines.contains("parallel        2  (config)"), "\(lines)")
            #expect(lines.contains("chunk size      3932160  (default)"), "\(lines)")
            #expect(lines.contains("request timeout 60 s  (default)"), "\(lines)")
            #expect(lines.contains("outage limit    5 min  (default)"), "\(lines)")
            #expect(lines.contains("link fallback   off: only with --link (the screen asks)  (default)"), "\(lines)")
            #expect(lines.contains("link folder     Attachments/attache  (default)"), "\(lines)")
            #expect(lines.contains("token           ******** from --token"), "\(lines)")
            #expect(!lines.contains("SECRET"))
            let json = try await CLIHarness.run(["config", "--config", path, "--state-dir", harness.stateDirectory, "--json"])
            let object = try #require(json.jsonLines.first)
            #expect((object["theme"] as? [String: Any])?["value"] as? String == "light")
        }
    }
}
