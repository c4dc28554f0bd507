import ReviewCore
import ReviewConsole

/// A horizontal bar for a fraction, e.g. `████░░░░`.
public struct ProgressBar {
    /// How full, 0...1 (clamped).
    public var fraction: Double

    /// Creates a bar.
    public init(fraction: Double) {
        self.fraction = fraction
    }

    /// Draws the bar across `rect`'s first row.
    public func render(into grid: inout Grid, rect: Rect, style: CellStyle = CellStyle(color: .good)) {
        guard rect.width > 0, rect.height > 0 else { return }
        let clamped = fraction.isFinite ? min(1, max(0, fraction)) : 0
        let filled = Int((clamped * Double(rect.width)).rounded(.down))
        for column in 0..<rect.width {
            let full = column < filled
            grid.place(Cell(full ? "█" : "░", style: full ? style : CellStyle(color: .muted)),
                       column: rect.x + column, row: rect.y, wide: false)
        }
    }
}
