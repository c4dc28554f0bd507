import ReviewUI

/// A horizontal stretch of cells that changed since the last frame, to be drawn in one pass.
public struct CellRun: Hashable, Sendable {
    /// The screen row, from 0 at the top.
    public var row: Int
    /// The column of the first cell; never the right half of a wide character that has its left half.
    public var column: Int
    /// The cells to draw, left to right, continuation cells included (the drawer skips them).
    public var cells: [Cell]

    /// A run of `cells` starting at `row`, `column`.
    public init(row: Int, column: Int, cells: [Cell]) {
        self.row = row
        self.column = column
        self.cells = cells
    }
}

/// Works out which cells changed between two frames, as runs per row.
///
/// Pure, so that the rules for wide characters are tested without a terminal: a run never starts on
/// the right half of a wide character (it is widened to include the left half), and a changed left half
/// takes its right half along, so ncurses never sees half a character.
public enum GridDiff {
    /// The runs that turn `old` into `new`; every cell when `old` is nil or of another size.
    public static func runs(from old: Grid?, to new: Grid) -> [CellRun] {
        var runs: [CellRun] = []
        guard new.width > 0, new.height > 0 else { return runs }
        let full = old.map { $0.width != new.width || $0.height != new.height } ?? true
        for row in 0..<new.height {
            let base = row * new.width
            if full {
                runs.append(CellRun(row: row, column: 0, cells: Array(new.cells[base..<(base + new.width)])))
                continue
            }
            guard let old else { continue }
            var column = 0
            while column < new.width {
                if old.cells[base + column] == new.cells[base + column] {
                    column += 1
                    continue
                }
                var start = column
                // Start on the left half when the first changed cell is the right half of a wide character.
                while start > 0 && new.cells[base + start].isContinuation { start -= 1 }
                var end = column + 1
                while end < new.width {
                    if old.cells[base + end] != new.cells[base + end] || new.cells[base + end].isContinuation {
                        end += 1
                    } else {
                        break
                    }
                }
                if let last = runs.last, last.row == row, last.column + last.cells.count >= start {
                    // Touching or overlapping the previous run (after widening): merge.
                    let merged = Array(new.cells[(base + last.column)..<(base + end)])
                    runs[runs.count - 1] = CellRun(row: row, column: last.column, cells: merged)
                } else {
                    runs.append(CellRun(row: row, column: start, cells: Array(new.cells[(base + start)..<(base + end)])))
                }
                column = end
            }
        }
        return runs
    }

    /// The number of cells the runs cover (for the benchmark and tests).
    public static func cellCount(_ runs: [CellRun]) -> Int {
        runs.reduce(0) { $0 + $1.cells.count }
    }
}
