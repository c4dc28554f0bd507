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
            Example: judge-review label my-study --rater alice --order shuffled --seed 7
            """)

    @Argument(help: "A study folder (or a path inside one) or a dataset .jsonl file; default: the study around the current folder.")
    var dataset: String?

    @Option(help: "Your rater name: letters, digits, '-', '_', '.'.")
    var rater: String

    @Option(help: "blind (the judge's verdict is hidden until you answer) or verdict (shown from the start). Default: the study's (init --mode), else blind.")
    var mode: ReviewMode?

    @Option(help: "file (dataset order) or shuffled (per rater, reproducible with --seed). Default: as last time, else the study's (init --order), else file.")
    var order: OrderSettings.Kind?

    @Option(parsing: .unconditional, help: "Seed for --order shuffled (implies it); without one a seed is drawn and remembered.", transform: SeedArgument.parse)
    var seed: UInt64?

    @Option(help: "Folder for the annotation logs, when they are not where the study or dataset keeps them.")
    var annotations: String?

    @Flag(help: "Hide which answer counts as appropriate (a stricter blind).")
    var hideAppropriate = false

    @Flag(help: "Let your group read the logs (folders 0750, files 0640) instead of only you.")
    var groupReadable = false

    @OptionGroup(title: "Session (breaks, cap, notices)")
    var session: SessionOptions

    @Flag(help: "Skip the practice round with the assignment's gold items.")
    var noPractice = false

    func run() throws {
        try CommandOutput.reportingErrors(command: "label", label)
    }

    private func label() throws {
        if let problem = RaterName.problem(with: rater) { throw UsageError(option: "--rater", problem) }
        if let dataset, dataset.lowercased().hasSuffix(".csv") {
            throw InputError(file: dataset, "a CSV is an input to import, not a dataset to label: judge-review init STUDY, judge-review import \(dataset) --to STUDY, then judge-review label STUDY --rater \(rater)")
        }
        let place = try LabelPlace.resolve(dataset, annotations: annotations)
        CommandOutput.printPlaceNotes(place)
        // Summaries from the study index; the console reads each item's texts as it shows it.
        let items = try CommandOutput.withProgress { try place.dataset(detail: .summaries) }
        if items.items.isEmpty { throw InputError(file: place.datasetFile.path, "the study has no items yet; import some first") }
        let settings = try place.study.map { try place.studySettings ?? $0.settings() }
        var rules = try session.resolve(settings?.sessionProtocol ?? SessionProtocol())
        if noPractice { rules.practice = false }
        let assigned = try AssignedOrder.load(study: place.study, dataset: items, rater: rater, order: order, seed: seed)
        try LabelSession.run(LabelSessionOptions(
            dataset: items, rater: rater, mode: mode ?? settings.flatMap { ReviewMode(rawValue: $0.mode) } ?? .blind,
            order: order, studyOrder: settings.flatMap { OrderSettings.Kind(rawValue: $0.order) } ?? .file, seed: seed,
            annotationsFolder: place.annotationFolder, study: place.study,
            hideAppropriate: hideAppropriate,
            groupReadable: place.study?.storeOptions(groupReadable: groupReadable).groupReadable ?? groupReadable, session: rules, assigned: assigned))
    }
}
