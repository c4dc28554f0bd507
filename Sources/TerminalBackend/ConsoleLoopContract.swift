// CONTRACT STUB: the terminal loop (issue 5) replaces this body. Adjudication and the label
// console both run through it; the executable supplies `perform` (append to the right log).
import Foundation
import ReviewCore
import ReviewUI

/// Runs a console program in the terminal: render, diff, read a key, handle it, perform effects.
public enum ConsoleLoop {
    /// Runs `program` until it returns `.quit`; `perform` carries out each append effect and reports
    /// the outcome (`.saved` only after the store reports the record durable). Restores the terminal on exit.
    public static func run<Program: ConsoleProgram>(
        _ program: inout Program, perform: (ConsoleEffect) -> EffectOutcome?
    ) throws {
        throw ConsoleLoopError.notBuilt
    }
}

/// Why the console could not run.
public enum ConsoleLoopError: Error, CustomStringConvertible {
    case notBuilt
    public var description: String { "the terminal console is not built yet" }
}
