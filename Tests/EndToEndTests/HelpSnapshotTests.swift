import Foundation
import Testing

/// `--help` texts checked against files in `Snapshots/`, at 80 columns. Set
/// `ATTACHE_RECORD_SNAPSHOTS=1` to write them anew, on purpose, then review the diff.
@Suite("Help snapshots")
struct HelpSnapshotTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    static let width = 80
    static let commands = ["tui", "ls", "show", "upload", "get", "rm", "send", "mail", "reply", "forward", "status", "resume", "cancel", "login", "logout", "whoami", "config", "serve"]

    @Test(arguments: [[String]()] + commands.map { [$0] })
    func help(subcommand: [String]) async throws {
        let result = try await Self.attache(subcommand + ["--help"])
        #expect(result.status == 0)
        #expect(Self.layoutProblems(result.stdout).isEmpty, "attache \(subcommand.joined(separator: " ")) --help:\n\(result.stdout)")
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

    /// A new command gets a snapshot too.
    @Test func everyCommandHasASnapshot() async throws {
        let result = try await Self.attache(["--experimental-dump-help"])
        let tree = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let subcommands = try #require((tree["command"] as? [String: Any])?["subcommands"] as? [[String: Any]])
        let names = subcommands.compactMap { $0["commandName"] as? String }.filter { $0 != "help" }
        #expect(names.sorted() == Self.commands.sorted())
    }

    /// The check itself, on the ragged text this suite was written against.
    @Test func raggedBreaksAndLongLinesAreFound() {
        let ragged = """
            With no subcommand, attache opens its terminal UI. Files under 3 MB go in one
            request;
            larger ones through an upload session, in ranged PUTs that resume after a
            failure.
            With no --graph, attache starts its embedded Graph emulator with a demo
            """
        #expect(Self.layoutProblems(ragged).count == 2)
        #expect(Self.layoutProblems(String(repeating: "x", count: 81)).count == 1)
        let fine = """
            OVERVIEW: Attach files up to 150 MiB to Outlook messages and events through
            Microsoft Graph.

            EXIT CODES
              0    success
              1    a transfer or request failed, or was cancelled

            USAGE: attache upload <file> ... --message <id> [<options>]
                   attache upload <file> ... --event <id> [<options>]

            OPTIONS:
              --graph <url>           Graph root, e.g. http://127.0.0.1:PORT/v1.0 (default:
                                      start the embedded emulator).
              --session-lifetime <seconds>
                                      Seconds an upload session lives. (default: 3600)
            """
        #expect(Self.layoutProblems(fine).isEmpty)
    }

    static func attache(_ arguments: [String]) async throws -> FileOutput.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "\(width)"
        return try await FileOutput.run(CLIHarness.binary, arguments, in: FileManager.default.currentDirectoryPath, environment: environment)
    }

    /// Lines over the width, and line breaks the parser did not make: a line followed by
    /// more of the same text (same column) whose first word would still have fitted on it.
    static func layoutProblems(_ text: String, width: Int = width) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var problems: [String] = []
        for (index, line) in lines.enumerated() {
            if line.count > width { problems.append("over \(width) columns: \(line)") }
            guard index + 1 < lines.count else { continue }
            let next = lines[index + 1]
            let nextText = next.drop { $0 == " " }
            guard !line.isEmpty, !nextText.isEmpty, next.count - nextText.count == textColumn(line),
                // A table row (`  label  text`) or another usage line starts anew.
                next.firstMatch(of: /^\s*\S+(?: \S+)*\s{2,}\S/) == nil, !nextText.hasPrefix("attache ")
            else { continue }
            let firstWord = nextText.prefix { $0 != " " }
            // The parser keeps the last column free unless the text ends there.
            if line.count + 1 + firstWord.count < width { problems.append("broken before '\(firstWord)': \(line)") }
        }
        return problems
    }

    /// Where the text of a line starts: after a row's label, after `USAGE: `, or its indent.
    static func textColumn(_ line: String) -> Int {
        if let row = line.firstMatch(of: /^(\s*\S+(?: \S+)*\s{2,})\S/) { return row.1.count }
        if line.hasPrefix("USAGE: ") { return 7 }
        return line.prefix { $0 == " " }.count
    }
}
