import ReviewCore
import ReviewConsole

/// Draws styled lines into a rectangle, clipped.
enum LineDrawer {
    static func draw(_ line: StyledLine, into grid: inout Grid, x: Int, y: Int, clip: Rect) {
        var column = x
        for span in line {
            column += grid.write(span.text, x: column, y: y, style: span.style, clip: clip)
        }
    }
}

/// A bordered, titled box showing scrollable lines; focus shows in the border.
public struct Pane {
    /// Shown in the top border.
    public var title: String
    /// The content, already wrapped to the inner width.
    public var lines: [StyledLine]
    /// First line shown (clamped when drawn).
    public var scroll: Int
    /// Focused panes get a bold double border.
    public var focused: Bool

    /// Creates a pane.
    public init(title: String, lines: [StyledLine], scroll: Int = 0, focused: Bool = false) {
        self.title = title
        self.lines = lines
        self.scroll = scroll
        self.focused = focused
    }

    /// The text width inside a pane of this width (border and padding taken off).
    public static func innerWidth(_ width: Int) -> Int { max(1, width - 4) }

    /// The largest useful scroll for a pane of this height.
    public static func maxScroll(lineCount: Int, height: Int) -> Int {
        max(0, lineCount - max(0, height - 2))
    }

    /// Draws the pane into `rect`.
    public func render(into grid: inout Grid, rect: Rect) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let borderStyle = focused ? CellStyle(bold: true, color: .accent) : CellStyle(color: .muted)
        // Panes never overlap and the grid starts blank: no need to clear the inside first.
        Box.draw(into: &grid, rect: rect, style: borderStyle, double: focused, clear: false)
        // One column of padding on each side, so text never touches the border.
        let inner = rect.inset(by: 1).insetHorizontally(by: 1)
        let offset = min(max(0, scroll), Pane.maxScroll(lineCount: lines.count, height: rect.height))
        var heading = " \(title) "
        if lines.count > inner.height, inner.height > 0 {
            let last = min(lines.count, offset + inner.height)
            heading += "\(offset + 1)–\(last)/\(lines.count) "
        }
        grid.write(TextWrap.truncate(heading, width: rect.width - 4), x: rect.x + 2, y: rect.y,
                   style: focused ? CellStyle(bold: true, color: .accent) : CellStyle(bold: true), clip: rect)
        for row in 0..<inner.height {
            let index = offset + row
            guard index < lines.count else { break }
            LineDrawer.draw(lines[index], into: &grid, x: inner.x, y: inner.y + row, clip: inner)
        }
        if offset + inner.height < lines.count {
            grid.write("↓ more", x: rect.maxX - 9, y: rect.maxY - 1, style: borderStyle, clip: rect)
        }
    }
}
