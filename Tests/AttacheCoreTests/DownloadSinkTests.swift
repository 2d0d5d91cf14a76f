import Foundation
import NIOCore
import Testing

@testable import AttacheCore

/// Writing a download to a file: all or nothing, and nothing left behind.
@Suite("Writing a download to a file")
struct DownloadSinkTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "attache-sink-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func cleaningUp(_ body: () async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await body()
    }

    func listing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    static func permissions(_ path: String) -> mode_t? {
        FileStatus(at: path)?.permissions
    }

    /// Until commit the bytes are in a hidden temporary file; the old file is whole.
    @Test func theOldFileStaysUntilCommit() async throws {
        try await cleaningUp {
            let path = directory + "/report.bin"
            try Data("old".utf8).write(to: URL(fileURLWithPath: path))
            #expect(chmod(path, 0o640) == 0)
            let sink = try await DownloadSink.open(try DownloadDestination.inspect(path), operation: "test")
            try await sink.write(ByteBuffer(string: "new "))
            try await sink.write(ByteBuffer(string: "bytes"))
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
            let names = try listing()
            #expect(names.count == 2)
            let temporary = try #require(names.first { $0 != "report.bin" })
            #expect(temporary.hasPrefix(".report.bin.attache-") && temporary.hasSuffix(".part"))
            #expect(Self.permissions(directory + "/" + temporary) == 0o600)

            try await sink.commit()
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "new bytes")
            #expect(Self.permissions(path) == 0o640)
            #expect(try listing() == ["report.bin"])
            #expect(sink.bytesWritten == 9)
        }
    }

    /// A download that fails part-way is discarded: the old file as it was, no half file.
    @Test func discardLeavesTheOldFileAndNoTemporaryFile() async throws {
        try await cleaningUp {
            let path = directory + "/report.bin"
            try Data("old".utf8).write(to: URL(fileURLWithPath: path))
            let sink = try await DownloadSink.open(try DownloadDestination.inspect(path), operation: "test")
            try await sink.write(ByteBuffer(repeating: 7, count: 100_000))
            sink.discard()
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
            #expect(try listing() == ["report.bin"])

            let fresh = try await DownloadSink.open(try DownloadDestination.inspect(directory + "/new.bin"), operation: "test")
            try await fresh.write(ByteBuffer(string: "half"))
            fresh.discard()
            #expect(try listing() == ["report.bin"])
        }
    }

    /// What took the target's place while the download ran is not replaced.
    @Test func aTargetThatBecameADirectoryIsNotReplaced() async throws {
        try await cleaningUp {
            let path = directory + "/out"
            let sink = try await DownloadSink.open(try DownloadDestination.inspect(path), operation: "download attachment A of message M")
            try await sink.write(ByteBuffer(string: "bytes"))
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            await #expect(throws: DownloadError(.changed("a directory"), path: path, operation: "download attachment A of message M", aftermath: .leftNothing)) {
                try await sink.commit()
            }
            sink.discard()
            #expect(try listing() == ["out"])
            #expect(FileStatus(at: path)?.kind == .directory)
        }
    }
}
