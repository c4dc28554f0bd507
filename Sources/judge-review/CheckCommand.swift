import ArgumentParser
import Foundation
import ReviewCore
import ReviewJudge

/// `judge-review check STUDY`: every file of a study reads and agrees with the items, one line a problem and a verdict.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify a study (after a merge, or any time): items match their ids, every log reads, every label, decision, verdict, sample and assignment entry is of an item the study holds.",
        discussion: "Prints one line per problem (file and line) and a one-line verdict; exits 0 when there is none, 1 when there are. Reads only: nothing is locked, repaired or written.")

    @Argument(help: "A study folder (or a path inside one); default: the study around the current folder.")
    var study: String?

    func run() throws {
        try CommandOutput.reportingErrors(command: "check") {
            let place = try LabelPlace.resolve(study)
            guard let found = place.study else { throw UsageError(option: "STUDY", "check verifies a study folder (made by init)") }
            let check = StudyCheck.withJudges(found)
            for problem in check.problems { CommandOutput.line(problem.description) }
            for note in check.notes { CommandOutput.line("note: \(note)") }
            CommandOutput.line(check.verdict)
            if !check.problems.isEmpty { throw ExitCode.failure }
        }
    }
}
