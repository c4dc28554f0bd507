import Foundation
import ReviewStatistics
import Testing
import ReviewCore
import ReviewConsole
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

@Suite("Random key sequences under the session protocol")
struct RandomSessionKeysTests {
    @Test("random keys with notices, breaks, a cap, practice and repeats: counts stay right, practice and repeats never become live labels",
          arguments: [UInt64(4), 5])
    func randomSessionKeys(seed: UInt64) {
        var rules = SessionProtocol.off
        rules.contentNotice = .item
        rules.breakAfterItems = 2
        rules.dailyCap = 3
        let dataset = Fixtures.dataset()
        func open(_ history: [LabelEvent]) -> LabelConsole {
            LabelConsole(LabelConsoleConfiguration(
                dataset: dataset, rater: "alice", mode: seed == 5 ? .verdict : .blind, order: Array(dataset.items.indices), history: history,
                session: rules, practice: [RaterPractice(itemIndex: 3, answer: "no"), RaterPractice(itemIndex: 0, answer: "yes")],
                repeats: [(item: 1, after: 2), (item: 4, after: 9)]), now: Fixtures.start)
        }
        var generator = SplitMix64(seed: seed)
        var console = open([])
        var written: [LabelEvent] = []
        for step in 0..<1500 {
            let key = RandomKeysTests.keys[Int(generator.below(UInt64(RandomKeysTests.keys.count)))]
            // Some keys come after a long pause (time away).
            let now = Fixtures.start.addingTimeInterval(Double(step) * (generator.below(10) == 0 ? 400 : 3))
            var effects = console.handle(key: key, now: now)
            var quit = false
            while let effect = effects.first {
                effects.removeFirst()
                switch effect {
                case .appendLabel(let event):
                    written.append(event)
                    effects += console.handle(outcome: .saved(itemID: event.item), now: now)
                case .quit: quit = true
                case .appendDecision: Issue.record("the label console never writes decisions")
                }
            }
            if quit { console = open(written) }
            let state = console.state
            let recount = state.order.indices.filter { state.key(at: $0).flatMap(state.label(for:)) != nil }.count
            #expect(state.labeledCount == recount)
            #expect(state.currentLabels.values.allSatisfy { $0.purpose == nil })
            #expect(state.order.count == 9 && state.practiceCount == 2)
            if step % 11 == 0 {
                let grid = console.render(size: TerminalSize(columns: 80, rows: 24))
                #expect(grid.lines.allSatisfy { DisplayWidth.of($0) == 80 })
            }
            #expect(written.allSatisfy { $0.purpose != .practice || state.goldAnswers[$0.item] != nil })
        }
        #expect(written.contains { $0.purpose == .practice } && written.contains { $0.purpose == .repeat } && written.contains { $0.purpose == nil },
                "the sequence did not reach every kind of slot")
        // Replaying what was written gives the same live labels as the console.
        let replayed = open(written).state
        #expect(replayed.currentLabels.mapValues(\.answer) == console.state.currentLabels.mapValues(\.answer))
        #expect(replayed.practiceAndRepeatLabels.mapValues(\.answer) == console.state.practiceAndRepeatLabels.mapValues(\.answer))
    }
}
