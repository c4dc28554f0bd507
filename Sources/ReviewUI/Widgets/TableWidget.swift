import ReviewCore
import ReviewConsole

/// A table with a header row; columns are left- or right-aligned.
public struct TableWidget {
    /// A column: heading, width and alignment.
    public struct Column {
        /// The column heading.
        public var heading: String
        /// Columns the column takes.
        public var width: Int
        /// Right-align (numbers).
        public var alignRight: Bool

        /// Creates a column.
        public init(_ heading: String, width: Int, alignRight: Bool = false) {
            self.heading = heading
            self.width = width
            self.alignRight = alignRight
        }
    }

    /// The columns, left to right.
    public var columns: [Column]
    /// The rows' cell texts.
    public var rows: [[String]]

    /// Creates a table.
    public init(columns: [Column], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }

    /// Draws into `rect` only.
    public func render(into grid: inout Grid, rect: Rect) {
        func drawRow(_ cells: [String], y: Int, style: CellStyle) {
            var x = rect.x
            for (index, column) in columns.enumerated() {
                let text = TextWrap.truncate(TextSanitizer.singleLine(index < cells.count ? cells[index] : ""), width: column.width)
                let pad = column.alignRight ? column.width - DisplayWidth.of(text) : 0
                grid.write(text, x: x + pad, y: y, style: style, clip: rect)
                x += column.width + 2
            }
        }
        guard rect.height > 0 else { return }
        drawRow(columns.map(\.heading), y: rect.y, style: CellStyle(bold: true, underline: true))
        for (index, row) in rows.enumerated() where index + 1 < rect.height {
            drawRow(row, y: rect.y + 1 + index, style: .plain)
        }
    }
}
