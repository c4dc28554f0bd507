import Foundation
import Testing
import ReviewCore
@testable import ReviewUI

@Suite("Random key sequences")
struct RandomKeysTests {
    static let keys: [Key] = {
        var keys: [Key] = [.up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .enter, .escape, .backspace, .tab,
                           .delete, .resize, .control("n"), .control("p"), .function(1)]
        for character in "yn+-lhudczRg/nNfaqQxHjk?1239 " { keys.append(.character(character)) }
        return keys
    }()

    @Test("1,500 random keys never crash, keep counts right and always draw a full grid", arguments: [UInt64(1), 2, 3])
    func randomKeys(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var console = Fixtures.console(mode: seed == 2 ? .verdict : .blind)
        let sizes = [TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 133, rows: 41), TerminalSize(columns: 60, rows: 10)]
        var written: [LabelEvent] = []
        for step in 0..<1500 {
            let key = Self.keys[Int(generator.below(UInt64(Self.keys.count)))]
            var effects = console.handle(key: key, now: Fixtures.start.addingTimeInterval(Double(step)))
            var quit = false
            while let effect = effects.first {
                effects.removeFirst()
                switch effect {
                case .appendLabel(let event):
                    // Every fifth write fails; the console must hand it out again later.
                    if generator.below(5) == 0 {
                        effects += console.handle(outcome: .saveFailed(itemID: event.item, message: "disk full"), now: Fixtures.start)
                    } else {
                        written.append(event)
                        effects += console.handle(outcome: .saved(itemID: event.item), now: Fixtures.start)
                    }
                case .quit: quit = true
                case .appendDecision: Issue.record("the label console never writes decisions")
                }
            }
            if quit { console = Fixtures.console(mode: seed == 2 ? .verdict : .blind, history: written) }
            let state = console.state
            let recount = state.order.filter { state.currentLabels[state.dataset.items[$0].id] != nil }.count
            #expect(state.labeledCount == recount)
            #expect(state.position >= 0 && state.position < state.order.count)
            if step % 7 == 0 {
                let size = sizes[step % sizes.count]
                let grid = console.render(size: size)
                #expect(grid.width == size.columns && grid.height == size.rows)
                #expect(grid.lines.allSatisfy { DisplayWidth.of($0) == size.columns })
            }
        }
        // Replaying what was written gives the same current answers as the live console (nothing lost).
        let replayed = Fixtures.console(history: written).state.currentLabels.mapValues(\.answer)
        let pendingItems = Set(console.state.writes.records.map(\.item))
        for (item, answer) in console.state.currentLabels.mapValues(\.answer) where !pendingItems.contains(item) {
            #expect(replayed[item] == answer, "item \(item)")
        }
    }
}
