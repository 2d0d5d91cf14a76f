// `struct stat`'s members resolve to libdispatch's C module under member import visibility
// (which module a clean build loads first decides it): name it, so every build agrees.
#if canImport(CDispatch)
import CDispatch
#endif
import Foundation

/// The parts of `lstat`, `stat` or `fstat` that decide how a download is written, and what
/// the screen's file picker shows.
///
/// Kept apart (and with Foundation alone imported) so that files importing NIO never touch
/// `struct stat` themselves: there its members resolve to a module they do not import. The
/// screen uses it for the same reason.
public struct FileStatus: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CustomStringConvertible {
        case regularFile = "a regular file"
        case directory = "a directory"
        case symbolicLink = "a symbolic link"
        case fifo = "a FIFO"
        case characterDevice = "a character device"
        case blockDevice = "a block device"
        case socket = "a socket"
        case unknown = "of an unknown type"

        init(mode: mode_t) {
            self =
                switch mode & S_IFMT {
                case S_IFREG: .regularFile
                case S_IFDIR: .directory
                case S_IFLNK: .symbolicLink
                case S_IFIFO: .fifo
                case S_IFCHR: .characterDevice
                case S_IFBLK: .blockDevice
                case S_IFSOCK: .socket
                default: .unknown
                }
        }

        public var description: String { rawValue }
    }

    public var kind: Kind
    /// The permission bits, `0o777` (set-id and sticky bits left out).
    public var permissions: mode_t
    public var owner: uid_t
    public var group: gid_t
    public var size: Int64
    /// When the contents last changed, in seconds since 1970.
    public var modified: Double

    init(kind: Kind, permissions: mode_t = 0o644, owner: uid_t = 0, group: gid_t = 0, size: Int64 = 0, modified: Double = 0) {
        self.kind = kind
        self.permissions = permissions
        self.owner = owner
        self.group = group
        self.size = size
        self.modified = modified
    }

    private init(_ info: stat) {
        self.init(
            kind: Kind(mode: info.st_mode), permissions: info.st_mode & 0o777, owner: info.st_uid, group: info.st_gid, size: Int64(info.st_size),
            modified: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }

    /// `lstat(path)` (the entry itself), or `stat(path)` when following links; `nil` with
    /// `errno` set when the call fails.
    public init?(at path: String, followingLinks: Bool = false) {
        var info = stat()
        let result = PlatformPath.withCString(path) { followingLinks ? stat($0, &info) : lstat($0, &info) }
        guard result == 0 else { return nil }
        self.init(info)
    }

    /// `fstat(descriptor)`; `nil` with `errno` set when it fails.
    init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        self.init(info)
    }
}
