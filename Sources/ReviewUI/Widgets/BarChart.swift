import ReviewCore
import ReviewConsole

/// Labelled horizontal bars, one per row, with a value text after each bar.
public struct BarChart {
    /// One bar: label, fraction in 0...1 (nil: no data) and the text after the bar.
    public struct Bar {
        /// The bar's label (sanitised when drawn).
        public var label: String
        /// How full, 0...1 (clamped).
        public var fraction: Double?
        /// The figure after the bar.
        public var valueText: String

        /// Creates a bar.
        public init(label: String, fraction: Double?, valueText: String) {
            self.label = label
            self.fraction = fraction
            self.valueText = valueText
        }
    }

    /// The bars, top to bottom.
    public var bars: [Bar]

    /// Creates a chart.
    public init(bars: [Bar]) {
        self.bars = bars
    }

    /// Draws into `rect` only.
    public func render(into grid: inout Grid, rect: Rect) {
        guard rect.width > 10 else { return }
        let labelWidth = min(max(8, bars.map { DisplayWidth.of($0.label) }.max() ?? 8), rect.width / 3)
        let valueWidth = min(max(6, bars.map { DisplayWidth.of($0.valueText) }.max() ?? 6), rect.width / 3)
        let barWidth = max(1, rect.width - labelWidth - valueWidth - 2)
        for (index, bar) in bars.enumerated() where index < rect.height {
            let y = rect.y + index
            grid.write(TextWrap.truncate(TextSanitizer.singleLine(bar.label), width: labelWidth), x: rect.x, y: y, clip: rect)
            let barRect = Rect(x: rect.x + labelWidth + 1, y: y, width: barWidth, height: 1)
            if let fraction = bar.fraction {
                ProgressBar(fraction: fraction).render(into: &grid, rect: barRect, style: CellStyle(color: .accent))
            } else {
                grid.write("no data", x: barRect.x, y: y, style: CellStyle(dim: true), clip: rect)
            }
            grid.write(bar.valueText, x: barRect.maxX + 1, y: y, clip: rect)
        }
    }
}
