import ReviewUI
import Testing
@testable import TerminalBackend

/// Builds a one-row grid from cells written as strings ("" is a continuation).
private func row(_ texts: [String]) -> Grid {
    var grid = Grid(width: texts.count, height: 1)
    for (column, text) in texts.enumerated() { grid[column, 0] = Cell(text) }
    return grid
}

@Suite("Grid diff")
struct GridDiffTests {
    @Test("no previous frame: every row in full")
    func firstFrame() {
        let grid = Grid(width: 3, height: 2)
        let runs = GridDiff.runs(from: nil, to: grid)
        #expect(runs == [CellRun(row: 0, column: 0, cells: [.blank, .blank, .blank]),
                         CellRun(row: 1, column: 0, cells: [.blank, .blank, .blank])])
    }

    @Test("identical frames: nothing to draw")
    func identical() {
        let grid = row(["a", "b", "c"])
        #expect(GridDiff.runs(from: grid, to: grid).isEmpty)
    }

    @Test("a size change redraws everything")
    func sizeChange() {
        let runs = GridDiff.runs(from: Grid(width: 2, height: 1), to: Grid(width: 3, height: 1))
        #expect(GridDiff.cellCount(runs) == 3)
    }

    @Test("separate changes give separate runs; adjacent ones merge")
    func runs() {
        let old = row(["a", "b", "c", "d", "e", "f"])
        let new = row(["a", "X", "Y", "d", "e", "Z"])
        #expect(GridDiff.runs(from: old, to: new) == [
            CellRun(row: 0, column: 1, cells: [Cell("X"), Cell("Y")]),
            CellRun(row: 0, column: 5, cells: [Cell("Z")]),
        ])
    }

    @Test("a style change alone is a change")
    func styleChange() {
        let old = row(["a", "b"])
        var new = old
        new[1, 0] = Cell("b", style: CellStyle(bold: true))
        #expect(GridDiff.runs(from: old, to: new) == [CellRun(row: 0, column: 1, cells: [Cell("b", style: CellStyle(bold: true))])])
    }

    @Test("a changed wide character takes its right half along")
    func wideCharacterChanged() {
        let old = row(["a", "中", "", "b"])
        let new = row(["a", "文", "", "b"])
        #expect(GridDiff.runs(from: old, to: new) == [CellRun(row: 0, column: 1, cells: [Cell("文"), .continuation])])
    }

    @Test("a run never starts on a right half: it widens to the left half")
    func continuationStart() {
        // The right half changes (a narrow 'x' replaced a wide character's left half, making the old
        // continuation a real cell); here only the continuation differs in the old frame.
        let old = row(["a", "中", "c", "b"])
        let new = row(["a", "中", "", "b"])
        #expect(GridDiff.runs(from: old, to: new) == [CellRun(row: 0, column: 1, cells: [Cell("中"), .continuation])])
    }

    @Test("a wide character replaced by two narrow ones redraws both cells")
    func wideToNarrow() {
        let old = row(["😀", "", "z"])
        let new = row(["x", "y", "z"])
        #expect(GridDiff.runs(from: old, to: new) == [CellRun(row: 0, column: 0, cells: [Cell("x"), Cell("y")])])
    }

    @Test("changes on several rows stay on their rows")
    func rows() {
        var old = Grid(width: 2, height: 3)
        old[0, 0] = Cell("a")
        var new = old
        new[1, 2] = Cell("q")
        #expect(GridDiff.runs(from: old, to: new) == [CellRun(row: 2, column: 1, cells: [Cell("q")])])
    }
}
