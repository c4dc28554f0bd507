import ReviewCore
import ReviewConsole

/// One full-width line of text, e.g. the header or the status line.
public struct StatusBar {
    /// Left-aligned text.
    public var spans: StyledLine
    /// Right-aligned text.
    public var trailing: StyledLine
    /// The style of the whole row.
    public var background: CellStyle

    /// Creates a bar.
    public init(spans: StyledLine, trailing: StyledLine = [], background: CellStyle = CellStyle(reverse: true)) {
        self.spans = spans
        self.trailing = trailing
        self.background = background
    }

    /// Draws into `rect` only.
    public func render(into grid: inout Grid, rect: Rect) {
        guard rect.height > 0 else { return }
        grid.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), with: Cell(" ", style: background))
        let trailingWidth = trailing.reduce(0) { $0 + DisplayWidth.of($1.text) }
        let leftClip = Rect(x: rect.x, y: rect.y, width: max(0, rect.width - trailingWidth - 1), height: 1)
        LineDrawer.draw(spans, into: &grid, x: rect.x + 1, y: rect.y, clip: leftClip)
        if trailingWidth > 0, trailingWidth < rect.width {
            LineDrawer.draw(trailing, into: &grid, x: rect.maxX - trailingWidth - 1, y: rect.y, clip: rect)
        }
    }
}
