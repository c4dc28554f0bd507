// What the terminal loop (TerminalBackend + the executable) drives. The pure console
// (label screen, adjudication screen) conforms; the loop renders, reads keys and performs effects.
import Foundation
import ReviewCore
import ReviewConsole

/// A screen program driven by the terminal loop: pure state in, a grid out.
public protocol ConsoleProgram {
    /// Draws the current state into a grid of exactly `size`.
    func render(size: TerminalSize) -> Grid
    /// Takes the terminal's size: the loop calls it before the first frame and whenever the size changes.
    mutating func resize(to size: TerminalSize, now: Date) -> [ConsoleEffect]
    /// Applies one key press and returns the effects the loop must perform, in order.
    mutating func handle(key: Key, now: Date) -> [ConsoleEffect]
    /// Applies the outcome of an effect the loop performed.
    mutating func handle(outcome: EffectOutcome, now: Date) -> [ConsoleEffect]
}
