// The label console (issue 5): the pure program the terminal loop drives. State and reducer live in
// ReviewConsole; drawing lives in ReviewUI/Screens.
import Foundation
import ReviewStatistics
import ReviewCore
import ReviewConsole

/// Whether the judge's verdict is hidden until the rater answers, or shown from the start.
public enum ReviewMode: String, Sendable, CaseIterable {
    case blind
    case verdict

    /// How labels given in this mode are recorded.
    public var labelMode: LabelMode { self == .blind ? .blind : .verdictShown }
}

/// Everything the label console needs to start.
public struct LabelConsoleConfiguration: Sendable {
    /// The dataset to label.
    public var dataset: Dataset
    /// The rater's name (their log is `<rater>.jsonl`).
    public var rater: String
    /// Blind (default) or verdict shown.
    public var mode: ReviewMode
    /// Item positions (indices into `dataset.items`) in this rater's order.
    public var order: [Int]
    /// This rater's log so far, oldest first (replayed to resume).
    public var history: [LabelEvent]
    /// The dataset position of each of the first events of `history`, as the log's replay cache recorded them
    /// (`RaterLog.knownPositions`); the rest are looked up.
    public var historyPositions: [Int32] = []
    /// Hide the criterion's appropriate answer (stricter blind).
    public var hideAppropriateAnswer: Bool
    /// Breaks, the daily cap and content notices (all off unless given).
    public var session: SessionProtocol
    /// The practice round's gold items, shown first.
    public var practice: [RaterPractice]
    /// Hidden repeats: an item (dataset index) shown again after `after` live items.
    public var repeats: [(item: Int, after: Int)]

    /// Creates a configuration.
    public init(
        dataset: Dataset, rater: String, mode: ReviewMode, order: [Int], history: [LabelEvent], historyPositions: [Int32] = [],
        hideAppropriateAnswer: Bool = false, session: SessionProtocol = .off, practice: [RaterPractice] = [],
        repeats: [(item: Int, after: Int)] = []
    ) {
        self.dataset = dataset
        self.rater = rater
        self.mode = mode
        self.order = order
        self.history = history
        self.historyPositions = historyPositions
        self.hideAppropriateAnswer = hideAppropriateAnswer
        self.session = session
        self.practice = practice
        self.repeats = repeats
    }
}

/// The label console as a pure program: the terminal loop drives it.
///
/// Keys go through the keymap to named actions and the reducer; appends come back as effects, one at a
/// time, and the loop reports each outcome (the next write is handed out when the previous one is durable).
public struct LabelConsole: ConsoleProgram {
    /// What the console was opened with.
    public let configuration: LabelConsoleConfiguration
    /// The console's whole state.
    public private(set) var state: ConsoleState

    /// Replays the rater's history and opens at the first unlabeled item.
    public init(_ configuration: LabelConsoleConfiguration, now: Date) {
        self.configuration = configuration
        self.state = ConsoleState(
            dataset: configuration.dataset, rater: configuration.rater, mode: configuration.mode.labelMode,
            order: configuration.order, history: configuration.history, historyPositions: configuration.historyPositions,
            hideAppropriateAnswer: configuration.hideAppropriateAnswer, session: configuration.session,
            practice: configuration.practice, repeats: configuration.repeats, now: now)
        ConsoleReducer.start(&state)
    }

    /// Draws the console at `size` (a notice below 80×24).
    public func render(size: TerminalSize) -> Grid {
        ConsoleRenderer.render(state, size: size)
    }

    /// The terminal's size, as an action; scrolling is clamped to the new layout.
    public mutating func resize(to size: TerminalSize, now: Date) -> [ConsoleEffect] {
        let first = state.size == nil
        let effects = ConsoleReducer.reduce(&state, .resize(size), now: now)
        updateScrollLimits()
        if first { state.focusFirstUnread() }
        return effects
    }

    /// Maps the key through the keymap and applies it; returns appends (one at a time) or quit.
    public mutating func handle(key: Key, now: Date) -> [ConsoleEffect] {
        // An unbound key still hands out a failed write again.
        let action = Keymap.action(for: key, in: state) ?? .unboundKey
        // Only scrolling and arriving at an item need the layout (how far each pane can scroll).
        if Self.scrollActions.contains(action) { updateScrollLimits() }
        let before = state.currentKey
        let effects = ConsoleReducer.reduce(&state, action, now: now)
        if state.currentKey != before {
            updateScrollLimits()
            state.focusFirstUnread()
        }
        return effects
    }

    /// Applies a write outcome; after `.saved` it may hand out the next queued append.
    public mutating func handle(outcome: EffectOutcome, now: Date) -> [ConsoleEffect] {
        switch outcome {
        case .saved(let itemID):
            return ConsoleReducer.saved(&state, itemID: itemID, now: now)
        case .saveFailed(let itemID, let message):
            return ConsoleReducer.saveFailed(&state, itemID: itemID, message: message, now: now)
        }
    }

    /// Tells the state how far each pane can scroll at the size the loop last reported.
    private mutating func updateScrollLimits() {
        guard let size = state.size, size.columns >= TerminalSize.minimum.columns, size.rows >= TerminalSize.minimum.rows else {
            return
        }
        let layout = LabelScreen.layout(state, size: size)
        state.scrollLimits = layout.scrollLimits
        if let focused = layout.panes.first(where: { $0.pane == state.focus }) {
            state.pageLines = max(1, focused.rect.height - 3)
        }
        if case .help = state.overlay {
            state.helpScrollLimit = HelpOverlay.maxScroll(for: state, body: layout.body)
        }
        // Offsets left beyond the end (after a resize or a collapse) come back within reach.
        for (pane, limit) in state.scrollLimits where (state.scroll[pane] ?? 0) > limit {
            state.scroll[pane] = limit
        }
    }

    private static let scrollActions: Set<ConsoleAction> = [.scrollUp, .scrollDown, .pageUp, .pageDown, .scrollTop, .scrollBottom]
}

/// Orders items for a rater: file order, or a seeded shuffle that can be reproduced.
public enum ItemOrder {
    /// Positions `0..<count` in file order, or shuffled with `seed` (same seed, same order, on every machine).
    public static func positions(count: Int, shuffledWithSeed seed: UInt64?) -> [Int] {
        guard let seed else { return Array(0..<max(0, count)) }
        return SeededShuffle.positions(count: count, seed: seed)
    }
}
