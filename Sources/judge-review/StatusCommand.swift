import ArgumentParser
import Foundation
import ReviewCore

/// `judge-review status DATASET`: each rater's progress, flags, stale labels and log health.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each rater's progress on a dataset: labeled/total, flagged, stale, last activity.",
        discussion: "Exits with status 1 when a log is corrupt (an unreadable line, or a torn last line not yet set aside), or with --verify when an item's stored hash does not match its content.")

    @Argument(help: "A study folder (or a path inside one) or a dataset .jsonl file; default: the study around the current folder.")
    var dataset: String?

    @Option(help: "The folder of the annotation logs, when they are not where the study or dataset keeps them.")
    var annotations: String?

    @Flag(help: "Also recompute every item's content hash and report items edited by hand since the file was written.")
    var verify = false

    func run() throws {
        try CommandOutput.reportingErrors(command: "status") {
            let place = try LabelPlace.resolve(dataset, annotations: annotations)
            CommandOutput.printPlaceNotes(place)
            let labels = try CommandOutput.withProgress { try place.labels(strict: false, requireLogs: false, detail: verify ? .texts : .summaries) }
            CommandOutput.keepUntilExit(labels)
            CommandOutput.printReplayNotes(labels)
            let data = labels.dataset
            let report = StatusReport.build(labels: labels)
            for line in report.lines() + AdjudicationStatus.statusLines(labels: labels) {
                CommandOutput.line(line)
            }
            if let study = place.study {
                for line in DesignStatus.lines(sample: try ValidationSample.load(from: study),
                                               assignment: try RaterAssignment.load(from: study), labels: labels) {
                    CommandOutput.line(line)
                }
            }
            var edited: [String] = []
            if verify {
                edited = data.items.filter { !$0.hashIsCurrent }.map(\.id)
                if edited.isEmpty {
                    CommandOutput.line("verify: every item's stored sha256 matches its content")
                } else {
                    let shown = edited.prefix(5).joined(separator: ", ") + (edited.count > 5 ? ", …" : "")
                    CommandOutput.line("verify: \(edited.count) item\(edited.count == 1 ? "" : "s") edited by hand since the file was written (stored sha256 does not match): \(shown); re-import the source to rewrite the hashes")
                }
            }
            if report.hasCorruptLog || !edited.isEmpty { throw ExitCode.failure }
        }
    }
}
