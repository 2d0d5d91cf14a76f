import Foundation

/// Where a download's bytes go and how they are written, decided from what is at the path
/// (`lstat`, then what a link points to) before any request is made.
///
/// Only a regular file is ever replaced, and only whole: the bytes go to a temporary file
/// beside it that is renamed over it once complete, so a failed download leaves the old file
/// as it was. A FIFO, a device or a socket is written in place (a terminal is refused, as on
/// stdout); a directory is refused. A symbolic link is never replaced itself: what it points
/// to is written as if named directly, so a link to a file has that file replaced, through a
/// temporary file beside it. A link to nothing is refused, since writing through it would
/// create a file somewhere the user did not name.
public struct DownloadDestination: Hashable, Sendable, CustomStringConvertible {
    /// How the bytes are written.
    public enum Method: Hashable, Sendable {
        /// To file descriptor 1, as it is.
        case standardOutput
        /// To a new temporary file in the target's directory, renamed over the target at the
        /// end; `existing` is the regular file there now, `nil` when there is none.
        case replaceFile(existing: ExistingFile?)
        /// Straight into what is there: opened for writing, never created or truncated.
        case writeInPlace(SpecialFile)
    }

    /// The regular file a download replaces: what the new one keeps of it.
    public struct ExistingFile: Hashable, Sendable {
        /// Permission bits (`0o777`; set-id and sticky bits are not carried over).
        public var permissions: mode_t
        public var owner: uid_t
        public var group: gid_t

        public init(permissions: mode_t, owner: uid_t, group: gid_t) {
            self.permissions = permissions
            self.owner = owner
            self.group = group
        }
    }

    /// What is written in place.
    public enum SpecialFile: Hashable, Sendable {
        case fifo
        case characterDevice
        case blockDevice
        /// A Unix-domain socket: connected to (`open(2)` cannot open one), then written.
        case socket
    }

    /// The path as the user gave it, for messages; `nil` for standard output.
    public var path: String?
    /// The path that is opened or renamed over: `path` made absolute, with a symbolic link
    /// resolved to what it points to. Empty for standard output.
    public var target: String
    public var method: Method

    public init(path: String?, target: String, method: Method) {
        self.path = path
        self.target = target
        self.method = method
    }

    public static let standardOutput = DownloadDestination(path: nil, target: "", method: .standardOutput)

    /// The destination for `-o output`: standard output for `nil` or `-`, else whatever is
    /// at that path decides.
    /// - Throws: ``DownloadError`` when nothing may be written there: a directory, a link to
    ///   nothing, a missing directory, a path that cannot be examined.
    public static func inspect(
        _ output: String?, currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(DownloadError) -> DownloadDestination {
        guard let output, output != "-" else { return .standardOutput }
        func failure(_ code: DownloadError.Code, errno: Int32? = nil) -> DownloadError {
            DownloadError(code, path: output, errno: errno)
        }
        guard !output.isEmpty else { throw failure(.cannotInspect, errno: ENOENT) }
        let absolute = output.hasPrefix("/") ? output : (currentDirectory as NSString).appendingPathComponent(output)

        guard let entry = FileStatus(at: absolute) else {
            let code = errno
            guard code == ENOENT else { throw failure(.cannotInspect, errno: code) }
            // Nothing there yet: a new file, in a directory that must exist.
            if output.hasSuffix("/") { throw failure(.noSuchDirectory(output)) }
            let directory = (absolute as NSString).deletingLastPathComponent
            guard FileStatus(at: directory, followingLinks: true)?.kind == .directory else {
                throw failure(.noSuchDirectory((output as NSString).deletingLastPathComponent))
            }
            return DownloadDestination(path: output, target: absolute, method: .replaceFile(existing: nil))
        }
        guard entry.kind == .symbolicLink else {
            return try decide(path: output, target: absolute, entry)
        }
        // A link: follow it all the way, and decide by what is at the end.
        guard let resolved = realpath(absolute, nil) else {
            let code = errno
            guard code == ENOENT else { throw failure(.cannotInspect, errno: code) }
            let pointsTo = (try? FileManager.default.destinationOfSymbolicLink(atPath: absolute)) ?? "?"
            throw failure(.danglingLink(target: pointsTo))
        }
        let target = String(cString: resolved)
        free(resolved)
        guard let final = FileStatus(at: target) else { throw failure(.cannotInspect, errno: errno) }
        return try decide(path: output, target: target, final)
    }

    /// The decision for what `lstat` found at `target` (which is no link: links are resolved first).
    static func decide(path: String, target: String, _ status: FileStatus) throws(DownloadError) -> DownloadDestination {
        let method: Method
        switch status.kind {
        case .regularFile:
            method = .replaceFile(existing: ExistingFile(permissions: status.permissions, owner: status.owner, group: status.group))
        case .directory: throw DownloadError(.isDirectory, path: path)
        case .fifo: method = .writeInPlace(.fifo)
        case .characterDevice: method = .writeInPlace(.characterDevice)
        case .blockDevice: method = .writeInPlace(.blockDevice)
        case .socket: method = .writeInPlace(.socket)
        case .symbolicLink, .unknown: throw DownloadError(.unsupportedFileType, path: path)
        }
        return DownloadDestination(path: path, target: target, method: method)
    }

    /// `'path'`, or `standard output`: how messages name it.
    public var description: String {
        path.map { "'\($0)'" } ?? "standard output"
    }

    /// The directory a temporary file goes in, for ``Method/replaceFile(existing:)``.
    var directory: String {
        (target as NSString).deletingLastPathComponent
    }
}
