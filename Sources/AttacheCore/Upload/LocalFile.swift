// `struct stat`'s members resolve to libdispatch's C module under member import visibility
// (which module a clean build loads first decides it): name it, so every build agrees.
#if canImport(CDispatch)
import CDispatch
#endif
import Foundation

/// A file on disk that is about to be attached, checked before any request is made.
public struct LocalFile: Hashable, Sendable, Codable {
    /// The absolute path.
    public var path: String
    /// The name the attachment gets: the last path component.
    public var name: String
    public var size: Int64
    /// Modification time, seconds since 1970, to notice a file that changed before a resume.
    public var modified: Double

    public init(path: String, name: String, size: Int64, modified: Double) {
        self.path = path
        self.name = name
        self.size = size
        self.modified = modified
    }

    /// Checks that `path` names a readable regular file no bigger than Outlook takes (or
    /// than `maximum`: OneDrive's ``DriveShare/maximumFileSize`` for a file that may go as a link).
    /// - Throws: ``InputFileError`` saying what is wrong with the file, by name.
    public static func inspect(
        _ path: String, currentDirectory: String = FileManager.default.currentDirectoryPath, upTo maximum: Int64 = AttachmentLimits.maximumFileSize
    ) throws(InputFileError) -> LocalFile {
        let absolute = path.hasPrefix("/") ? path : (currentDirectory as NSString).appendingPathComponent(path)
        var info = stat()
        // The path's own bytes, which need not be UTF-8 (see PlatformPath).
        guard PlatformPath.withCString(absolute, { stat($0, &info) }) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw InputFileError(.notFound, path: path) }
            if code == EACCES { throw InputFileError(.unreadable, path: path, detail: "permission denied") }
            throw InputFileError(.unreadable, path: path, detail: String(cString: strerror(code)))
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR { throw InputFileError(.isDirectory, path: path) }
        guard type == S_IFREG else { throw InputFileError(.notRegularFile, path: path) }
        guard PlatformPath.withCString(absolute, { access($0, R_OK) }) == 0 else { throw InputFileError(.unreadable, path: path, detail: "permission denied") }
        let size = Int64(info.st_size)
        if let system = pseudoFileSystem(absolute) {
            throw InputFileError(.sizeUntrusted, path: path, detail: "it is a file of the kernel's (\(system)), whose size says nothing of what it holds")
        }
        if size == 0, hasContent(absolute) {
            throw InputFileError(.sizeUntrusted, path: path, detail: "it reports 0 bytes, yet has content")
        }
        guard size <= maximum else {
            if maximum > AttachmentLimits.maximumFileSize { throw InputFileError(.tooLargeForOneDrive(size), path: path) }
            throw InputFileError(.tooLarge(size), path: path)
        }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        // The attachment's name is Unicode, as Graph takes: a byte that is not UTF-8 as U+FFFD.
        return LocalFile(path: absolute, name: PlatformPath.text((absolute as NSString).lastPathComponent), size: size, modified: modified)
    }

    /// `proc` or `sysfs` when `path` (links resolved) is under `/proc` or `/sys`, whose files
    /// report sizes (0, 4096) that are not what reading them gives; `nil` otherwise.
    static func pseudoFileSystem(_ path: String) -> String? {
        guard let resolved = PlatformPath.withCString(path, { realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        let real = String(cString: resolved)
        if real.hasPrefix("/proc/") { return "proc" }
        if real.hasPrefix("/sys/") { return "sysfs" }
        return nil
    }

    /// Whether a file that reports 0 bytes gives any when read: one byte is enough to tell.
    static func hasContent(_ path: String) -> Bool {
        // O_NONBLOCK: never wait on something that only looks like a file.
        let descriptor = PlatformPath.withCString(path) { open($0, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) }
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var byte: UInt8 = 0
        return read(descriptor, &byte, 1) == 1
    }

    /// Checks that `path` still names a regular file (or a link to one), as a resume must
    /// before it opens it: a FIFO put in its place would make the open wait for ever.
    public static func checkRegular(_ path: String) throws(InputFileError) {
        var info = stat()
        guard PlatformPath.withCString(path, { stat($0, &info) }) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw InputFileError(.notFound, path: path) }
            throw InputFileError(.unreadable, path: path, detail: code == EACCES ? "permission denied" : String(cString: strerror(code)))
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR { throw InputFileError(.isDirectory, path: path) }
        guard type == S_IFREG else { throw InputFileError(.notRegularFile, path: path) }
    }

    /// The MIME type for the attachment, from the extension.
    public var contentType: String { ContentType.forFileName(name) }
}

/// A file that cannot be attached, and why: the message names the file as the user typed it.
public struct InputFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        case notFound
        case isDirectory
        case notRegularFile
        case unreadable
        case tooLarge(Int64)
        /// Too large even for OneDrive (250 GiB), where it would have gone as a link.
        case tooLargeForOneDrive(Int64)
        case changed
        /// Its size cannot be trusted: a file of the kernel's (`/proc`, `/sys`), or one that
        /// reports 0 bytes yet has some.
        case sizeUntrusted
    }

    public var code: Code
    public var path: String
    public var detail: String?

    public init(_ code: Code, path: String, detail: String? = nil) {
        self.code = code
        self.path = path
        self.detail = detail
    }

    /// A few words for a list of files (the picker's): what keeps it from being attached.
    public var shortReason: String {
        switch code {
        case .notFound: "a broken link"
        case .isDirectory: "a folder"
        case .notRegularFile: "not a file"
        case .unreadable: detail == nil || detail == "permission denied" ? "cannot be read" : "cannot be read: \(detail!)"
        case .tooLarge: "over 150 MiB"
        case .tooLargeForOneDrive: "over 250 GiB"
        case .changed: "changed"
        case .sizeUntrusted: "its size cannot be trusted"
        }
    }

    public var description: String {
        switch code {
        case .notFound: "'\(path)': no such file"
        case .isDirectory: "'\(path)' is a directory; attach the files in it one by one"
        case .notRegularFile: "'\(path)' is not a regular file"
        case .unreadable: "'\(path)' cannot be read (\(detail ?? "permission denied"))"
        case .tooLarge(let size):
            "'\(path)' is \(ByteCount(size)) (\(size) bytes); Outlook takes at most 150 MiB (\(AttachmentLimits.maximumFileSize) bytes) per attachment"
        case .tooLargeForOneDrive(let size):
            "'\(path)' is \(ByteCount(size)) (\(size) bytes); OneDrive takes at most 250 GiB per file"
        case .changed: "'\(path)' changed since its upload began (\(detail ?? "size or time differ")); start it again"
        case .sizeUntrusted:
            "'\(path)' cannot be attached as it is: \(detail ?? "its size cannot be trusted"); copy it to a regular file first (cat '\(path)' > copy)"
        }
    }
}
