import Foundation
import NIOCore
import NIOPosix

/// An open ``DownloadDestination``: written chunk by chunk, then committed or discarded.
///
/// A file is written to a temporary file beside it (created 0600 and exclusive), synced, given
/// its final mode, and renamed over the target in ``commit()``; ``discard()`` removes it, so a
/// failed or cancelled download leaves neither a half file nor a damaged old one. Anything else
/// is written in place. Calls that can block (opening a FIFO waits for a reader, a write waits
/// for it to read) run on NIO's thread pool, never on the caller's.
///
/// Used by one task at a time; not `Sendable`.
final class DownloadSink {
    let destination: DownloadDestination
    /// What is being done, for errors: `download attachment AAMk…= of message AAMk…`.
    let operation: String
    private var descriptor: Int32
    /// The temporary file, for ``DownloadDestination/Method/replaceFile(existing:)``.
    private let temporaryPath: String?
    /// The temporary file was renamed over the target or removed.
    private var temporaryFileIsGone = false
    private(set) var bytesWritten: Int64 = 0

    private init(destination: DownloadDestination, operation: String, descriptor: Int32, temporaryPath: String?) {
        self.destination = destination
        self.operation = operation
        self.descriptor = descriptor
        self.temporaryPath = temporaryPath
    }

    deinit {
        // A sink dropped without commit or discard (it should not be) still removes its file.
        discard()
    }

    /// Opens the destination (or creates the temporary file beside it).
    static func open(_ destination: DownloadDestination, operation: String) async throws -> DownloadSink {
        switch destination.method {
        case .standardOutput:
            return DownloadSink(destination: destination, operation: operation, descriptor: STDOUT_FILENO, temporaryPath: nil)
        case .replaceFile:
            let directory = destination.directory
            let (descriptor, path) = try await NIOThreadPool.singleton.runIfActive {
                try createTemporaryFile(in: directory, for: destination, operation: operation)
            }
            return DownloadSink(destination: destination, operation: operation, descriptor: descriptor, temporaryPath: path)
        case .writeInPlace(let kind):
            let descriptor = try await NIOThreadPool.singleton.runIfActive {
                try openInPlace(destination, kind: kind, operation: operation)
            }
            return DownloadSink(destination: destination, operation: operation, descriptor: descriptor, temporaryPath: nil)
        }
    }

    /// Writes all of `chunk`.
    /// - Throws: ``DownloadError`` (`writeFailed`) on ENOSPC, EPIPE, EIO and the like.
    func write(_ chunk: ByteBuffer) async throws {
        guard chunk.readableBytes > 0 else { return }
        let descriptor = descriptor
        let (count, failure) = try await NIOThreadPool.singleton.runIfActive {
            chunk.withUnsafeReadableBytes { Self.writeAll($0, to: descriptor) }
        }
        bytesWritten += Int64(count)
        if let failure { throw error(.writeFailed(bytesWritten: bytesWritten), errno: failure) }
    }

    /// Finishes: a temporary file is synced, given its mode and renamed over the target; a
    /// FIFO, device or socket is closed. Standard output stays open.
    func commit() async throws {
        guard let temporaryPath else {
            guard descriptor >= 0, descriptor != STDOUT_FILENO else { return }
            let closed = Foundation.close(descriptor)
            let code = errno
            descriptor = -1
            if closed != 0, code != EINTR { throw error(.writeFailed(bytesWritten: bytesWritten), errno: code) }
            return
        }
        guard case .replaceFile(let existing) = destination.method, descriptor >= 0 else { return }
        let descriptor = descriptor
        let target = destination.target
        // finishTemporaryFile closes the descriptor whatever happens; discard must not again.
        self.descriptor = -1
        if let failure = try await NIOThreadPool.singleton.runIfActive({
            Self.finishTemporaryFile(descriptor, at: temporaryPath, over: target, existing: existing)
        }) {
            throw error(failure.code, errno: failure.errno)
        }
        temporaryFileIsGone = true
    }

    /// Closes what is open and removes the temporary file, if any. Quick, so it runs in
    /// place: it must happen even when the task is cancelled.
    func discard() {
        if descriptor >= 0, descriptor != STDOUT_FILENO { _ = Foundation.close(descriptor) }
        descriptor = -1
        if let temporaryPath, !temporaryFileIsGone {
            _ = unlink(temporaryPath)
            temporaryFileIsGone = true
        }
    }

    private func error(_ code: DownloadError.Code, errno: Int32?) -> DownloadError {
        let aftermath: DownloadError.Aftermath? =
            switch destination.method {
            case .replaceFile(let existing): existing == nil ? .leftNothing : .keptPreviousFile
            case .standardOutput, .writeInPlace: nil
            }
        return DownloadError(code, path: destination.path, errno: errno, operation: operation, aftermath: aftermath)
    }

    // MARK: Blocking parts, run on the thread pool

    /// Writes the whole buffer, through partial writes, EINTR and a non-blocking descriptor;
    /// returns how much went out and the `errno` that stopped it, if one did.
    private static func writeAll(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32) -> (Int, Int32?) {
        var offset = 0
        while offset < buffer.count {
            let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written > 0 {
                offset += written
                continue
            }
            let code = written == 0 ? EIO : errno
            switch code {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                // Standard output may be a pipe someone else made non-blocking: wait for room.
                var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, -1)
            default:
                return (offset, code)
            }
        }
        return (offset, nil)
    }

    /// `.NAME.attache-XXXXXXXX.part` beside the target, 0600, created exclusively.
    private static func createTemporaryFile(
        in directory: String, for destination: DownloadDestination, operation: String
    ) throws -> (Int32, String) {
        let name = (destination.target as NSString).lastPathComponent
        // Keep the name under NAME_MAX (255 bytes) whatever the target's length.
        var stem = ""
        for character in name {
            guard stem.utf8.count + character.utf8.count <= 200 else { break }
            stem.append(character)
        }
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var code: Int32 = EEXIST
        for _ in 0..<16 {
            let suffix = String((0..<8).map { _ in letters.randomElement()! })
            let path = (directory as NSString).appendingPathComponent(".\(stem).attache-\(suffix).part")
            let descriptor = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if descriptor >= 0 { return (descriptor, path) }
            code = errno
            if code != EEXIST { break }
        }
        throw DownloadError(.cannotCreateTemporaryFile(directory: directory), path: destination.path, errno: code, operation: operation)
    }

    /// Opens a FIFO or device for writing (never creating or truncating it), or connects to
    /// a socket, and checks that it is still what was inspected.
    private static func openInPlace(_ destination: DownloadDestination, kind: DownloadDestination.SpecialFile, operation: String) throws -> Int32 {
        func failure(_ code: DownloadError.Code, _ number: Int32?) -> DownloadError {
            DownloadError(code, path: destination.path, errno: number, operation: operation)
        }
        let descriptor: Int32
        if kind == .socket {
            descriptor = try connect(to: destination.target, failure: { failure(.cannotOpen, $0) })
        } else {
            descriptor = Foundation.open(destination.target, O_WRONLY | O_CLOEXEC | O_NOCTTY)
            guard descriptor >= 0 else { throw failure(.cannotOpen, errno) }
        }
        guard let status = FileStatus(descriptor: descriptor) else {
            let code = errno
            _ = Foundation.close(descriptor)
            throw failure(.cannotOpen, code)
        }
        let expected: FileStatus.Kind =
            switch kind {
            case .fifo: .fifo
            case .characterDevice: .characterDevice
            case .blockDevice: .blockDevice
            case .socket: .socket
            }
        guard status.kind == expected else {
            // Swapped between inspection and open: never write in place into a regular file.
            _ = Foundation.close(descriptor)
            throw failure(.changed(status.kind.description), nil)
        }
        // `-o /dev/pts/3` is refused like a terminal on stdout: raw bytes would garble it.
        if kind == .characterDevice, isatty(descriptor) == 1 {
            _ = Foundation.close(descriptor)
            throw failure(.isTerminal, nil)
        }
        return descriptor
    }

    private static func connect(to path: String, failure: (Int32) -> DownloadError) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw failure(ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        #if canImport(Glibc)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let descriptor = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw failure(errno) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            _ = Foundation.close(descriptor)
            throw failure(code)
        }
        return descriptor
    }

    /// Syncs, sets the mode (and owner, when allowed), closes, and renames over `target`
    /// when it is still a regular file or nothing; returns why not, if it could not. The
    /// descriptor is closed in every case.
    private static func finishTemporaryFile(
        _ descriptor: Int32, at temporaryPath: String, over target: String, existing: DownloadDestination.ExistingFile?
    ) -> (code: DownloadError.Code, errno: Int32?)? {
        // Best effort: some file systems (FAT, some FUSE) keep no modes or owners.
        _ = fchmod(descriptor, existing?.permissions ?? (0o644 & ~processUmask))
        if let existing, existing.owner != geteuid() || existing.group != getegid() {
            _ = fchown(descriptor, existing.owner, existing.group)
        }
        guard fsync(descriptor) == 0 else {
            let code = errno
            _ = Foundation.close(descriptor)
            return (.cannotReplace, code)
        }
        // On Linux the descriptor is released even when close reports an error.
        guard Foundation.close(descriptor) == 0 else { return (.cannotReplace, errno) }
        if let now = FileStatus(at: target), now.kind != .regularFile {
            return (.changed(now.kind.description), nil)
        }
        guard rename(temporaryPath, target) == 0 else { return (.cannotReplace, errno) }
        // Make the rename itself durable; a failure here loses nothing already written.
        let directory = Foundation.open((target as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            _ = Foundation.close(directory)
        }
        return nil
    }

    /// The process's umask, read without changing it (`umask(2)` would, for every thread).
    private static let processUmask: mode_t = {
        #if os(Linux)
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
            let mask = mode_t(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8)
        {
            return mask
        }
        #endif
        return 0o022
    }()
}
