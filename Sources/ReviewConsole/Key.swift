import ReviewCore
/// A key press, as the terminal backend decodes it and the keymap reads it.
public enum Key: Hashable, Sendable {
    case character(Character)
    /// Ctrl plus a letter, e.g. `.control("c")`.
    case control(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, backspace, tab, delete
    /// The terminal changed size.
    case resize
    /// A function key F1...F12.
    case function(Int)
}

/// A terminal size in character cells.
public struct TerminalSize: Hashable, Sendable {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// The smallest size the console lays out; below it a notice is shown instead.
    public static let minimum = TerminalSize(columns: 80, rows: 24)
}
