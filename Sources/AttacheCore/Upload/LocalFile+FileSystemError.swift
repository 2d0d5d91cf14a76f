import _NIOFileSystem

extension LocalFile {
    /// Whether a file system error says there is no such file.
    static func isMissing(_ error: any Error) -> Bool {
        (error as? FileSystemError)?.code == .notFound
    }

    /// A file system error in a few words, for a message that names the file.
    static func describe(fileError error: any Error) -> String {
        if let error = error as? FileSystemError {
            switch error.code {
            case .notFound: return "no such file"
            case .permissionDenied: return "permission denied"
            default: return error.message
            }
        }
        return "\(type(of: error))"
    }
}
