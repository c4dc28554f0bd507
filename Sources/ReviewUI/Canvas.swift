import ReviewCore

/// A rectangle of cells on a grid, in columns and rows from the top left.
public struct Rect: Hashable, Sendable {
    /// Left column.
    public var x: Int
    /// Top row.
    public var y: Int
    /// Columns (never negative).
    public var width: Int
    /// Rows (never negative).
    public var height: Int

    /// A rectangle; negative sizes become empty.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// The column just right of the rectangle.
    public var maxX: Int { x + width }
    /// The row just below the rectangle.
    public var maxY: Int { y + height }
    /// Whether it holds no cell.
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The rectangle shrunk by `by` cells on every side.
    public func inset(by amount: Int) -> Rect {
        Rect(x: x + amount, y: y + amount, width: width - 2 * amount, height: height - 2 * amount)
    }

    /// A centred rectangle of at most this size inside this one.
    public func centered(width: Int, height: Int) -> Rect {
        let w = min(width, self.width)
        let h = min(height, self.height)
        return Rect(x: x + (self.width - w) / 2, y: y + (self.height - h) / 2, width: w, height: h)
    }
}

extension Grid {
    /// The whole grid as a rectangle.
    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Writes already-sanitised text at (x, y), clipped to `clip`; returns the columns used.
    ///
    /// Wide characters take two cells (the second a continuation); one that would straddle the clip edge
    /// is drawn as a space. Zero-width clusters are skipped.
    @discardableResult
    public mutating func write(_ text: some StringProtocol, x: Int, y: Int, style: CellStyle = .plain, clip: Rect? = nil) -> Int {
        let area = clip ?? bounds
        guard y >= area.y, y < area.maxY, y >= 0, y < height else { return 0 }
        let right = Swift.min(area.maxX, width)
        var column = x
        /// Draws one cluster of width 0, 1 or 2; false once the right edge is reached.
        func draw(_ character: Character) -> Bool {
            if column >= right { return false }
            let characterWidth = DisplayWidth.of(character)
            if characterWidth == 0 { return true }
            if column < area.x || column < 0 {
                column += characterWidth
                return true
            }
            if characterWidth == 2 {
                if column + 1 >= right {
                    place(Cell(" ", style: style), column: column, row: y, wide: false)
                    column += 1
                    return false
                }
                place(Cell(String(character), style: style), column: column, row: y, wide: true)
            } else {
                place(Cell(String(character), style: style), column: column, row: y, wide: false)
            }
            column += characterWidth
            return true
        }
        drawing: for character in text {
            // A cluster terminals draw at different widths goes in as pieces of known width (DisplayWidth.drawnPieces).
            if let pieces = DisplayWidth.drawnPieces(of: character) {
                for piece in pieces where !draw(piece) { break drawing }
            } else if !draw(character) {
                break
            }
        }
        return column - x
    }

    /// Puts a cell (and, when wide, its continuation) so that no half of a wide character is left behind.
    public mutating func place(_ cell: Cell, column: Int, row: Int, wide: Bool) {
        guard row >= 0, row < height, column >= 0, column < width else { return }
        if self[column, row].isContinuation, column > 0 {
            self[column - 1, row] = Cell(" ", style: self[column - 1, row].style)
        }
        let end = wide ? column + 1 : column
        if end + 1 < width, self[end + 1, row].isContinuation {
            self[end + 1, row] = Cell(" ", style: self[end + 1, row].style)
        }
        self[column, row] = cell
        if wide, column + 1 < width { self[column + 1, row] = Cell("", style: cell.style) }
    }

    /// Fills a rectangle with one (narrow) cell.
    public mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
        let top = Swift.max(0, rect.y), bottom = Swift.min(height, rect.maxY)
        let left = Swift.max(0, rect.x), right = Swift.min(width, rect.maxX)
        guard top < bottom, left < right else { return }
        for row in top..<bottom {
            // Repair wide characters cut by the rectangle's edges.
            if left > 0, self[left, row].isContinuation { self[left - 1, row] = Cell(" ", style: self[left - 1, row].style) }
            if right < width, self[right, row].isContinuation { self[right, row] = Cell(" ", style: self[right, row].style) }
            for column in left..<right { self[column, row] = cell }
        }
    }

    /// Restyles the cells of a rectangle, keeping their text.
    public mutating func restyle(_ rect: Rect, _ style: CellStyle) {
        let top = Swift.max(0, rect.y), bottom = Swift.min(height, rect.maxY)
        let left = Swift.max(0, rect.x), right = Swift.min(width, rect.maxX)
        guard top < bottom, left < right else { return }
        for row in top..<bottom {
            for column in left..<right { self[column, row].style = style }
        }
    }
}
