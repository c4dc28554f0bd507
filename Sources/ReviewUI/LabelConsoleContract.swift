// CONTRACT STUB: the label console (issue 5). The pure-console work replaces this file's bodies
// (and may move the type elsewhere); the names and initialiser below are what the terminal loop calls.
import Foundation
import ReviewCore

/// Whether the judge's verdict is hidden until the rater answers, or shown from the start.
public enum ReviewMode: String, Sendable, CaseIterable {
    case blind
    case verdict
}

/// Everything the label console needs to start.
public struct LabelConsoleConfiguration: Sendable {
    public var dataset: Dataset
    public var rater: String
    public var mode: ReviewMode
    /// Item positions (indices into `dataset.items`) in this rater's order.
    public var order: [Int]
    /// This rater's log so far, oldest first (replayed to resume).
    public var history: [LabelEvent]
    /// Hide the criterion's appropriate answer (stricter blind).
    public var hideAppropriateAnswer: Bool

    public init(dataset: Dataset, rater: String, mode: ReviewMode, order: [Int], history: [LabelEvent], hideAppropriateAnswer: Bool = false) {
        self.dataset = dataset
        self.rater = rater
        self.mode = mode
        self.order = order
        self.history = history
        self.hideAppropriateAnswer = hideAppropriateAnswer
    }
}

/// The label console as a pure program: the terminal loop drives it.
public struct LabelConsole: ConsoleProgram {
    public let configuration: LabelConsoleConfiguration

    public init(_ configuration: LabelConsoleConfiguration, now: Date) {
        self.configuration = configuration
    }

    public func render(size: TerminalSize) -> Grid {
        Grid(width: size.columns, height: size.rows)
    }

    public mutating func handle(key: Key, now: Date) -> [ConsoleEffect] {
        key == .character("q") ? [.quit] : []
    }

    public mutating func handle(outcome: EffectOutcome, now: Date) -> [ConsoleEffect] {
        []
    }
}

/// Orders items for a rater: file order, or a seeded shuffle that can be reproduced.
public enum ItemOrder {
    /// Positions `0..<count` in file order, or shuffled with `seed` (same seed, same order, on every machine).
    public static func positions(count: Int, shuffledWithSeed seed: UInt64?) -> [Int] {
        Array(0..<count)
    }
}
