import ArgumentParser
import AttacheCore

/// The exit codes of every command, as `attache --help` and README list them.
enum ExitCodes {
    static let success: Int32 = 0
    /// A transfer or request failed (server error, refused range, network gave out), or was cancelled.
    static let failed: Int32 = 1
    /// An item, attachment or transfer named on the command line does not exist.
    static let notFound: Int32 = 3
    /// The token was refused (401) or lacks the permission (403).
    static let unauthorized: Int32 = 4
    /// The server could not be reached.
    static let unreachable: Int32 = 5
    /// A file cannot be attached: missing, a directory, unreadable, over 150 MiB, or changed.
    static let badInput: Int32 = 6
    /// Bad flags or arguments (swift-argument-parser's own code).
    static let usage: Int32 = 64
    /// Interrupted (Ctrl-C or SIGTERM); sessions are kept for `attache resume`.
    static let interrupted: Int32 = 130

    /// The code for a transfer that failed this way.
    static func code(for kind: UploadError.Kind) -> Int32 {
        switch kind {
        case .fileUnusable, .fileChanged: badInput
        case .itemNotFound: notFound
        case .notAuthorized: unauthorized
        case .unreachable: unreachable
        case .throttled, .refused, .sessionExpired, .serverDisagrees, .malformedReply, .verificationFailed, .heldElsewhere,
            .journalUnwritable, .internalError:
            failed
        }
    }

    /// One code for several failures: theirs when they agree, else 1.
    static func code(for kinds: [UploadError.Kind]) -> Int32 {
        let codes = Set(kinds.map { code(for: $0) })
        return codes.count == 1 ? codes.first! : failed
    }

    static let helpText = """
        EXIT CODES
          0    success
          1    a transfer or request failed, or was cancelled
          3    the item, attachment or transfer does not exist
          4    the token was refused or lacks the permission
          5    the server could not be reached
          6    a file is missing, unreadable, a directory, over 150 MiB, or changed
          64   bad flags or arguments
          130  interrupted; unfinished uploads wait for `attache resume`
        """
}
