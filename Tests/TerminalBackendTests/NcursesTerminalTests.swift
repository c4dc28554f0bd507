import CNcursesw
import Foundation
import ReviewCore
import ReviewConsole
import ReviewUI
import Testing
@testable import TerminalBackend

/// ncurses is process-global: these run one at a time, each on /dev/null.
@Suite("ncurses terminal", .serialized)
struct NcursesTerminalTests {
    static let size = TerminalSize(columns: 20, rows: 5)

    func start(_ term: String = "xterm-256color", environment: [String: String] = [:]) throws -> NcursesTerminal {
        try NcursesTerminal(termType: term, inputPath: "/dev/null", outputPath: "/dev/null", size: Self.size, environment: environment)
    }

    @Test("starts under every supported TERM; colours only where the terminal has them", arguments: [
        ("xterm-256color", true), ("screen", true), ("tmux-256color", true), ("linux", true), ("vt100", false),
    ])
    func terms(term: String, colors: Bool) throws {
        let terminal = try start(term)
        defer { terminal.stop() }
        #expect(terminal.size == Self.size)
        #expect(terminal.colorsEnabled == colors)
        #expect(terminal.utf8Locale)
    }

    @Test("NO_COLOR turns colours off")
    func noColor() throws {
        let terminal = try start(environment: ["NO_COLOR": "1"])
        defer { terminal.stop() }
        #expect(!terminal.colorsEnabled)
    }

    @Test("an unknown TERM is a clear error, not a crash")
    func unknownTerm() {
        #expect(throws: ConsoleLoopError.unknownTerminal("no-such-terminal-xyz")) {
            _ = try NcursesTerminal(termType: "no-such-terminal-xyz", inputPath: "/dev/null", outputPath: "/dev/null")
        }
    }

    @Test("a grapheme cluster longer than a cell holds reaches the terminal whole (7 code points; Grid.write splits emoji ones, a cell placed directly may still hold one)")
    func longClusterWhole() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jr-cluster-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: file) }
        let terminal = try NcursesTerminal(termType: "xterm-256color", inputPath: "/dev/null", outputPath: file.path, size: Self.size)
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}"
        var grid = Grid(width: 20, height: 5)
        grid.write("x ", x: 0, y: 1)
        grid.place(Cell(family), column: 2, row: 1, wide: true)
        grid.write(" y", x: 4, y: 1)
        #expect(grid[2, 1].text == family)
        terminal.draw(grid)
        terminal.stop()
        let written = try String(contentsOf: file, encoding: .utf8)
        #expect(written.contains(family), "the whole cluster was never sent")
        // The cursor goes back to where ncurses left it, so its later updates land where it thinks.
        #expect(written.contains("\u{1B}[2;3H" + family))
    }

    @Test("draws cells, wide characters and styles where the grid has them, then only the changes")
    func draw() throws {
        let terminal = try start()
        defer { terminal.stop() }
        var grid = Grid(width: 20, height: 5)
        grid[0, 0] = Cell("a", style: CellStyle(bold: true))
        grid[1, 0] = Cell("中")
        grid[2, 0] = .continuation
        grid[3, 0] = Cell("b", style: CellStyle(color: .bad))
        grid[0, 4] = Cell("\u{1B}")
        terminal.draw(grid)
        #expect(terminal.screenCell(row: 0, column: 0)?.text == "a")
        #expect(terminal.screenCell(row: 0, column: 0)?.attributes == cnc_a_bold())
        #expect(terminal.screenCell(row: 0, column: 1)?.text == "中")
        #expect(terminal.screenCell(row: 0, column: 3)?.text == "b")
        #expect(terminal.screenCell(row: 0, column: 3)?.pair == ColorPalette.pairNumber(for: .bad))
        // An escape in the grid is drawn as a placeholder, never sent.
        #expect(terminal.screenCell(row: 4, column: 0)?.text == "?")

        var next = grid
        next[1, 0] = Cell("x")
        next[2, 0] = Cell("y")
        terminal.draw(next)
        #expect(terminal.screenCell(row: 0, column: 1)?.text == "x")
        #expect(terminal.screenCell(row: 0, column: 2)?.text == "y")
        #expect(terminal.screenCell(row: 0, column: 3)?.text == "b")
    }

    @Test("a closed input ends reading instead of spinning")
    func closedInput() throws {
        let terminal = try start()
        defer { terminal.stop() }
        // The forced size queues one resize event; after it, reading must end rather than wait or spin.
        var keys: [Key] = []
        while keys.count < 5, let key = terminal.readKey() { keys.append(key) }
        #expect(keys.count < 5)
        #expect(keys.allSatisfy { $0 == .resize })
    }

    @Test("stop is safe to call twice and the terminal can start again")
    func restart() throws {
        let first = try start()
        first.stop()
        first.stop()
        let second = try start("vt100")
        #expect(second.size == Self.size)
        #expect(!second.colorsEnabled)
        second.stop()
    }
}
