import Foundation
import Testing
import ReviewCore
import ReviewStatistics
@testable import ReviewConsole
@testable import ReviewUI

@Suite("The judge's rationale in the console")
struct JudgeRationaleTests {
    @Test("the rationale is hidden in blind mode until the clinician answers, then shown beside the verdict, sanitised and cut to a few lines")
    func rationaleAfterAnswer() {
        var item = Fixtures.item("r1", judgeAnswer: "yes")
        item.judge?.rationale = "It names a high place.\u{1B}[31m\nGRADE: I" + String(repeating: "\nmore", count: 20)
        var state = Fixtures.state(dataset: Dataset(name: "r", items: [item]))
        func text() -> String {
            LabelScreen.judgeLines(item, state: state, width: 60).map { $0.map(\.text).joined() }.joined(separator: "\n")
        }
        #expect(!text().contains("high place"))
        _ = ConsoleReducer.reduce(&state, .answer("no"), now: Fixtures.start.addingTimeInterval(5))
        let shown = text()
        #expect(shown.contains("why: It names a high place."))
        #expect(!shown.contains("\u{1B}"))
        #expect(shown.contains("more lines)"))
    }
}

@Suite("The quit question on screen")
struct QuitQuestionScreenTests {
    @Test("a note typed before answering is named by the quit question")
    func draftNoteNamed() {
        var grid = Grid(width: 100, height: 30)
        SmallOverlays.renderConfirmQuit(unsaved: 0, notes: 1, into: &grid, body: Rect(x: 0, y: 0, width: 100, height: 30))
        #expect(grid.lines.joined().contains("1 note waits for an answer"))
    }
}

@Suite("Item order")
struct ItemOrderTests {
    @Test("SplitMix64 gives the published first output for seed 0")
    func splitMix() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
    }

    @Test("file order, or a seeded shuffle that is a reproducible permutation")
    func shuffle() {
        #expect(ItemOrder.positions(count: 4, shuffledWithSeed: nil) == [0, 1, 2, 3])
        let a = ItemOrder.positions(count: 50, shuffledWithSeed: 42)
        #expect(a == ItemOrder.positions(count: 50, shuffledWithSeed: 42))
        #expect(a.sorted() == Array(0..<50) && a != Array(0..<50))
        #expect(a != ItemOrder.positions(count: 50, shuffledWithSeed: 43))
        #expect(ItemOrder.positions(count: 0, shuffledWithSeed: 1).isEmpty)
    }
}
