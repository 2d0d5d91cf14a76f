import AttacheCore
import Foundation

/// Opens an address in the user's browser: `$BROWSER` (a `:`-separated list of commands,
/// `%s` standing for the address, as xdg-utils read it), else `xdg-open`. The caller prints
/// the address as well, for a terminal on another machine.
enum Browser {
    /// Whether a browser was started (not whether it showed the page).
    static func open(_ url: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if let browsers = environment["BROWSER"] {
            for command in browsers.split(separator: ":") where !command.isEmpty {
                var words = command.split(separator: " ").map(String.init)
                if let index = words.firstIndex(where: { $0.contains("%s") }) {
                    words[index] = words[index].replacingOccurrences(of: "%s", with: url)
                } else {
                    words.append(url)
                }
                if launch(words, environment: environment) { return true }
            }
            return false
        }
        return launch(["xdg-open", url], environment: environment)
    }

    /// Starts `words` (found on `PATH`) without waiting for it, its output discarded.
    static func launch(_ words: [String], environment: [String: String]) -> Bool {
        guard let name = words.first else { return false }
        guard let path = ExecutableSearch.find(name, environment: environment) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(words.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return (try? process.run()) != nil
    }
}
