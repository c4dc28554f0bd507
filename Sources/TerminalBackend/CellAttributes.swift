import CNcursesw
import ReviewUI

/// Whether the console may use colour: the terminal must have colours and `NO_COLOR` must not be set.
public enum ColorSupport {
    /// True when colours should be used. `NO_COLOR` set to any non-empty value turns them off (no-color.org).
    public static func enabled(environment: [String: String], terminalHasColors: Bool) -> Bool {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        return terminalHasColors
    }
}

/// The terminal colours for each `ColorRole`, as (foreground, background) curses colour numbers.
///
/// Background -1 is the terminal's own background (`use_default_colors`), so the console does not paint
/// a block of colour over a light or dark theme.
public enum ColorPalette {
    /// The colour pair number a role uses: 0 (the terminal's default) for `.normal`, then 1, 2, ...
    public static func pairNumber(for role: ColorRole) -> Int16 {
        Int16(role.rawValue)
    }

    /// Foreground and background of each role's pair (nil for `.normal`, which uses the default pair 0).
    public static func colors(for role: ColorRole) -> (foreground: Int16, background: Int16)? {
        switch role {
        case .normal: return nil
        case .accent: return (cnc_color_cyan(), -1)
        case .good: return (cnc_color_green(), -1)
        case .bad: return (cnc_color_red(), -1)
        case .warning: return (cnc_color_yellow(), -1)
        case .muted: return (cnc_color_blue(), -1)
        case .selection: return (cnc_color_black(), cnc_color_cyan())
        }
    }

    /// Every role that needs a pair set up with `init_pair`.
    public static let rolesWithPairs: [ColorRole] = [.accent, .good, .bad, .warning, .muted, .selection]
}

/// How a `CellStyle` is drawn: curses attributes plus a colour pair.
public struct CellAttributes: Hashable, Sendable {
    /// The curses attribute bits (A_BOLD, A_REVERSE, ...).
    public var attributes: attr_t
    /// The colour pair number; 0 is the terminal's default colours.
    public var pair: Int16

    /// Attributes and a pair as given.
    public init(attributes: attr_t, pair: Int16) {
        self.attributes = attributes
        self.pair = pair
    }

    /// The attributes for `style`. Without colours, roles that carry meaning fall back to attributes
    /// (selection → reverse, accent/bad/warning → bold, muted → dim) so vt100 and NO_COLOR still show them.
    public static func forStyle(_ style: CellStyle, colors: Bool) -> CellAttributes {
        var attributes = cnc_a_normal()
        if style.bold { attributes |= cnc_a_bold() }
        if style.reverse { attributes |= cnc_a_reverse() }
        if style.dim { attributes |= cnc_a_dim() }
        if style.underline { attributes |= cnc_a_underline() }
        if colors {
            return CellAttributes(attributes: attributes, pair: ColorPalette.pairNumber(for: style.color))
        }
        switch style.color {
        case .normal, .good: break
        case .selection: attributes |= cnc_a_reverse()
        case .accent, .bad, .warning: attributes |= cnc_a_bold()
        case .muted: attributes |= cnc_a_dim()
        }
        return CellAttributes(attributes: attributes, pair: 0)
    }
}
