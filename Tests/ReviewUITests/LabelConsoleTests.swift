import Foundation
import Testing
import ReviewCore
import ReviewConsole
@testable import ReviewUI

@Suite("Label console program")
struct LabelConsoleTests {
    let size = TerminalSize(columns: 80, rows: 24)

    private func screen(_ console: LabelConsole) -> String {
        console.render(size: size).lines.joined(separator: "\n")
    }

    @Test("'saved' appears only after the loop reports the write durable; a failure is shown and retried")
    func savedOnlyAfterOutcome() throws {
        var console = Fixtures.console()
        _ = console.resize(to: size, now: Fixtures.start)
        let effects = console.handle(key: .character("y"), now: Fixtures.start)
        guard case .appendLabel(let event) = try #require(effects.first) else {
            Issue.record("expected an append")
            return
        }
        #expect(screen(console).contains("saving…") && !screen(console).contains("saved ✓"))
        #expect(console.handle(outcome: .saveFailed(itemID: event.item, message: "No space left on device"), now: Fixtures.start).isEmpty)
        #expect(screen(console).contains("NOT SAVED: No space left on device"))
        // Any key (even an unbound one) hands the failed write out again.
        #expect(console.handle(key: .character("~"), now: Fixtures.start) == [.appendLabel(event)])
        #expect(console.handle(outcome: .saved(itemID: event.item), now: Fixtures.start).isEmpty)
        #expect(screen(console).contains("saved ✓"))
    }

    @Test("the next write is handed out from the outcome of the previous one")
    func serialWrites() {
        var console = Fixtures.console(mode: .verdict)
        let first = console.handle(key: .character("y"), now: Fixtures.start)
        let second = console.handle(key: .character("n"), now: Fixtures.start)
        #expect(first.count == 1 && second.isEmpty)
        let next = console.handle(outcome: .saved(itemID: "i1"), now: Fixtures.start)
        guard case .appendLabel(let event) = next.first else {
            Issue.record("expected the second write")
            return
        }
        #expect(event.item == "i2" && event.answer == "no")
    }

    @Test("scrolling stops at the end of the text, so one key up moves back at once")
    func scrollClamped() {
        let long = (1...60).map { "Sentence number \($0) of a long response." }.joined(separator: " ")
        var console = Fixtures.console(dataset: Dataset(name: "long", items: [Fixtures.item("l1", response: long)]))
        _ = console.resize(to: size, now: Fixtures.start)
        for _ in 0..<200 { _ = console.handle(key: .character("j"), now: Fixtures.start) }
        let bottom = console.state.scroll[.response] ?? 0
        #expect(bottom > 0 && bottom == console.state.scrollLimits[.response])
        _ = console.handle(key: .character("k"), now: Fixtures.start)
        #expect(console.state.scroll[.response] == bottom - 1)
        #expect(screen(console).contains("Response \(bottom)–"))
    }

    @Test("focus starts where the unread text is: a stimulus too long for its box, else the response")
    func focusWhereUnread() {
        let longStimulus = (1...40).map { "Line \($0) of what the client wrote, which goes on." }.joined(separator: " ")
        let dataset = Dataset(name: "focus", items: [Fixtures.item("f1", stimulus: longStimulus), Fixtures.item("f2")])
        var console = Fixtures.console(dataset: dataset)
        _ = console.resize(to: size, now: Fixtures.start)
        #expect(console.state.focus == .stimulus)
        _ = console.handle(key: .right, now: Fixtures.start)
        #expect(console.state.focus == .response)
        _ = console.handle(key: .left, now: Fixtures.start)
        #expect(console.state.focus == .stimulus)
    }

    @Test("q quits; the judge's name is not on a blind screen before answering")
    func quitAndBlind() {
        var console = Fixtures.console()
        #expect(!screen(console).contains("judge-model"))
        #expect(console.handle(key: .character("q"), now: Fixtures.start) == [.quit])
    }

    @Test("quitting with an unsaved label asks; y (yes) does not quit, Q does")
    func quitQuestion() {
        var console = Fixtures.console()
        _ = console.handle(key: .character("y"), now: Fixtures.start)
        _ = console.handle(outcome: .saveFailed(itemID: "i1", message: "Read-only file system"), now: Fixtures.start)
        #expect(!console.handle(key: .character("q"), now: Fixtures.start).contains(.quit))
        #expect(screen(console).contains("1 label is NOT saved yet"))
        #expect(!console.handle(key: .character("y"), now: Fixtures.start).contains(.quit))
        #expect(console.handle(key: .character("Q"), now: Fixtures.start) == [.quit])
    }

    @Test("a megabyte response is wrapped once per width: key presses on its item reuse the lines")
    func longResponseWrappedOnce() throws {
        let response = String(repeating: "A runaway generation goes on and on. ", count: 30_000)
        let dataset = Dataset(name: "long", items: [Fixtures.item("long-1", response: response), Fixtures.item("long-2")])
        var console = Fixtures.console(dataset: dataset)
        let first = console.render(size: size)
        for key in [Key.down, .down, .pageDown, .character("j"), .up] {
            _ = console.handle(key: key, now: Fixtures.start)
            _ = console.resize(to: size, now: Fixtures.start)
        }
        // The response pane's lines were made for one width, once, and kept: the key presses made no others.
        let widths = Styled.cache.widths(for: response, extra: Styled.CacheKey(label: "", styles: [.plain]))
        #expect(widths.count == 1, "\(widths)")
        #expect(first.lines.joined().contains("A runaway generation"))
    }

    @Test("clusters terminals draw at different widths go in as pieces every terminal measures alike: ZWJ sequences, skin tones, flags, selectors")
    func graphemeClustersInPieces() {
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}"
        #expect(DisplayWidth.of(Character(family)) == 8)
        var grid = Grid(width: 12, height: 1)
        grid.write(family + "|", x: 0, y: 0)
        #expect((0..<4).map { grid[$0 * 2, 0].text } == ["\u{1F468}", "\u{1F469}", "\u{1F467}", "\u{1F466}"])
        #expect(grid[8, 0].text == "|")
        #expect(grid.cells.allSatisfy { !$0.text.unicodeScalars.contains("\u{200D}") })
        // A skin tone is left out (the base emoji stays), a flag shows its letters, a text-style selector goes.
        #expect(DisplayWidth.drawnPieces(of: Character("\u{1F44D}\u{1F3FD}")) == ["\u{1F44D}"])
        #expect(DisplayWidth.drawnPieces(of: Character("\u{1F1EB}\u{1F1F7}")) == ["[", "F", "R", "]"])
        #expect(DisplayWidth.drawnPieces(of: Character("\u{2764}\u{FE0F}")) == ["\u{2764}"])
        #expect(DisplayWidth.drawnPieces(of: Character("e\u{301}")) == nil)
        // Wrapping and cutting measure the pieces: no line is wider than its width.
        let wrapped = TextWrap.lines(String(repeating: "ab ", count: 5) + family + " " + family, width: 10)
        #expect(wrapped.allSatisfy { DisplayWidth.of($0) <= 10 })
        #expect(DisplayWidth.of(TextWrap.truncate("x" + family + family, width: 10)) <= 10)
    }
}
