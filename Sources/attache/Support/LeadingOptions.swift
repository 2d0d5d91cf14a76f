import ArgumentParser
import AttacheCore
import Foundation

/// Lets global options come before the subcommand, as in `attache --state-dir DIR status`
/// (git's order). The parser alone would give them to the screen, the default subcommand,
/// and then fail on `status` with the screen's usage.
enum LeadingOptions {
    /// The global options that take a value (`--graph URL` or `--graph=URL`), as the parser
    /// describes them, so a new one cannot be missed here.
    static let valued: Set<String> = optionNames(of: GlobalOptions.self)

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

    /// The `--names` of the options of `type` that take a value.
    static func optionNames(of type: any ParsableArguments.Type) -> Set<String> {
        guard let dump = try? JSONDecoder().decode(ManualPage.Dump.self, from: Data(type._dumpHelp().utf8)) else { return [] }
        let options = (dump.command.arguments ?? []).filter { $0.kind == "option" }
        return Set(options.flatMap { ($0.names ?? []).map { $0.kind == "long" ? "--" + $0.name : "-" + $0.name } })
    }
}

/// Arguments the parser would misread, refused before it reads them, with a message that
/// says what was meant (exit 64).
enum MisreadArguments {
    /// Why `arguments` (as ``LeadingOptions/reordered(_:subcommands:)`` left them) would be
    /// misread, or `nil`.
    ///
    /// - A word of one dash and several letters (`-photo.jpg`) is read as short flags, one
    ///   of which may be `-h`: the command would print its help and exit 0, having done
    ///   nothing. attache has no such flags, so such a word is a file named with a dash
    ///   (which goes as `./-photo.jpg` or after `--`) or a mistyped option.
    /// - A first word that is no command (`attache mail --help`) would go to the screen,
    ///   which takes no words, and `--help` would then print the screen's help.
    static func problem(in arguments: [String], subcommands: Set<String>) -> String? {
        for argument in arguments {
            if argument == "--" { break }
            guard argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 2, Double(argument) == nil else { continue }
            let shown = argument.terminalSafe
            if FileManager.default.fileExists(atPath: argument) {
                return "'\(shown)' would be read as options (\(shortFlags(argument))), not as the file of that name: write ./\(shown), or put it after --"
            }
            return "'\(shown)' is not an option: attache's options are long ones (--message); a file whose name starts with '-' goes as ./\(shown), or after --"
        }
        // The usual case, a command first, needs no look at the screen's options.
        if let first = arguments.first, subcommands.contains(first) { return nil }
        guard let command = firstWord(arguments), !subcommands.contains(command), command != "help" else { return nil }
        let names = subcommands.sorted().joined(separator: ", ")
        return "'\(command.terminalSafe)' is not a command of attache (the commands are \(names)); see `attache --help`"
    }

    /// The options of the screen (the default command) that take a value, global ones
    /// included, and the parser's own that does.
    static let screenValued: Set<String> = LeadingOptions.optionNames(of: ScreenCommand.self).union(["--generate-completion-script"])

    /// The first word that is neither an option nor an option's value, before any `--`.
    static func firstWord(_ arguments: [String]) -> String? {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { return nil }
            if screenValued.contains(argument) {
                index += 2
            } else if argument.hasPrefix("-") {
                index += 1
            } else {
                return argument
            }
        }
        return nil
    }

    /// `-p -h -o …`: how the parser would read a dash-word.
    static func shortFlags(_ word: String) -> String {
        let letters = word.dropFirst().prefix(3).map { "-\($0)" }
        return letters.joined(separator: " ") + (word.count > 4 ? " …" : "")
    }
}
