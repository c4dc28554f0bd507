import ArgumentParser
import Foundation
import ReviewStatistics
import ReviewCore
import ReviewImport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The only way commands print: every line goes through the console's sanitiser, so bytes from input files
/// (names, categories, paths, error messages quoting a cell) never reach the terminal as controls.
enum CommandOutput {
    /// One line of human-readable text on standard output.
    static func line(_ text: String) {
        write(TextSanitizer.forOutput(text) + "\n", to: STDOUT_FILENO)
    }

    /// Human-readable text on standard output, as is but sanitised (it carries its own newlines).
    static func text(_ text: String) {
        write(TextSanitizer.forOutput(text), to: STDOUT_FILENO)
    }

    /// Machine-readable output (JSON, CSV) on standard output: exact bytes into a pipe or file, sanitised only
    /// when standard output is a terminal a person reads.
    static func machine(_ text: String) {
        write(isatty(STDOUT_FILENO) == 1 ? TextSanitizer.forOutput(text) : text, to: STDOUT_FILENO)
    }

    /// A line of information on standard error (when standard output carries data).
    static func note(_ text: String) {
        write(TextSanitizer.forOutput(oneLine(text)) + "\n", to: STDERR_FILENO)
    }

    /// Says what resolving the place found: an interrupted write of the study completed, labels found where
    /// earlier versions kept them (the commands print where the labels are, `study …: labels in …`, once their
    /// work is done, so that an error stays one line).
    static func printPlaceNotes(_ place: LabelPlace) {
        if let note = place.completedWrite { warning(note) }
        if let note = place.legacyNote { warning(note) }
    }

    /// Says which logs were read whole because their replay cache no longer matched them (a log that shrank or
    /// was rewritten): worth knowing, since an append-only log should do neither.
    static func printReplayNotes(_ labels: StudyLabels) {
        for log in labels.logs { if let note = log.note { self.note(note) } }
    }

    /// `warning: …` on standard error.
    static func warning(_ text: String) {
        write(TextSanitizer.forOutput("warning: " + oneLine(text)) + "\n", to: STDERR_FILENO)
    }

    /// `judge-review <command>: <message>` on standard error: the one style of every command's errors (without a
    /// command, when the command line names none, `judge-review: <message>`).
    static func error(command: String?, _ message: String) {
        let source = command.map { "judge-review \($0): " } ?? "judge-review: "
        write(TextSanitizer.forOutput(source + oneLine(message)) + "\n", to: STDERR_FILENO)
    }

    /// A message folded onto one line.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// Runs a command's body; any error it throws is printed as one `judge-review <command>: …` line and the
    /// command exits by the tool's one convention (`ExitStatus`): 64 for an option it cannot take, 1 for
    /// everything else. ArgumentParser's own exits (`ExitCode`, `CleanExit`) pass through.
    static func reportingErrors(command: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let exit as ExitCode {
            throw exit
        } catch let usage as UsageError {
            self.error(command: command, usage.description)
            throw ExitStatus.usage
        } catch let usage as ValidationError {
            self.error(command: command, usage.message)
            throw ExitStatus.usage
        } catch let error as FileWriteError {
            self.error(command: command, error.message)
            throw ExitCode.failure
        } catch let error as CustomStringConvertible & Error {
            self.error(command: command, error.description)
            throw ExitCode.failure
        } catch {
            self.error(command: command, error.localizedDescription)
            throw ExitCode.failure
        }
    }

    /// Keeps a large value a command has finished with alive until the process exits: the kernel takes back a
    /// million items' memory at once, where releasing them string by string costs most of a second.
    static func keepUntilExit<Value>(_ value: Value) {
        _ = Unmanaged.passRetained(KeptValue(value))
    }

    private final class KeptValue<Value> {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    /// Runs long work with a progress line on standard error when it is a terminal (after a second, redrawn in
    /// place and cleared at the end); with standard error redirected nothing is shown.
    static func withProgress<Result>(_ work: () throws -> Result) rethrows -> Result {
        guard isatty(STDERR_FILENO) == 1 else { return try work() }
        let progress = WorkProgress { status in write("\r\u{1B}[K" + status, to: STDERR_FILENO) }
        defer { if progress.didShow { write("\r\u{1B}[K", to: STDERR_FILENO) } }
        return try WorkProgress.$current.withValue(progress) { try work() }
    }

    /// A progress line on standard error, redrawn in place (callers show it only on a terminal); nil clears it.
    static func progress(_ status: String?) {
        write("\r\u{1B}[K" + (status.map(TextSanitizer.singleLine) ?? ""), to: STDERR_FILENO)
    }

    /// Writes all of `text`, looping over short writes; a closed pipe ends quietly.
    private static func write(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.write(descriptor, base + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

/// The tool's one exit-code convention, for every command: 0 done; 1 the work failed (input data that cannot be
/// read, with its file and line; a file that cannot be written; a lock held by another writer; a save the disk
/// refused; a check that found problems); 64 (EX_USAGE) the command line asked for something the command cannot
/// do (an unknown option, a value out of range or not one of its choices, options that do not go together). Every
/// error is one line on standard error, `judge-review <command>: <message>`.
enum ExitStatus {
    static let usage = ExitCode.validationFailure
}

/// Parses `--seed`: a whole number from 0 to 18446744073709551615, with an error that says so.
enum SeedArgument {
    /// The seed `text` names; throws a ValidationError that names the value and the range otherwise.
    static func parse(_ text: String) throws -> UInt64 {
        guard let seed = UInt64(text.trimmedOfWhitespace) else {
            let why = text.hasPrefix("-") ? "a seed cannot be negative" : "a seed is a whole number"
            throw ValidationError("\(why); give one from 0 to \(UInt64.max)")
        }
        return seed
    }

    /// A seed drawn when none is given (then printed and recorded, so the run can be repeated).
    static func drawn() -> UInt64 { UInt64.random(in: 1...UInt64(UInt32.max)) }
}
