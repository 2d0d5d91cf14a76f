// `struct stat`'s members resolve to libdispatch's C module under member import visibility
// (which module a clean build loads first decides it): name it, so every build agrees.
#if canImport(CDispatch)
import CDispatch
#endif
import Foundation

/// One process's hold on a journaled transfer, so that two attache processes (an upload
/// in one terminal, `attache resume` or the TUI in another) never drive the same session.
///
/// The hold is an exclusive `flock(2)` on `claims/ID.lock` beside the journal. The kernel
/// drops it when the descriptor closes, including when the process dies by `kill -9`, so a
/// claim never outlives its owner and a crashed run's transfers are free to resume.
public final class TransferClaim: Sendable {
    /// The process that holds a claim.
    public struct Holder: Sendable, Hashable, CustomStringConvertible {
        /// Its pid, when the lock file says.
        public var pid: Int32?

        public var description: String {
            pid.map { "another attache (pid \($0))" } ?? "another attache"
        }
    }

    /// What trying to claim a transfer found.
    public enum Attempt: Sendable {
        case claimed(TransferClaim)
        case heldElsewhere(Holder)
        /// The journal lives in memory, so no other process can know the transfer.
        case notNeeded
    }

    let path: String
    // Immutable after init; the descriptor is only closed in deinit, when no one else holds
    // the object. This is what makes the class Sendable without a lock.
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Takes the lock at `path` without waiting.
    ///
    /// - Throws: `POSIXError` when the lock file cannot be made (a read-only state directory).
    static func attempt(at path: String) throws -> Attempt {
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let holder = Holder(pid: Self.readPID(descriptor))
                close(descriptor)
                return .heldElsewhere(holder)
            }
            // The last holder may have removed the file between our open and our lock: then
            // this lock is on a name no one else will find, so try again on the new file.
            var opened = stat()
            var named = stat()
            guard fstat(descriptor, &opened) == 0, stat(path, &named) == 0, opened.st_ino == named.st_ino, opened.st_dev == named.st_dev else {
                close(descriptor)
                continue
            }
            let pid = Array("\(getpid())\n".utf8)
            _ = ftruncate(descriptor, 0)
            _ = pid.withUnsafeBufferPointer { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
            return .claimed(TransferClaim(path: path, descriptor: descriptor))
        }
    }

    /// Removes the lock file while still holding the lock, for a transfer that is over; the
    /// lock itself goes when the claim does.
    func removeFile() {
        unlink(path)
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = buffer.withUnsafeMutableBufferPointer { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
