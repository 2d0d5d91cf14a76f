import Foundation
import Testing

@testable import AttacheCore

/// How `get --raw` decides to write, from what is at the path. Devices are never touched:
/// their cases go through ``DownloadDestination/decide(path:target:_:)`` with a made-up status.
@Suite("Where a download goes")
struct DownloadDestinationTests {
    let directory: String

    init() throws {
        let made = NSTemporaryDirectory() + "attache-destination-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: made, withIntermediateDirectories: true)
        // Resolved, so that targets that went through a link compare equal.
        directory = try #require(realpath(made, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        })
    }

    /// Runs `body`, then removes the folder whatever happened.
    func cleaningUp(_ body: () throws -> Void) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body()
    }

    func failure(_ output: String) -> DownloadError? {
        do {
            _ = try DownloadDestination.inspect(output, currentDirectory: directory)
            return nil
        } catch {
            return error
        }
    }

    @Test func noPathOrADashIsStandardOutput() throws {
        try cleaningUp {
            let none = try DownloadDestination.inspect(nil)
            #expect(none == .standardOutput)
            #expect(try DownloadDestination.inspect("-") == .standardOutput)
            #expect(DownloadDestination.standardOutput.description == "standard output")
        }
    }

    @Test func aNewFileIsWrittenBesideAndRenamed() throws {
        try cleaningUp {
            let destination = try DownloadDestination.inspect("new.bin", currentDirectory: directory)
            #expect(destination == DownloadDestination(path: "new.bin", target: directory + "/new.bin", method: .replaceFile(existing: nil)))
            #expect(destination.directory == directory)
            #expect(destination.description == "'new.bin'")
        }
    }

    @Test func aNewFileNeedsItsDirectory() throws {
        try cleaningUp {
            #expect(failure("missing/new.bin") == DownloadError(.noSuchDirectory("missing"), path: "missing/new.bin"))
            #expect(failure("missing/") == DownloadError(.noSuchDirectory("missing/"), path: "missing/"))
            try Data().write(to: URL(fileURLWithPath: directory + "/file"))
            #expect(failure("file/new.bin")?.code == .cannotInspect)
            #expect(failure("file/new.bin")?.errno == ENOTDIR)
        }
    }

    @Test func anExistingFileIsReplacedKeepingItsMode() throws {
        try cleaningUp {
            let path = directory + "/old.bin"
            try Data("old".utf8).write(to: URL(fileURLWithPath: path))
            #expect(chmod(path, 0o4640) == 0)
            let destination = try DownloadDestination.inspect(path)
            let existing = DownloadDestination.ExistingFile(permissions: 0o640, owner: geteuid(), group: getegid())
            #expect(destination == DownloadDestination(path: path, target: path, method: .replaceFile(existing: existing)))
        }
    }

    @Test func aDirectoryIsRefused() throws {
        try cleaningUp {
            try FileManager.default.createDirectory(atPath: directory + "/folder", withIntermediateDirectories: false)
            let error = try #require(failure("folder"))
            #expect(error == DownloadError(.isDirectory, path: "folder"))
            #expect("\(error)" == "cannot write to 'folder': it is a directory; name a file in it (-o 'folder/NAME')")
        }
    }

    @Test func aFIFOIsWrittenInPlace() throws {
        try cleaningUp {
            #expect(mkfifo(directory + "/pipe", 0o600) == 0)
            let destination = try DownloadDestination.inspect("pipe", currentDirectory: directory)
            #expect(destination == DownloadDestination(path: "pipe", target: directory + "/pipe", method: .writeInPlace(.fifo)))
        }
    }

    @Test func devicesAndSocketsAreWrittenInPlace() throws {
        try cleaningUp {
            let cases: [(FileStatus.Kind, DownloadDestination.SpecialFile)] = [
                (.characterDevice, .characterDevice), (.blockDevice, .blockDevice), (.socket, .socket), (.fifo, .fifo),
            ]
            for (kind, special) in cases {
                let destination = try DownloadDestination.decide(path: "x", target: "/somewhere/x", FileStatus(kind: kind))
                #expect(destination.method == .writeInPlace(special))
                #expect(destination.target == "/somewhere/x")
            }
            #expect(throws: DownloadError(.unsupportedFileType, path: "x")) {
                try DownloadDestination.decide(path: "x", target: "/somewhere/x", FileStatus(kind: .unknown))
            }
        }
    }

    /// A link is decided by what it points to, through any number of links, and the link
    /// itself is never the target.
    @Test func aLinkIsFollowed() throws {
        try cleaningUp {
            try Data("v3".utf8).write(to: URL(fileURLWithPath: directory + "/v3.bin"))
            try FileManager.default.createSymbolicLink(atPath: directory + "/current.bin", withDestinationPath: "v3.bin")
            try FileManager.default.createSymbolicLink(atPath: directory + "/latest.bin", withDestinationPath: "current.bin")
            for name in ["current.bin", "latest.bin"] {
                let destination = try DownloadDestination.inspect(name, currentDirectory: directory)
                #expect(destination.path == name)
                #expect(destination.target == directory + "/v3.bin")
                guard case .replaceFile(let existing?) = destination.method else {
                    Issue.record("\(name): \(destination.method)")
                    continue
                }
                #expect(existing.owner == geteuid())
            }

            #expect(mkfifo(directory + "/pipe", 0o600) == 0)
            try FileManager.default.createSymbolicLink(atPath: directory + "/to-pipe", withDestinationPath: directory + "/pipe")
            #expect(try DownloadDestination.inspect("to-pipe", currentDirectory: directory).method == .writeInPlace(.fifo))

            try FileManager.default.createDirectory(atPath: directory + "/folder", withIntermediateDirectories: false)
            try FileManager.default.createSymbolicLink(atPath: directory + "/to-folder", withDestinationPath: "folder")
            #expect(failure("to-folder") == DownloadError(.isDirectory, path: "to-folder"))
        }
    }

    @Test func aLinkToNothingIsRefused() throws {
        try cleaningUp {
            try FileManager.default.createSymbolicLink(atPath: directory + "/next.bin", withDestinationPath: "v4.bin")
            #expect(failure("next.bin") == DownloadError(.danglingLink(target: "v4.bin"), path: "next.bin"))
        }
    }

    @Test func messagesNameTheAttachmentTheDestinationAndWhatIsLeft() throws {
        try cleaningUp {
            let operation = "download attachment AAMkAD…xyz= of message AAMkAD…abc="
            #expect(
                "\(DownloadError(.writeFailed(bytesWritten: 65536), path: nil, errno: EPIPE, operation: operation))"
                    == "could not download attachment AAMkAD…xyz= of message AAMkAD…abc= to standard output: writing failed after 65536 bytes (Broken pipe)")
            #expect(
                "\(DownloadError(.writeFailed(bytesWritten: 0), path: "out.bin", errno: ENOSPC, operation: operation, aftermath: .keptPreviousFile))"
                    == "could not download attachment AAMkAD…xyz= of message AAMkAD…abc= to 'out.bin': writing failed after 0 bytes (No space left on device); the file there is left as it was")
            #expect(
                "\(DownloadError(.cannotReplace, path: "new.bin", errno: EIO, operation: operation, aftermath: .leftNothing))"
                    == "could not download attachment AAMkAD…xyz= of message AAMkAD…abc= to 'new.bin': the finished download could not take its place (Input/output error); nothing was saved")
        }
    }
}
