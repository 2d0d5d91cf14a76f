import Crypto
import Foundation
import Synchronization
import Testing

/// `attache get --raw`: the bytes reach what `-o` names (or stdout) and nothing else is
/// harmed. None of these point attache at a real device: FIFOs with a reader stand in.
@Suite("get --raw: where the bytes go")
struct RawDownloadTests {
    /// A file attached to the first message: the item, the attachment id, the file's SHA-256 and size.
    struct Attached {
        var item: String
        var attachment: String
        var sha256: String
        var size: Int
    }

    static func attach(_ harness: CLIHarness, size: Int = 1_500_000, seed: UInt64 = 61) async throws -> Attached {
        let item = try await harness.firstItem("messages")
        let file = try harness.makeFile("source-\(seed).bin", size: size, seed: seed)
        let uploaded = try await harness.attache("upload", [file.path, "--message", item, "--json"])
        #expect(uploaded.status == 0, "\(uploaded.stderr)")
        let attachment = try #require(uploaded.jsonLines.first?["attachmentId"] as? String)
        try FileManager.default.removeItem(atPath: file.path)
        return Attached(item: item, attachment: attachment, sha256: file.sha256, size: size)
    }

    /// A folder of its own in the harness's work directory, so listings show only what a test made.
    static func folder(_ harness: CLIHarness, _ name: String) throws -> String {
        let path = harness.workDirectory + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    static func listing(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func sha256(ofFile path: String) throws -> String {
        sha256(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The file type bits of `lstat(path)` (the entry itself, not what a link points to).
    static func entryType(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    static func permissions(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// This process's umask, read without changing it (`umask(2)` would, for every thread).
    static var umask: mode_t {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Umask:") }
        return line.flatMap { mode_t($0.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8) } ?? 0o022
    }

    // MARK: Standard output

    /// With no `-o`, and with `-o -`, the bytes go to file descriptor 1 (here a pipe) and the
    /// note about them to stderr.
    @Test func standardOutputIntoAPipe() async throws {
        try await CLIHarness.with { harness in
            let attached = try await Self.attach(harness)
            for extra in [[], ["-o", "-"]] {
                let result = try await harness.attache("get", ["--message", attached.item, attached.attachment, "--raw"] + extra)
                #expect(result.status == 0, "\(extra): \(result.stderr)")
                #expect(result.stdoutData.count == attached.size, "\(extra)")
                #expect(Self.sha256(result.stdoutData) == attached.sha256, "\(extra)")
                #expect(result.stderr == "wrote \(attached.size) bytes (sha256 \(attached.sha256))\n", "\(extra)")
            }
        }
    }

    /// `attache get --raw | head -c 0`: a reader that is gone is a failed download, said on
    /// stderr, never "wrote".
    @Test func aClosedStandardOutputFailsTheCommand() async throws {
        try await CLIHarness.with { harness in
            let attached = try await Self.attach(harness)
            // The reader is gone before the first write.
            let running = try CLIHarness.launch(
                ["get"] + harness.connection + ["--message", attached.item, attached.attachment, "--raw"], stdoutReaderGone: true)
            let result = try await running.finish()
            let errors = result.stderr
            #expect(running.process.terminationReason == .exit && result.status == 1, "\(errors)")
            #expect(errors.hasPrefix("attache: error: could not download attachment \(attached.attachment.prefix(12))"), "\(errors)")
            #expect(errors.contains(" to standard output: "), "\(errors)")
            #expect(errors.split(separator: "\n").count == 1, "\(errors)")
            #expect(!errors.contains("wrote"), "\(errors)")
        }
    }

    // MARK: Files

    @Test func aNewPath() async throws {
        try await CLIHarness.with { harness in
            let attached = try await Self.attach(harness)
            let folder = try Self.folder(harness, "out")
            let path = folder + "/copy.bin"
            let result = try await harness.attache("get", ["--message", attached.item, attached.attachment, "--raw", "-o", path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "saved \(attached.size) bytes to \(path) (sha256 \(attached.sha256))\n")
            #expect(try Self.sha256(ofFile: path) == attached.sha256)
            #expect(Self.entryType(path) == S_IFREG)
            #expect(Self.permissions(path) == 0o644 & ~Self.umask)
            #expect(try Self.listing(folder) == ["copy.bin"])
        }
    }

    /// An existing file is replaced whole and keeps its permissions; a download that fails
    /// leaves it as it was, and leaves no temporary file beside it.
    @Test func anExistingFileIsReplacedAndAFailedDownloadLeavesItAlone() async throws {
        try await CLIHarness.with { harness in
            let attached = try await Self.attach(harness)
            let folder = try Self.folder(harness, "out")
            let path = folder + "/report.bin"
            try Data("the old report\n".utf8).write(to: URL(fileURLWithPath: path))
            #expect(chmod(path, 0o640) == 0)
            let result = try await harness.attache("get", ["--message", attached.item, attached.attachment, "--raw", "-o", path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try Self.sha256(ofFile: path) == attached.sha256)
            #expect(Self.permissions(path) == 0o640)

            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let missing = try await harness.attache("get", ["--message", attached.item, "AAMkADnothing=", "--raw", "-o", path])
            #expect(missing.status == 3)
            #expect(missing.stdout.isEmpty)
            #expect(missing.stderr.hasPrefix("attache: error: attachment AAMkADnothing= of message "), "\(missing.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            #expect(try Self.listing(folder) == ["report.bin"])
        }
    }

    // MARK: Other kinds of destination

    /// A FIFO is written in place, to the reader at the other end, and stays a FIFO.
    @Test func aFIFOIsWrittenInPlace() async throws {
        try await CLIHarness.with { harness in
            let attached = try await Self.attach(harness)
            let folder = try Self.folder(harness, "out")
            let path = folder + "/pipe"
            #expect(mkfifo(path, 0o600) == 0)
            let reader = try FIFOReader(path: path)
            let result = try await harness.attache("get", ["--message", attached.item, attached.attachment, "--raw", "-o", path])
            let read = await reader.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "saved \(attached.size) bytes to \(path) (sha256 \(attached.sha256))\n")
            #expect(read.endOfFile)
            #expect(read.bytes == attached.size)
            #expect(read.sha256 == attached.sha256)
            #expect(Self.entryType(path) == S_IFIFO)
            #expect(try Self.listing(folder) == ["pipe"])
        }
    }

    /// A FIFO whose reader leaves early: EPIPE ends the command with exit 1 and one error line
    /// naming the attachment and the FIFO; nothing says it was saved.
    @Test func aReaderThatLeavesEarlyFailsTheCommand() async throws {
        try await CLIHarness.with { harness in
            let attached = try await Self.attach(harness)
            let folder = try Self.folder(harness, "out")
            let path = folder + "/pipe"
            #expect(mkfifo(path, 0o600) == 0)
            let reader = try FIFOReader(path: path, closeAfter: 1024)
            let result = try await harness.attache("get", ["--message", attached.item, attached.attachment, "--raw", "-o", path])
            let read = await reader.finish()
            #expect(read.bytes >= 1024 && read.bytes < attached.size)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.hasPrefix("attache: error: could not download attachment \(attached.attachment.prefix(12))"), "\(result.stderr)")
            #expect(result.stderr.contains(" to '\(path)': "), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(!result.stderr.contains("saved"), "\(result.stderr)")
            #expect(Self.entryType(path) == S_IFIFO)
        }
    }

    /// A link to a file: the file it points to gets the bytes, and the link stays a link.
    /// A link to nothing is refused, and left as it is.
    @Test func aSymbolicLinkStaysALink() async throws {
        try await CLIHarness.with { harness in
            let attached = try await Self.attach(harness)
            let folder = try Self.folder(harness, "out")
            let real = folder + "/v3.bin"
            try Data("version 3\n".utf8).write(to: URL(fileURLWithPath: real))
            let link = folder + "/current.bin"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "v3.bin")
            let result = try await harness.attache("get", ["--message", attached.item, attached.attachment, "--raw", "-o", link])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(Self.entryType(link) == S_IFLNK)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "v3.bin")
            #expect(Self.entryType(real) == S_IFREG)
            #expect(try Self.sha256(ofFile: real) == attached.sha256)
            #expect(try Self.listing(folder) == ["current.bin", "v3.bin"])

            let dangling = folder + "/next.bin"
            try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "v4.bin")
            let refused = try await harness.attache("get", ["--message", attached.item, attached.attachment, "--raw", "-o", dangling])
            #expect(refused.status == 1)
            #expect(refused.stderr.hasPrefix("attache: error: "), "\(refused.stderr)")
            #expect(refused.stderr.contains("'\(dangling)'"), "\(refused.stderr)")
            #expect(Self.entryType(dangling) == S_IFLNK)
            #expect(try Self.listing(folder) == ["current.bin", "next.bin", "v3.bin"])
        }
    }

    /// A directory is refused before any request is made: with a Graph root where nothing
    /// listens, the error is still about the directory.
    @Test func aDirectoryIsRefused() async throws {
        try await CLIHarness.with { harness in
            let attached = try await Self.attach(harness)
            let folder = try Self.folder(harness, "out")
            let result = try await harness.attache("get", ["--message", attached.item, attached.attachment, "--raw", "-o", folder])
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.hasPrefix("attache: error: cannot write to '\(folder)': it is a directory"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(Self.entryType(folder) == S_IFDIR)
            #expect(try Self.listing(folder).isEmpty)

            let offline = try await CLIHarness.run([
                "get", "--graph", "http://127.0.0.1:1/v1.0", "--token", CLIHarness.token, "--state-dir", harness.stateDirectory,
                "--message", attached.item, attached.attachment, "--raw", "-o", folder,
            ])
            #expect(offline.status == 1)
            #expect(offline.stderr == result.stderr)
            #expect(Self.entryType(folder) == S_IFDIR)
        }
    }
}

/// Reads a FIFO on a thread of its own, as `cat FIFO` would, and hashes what comes.
///
/// It opens the FIFO at once (non-blocking, so a writer finds a reader there) and polls, so
/// it never hangs: ``finish()`` stops it if the writer never came or never closed.
final class FIFOReader: @unchecked Sendable {
    struct Read: Sendable {
        var bytes: Int
        var sha256: String
        /// The writer closed its end (rather than the reader giving up or leaving early).
        var endOfFile: Bool
    }

    private let descriptor: Int32
    private let closeAfter: Int?
    // The thread writes these; `finish` reads them once `done` is set.
    private let state = Mutex<(stop: Bool, done: Bool)>((false, false))
    private var hasher = SHA256()
    private var count = 0
    private var endOfFile = false

    /// - Parameter closeAfter: leave (close the FIFO) once this many bytes have come.
    init(path: String, closeAfter: Int? = nil) throws {
        descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        self.closeAfter = closeAfter
        Thread { self.run() }.start()
    }

    private func run() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !state.withLock({ $0.stop }) {
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 50) > 0 else { continue }
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if got > 0 {
                hasher.update(data: buffer[0..<got])
                count += got
                if let closeAfter, count >= closeAfter { break }
            } else if got == 0 {
                // Linux wakes a FIFO's reader for hang-up only after a writer came and went.
                endOfFile = true
                break
            } else if errno != EAGAIN && errno != EINTR {
                break
            }
        }
        close(descriptor)
        state.withLock { $0.done = true }
    }

    /// Waits for the writer to close (at most `timeout`), stops the thread, and tells what came.
    func finish(timeout: Duration = .seconds(10)) async -> Read {
        await Eventually.until(timeout: timeout) { state.withLock { $0.done } }
        state.withLock { $0.stop = true }
        await Eventually.until(timeout: .seconds(3600)) { state.withLock { $0.done } }
        return Read(bytes: count, sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined(), endOfFile: endOfFile)
    }
}
