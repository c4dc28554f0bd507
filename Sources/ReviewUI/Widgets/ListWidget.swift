import ReviewCore
import ReviewConsole

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
