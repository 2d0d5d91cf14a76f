import Foundation

/// A folder only this user can read, for an attachment fetched to be opened.
enum TemporaryFolder {
    struct Failure: Error, CustomStringConvertible {
        var code: Int32
        var description: String { "cannot make a temporary folder: \(String(cString: strerror(code)))" }
    }

    static func make(prefix: String) throws -> String {
        let folder = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        var template = Array((folder + prefix + "XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(code: errno) }
        return String(cString: made)
    }
}
