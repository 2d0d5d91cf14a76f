import Foundation

/// A terminal colour: the terminal's default, one of the 16 named ones, or an index of 256.
public enum TerminalColor: Hashable, Sendable {
    case terminalDefault
    case index(Int)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    init?(parsing text: String) {
        let name = text.lowercased()
        if name == "default" {
            self = .terminalDefault
        } else if let index = Self.names.firstIndex(of: name) {
            self = .index(index)
        } else if name.hasPrefix("bright-"), let index = Self.names.firstIndex(of: String(name.dropFirst(7))) {
            self = .index(index + 8)
        } else if let number = Int(name), (0...255).contains(number) {
            self = .index(number)
        } else {
            return nil
        }
    }
}

/// How one role looks.
public struct ThemeStyle: Hashable, Sendable {
    public var foreground: TerminalColor = .terminalDefault
    public var background: TerminalColor = .terminalDefault
    public var bold = false
    public var dim = false
    public var reverse = false
    public var underline = false

    public init() {}

    /// The same attributes without colour, for `NO_COLOR` and terminals without colours. A
    /// style that marked its cells with a background (the selection, a bar) turns to reverse
    /// video, so the mark survives the colour: under `NO_COLOR` the selected row still shows.
    public var withoutColor: ThemeStyle {
        var copy = self
        if background != .terminalDefault { copy.reverse = true }
        copy.foreground = .terminalDefault
        copy.background = .terminalDefault
        return copy
    }
}

/// Colours and attributes by role, read from a `themes/NAME.theme` file:
/// `role = foreground background [bold] [dim] [reverse] [underline]`.
public struct Theme: Hashable, Sendable {
    public var name: String
    public var styles: [Role: ThemeStyle]

    public func style(for role: Role) -> ThemeStyle {
        styles[role] ?? styles[.normal] ?? ThemeStyle()
    }

    /// Whether any role asks for colour at all.
    public var usesColor: Bool {
        styles.values.contains { $0.foreground != .terminalDefault || $0.background != .terminalDefault }
    }

    /// Names of the themes attache carries.
    public static var builtinNames: [String] { builtinSources.keys.sorted() }

    /// A theme by name, or a theme file by path (anything with a `/` or ending in `.theme`).
    /// A name is looked for as `NAME.theme` in `directories`, first match wins, then among
    /// the built-in themes, so a file installed or written beside them can restyle one.
    /// - Throws: ``ThemeError`` naming the theme or the line that is wrong.
    public static func load(_ nameOrPath: String, searching directories: [String] = []) throws(ThemeError) -> Theme {
        guard nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") else {
            for directory in directories {
                let path = (directory as NSString).appendingPathComponent(nameOrPath + ".theme")
                if FileManager.default.fileExists(atPath: path) { return try loadFile(path, name: nameOrPath) }
            }
            if let source = builtinSources[nameOrPath] {
                return try parse(source, name: nameOrPath)
            }
            let names = availableNames(searching: directories).joined(separator: ", ")
            throw ThemeError(message: "no theme '\(nameOrPath)'; try one of \(names), or a path to a .theme file")
        }
        return try loadFile(nameOrPath, name: (nameOrPath as NSString).lastPathComponent)
    }

    private static func loadFile(_ path: String, name: String) throws(ThemeError) -> Theme {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ThemeError(message: "cannot read the theme file '\(path)'")
        }
        return try parse(text, name: name)
    }

    /// The names ``load(_:searching:)`` accepts: the built-in themes and the `.theme` files
    /// in `directories`.
    public static func availableNames(searching directories: [String]) -> [String] {
        var names = Set(builtinNames)
        for directory in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in files where file.hasSuffix(".theme") && file.count > 6 { names.insert(String(file.dropLast(6))) }
        }
        return names.sorted()
    }

    /// Where named themes are looked for, in order: the user's own
    /// (`$XDG_CONFIG_HOME/attache/themes`, else `~/.config/attache/themes`), then the ones
    /// installed with the binary (`PREFIX/share/attache/themes` for `PREFIX/bin/attache`,
    /// found from the binary's real path, so an install works wherever it was put).
    public static func searchDirectories(
        environment: [String: String] = ProcessInfo.processInfo.environment, executable: String? = executablePath
    ) -> [String] {
        var directories: [String] = []
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            directories.append((config as NSString).appendingPathComponent("attache/themes"))
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            directories.append((home as NSString).appendingPathComponent(".config/attache/themes"))
        }
        if let executable {
            let prefix = ((executable as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
            directories.append((prefix as NSString).appendingPathComponent("share/attache/themes"))
        }
        return directories
    }

    /// The running binary, symbolic links resolved (`/proc/self/exe` on Linux).
    public static var executablePath: String? {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return Bundle.main.executableURL?.resolvingSymlinksInPath().path
    }

    public static func parse(_ text: String, name: String) throws(ThemeError) -> Theme {
        var styles: [Role: ThemeStyle] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            guard !line.isEmpty else { continue }
            let sides = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard sides.count == 2, let role = Role(rawValue: sides[0]) else {
                throw ThemeError(message: "\(name), line \(number + 1): expected 'role = foreground background [attributes]', with a known role")
            }
            let words = sides[1].split(separator: " ").map(String.init)
            guard words.count >= 2, let foreground = TerminalColor(parsing: words[0]), let background = TerminalColor(parsing: words[1]) else {
                throw ThemeError(message: "\(name), line \(number + 1): '\(sides[1])' does not start with two colours")
            }
            var style = ThemeStyle()
            style.foreground = foreground
            style.background = background
            for attribute in words.dropFirst(2) {
                switch attribute.lowercased() {
                case "bold": style.bold = true
                case "dim": style.dim = true
                case "reverse": style.reverse = true
                case "underline": style.underline = true
                default: throw ThemeError(message: "\(name), line \(number + 1): unknown attribute '\(attribute)'")
                }
            }
            styles[role] = style
        }
        return Theme(name: name, styles: styles)
    }
}

/// A theme that cannot be used, and why.
public struct ThemeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
