// The terminal loop (issue 5). Adjudication and the label console both run through it; the executable
// supplies `perform` (append to the right log).
import Foundation
import ReviewCore
import ReviewConsole
import ReviewUI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a console program in the terminal: render, diff, read a key, handle it, perform effects.
public enum ConsoleLoop {
    /// Runs `program` until it returns `.quit`; `perform` carries out each append effect and reports
    /// the outcome (`.saved` only after the store reports the record durable). Restores the terminal on exit.
    public static func run<Program: ConsoleProgram>(
        _ program: inout Program, perform: (ConsoleEffect) -> EffectOutcome?
    ) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw ConsoleLoopError.notATerminal }
        let terminal = try NcursesTerminal(environment: ProcessInfo.processInfo.environment)
        defer { terminal.stop() }
        run(&program, terminal: terminal, perform: perform)
    }

    /// The loop itself, on any terminal (tests pass a scripted one).
    ///
    /// Each turn gives the program the terminal's size when it changed (an action like any other), renders at
    /// that size (the program draws its own too-small notice), draws the difference, reads one key and hands it
    /// to the program; every effect is performed in order and its outcome fed back, which may bring more
    /// effects. Effects after a `.quit` in the same batch are still performed, so no label is dropped on the
    /// way out. Returns when the program quits or the input closes.
    public static func run<Program: ConsoleProgram>(
        _ program: inout Program, terminal: some ConsoleTerminal,
        now: () -> Date = { Date() }, perform: (ConsoleEffect) -> EffectOutcome?
    ) {
        var reported: TerminalSize?
        while true {
            let size = terminal.size
            if size != reported {
                reported = size
                if carryOut(program.resize(to: size, now: now()), on: &program, now: now, perform: perform) { return }
            }
            terminal.draw(program.render(size: size))
            guard let key = terminal.readKey() else { return }
            // A resize is reported at the top of the next turn, with the size it brought.
            if key == .resize { continue }
            if TooSmallScreen.isShown(at: size) && !TooSmallScreen.letsThrough(key) { continue }
            if carryOut(program.handle(key: key, now: now()), on: &program, now: now, perform: perform) { return }
        }
    }

    /// Performs effects in order, feeding each outcome back; returns whether one of them was `.quit`.
    private static func carryOut<Program: ConsoleProgram>(
        _ effects: [ConsoleEffect], on program: inout Program, now: () -> Date, perform: (ConsoleEffect) -> EffectOutcome?
    ) -> Bool {
        var pending = effects
        var quitting = false
        while !pending.isEmpty {
            let effect = pending.removeFirst()
            if effect == .quit {
                quitting = true
                continue
            }
            if let outcome = perform(effect) {
                pending.append(contentsOf: program.handle(outcome: outcome, now: now()))
            }
        }
        return quitting
    }
}

/// Why the console could not run.
public enum ConsoleLoopError: Error, CustomStringConvertible, Equatable {
    /// Standard input or output is not a terminal (a pipe, a file, CI).
    case notATerminal
    /// ncurses does not know the terminal type.
    case unknownTerminal(String)
    /// A file given for input or output could not be opened.
    case cannotOpen(String)

    /// The reason as one line for the user.
    public var description: String {
        switch self {
        case .notATerminal: return "the console needs a terminal: standard input and output must both be a terminal (not a pipe or a file)"
        case .unknownTerminal(let name): return "unknown terminal type \"\(name)\": set TERM to one this system knows (e.g. xterm-256color, screen, linux, vt100)"
        case .cannotOpen(let path): return "cannot open \(path)"
        }
    }
}
