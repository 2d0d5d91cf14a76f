/// Lets global options come before the subcommand, as in `attache --state-dir DIR status`
/// (git's order). The parser alone would give them to the screen, the default subcommand,
/// and then fail on `status` with the screen's usage.
enum LeadingOptions {
    /// The global options that take a value (`--graph URL` or `--graph=URL`).
    static let valued: Set<String> = [
        "--graph", "--token", "--token-file", "--state-dir", "--log-level", "--log-file", "--authority", "--tenant", "--client-id", "--ca-file", "--account", "--mailbox", "--config",
    ]

    /// `arguments` with the subcommand moved to the front when only global options come
    /// before it; otherwise unchanged, so the parser reports what is wrong.
    static func reordered(_ arguments: [String], subcommands: Set<String>) -> [String] {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if valued.contains(argument) {
                index += 2
            } else if let equals = argument.firstIndex(of: "="), valued.contains(String(argument[..<equals])) {
                index += 1
            } else if index > 0, subcommands.contains(argument) {
                var result = arguments
                result.remove(at: index)
                return [argument] + result
            } else {
                break
            }
        }
        return arguments
    }
}
