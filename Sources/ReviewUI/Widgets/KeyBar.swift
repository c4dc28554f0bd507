import ReviewCore
import ReviewConsole

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
