import Foundation

/// Finds a program as a shell would: a name with a slash is taken as it is, any other is
/// looked for in each folder of `PATH`, in order. One place for `secret-tool`, the browser
/// and `xdg-open`.
public enum ExecutableSearch {
    /// The path of `name` that can be run, or `nil`.
    public static func find(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for folder in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
