import Foundation
import Testing

@testable import AttacheCore

@Suite("Checking files before any request")
final class LocalFileTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "attache-localfile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func aRegularFile() throws {
        let path = directory + "/report.pdf"
        try Data(repeating: 7, count: 1234).write(to: URL(fileURLWithPath: path))
        let file = try LocalFile.inspect(path)
        #expect(file.size == 1234)
        #expect(file.name == "report.pdf")
        #expect(file.contentType == "application/pdf")
        #expect(file.path == path)
    }

    @Test func relativePathsAreMadeAbsolute() throws {
        try Data().write(to: URL(fileURLWithPath: directory + "/empty"))
        let file = try LocalFile.inspect("empty", currentDirectory: directory)
        #expect(file.path == directory + "/empty")
        #expect(file.size == 0)
    }

    @Test func missingFile() {
        #expect(throws: InputFileError(.notFound, path: "nope.bin")) { try LocalFile.inspect("nope.bin", currentDirectory: directory) }
        #expect("\(InputFileError(.notFound, path: "nope.bin"))" == "'nope.bin': no such file")
    }

    @Test func aDirectory() {
        #expect(throws: InputFileError(.isDirectory, path: directory)) { try LocalFile.inspect(directory) }
    }

    @Test func notARegularFile() {
        #expect(throws: InputFileError(.notRegularFile, path: "/dev/null")) { try LocalFile.inspect("/dev/null") }
    }

    @Test func tooLargeIsRefusedWithoutReading() throws {
        let path = directory + "/big.iso"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(AttachmentLimits.maximumFileSize + 1))
        try handle.close()
        #expect(throws: InputFileError(.tooLarge(AttachmentLimits.maximumFileSize + 1), path: path)) { try LocalFile.inspect(path) }
    }

    @Test func exactly150MBIsAllowed() throws {
        let path = directory + "/limit.bin"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(AttachmentLimits.maximumFileSize))
        try handle.close()
        #expect(try LocalFile.inspect(path).size == AttachmentLimits.maximumFileSize)
    }
}
