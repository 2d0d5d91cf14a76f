/// What a terminal with a given number of colours can show of a theme's styles.
///
/// A theme is written for 256 colours; an 8-colour terminal (`TERM=xterm`, the Linux
/// console) has only the basic eight. Folding a colour onto the nearest basic one is right
/// for most, but not for text drawn on the terminal's own background: `bright-black` (a dim
/// grey) folds onto black, which vanishes on a dark background, and a light grey onto white,
/// which vanishes on a light one. Such text keeps the terminal's own colour and is dimmed
/// instead, which every background shows.
public struct TerminalPalette: Hashable, Sendable {
    /// How many colours the terminal has (`COLORS`).
    public var colors: Int

    public init(colors: Int) {
        self.colors = colors
    }

    /// `style` as this terminal shows it: every colour one it has, and no text the colour
    /// of black or white on the terminal's own background unless the theme has it so with
    /// a colour the terminal has.
    public func fit(_ style: ThemeStyle) -> ThemeStyle {
        var fitted = style
        fitted.background = fit(style.background).color
        let foreground = fit(style.foreground)
        switch foreground.tone {
        case .faint where fitted.background == .terminalDefault:
            // Grey text on the terminal's background: its own colour, dimmed.
            fitted.foreground = .terminalDefault
            fitted.dim = true
        case .strong where fitted.background == .terminalDefault:
            // Bright white: the terminal's own colour, bold, whatever the background.
            fitted.foreground = .terminalDefault
            fitted.bold = true
        case .bright:
            fitted.foreground = foreground.color
            if !fitted.dim { fitted.bold = true }
        default:
            fitted.foreground = foreground.color
        }
        return fitted
    }

    /// How a colour the terminal lacks is stood for, beyond the basic colour it folds onto.
    enum Tone: Hashable {
        /// It has it: as it is.
        case exact
        /// A colour folded onto the nearest basic one.
        case folded
        /// A bright colour: the basic one, bold.
        case bright
        /// A grey (or a colour only black or white come near): on the terminal's background, dimmed text.
        case faint
        /// Bright white: on the terminal's background, bold text.
        case strong
    }

    /// A colour this terminal has for `color`, and how it stands for it.
    func fit(_ color: TerminalColor) -> (color: TerminalColor, tone: Tone) {
        guard case .index(let index) = color, index >= colors else { return (color, .exact) }
        if index < 16 {
            // A bright colour on a terminal of eight: the plain one, bold for the brightness.
            let basic = index - 8
            return (.index(basic), basic == 0 ? .faint : basic == 7 ? .strong : .bright)
        }
        let (red, green, blue) = Self.rgb(index)
        let isGrey = max(red, green, blue) - min(red, green, blue) < 24
        let nearest = Self.basic.indices.min { a, b in
            Self.distance(Self.basic[a], (red, green, blue)) < Self.distance(Self.basic[b], (red, green, blue))
        } ?? 7
        return (.index(nearest), isGrey || nearest == 0 || nearest == 7 ? .faint : .folded)
    }

    /// The eight basic colours as xterm draws them.
    static let basic: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    ]

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let (dr, dg, db) = (a.0 - b.0, a.1 - b.1, a.2 - b.2)
        return dr * dr + dg * dg + db * db
    }

    /// The red, green and blue of a colour of 256 from 16 on: the 6×6×6 cube, then 24 greys.
    static func rgb(_ index: Int) -> (Int, Int, Int) {
        if index >= 232 {
            let level = 8 + (index - 232) * 10
            return (level, level, level)
        }
        let cube = index - 16
        let steps = [0, 95, 135, 175, 215, 255]
        return (steps[cube / 36], steps[(cube / 6) % 6], steps[cube % 6])
    }
}
