import Foundation

/// A download's bytes could not be put where they were asked to go: where that is, what went
/// wrong, and what became of what was there.
public struct DownloadError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// The destination is a directory (or a link to one).
        case isDirectory
        /// The destination is a symbolic link to nothing; `target` is what the link holds.
        case danglingLink(target: String)
        /// The directory the new file would go in does not exist.
        case noSuchDirectory(String)
        /// `lstat` or `stat` of the destination failed.
        case cannotInspect
        /// Something other than a file, directory, link, FIFO, device or socket.
        case unsupportedFileType
        /// The destination (a FIFO, device or socket) could not be opened for writing.
        case cannotOpen
        /// The destination is a terminal, which raw bytes would garble.
        case isTerminal
        /// No temporary file could be made in this directory to write the download into.
        case cannotCreateTemporaryFile(directory: String)
        /// A write failed after this many bytes had gone out.
        case writeFailed(bytesWritten: Int64)
        /// The finished temporary file could not be synced or renamed over the destination.
        case cannotReplace
        /// What is at the destination changed while the download ran; it is now this.
        case changed(String)
    }

    /// What the failure left at the destination.
    public enum Aftermath: Hashable, Sendable {
        /// The file that was there is as it was (the temporary file is gone).
        case keptPreviousFile
        /// There was nothing there, and there is nothing now.
        case leftNothing
    }

    public var code: Code
    /// The destination as the user named it; `nil` for standard output.
    public var path: String?
    /// `errno` of the call that failed.
    public var errno: Int32?
    /// What attache was doing, as a phrase: `download attachment AAMk…= of message AAMk…`.
    public var operation: String?
    public var aftermath: Aftermath?

    public init(_ code: Code, path: String?, errno: Int32? = nil, operation: String? = nil, aftermath: Aftermath? = nil) {
        self.code = code
        self.path = path
        self.errno = errno
        self.operation = operation
        self.aftermath = aftermath
    }

    public var description: String {
        let place = path.map { "'\($0)'" } ?? "standard output"
        var text = operation.map { "could not \($0) to \(place): " } ?? "cannot write to \(place): "
        switch code {
        case .isDirectory:
            text += "it is a directory; name a file in it (-o '\((path ?? "DIR") + "/NAME")')"
        case .danglingLink(let target):
            text += "it is a symbolic link to '\(target)', which does not exist; attache writes through a link only to what exists"
        case .noSuchDirectory(let directory):
            text += "there is no directory '\(directory)' to put it in"
        case .cannotInspect:
            text += "it cannot be examined\(cause)"
        case .unsupportedFileType:
            text += "it is neither a file, a FIFO, a device nor a socket"
        case .cannotOpen:
            text += "it cannot be opened for writing\(cause)"
        case .isTerminal:
            text += "it is a terminal, which raw bytes would garble; name a file or pipe the bytes on"
        case .cannotCreateTemporaryFile(let directory):
            text += "no temporary file can be made in '\(directory)' to download into\(cause)"
        case .writeFailed(let bytes):
            text += "writing failed after \(bytes) bytes\(cause)"
        case .cannotReplace:
            text += "the finished download could not take its place\(cause)"
        case .changed(let now):
            text += "it changed during the download (it is now \(now))"
        }
        switch aftermath {
        case .keptPreviousFile: text += "; the file there is left as it was"
        case .leftNothing: text += "; nothing was saved"
        case nil: break
        }
        return text
    }

    /// ` (No space left on device)`, from `errno`.
    private var cause: String {
        errno.map { " (\(String(cString: strerror($0))))" } ?? ""
    }
}
