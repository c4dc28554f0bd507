import ReviewCore
import ReviewConsole

/// A plain border with an optional title.
public enum Box {
    /// Draws the border of `rect` and blanks its inside (unless `clear` is false, for a fresh grid);
    /// a double line marks focus without colour.
    public static func draw(into grid: inout Grid, rect: Rect, style: CellStyle, title: String? = nil, double: Bool = false,
                            clear: Bool = true) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        if clear { grid.fill(rect) }
        let glyphs = double ? ["═", "║", "╔", "╗", "╚", "╝"] : ["─", "│", "┌", "┐", "└", "┘"]
        let right = rect.maxX - 1, bottom = rect.maxY - 1
        let horizontal = Cell(glyphs[0], style: style), vertical = Cell(glyphs[1], style: style)
        for column in rect.x + 1..<right {
            grid.place(horizontal, column: column, row: rect.y, wide: false)
            grid.place(horizontal, column: column, row: bottom, wide: false)
        }
        for row in rect.y + 1..<bottom {
            grid.place(vertical, column: rect.x, row: row, wide: false)
            grid.place(vertical, column: right, row: row, wide: false)
        }
        grid.place(Cell(glyphs[2], style: style), column: rect.x, row: rect.y, wide: false)
        grid.place(Cell(glyphs[3], style: style), column: right, row: rect.y, wide: false)
        grid.place(Cell(glyphs[4], style: style), column: rect.x, row: bottom, wide: false)
        grid.place(Cell(glyphs[5], style: style), column: right, row: bottom, wide: false)
        if let title {
            grid.write(TextWrap.truncate(" \(title) ", width: rect.width - 4), x: rect.x + 2, y: rect.y,
                       style: CellStyle(bold: true, color: style.color), clip: rect)
        }
    }
}

/// A box drawn over the screen: border, title, blank inside; returns the inner rectangle.
public enum OverlayBox {
    /// Draws the box and returns the area inside it (with a column of padding).
    @discardableResult
    public static func render(into grid: inout Grid, rect: Rect, title: String) -> Rect {
        Box.draw(into: &grid, rect: rect, style: CellStyle(bold: true, color: .accent), title: title)
        return rect.inset(by: 1).insetHorizontally(by: 1)
    }
}

extension Rect {
    /// The rectangle with `amount` columns taken off each side.
    func insetHorizontally(by amount: Int) -> Rect {
        Rect(x: x + amount, y: y, width: width - 2 * amount, height: height)
    }
}
