// `struct stat`'s members resolve to libdispatch's C module under member import visibility
// (which module a clean build loads first decides it): name it, so every build agrees.
#if canImport(CDispatch)
import CDispatch
#endif
import Foundation

/// What makes a file the same file: where it lives on disk (device and inode), its size, its
/// modification time to the nanosecond, and the kernel's change time, which moves on every
/// write and which no user can set back (`touch -r` sets the modification time only).
///
/// Kept apart from the files that import NIO, where the members of `struct stat` do not
/// resolve.
struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int
    var changedSeconds: Int
    var changedNanoseconds: Int

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        changedSeconds = Int(info.st_ctim.tv_sec)
        changedNanoseconds = Int(info.st_ctim.tv_nsec)
    }

    /// The file at `path` now, following symlinks; `nil` when there is none.
    static func at(path: String) -> FileIdentity? {
        var info = stat()
        guard PlatformPath.withCString(path, { stat($0, &info) }) == 0 else { return nil }
        return FileIdentity(info)
    }

    /// Seconds since 1970, as ``LocalFile/modified`` keeps them.
    var modified: Double { Double(modifiedSeconds) + Double(modifiedNanoseconds) / 1e9 }

    /// The kernel's change time, seconds since 1970.
    var changed: Double { Double(changedSeconds) + Double(changedNanoseconds) / 1e9 }

    /// Same device and inode: the same file, whatever else changed.
    func isSameFile(as other: FileIdentity) -> Bool {
        device == other.device && inode == other.inode
    }
}
