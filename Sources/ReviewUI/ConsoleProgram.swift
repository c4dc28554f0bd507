// What the terminal loop (TerminalBackend + the executable) drives. The pure console
// (label screen, adjudication screen) conforms; the loop renders, reads keys and performs effects.
import Foundation
import ReviewCore

/// Something the loop must do outside the pure state: append a record durably, or quit.
public enum ConsoleEffect: Sendable, Equatable {
    /// Append a rater's label event to that rater's log (write + fsync) and report the outcome.
    case appendLabel(LabelEvent)
    /// Append an adjudication decision, already encoded as one JSON line, to the adjudicator's log.
    case appendDecision(itemID: String, line: Data)
    /// Leave the console and restore the terminal.
    case quit
}

/// The outcome of an effect, fed back to the program.
public enum EffectOutcome: Sendable, Equatable {
    /// The record is durable (written and fsynced); only now may the screen say "saved".
    case saved(itemID: String)
    /// The write failed; the record stays in memory for a retry.
    case saveFailed(itemID: String, message: String)
}

/// A screen program driven by the terminal loop: pure state in, a grid out.
public protocol ConsoleProgram {
    /// Draws the current state into a grid of exactly `size`.
    func render(size: TerminalSize) -> Grid
    /// Applies one key press (or `.resize`) and returns the effects the loop must perform, in order.
    mutating func handle(key: Key, now: Date) -> [ConsoleEffect]
    /// Applies the outcome of an effect the loop performed.
    mutating func handle(outcome: EffectOutcome, now: Date) -> [ConsoleEffect]
}
