import Foundation
import ReviewCore
import ReviewConsole
import ReviewUI
import Testing
@testable import TerminalBackend

/// A terminal that replays keys and keeps the frames it was asked to draw.
final class ScriptedTerminal: ConsoleTerminal {
    var size: TerminalSize
    var keys: [Key]
    var frames: [Grid] = []

    init(size: TerminalSize = TerminalSize(columns: 80, rows: 24), keys: [Key]) {
        self.size = size
        self.keys = keys
    }

    func draw(_ grid: Grid) { frames.append(grid) }

    func readKey() -> Key? {
        guard !keys.isEmpty else { return nil }
        let key = keys.removeFirst()
        if key == .resize { size = TerminalSize(columns: 100, rows: 30) }
        return key
    }
}

/// A tiny program: `s` asks to save a label, `q` quits, `x` saves then quits in one batch.
struct RecordingProgram: ConsoleProgram {
    var keys: [Key] = []
    var outcomes: [EffectOutcome] = []
    var renderedSizes: [TerminalSize] = []
    let event = LabelEvent(item: "i1", itemSHA256: "h", rater: "r", answer: "yes", verdict: .appropriate,
                           judgeAgreement: .agree, mode: .blind, judgeSeenFirst: false, at: Date(timeIntervalSince1970: 0))

    mutating func resize(to size: TerminalSize, now: Date) -> [ConsoleEffect] {
        renderedSizes.append(size)
        return []
    }

    func render(size: TerminalSize) -> Grid {
        var grid = Grid(width: size.columns, height: size.rows)
        grid[0, 0] = Cell("\(keys.count)")
        return grid
    }

    mutating func handle(key: Key, now: Date) -> [ConsoleEffect] {
        keys.append(key)
        switch key {
        case .character("s"): return [.appendLabel(event)]
        case .character("x"): return [.quit, .appendLabel(event)]
        case .character("q"): return [.quit]
        default: return []
        }
    }

    mutating func handle(outcome: EffectOutcome, now: Date) -> [ConsoleEffect] {
        outcomes.append(outcome)
        // A failed save is retried once, as the console does.
        if case .saveFailed = outcome, outcomes.count < 3 { return [.appendLabel(event)] }
        return []
    }
}

@Suite("Console loop")
struct ConsoleLoopTests {
    @Test("renders, reads keys, performs effects and feeds outcomes back until quit")
    func loop() {
        var program = RecordingProgram()
        let terminal = ScriptedTerminal(keys: [.character("a"), .character("s"), .character("q"), .character("n")])
        var performed: [ConsoleEffect] = []
        ConsoleLoop.run(&program, terminal: terminal) { effect in
            performed.append(effect)
            return .saved(itemID: "i1")
        }
        #expect(program.keys == [.character("a"), .character("s"), .character("q")])
        #expect(performed == [.appendLabel(program.event)])
        #expect(program.outcomes == [.saved(itemID: "i1")])
        #expect(terminal.frames.count == 3)
        #expect(terminal.frames.last?.lines.first?.hasPrefix("2") == true)
    }

    @Test("outcomes that bring more effects are performed too")
    func retry() {
        var program = RecordingProgram()
        let terminal = ScriptedTerminal(keys: [.character("s"), .character("q")])
        var attempts = 0
        ConsoleLoop.run(&program, terminal: terminal) { _ in
            attempts += 1
            return attempts == 1 ? .saveFailed(itemID: "i1", message: "disk full") : .saved(itemID: "i1")
        }
        #expect(attempts == 2)
        #expect(program.outcomes == [.saveFailed(itemID: "i1", message: "disk full"), .saved(itemID: "i1")])
    }

    @Test("effects after a quit in the same batch are still performed")
    func quitLast() {
        var program = RecordingProgram()
        let terminal = ScriptedTerminal(keys: [.character("x"), .character("a")])
        var performed = 0
        ConsoleLoop.run(&program, terminal: terminal) { _ in
            performed += 1
            return .saved(itemID: "i1")
        }
        #expect(performed == 1)
        #expect(program.keys == [.character("x")])
    }

    @Test("each frame is rendered at the terminal's current size, and the loop ends when input closes")
    func resizeAndClosedInput() {
        var program = RecordingProgram()
        let terminal = ScriptedTerminal(keys: [.resize])
        ConsoleLoop.run(&program, terminal: terminal) { _ in nil }
        #expect(terminal.frames.map { TerminalSize(columns: $0.width, rows: $0.height) }
            == [TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 100, rows: 30)])
    }

    @Test("the real loop refuses to start without a terminal")
    func notATerminal() throws {
        // Under `swift test` stdin is not a terminal in CI; when it is one, there is nothing to check here.
        guard isatty(STDIN_FILENO) != 1 || isatty(STDOUT_FILENO) != 1 else { return }
        var program = RecordingProgram()
        #expect(throws: ConsoleLoopError.notATerminal) {
            try ConsoleLoop.run(&program) { _ in nil }
        }
    }
}

@Suite("Console loop behind the too-small notice")
struct TooSmallLoopTests {
    @Test("keys typed behind the notice never reach the program; after a resize they do; q always leaves")
    func keysIgnored() {
        var program = RecordingProgram()
        // 60×20 shows the notice: "a" and "s" (which would label) are dropped; the resize makes it 100×30.
        let terminal = ScriptedTerminal(size: TerminalSize(columns: 60, rows: 20),
                                        keys: [.character("a"), .character("s"), .resize, .character("a"), .character("q")])
        var performed: [ConsoleEffect] = []
        ConsoleLoop.run(&program, terminal: terminal) { effect in
            performed.append(effect)
            return .saved(itemID: "i1")
        }
        #expect(program.keys == [.character("a"), .character("q")])
        #expect(program.renderedSizes == [TerminalSize(columns: 60, rows: 20), TerminalSize(columns: 100, rows: 30)], "the size is an action")
        #expect(performed.isEmpty)

        var leaving = RecordingProgram()
        let small = ScriptedTerminal(size: TerminalSize(columns: 60, rows: 20), keys: [.character("s"), .character("q"), .character("s")])
        ConsoleLoop.run(&leaving, terminal: small) { _ in .saved(itemID: "i1") }
        #expect(leaving.keys == [.character("q")])
    }
}
