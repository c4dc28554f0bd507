import ArgumentParser
import Foundation
import ReviewCore
import ReviewJudge

/// `judge-review sync STUDY`: commit this site's new events, pull and merge the other sites', check, push.
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Share a study kept in git with the other sites: commit this site's new events, pull, check, push.",
        discussion: """
            Uses the git executable and the study's own remote (the only network it reaches). Refuses while a \
            console here has open a log it would commit or the pull would change; holds the study's lock \
            throughout. Never rewrites history or forces a push: a merge git cannot make is taken back and its \
            files named, and a merged study that check finds problems in is not pushed. Rater logs merge by \
            keeping both sites' lines (each log has one writer; check names a log written at two sites). Every \
            line written records its site: JUDGE_REVIEW_SITE, else the host name. Exit 0 when the study ends \
            checked and (with a remote) pushed, 1 otherwise.
            Example: judge-review sync my-study
            """)

    @Argument(help: "A study folder that is a git repository (init --git, or git clone); default: the study around the current folder.")
    var study: String?

    func run() throws {
        try CommandOutput.reportingErrors(command: "sync") {
            let place = try LabelPlace.resolve(study)
            guard let found = place.study else { throw UsageError(option: "STUDY", "sync works on a study folder (made by init)") }
            let outcome = try StudySync.run(found, check: StudyCheck.withJudges)
            for problem in outcome.problems { CommandOutput.line(problem.description) }
            for line in outcome.lines { CommandOutput.line("sync: \(line)") }
            CommandOutput.line(outcome.verdict)
            if !outcome.problems.isEmpty { throw ExitCode.failure }
        }
    }
}
