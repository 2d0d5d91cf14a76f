import Foundation
import Testing

/// The state directory holds the journal (with upload URLs) and the log: attache makes it
/// private, refuses one others can write to, and never follows a symlink planted in it.
@Suite("The state directory")
struct StateDirectoryTests {
    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func itIsMadePrivateFolderByFolder() async throws {
        try await CLIHarness.with { harness in
            let state = harness.workDirectory + "/new/nested/state"
            let result = try await CLIHarness.run(["status", "--state-dir", state])
            #expect(result.status == 0, "\(result.stderr)")
            for path in [harness.workDirectory + "/new", harness.workDirectory + "/new/nested", state] {
                #expect(try Self.mode(path) == 0o700, "\(path)")
            }
            #expect(try Self.mode(state + "/journal.sqlite") == 0o600)
            #expect(try Self.mode(state + "/attache.log") == 0o600)
        }
    }

    @Test func oneOthersCanWriteToIsRefused() async throws {
        try await CLIHarness.with { harness in
            let state = harness.workDirectory + "/shared"
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            chmod(state, 0o1777)
            let result = try await CLIHarness.run(["status", "--state-dir", state])
            #expect(result.status == 1)
            #expect(result.stderr == "attache: error: the state directory \(state) cannot hold attache's journal and log: others can write to it (mode 1777); chmod 700 it or use another\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: state).isEmpty)
        }
    }

    @Test func aSymlinkedLogIsNotFollowed() async throws {
        try await CLIHarness.with { harness in
            let target = harness.workDirectory + "/victim.txt"
            FileManager.default.createFile(atPath: target, contents: Data("precious\n".utf8))
            try FileManager.default.createSymbolicLink(atPath: harness.stateDirectory + "/attache.log", withDestinationPath: target)
            let result = try await harness.attache("ls", ["messages"])
            #expect(result.status == 0)
            #expect(result.stderr.contains("cannot write the log \(harness.stateDirectory)/attache.log"), "\(result.stderr)")
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: harness.stateDirectory + "/attache.log") == target)
        }
    }

    @Test func aSymlinkedJournalIsRefused() async throws {
        try await CLIHarness.with { harness in
            let target = harness.workDirectory + "/elsewhere.sqlite"
            FileManager.default.createFile(atPath: target, contents: Data())
            try FileManager.default.createSymbolicLink(atPath: harness.stateDirectory + "/journal.sqlite", withDestinationPath: target)
            let result = try await harness.attache("status")
            #expect(result.status == 1)
            #expect(result.stderr.contains("journal.sqlite: it is a symbolic link"), "\(result.stderr)")
            #expect(try FileManager.default.attributesOfItem(atPath: target)[.size] as? Int == 0)
        }
    }
}
