import CNcursesw
import ReviewUI
import Testing
@testable import TerminalBackend

@Suite("Colours and attributes")
struct StyleTests {
    @Test("NO_COLOR set to any non-empty value turns colours off")
    func noColor() {
        #expect(ColorSupport.enabled(environment: [:], terminalHasColors: true))
        #expect(!ColorSupport.enabled(environment: ["NO_COLOR": "1"], terminalHasColors: true))
        #expect(!ColorSupport.enabled(environment: ["NO_COLOR": "yes"], terminalHasColors: true))
        #expect(ColorSupport.enabled(environment: ["NO_COLOR": ""], terminalHasColors: true))
        #expect(!ColorSupport.enabled(environment: [:], terminalHasColors: false))
    }

    @Test("each role has its own pair; normal uses the terminal's default pair 0")
    func pairs() {
        #expect(ColorPalette.pairNumber(for: .normal) == 0)
        #expect(ColorPalette.colors(for: .normal) == nil)
        let numbers = ColorPalette.rolesWithPairs.map(ColorPalette.pairNumber(for:))
        #expect(Set(numbers).count == numbers.count)
        #expect(!numbers.contains(0))
        #expect(ColorPalette.colors(for: .bad)?.foreground == cnc_color_red())
        #expect(ColorPalette.colors(for: .good)?.foreground == cnc_color_green())
        #expect(ColorPalette.colors(for: .selection)?.background == cnc_color_cyan())
    }

    @Test("style flags become curses attributes")
    func attributes() {
        let style = CellStyle(bold: true, reverse: false, dim: true, underline: true, color: .bad)
        let drawn = CellAttributes.forStyle(style, colors: true)
        #expect(drawn.attributes == cnc_a_bold() | cnc_a_dim() | cnc_a_underline())
        #expect(drawn.pair == ColorPalette.pairNumber(for: .bad))
        #expect(CellAttributes.forStyle(.plain, colors: true) == CellAttributes(attributes: cnc_a_normal(), pair: 0))
    }

    @Test("without colours, roles fall back to attributes and pair 0")
    func monochrome() {
        #expect(CellAttributes.forStyle(CellStyle(color: .selection), colors: false) == CellAttributes(attributes: cnc_a_reverse(), pair: 0))
        #expect(CellAttributes.forStyle(CellStyle(color: .bad), colors: false) == CellAttributes(attributes: cnc_a_bold(), pair: 0))
        #expect(CellAttributes.forStyle(CellStyle(color: .muted), colors: false) == CellAttributes(attributes: cnc_a_dim(), pair: 0))
        #expect(CellAttributes.forStyle(CellStyle(color: .good), colors: false) == CellAttributes(attributes: cnc_a_normal(), pair: 0))
    }

    @Test("cell text: control characters never reach the terminal, widths are checked")
    func cellText() {
        let buffer = UnsafeMutablePointer<wchar_t>.allocate(capacity: 8)
        defer { buffer.deallocate() }
        func written(_ text: String, wide: Bool) -> ([UInt32], Bool) {
            let filled = CellText.fill(buffer, capacity: 5, from: text, wide: wide)
            return ((0..<filled.count).map { UInt32(bitPattern: buffer[$0]) }, filled.needsPadding)
        }
        _ = cnc_setup_utf8_locale()
        #expect(written("a", wide: false) == ([0x61], false))
        #expect(written("\u{1B}", wide: false) == ([0x3F], false))
        #expect(written("\u{9B}", wide: false) == ([0x3F], false))
        #expect(written("", wide: false) == ([0x20], false))
        #expect(written("中", wide: true) == ([0x4E2D], false))
        // Too wide for one cell: a placeholder instead of shifting the row.
        #expect(written("中", wide: false) == ([0x3F], false))
        // Narrow to the C library but given two cells: padded with a blank.
        #expect(written("a", wide: true) == ([0x61], true))
        // A base letter with a combining mark stays one cell, both code points sent.
        #expect(written("e\u{301}", wide: false) == ([0x65, 0x301], false))
        // At most capacity - 1 code points.
        #expect(written("e\u{301}\u{302}\u{303}\u{304}\u{305}", wide: false).0.count == 4)
    }
}
