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

    /// The same attributes without colour, for `NO_COLOR` and terminals without colours.
    public var withoutColor: ThemeStyle {
        var copy = self
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

    /// A built-in theme by name, or a theme file by path.
    /// - Throws: ``ThemeError`` naming the theme or the line that is wrong.
    public static func load(_ nameOrPath: String) throws(ThemeError) -> Theme {
        if let source = builtinSources[nameOrPath] {
            return try parse(source, name: nameOrPath)
        }
        guard nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") else {
            throw ThemeError(message: "no theme '\(nameOrPath)'; try one of \(builtinNames.joined(separator: ", ")), or a path to a .theme file")
        }
        guard let text = try? String(contentsOfFile: nameOrPath, encoding: .utf8) else {
            throw ThemeError(message: "cannot read the theme file '\(nameOrPath)'")
        }
        return try parse(text, name: (nameOrPath as NSString).lastPathComponent)
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
