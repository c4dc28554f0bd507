/// The one plain-text table renderer of command output (status, agreement, stimuli listings).
///
/// Columns are padded to their widest cell and separated by two spaces; numbers may be right-aligned; lines
/// carry no trailing spaces. Cost is linear in the size of the output, whatever the cells hold.
public enum TextTable {
    /// The table's lines (without newlines).
    ///
    /// - Parameters:
    ///   - rightAligned: columns padded on the left (numbers).
    ///   - rule: a line of dashes under the header.
    ///   - indent: put before every line.
    ///   - width: cut the last column with "…" so that lines fit in `width` characters (at least 10 are kept).
    public static func render(
        header: [String], rows: [[String]], rightAligned: Set<Int> = [], rule: Bool = false, indent: String = "",
        width: Int? = nil
    ) -> [String] {
        let columns = header.count
        var widths = [Int](repeating: 0, count: columns)
        for row in [header] + rows {
            for (column, cell) in row.prefix(columns).enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        var lastWidth = Int.max
        if let width, columns > 0 {
            let lead = indent.count + widths.dropLast().reduce(0) { $0 + $1 + 2 }
            lastWidth = max(10, width - lead)
        }
        func line(_ cells: [String]) -> String {
            var out = indent
            for column in 0..<columns {
                var cell = column < cells.count ? cells[column] : ""
                if column == columns - 1, cell.count > lastWidth { cell = String(cell.prefix(lastWidth - 1)) + "…" }
                let fill = String(repeating: " ", count: max(0, min(widths[column], lastWidth) - cell.count))
                if column > 0 { out += "  " }
                out += rightAligned.contains(column) ? fill + cell : cell + fill
            }
            return trimmingTrailingSpaces(out)
        }
        var lines = [line(header)]
        if rule { lines.append(trimmingTrailingSpaces(indent + widths.map { String(repeating: "-", count: min($0, lastWidth)) }.joined(separator: "  "))) }
        lines += rows.map(line)
        return lines
    }

    /// The table as text, each line ended by a newline.
    public static func text(header: [String], rows: [[String]], rightAligned: Set<Int> = [], width: Int? = nil) -> String {
        render(header: header, rows: rows, rightAligned: rightAligned, width: width).map { $0 + "\n" }.joined()
    }

    /// `text` without the spaces at its end, found by one backward scan.
    static func trimmingTrailingSpaces(_ text: String) -> String {
        var end = text.endIndex
        while end > text.startIndex {
            let before = text.index(before: end)
            guard text[before] == " " else { break }
            end = before
        }
        return String(text[..<end])
    }
}
