import ReviewCore

/// The colour roles a screen may use; the backend maps them to terminal colours, or ignores them under NO_COLOR.
public enum ColorRole: UInt8, Hashable, Sendable {
    case normal, accent, good, bad, warning, muted, selection
}

/// How one cell is drawn.
public struct CellStyle: Hashable, Sendable {
    public var bold = false
    public var reverse = false
    public var dim = false
    public var underline = false
    public var color: ColorRole = .normal

    public init(bold: Bool = false, reverse: Bool = false, dim: Bool = false, underline: Bool = false, color: ColorRole = .normal) {
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
        self.underline = underline
        self.color = color
    }

    public static let plain = CellStyle()
}

/// One screen cell: a grapheme cluster and its style.
///
/// A wide character (display width 2) sits in its first cell; the cell to its right holds
/// `Cell.continuation` so that rows always have exactly `width` cells.
public struct Cell: Hashable, Sendable {
    /// The grapheme drawn here; empty for the right half of a wide character.
    public var text: String
    public var style: CellStyle

    public init(_ text: String, style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }

    public static let blank = Cell(" ")
    /// The right half of a wide character.
    public static let continuation = Cell("")

    public var isContinuation: Bool { text.isEmpty }
}

/// A rectangle of cells that screens render into and the backend diffs against the last frame.
public struct Grid: Hashable, Sendable {
    public let width: Int
    public let height: Int
    /// Row-major cells, `width * height` of them.
    public var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: fill, count: self.width * self.height)
    }

    public subscript(column: Int, row: Int) -> Cell {
        get { cells[row * width + column] }
        set { cells[row * width + column] = newValue }
    }

    /// The screen as plain text lines (continuation cells omitted), for snapshots and tests.
    public var lines: [String] {
        (0..<height).map { row in
            var line = ""
            for column in 0..<width {
                let cell = self[column, row]
                if !cell.isContinuation { line += cell.text }
            }
            return line
        }
    }
}
