import Foundation
import Testing

/// `--help` texts checked against files in `Snapshots/`. Set `ATTACHE_RECORD_SNAPSHOTS=1`
/// to write them anew, on purpose, then review the diff.
@Suite("Help snapshots")
struct HelpSnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    @Test(arguments: [[String](), ["upload"], ["get"], ["resume"], ["serve"]])
    func help(subcommand: [String]) async throws {
        let result = try await CLIHarness.run(subcommand + ["--help"], environment: ["COLUMNS": "100"])
        #expect(result.status == 0)
        let name = (["attache"] + subcommand).joined(separator: "-") + ".txt"
        let path = Self.directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["ATTACHE_RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try result.stdout.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: path, encoding: .utf8)
        #expect(result.stdout == expected, "attache \(subcommand.joined(separator: " ")) --help changed; re-record with ATTACHE_RECORD_SNAPSHOTS=1")
    }
}
