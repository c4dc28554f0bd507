import Foundation
import Testing
import ReviewCore
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
        _ = console.render(size: size)
        let effects = console.handle(key: .character("y"), now: Fixtures.start)
        guard case .appendLabel(let event) = try #require(effects.first) else {
            Issue.record("expected an append")
            return
        }
        #expect(screen(console).contains("saving…") && !screen(console).contains("saved ✓"))
        #expect(console.handle(outcome: .saveFailed(itemID: event.item, message: "No space left on device"), now: Fixtures.start).isEmpty)
        #expect(screen(console).contains("NOT SAVED: No space left on device"))
        // Any key (even an unbound one) hands the failed write out again.
        #expect(console.handle(key: .character("!"), now: Fixtures.start) == [.appendLabel(event)])
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
        _ = console.render(size: size)
        for _ in 0..<200 { _ = console.handle(key: .character("j"), now: Fixtures.start) }
        let bottom = console.state.scroll[.response] ?? 0
        #expect(bottom > 0 && bottom == console.state.scrollLimits[.response])
        _ = console.handle(key: .character("k"), now: Fixtures.start)
        #expect(console.state.scroll[.response] == bottom - 1)
        #expect(screen(console).contains("Response \(bottom)–"))
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
        #expect(screen(console).contains("1 label is not saved yet"))
        #expect(!console.handle(key: .character("y"), now: Fixtures.start).contains(.quit))
        #expect(console.handle(key: .character("Q"), now: Fixtures.start) == [.quit])
    }
}
