import Foundation
import ReviewCore
import ReviewConsole

/// The adjudication console as a pure program the terminal loop drives: the same pattern as the label console
/// (state and reducer in ReviewConsole, keys through one keymap table, typed effects, the size as an action).
public struct AdjudicationConsole: ConsoleProgram {
    /// The console's whole state.
    public private(set) var state: AdjudicationState

    /// Starts on the queue screen with the configured filter.
    public init(_ configuration: AdjudicationConsoleConfiguration, now: Date) {
        state = AdjudicationState(configuration, now: now)
    }

    /// The terminal's size, as an action.
    public mutating func resize(to size: TerminalSize, now: Date) -> [ConsoleEffect] {
        AdjudicationReducer.reduce(&state, .resize(size), now: now)
    }

    /// Maps the key through the keymap table and applies it.
    public mutating func handle(key: Key, now: Date) -> [ConsoleEffect] {
        let effects = AdjudicationReducer.reduce(&state, AdjudicationKeymap.action(for: key, in: state) ?? .unboundKey, now: now)
        if state.showingHelp, let size = state.size { state.limitHelpScroll(to: AdjudicationRenderer.helpScrollLimit(state, size: size)) }
        return effects
    }

    /// Applies the outcome of the write in flight.
    public mutating func handle(outcome: EffectOutcome, now: Date) -> [ConsoleEffect] {
        switch outcome {
        case .saved(let itemID): AdjudicationReducer.saved(&state, itemID: itemID, now: now)
        case .saveFailed(let itemID, let message): AdjudicationReducer.saveFailed(&state, itemID: itemID, message: message, now: now)
        }
    }

    /// The configuration, with the decisions made so far.
    public var configuration: AdjudicationConsoleConfiguration { state.configuration }
}
