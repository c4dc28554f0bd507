import CNcursesw
import CTerminalRestore
import ReviewCore
import ReviewConsole
import ReviewUI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the console loop needs from a terminal: its size, a way to show a frame, and the next key.
///
/// The real one is `NcursesTerminal`; tests drive the loop with a scripted one.
public protocol ConsoleTerminal: AnyObject {
    /// The current size in cells.
    var size: TerminalSize { get }
    /// Shows `grid`, sending only what changed since the last frame.
    func draw(_ grid: Grid)
    /// Waits for the next key; nil when the input has closed for good (e.g. the SSH link dropped).
    func readKey() -> Key?
}

/// An ncursesw screen: starts curses mode, draws grids cell by cell, reads keys, and restores the terminal.
///
/// ncurses is process-global, so only one may be running at a time.
public final class NcursesTerminal: ConsoleTerminal {
    /// Whether colour pairs are in use (the terminal has colours and NO_COLOR is unset).
    public let colorsEnabled: Bool
    /// Whether the locale could be set to a UTF-8 one (wide characters are measured right only then).
    public let utf8Locale: Bool
    private var screen: OpaquePointer?
    /// Where ncurses writes; clusters longer than a cell can hold are written here after each update.
    private var output: UnsafeMutablePointer<FILE>?
    private var openedFiles: [UnsafeMutablePointer<FILE>] = []
    private var lastGrid: Grid?
    private var running = true
    /// Reused buffer for one cell's characters (a base character, a few combining marks, a terminator).
    private let characterBuffer = UnsafeMutablePointer<wchar_t>.allocate(capacity: 8)
    private var attributeCache: [CellStyle: CellAttributes] = [:]
    private var consecutiveReadErrors = 0

    /// Starts curses mode.
    ///
    /// - Parameters:
    ///   - termType: the terminfo name; nil uses `$TERM`.
    ///   - inputPath, outputPath: files to use instead of stdin and stdout (tests and the benchmark use /dev/null).
    ///   - size: force this size instead of asking the terminal (for /dev/null, which has none).
    ///   - environment: read for NO_COLOR.
    public init(
        termType: String? = nil, inputPath: String? = nil, outputPath: String? = nil,
        size: TerminalSize? = nil, environment: [String: String] = [:]
    ) throws {
        utf8Locale = cnc_setup_utf8_locale() == 1
        cnc_install_restore_handlers()
        var input = cnc_stdin()
        var output = cnc_stdout()
        if let inputPath {
            guard let file = fopen(inputPath, "r") else { throw ConsoleLoopError.cannotOpen(inputPath) }
            openedFiles.append(file)
            input = file
        }
        if let outputPath {
            guard let file = fopen(outputPath, "w") else {
                openedFiles.forEach { fclose($0) }
                throw ConsoleLoopError.cannotOpen(outputPath)
            }
            openedFiles.append(file)
            output = file
        }
        guard let screen = newterm(termType, output, input) else {
            openedFiles.forEach { fclose($0) }
            let name = termType ?? getenv("TERM").map { String(cString: $0) } ?? "(TERM unset)"
            throw ConsoleLoopError.unknownTerminal(name)
        }
        self.screen = screen
        self.output = output
        cnc_set_curses_active(1)
        cbreak()
        noecho()
        nonl()
        _ = keypad(cnc_stdscr(), true)
        _ = intrflush(cnc_stdscr(), false)
        // A lone Escape must back out at once, not after ncurses' default second.
        _ = set_escdelay(25)
        _ = curs_set(0)
        if let size { _ = resizeterm(Int32(size.rows), Int32(size.columns)) }
        colorsEnabled = ColorSupport.enabled(environment: environment, terminalHasColors: has_colors())
        if colorsEnabled { Self.setUpColors() }
    }

    deinit {
        stop()
        characterBuffer.deallocate()
    }

    private static func setUpColors() {
        _ = start_color()
        let defaultBackground = use_default_colors() == cnc_ok()
        for role in ColorPalette.rolesWithPairs {
            guard let colors = ColorPalette.colors(for: role) else { continue }
            let background = colors.background < 0 && !defaultBackground ? cnc_color_black() : colors.background
            let foreground = colors.foreground
            _ = init_pair(ColorPalette.pairNumber(for: role), foreground, background)
        }
    }

    /// Leaves curses mode and gives the terminal back as it was; safe to call more than once.
    public func stop() {
        guard running else { return }
        running = false
        cnc_restore_terminal()
        if let screen { delscreen(screen) }
        screen = nil
        openedFiles.forEach { fclose($0) }
        openedFiles = []
    }

    /// The terminal's size as ncurses knows it (updated on resize).
    public var size: TerminalSize {
        TerminalSize(columns: Int(cnc_cols()), rows: Int(cnc_lines()))
    }

    /// Forgets the last frame, so the next `draw` repaints every cell (after a resize).
    public func invalidate() {
        lastGrid = nil
        _ = clearok(cnc_stdscr(), true)
    }

    /// Draws only the cells that changed since the last frame, then updates the terminal once.
    public func draw(_ grid: Grid) {
        guard running else { return }
        let runs = GridDiff.runs(from: lastGrid, to: grid)
        let visibleRows = Int(cnc_lines())
        let visibleColumns = Int(cnc_cols())
        var overlays: [(row: Int, column: Int, text: String)] = []
        for run in runs where run.row < visibleRows {
            for (offset, cell) in run.cells.enumerated() where !cell.isContinuation {
                let column = run.column + offset
                guard column < visibleColumns else { break }
                let nextIndex = offset + 1
                let wide = nextIndex < run.cells.count
                    ? run.cells[nextIndex].isContinuation
                    : (column + 1 < grid.width && grid[column + 1, run.row].isContinuation)
                put(cell, row: run.row, column: column, wide: wide && column + 1 < visibleColumns)
                if cell.text.unicodeScalars.count > CellText.capacity - 1 { overlays.append((run.row, column, cell.text)) }
            }
        }
        lastGrid = grid
        _ = wnoutrefresh(cnc_stdscr())
        _ = doupdate()
        writeWhole(overlays)
    }

    /// Writes grapheme clusters longer than an ncurses cell holds (a family emoji is seven code points, a cell
    /// five) straight to the terminal over the cut copy ncurses drew, then puts the cursor back where ncurses
    /// believes it is, so the cluster shows whole and ncurses' picture of the screen stays right.
    private func writeWhole(_ overlays: [(row: Int, column: Int, text: String)]) {
        guard !overlays.isEmpty, let output else { return }
        var bytes = ""
        for overlay in overlays {
            let safe = String(String.UnicodeScalarView(overlay.text.unicodeScalars.filter { !TextSanitizer.needsAttention($0) }))
            bytes += "\u{1B}[\(overlay.row + 1);\(overlay.column + 1)H" + safe
        }
        bytes += "\u{1B}[\(cnc_physical_cursor_row() + 1);\(cnc_physical_cursor_column() + 1)H"
        _ = fputs(bytes, output)
        _ = fflush(output)
    }

    /// Puts one cell at its own position, so a width disagreement with the C library cannot shift a row.
    private func put(_ cell: Cell, row: Int, column: Int, wide: Bool) {
        let count = CellText.fill(characterBuffer, capacity: CellText.capacity, from: cell.text, wide: wide)
        let attributes = attributes(for: cell.style)
        var character = cchar_t()
        _ = setcchar(&character, characterBuffer, attributes.attributes, attributes.pair, nil)
        _ = mvwadd_wch(cnc_stdscr(), Int32(row), Int32(column), &character)
        if wide && count.needsPadding {
            // The grid gave it two cells but the C library draws it in one: blank the second.
            characterBuffer[0] = 0x20
            characterBuffer[1] = 0
            _ = setcchar(&character, characterBuffer, attributes.attributes, attributes.pair, nil)
            _ = mvwadd_wch(cnc_stdscr(), Int32(row), Int32(column + 1), &character)
        }
    }

    /// What ncurses holds at a position of its screen (text and attributes), for tests and checks.
    public func screenCell(row: Int, column: Int) -> (text: String, attributes: attr_t, pair: Int16)? {
        guard running else { return nil }
        var character = cchar_t()
        guard mvwin_wch(cnc_stdscr(), Int32(row), Int32(column), &character) == cnc_ok() else { return nil }
        var attributes: attr_t = 0
        var pair: Int16 = 0
        let buffer = UnsafeMutablePointer<wchar_t>.allocate(capacity: 8)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0, count: 8)
        _ = getcchar(&character, buffer, &attributes, &pair, nil)
        var text = ""
        var index = 0
        while index < 8, buffer[index] != 0, let scalar = Unicode.Scalar(UInt32(bitPattern: buffer[index])) {
            text.unicodeScalars.append(scalar)
            index += 1
        }
        return (text, attributes & ~attr_t(0xFF), pair)
    }

    private func attributes(for style: CellStyle) -> CellAttributes {
        if let cached = attributeCache[style] { return cached }
        let computed = CellAttributes.forStyle(style, colors: colorsEnabled)
        attributeCache[style] = computed
        return computed
    }

    /// Waits for a key. `.resize` also forgets the last frame so the next one is drawn in full.
    public func readKey() -> Key? {
        while running {
            var value: wint_t = 0
            let status = wget_wch(cnc_stdscr(), &value)
            if status == cnc_err() {
                // EINTR (a signal) gives one ERR; a closed input gives them without end.
                consecutiveReadErrors += 1
                if consecutiveReadErrors > 64 { return nil }
                continue
            }
            consecutiveReadErrors = 0
            guard let key = KeyDecoder.key(status: status, value: UInt32(value)) else { continue }
            if key == .resize { invalidate() }
            return key
        }
        return nil
    }
}

/// Turns a cell's text into the wide characters ncurses draws, safely.
public enum CellText {
    /// Code points an ncurses cell holds, terminator included (CCHARW_MAX): a base and up to three marks.
    public static let capacity = 5

    /// What `fill` wrote.
    public struct Filled: Equatable, Sendable {
        /// Characters written, terminator excluded.
        public var count: Int
        /// The cell is wide in the grid but its character is narrow to the C library: pad with a blank.
        public var needsPadding: Bool
    }

    /// Writes `text`'s code points (at most `capacity - 1`, then a 0) into `buffer`.
    ///
    /// Control characters never reach the terminal: they become `?` (the screens already show escapes
    /// as visible placeholders; this is the last line of defence). A character whose C-library width
    /// disagrees with the grid's in the unsafe direction (wide where the grid has one cell) becomes `?`.
    @discardableResult
    public static func fill(_ buffer: UnsafeMutablePointer<wchar_t>, capacity: Int, from text: String, wide: Bool) -> Filled {
        var count = 0
        for scalar in text.unicodeScalars {
            guard count < capacity - 1 else { break }
            let value = scalar.value
            let control = value < 0x20 || (0x7F...0x9F).contains(value)
            buffer[count] = wchar_t(bitPattern: control ? 0x3F : value)
            count += 1
        }
        if count == 0 {
            buffer[0] = 0x20
            count = 1
        }
        buffer[count] = 0
        let width = cnc_wcwidth(UInt32(bitPattern: buffer[0]))
        if width < 1 || (width == 2 && !wide) {
            // Unprintable to the C library, a lone combining mark, or too wide for its cell.
            buffer[0] = 0x3F
            buffer[1] = 0
            return Filled(count: 1, needsPadding: wide)
        }
        return Filled(count: count, needsPadding: wide && width == 1)
    }
}
