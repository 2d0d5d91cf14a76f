// `struct stat`'s members resolve to libdispatch's C module under member import visibility
// (which module a clean build loads first decides it): name it, so every build agrees.
#if canImport(CDispatch)
import CDispatch
#endif
import Foundation

/// Reads a file that must be a regular file: the configuration, the token and account
/// files, a certificate authority's PEM.
///
/// Opening a FIFO for reading waits for a writer, for ever if none comes, and a device may
/// never end; so the file is opened without waiting (`O_NONBLOCK`), and anything that is
/// not a regular file is refused before a byte is read.
public enum RegularFile {
    /// Why the file cannot be read; the message goes after the file's name.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case notFound
        case isDirectory
        /// A FIFO, socket or device: what it is, as a phrase (`a FIFO`).
        case notRegular(String)
        /// A symbolic link, where links are not followed.
        case symbolicLink
        /// Larger than any such file should be.
        case tooLarge(Int64)
        /// `open` or `read` failed: `strerror`'s words.
        case unreadable(String)
        /// A file of secrets that others may read: its mode.
        case readableByOthers(mode: String)
        /// A file of secrets that another user owns.
        case ownedByAnother(uid: UInt32)

        public var description: String {
            switch self {
            case .notFound: "does not exist"
            case .isDirectory: "is a directory, not a file"
            case .notRegular(let kind): "is \(kind), not a regular file"
            case .symbolicLink: "is a symbolic link; attache does not follow one there"
            case .tooLarge(let size): "is \(ByteCount(size)), far larger than such a file can be"
            case .unreadable(let reason): "cannot be read (\(reason))"
            case .readableByOthers(let mode): "can be read by others (mode \(mode)), so what it holds may have been read: attache will not use it"
            case .ownedByAnother(let uid): "belongs to another user (uid \(uid)); attache uses only files of secrets of your own"
            }
        }
    }

    /// The whole contents of `path`.
    ///
    /// - Parameters:
    ///   - followingLinks: whether a symbolic link at `path` is followed or refused.
    ///   - limit: the most bytes such a file may have.
    ///   - secret: the file holds secrets: refuse it when another user owns it or others may
    ///     read it, since what is in it may have been read and must not be used unawares.
    public static func read(_ path: String, followingLinks: Bool = true, limit: Int64 = 16 << 20, secret: Bool = false) throws(Problem) -> Data {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followingLinks ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR: throw .notFound
            case ELOOP where !followingLinks: throw .symbolicLink
            default: throw .unreadable(reason(code))
            }
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .unreadable(reason(errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .isDirectory
        case S_IFIFO: throw .notRegular("a FIFO")
        case S_IFSOCK: throw .notRegular("a socket")
        case S_IFCHR, S_IFBLK: throw .notRegular("a device")
        default: throw .notRegular("not a file")
        }
        if secret {
            guard info.st_uid == geteuid() else { throw .ownedByAnother(uid: info.st_uid) }
            guard info.st_mode & 0o077 == 0 else { throw .readableByOthers(mode: "0" + String(info.st_mode & 0o777, radix: 8)) }
        }
        guard Int64(info.st_size) <= limit else { throw .tooLarge(Int64(info.st_size)) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(reason(errno))
            }
            data.append(contentsOf: buffer[..<count])
            // A file that grows while it is read is held to the same bound.
            guard Int64(data.count) <= limit else { throw .tooLarge(Int64(data.count)) }
        }
        return data
    }

    static func reason(_ code: Int32) -> String {
        code == EACCES ? "permission denied" : String(cString: strerror(code))
    }
}
