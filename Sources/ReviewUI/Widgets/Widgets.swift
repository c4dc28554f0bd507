import ReviewCore
import ReviewConsole

/// A run of text drawn in one style.
public struct Span: Hashable, Sendable {
    /// The text (already sanitised by the caller or by the widget).
    public var text: String
    /// How it is drawn.
    public var style: CellStyle

    /// A span of text in a style.
    public init(_ text: String, _ style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }
}

/// One line of styled text.
public typealias StyledLine = [Span]

/// Helpers to build styled lines.
public enum Styled {
    /// `text` sanitised and wrapped to `width`, each line in `style`.
    public static func wrapped(_ text: String, width: Int, style: CellStyle = .plain) -> [StyledLine] {
        guard text.utf8.count >= cachedLength else { return TextWrap.lines(text, width: width).map { [Span($0, style)] } }
        return cache.value(for: text, width: width, extra: CacheKey(label: "", styles: [style])) {
            TextWrap.lines(text, width: width).map { [Span($0, style)] }
        }
    }

    /// Texts at least this long (UTF-8 bytes) are wrapped once per width and their lines kept.
    static let cachedLength = 4_096

    /// Styled lines of long texts (a response of megabytes), so a key press does not wrap and rebuild them:
    /// later frames of the same item reuse the lines, and a key costs the same for 10 MB as for a short text.
    static let cache = LongTextCache<CacheKey, [StyledLine]>()

    /// What else styled lines depend on besides the text and the width.
    struct CacheKey: Equatable {
        var label: String
        var styles: [CellStyle]
    }

    /// `label` then sanitised, wrapped `value` (continuation lines indented under the value).
    public static func field(_ label: String, _ value: String, width: Int, labelStyle: CellStyle = CellStyle(dim: true),
                             valueStyle: CellStyle = .plain) -> [StyledLine] {
        let labelWidth = DisplayWidth.of(label)
        guard width > labelWidth + 4 else { return wrapped(label + value, width: width, style: valueStyle) }
        func make() -> [StyledLine] {
            let indent = String(repeating: " ", count: labelWidth)
            return TextWrap.lines(value, width: width - labelWidth).enumerated().map { index, line in
                [Span(index == 0 ? label : indent, labelStyle), Span(line, valueStyle)]
            }
        }
        guard value.utf8.count >= cachedLength else { return make() }
        return cache.value(for: value, width: width, extra: CacheKey(label: label, styles: [labelStyle, valueStyle]), make: make)
    }
}

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

/// A selectable list of entries; the selection stays visible.
public struct ListWidget {
    /// The entries (sanitised when drawn).
    public var entries: [String]
    /// The highlighted entry.
    public var selected: Int

    /// Creates a list.
    public init(entries: [String], selected: Int) {
        self.entries = entries
        self.selected = selected
    }

    /// Draws into `rect` only.
    public func render(into grid: inout Grid, rect: Rect) {
        guard rect.height > 0 else { return }
        let top = max(0, min(selected - rect.height + 1, entries.count - rect.height))
        let first = min(top, max(0, selected))
        for row in 0..<rect.height {
            let index = first + row
            guard index < entries.count else { break }
            let isSelected = index == selected
            let style = isSelected ? CellStyle(reverse: true, color: .selection) : .plain
            if isSelected { grid.fill(Rect(x: rect.x, y: rect.y + row, width: rect.width, height: 1), with: Cell(" ", style: style)) }
            let text = (isSelected ? "▸ " : "  ") + TextSanitizer.singleLine(entries[index])
            grid.write(TextWrap.truncate(text, width: rect.width), x: rect.x, y: rect.y + row, style: style, clip: rect)
        }
    }
}

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

/// The keys valid now, as "key label" pairs, cut to the width.
public struct KeyBar {
    /// Key and label pairs, most important first.
    public var entries: [(keys: String, label: String)]

    /// Creates a key bar.
    public init(entries: [(keys: String, label: String)]) {
        self.entries = entries
    }

    /// Draws into `rect` only.
    public func render(into grid: inout Grid, rect: Rect) {
        guard rect.height > 0 else { return }
        grid.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1))
        var x = rect.x
        for rawEntry in entries {
            // Option labels come from the dataset: sanitise them like any other data.
            let entry = (keys: TextSanitizer.singleLine(rawEntry.keys), label: TextSanitizer.singleLine(rawEntry.label))
            let needed = DisplayWidth.of(entry.keys) + 1 + DisplayWidth.of(entry.label) + 2
            if x + needed - 2 > rect.maxX { break }
            x += grid.write(entry.keys, x: x, y: rect.y, style: CellStyle(bold: true, reverse: true, color: .accent), clip: rect)
            x += 1
            x += grid.write(entry.label, x: x, y: rect.y, style: .plain, clip: rect)
            x += 2
        }
    }
}

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
