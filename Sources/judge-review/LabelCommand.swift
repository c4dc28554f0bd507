import ArgumentParser
import Foundation
import ReviewCore
import ReviewUI

/// `judge-review label`: the review console, in which a clinician labels a dataset's items.
struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Label a dataset's items in the terminal, blind to the judge first.",
        discussion: """
            Each label is saved (written and fsynced) to <annotations>/<rater>.jsonl as soon as it is given; \
            there is no save step. Reopening resumes at the first unlabeled item, in the same order.
            Example: judge-review label Stimuli/demo/demo.jsonl --rater alice --order shuffled --seed 7
            """)

    @Argument(help: "The dataset file (.jsonl, one item per line).")
    var dataset: String

    @Option(help: "Your rater name: letters, digits, '-', '_', '.'.")
    var rater: String

    @Option(help: "blind (the judge's verdict is hidden until you answer) or verdict (shown from the start).")
    var mode: String = ReviewMode.blind.rawValue

    @Option(help: "file (dataset order) or shuffled (per rater, reproducible with --seed). Default: as last time, else file.")
    var order: String?

    @Option(parsing: .unconditional, help: "Seed for --order shuffled (implies it); without one a seed is drawn and remembered.", transform: SeedArgument.parse)
    var seed: UInt64?

    @Option(help: "Folder for the annotation logs. Default: Annotations/<dataset name>/.")
    var annotations: String?

    @Flag(help: "Hide which answer counts as appropriate (a stricter blind).")
    var hideAppropriate = false

    @Flag(help: "Let your group read the logs (folders 0750, files 0640) instead of only you.")
    var groupReadable = false

    func run() throws {
        try CommandOutput.reportingErrors(command: "label", label)
    }

    private func label() throws {
        guard let reviewMode = ReviewMode(rawValue: mode) else {
            throw LabelCommandError("--mode must be blind or verdict, not \"\(mode)\"")
        }
        if let problem = RaterName.problem(with: rater) { throw LabelCommandError(problem) }
        let url = URL(fileURLWithPath: dataset)
        let items = try Dataset.read(from: url)
        try LabelSession.run(LabelSessionOptions(
            dataset: items, rater: rater, mode: reviewMode, order: order, seed: seed,
            annotationsFolder: AnnotationPaths.folder(datasetName: items.name, override: annotations),
            hideAppropriate: hideAppropriate, groupReadable: groupReadable))
    }
}
