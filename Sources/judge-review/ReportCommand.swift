import ArgumentParser
import Foundation
import ReviewStatistics
import ReviewCore
import ReviewJudge
import ReviewReport

/// `judge-review report STUDY`: the study's results in a form to publish: text, markdown, JSON or one HTML page.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The study's report: appropriate responses by model and condition (judge-reported and estimated), the judge's accuracy, agreement, labelling effort.",
        discussion: "Example: judge-review report my-study --format html --output report.html")

    @Argument(help: "A study folder (or a path inside one) or a dataset .jsonl file; default: the study around the current folder.")
    var study: String?

    @Option(help: "text, markdown, json or html (one self-contained page with charts).")
    var format: StudyReport.Format = .text

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    @Option(help: "A JSON report written earlier: recompute with the same options and say whether every number is the same, or which differ (exit 1).")
    var check: String?

    @Option(help: "The estimator of the rates: ppi, rogan-gladen or humans (default as for agreement).")
    var estimator: LabelPlanning.RateEstimator?

    @Option(help: "Items with no response: exclude (default) or inappropriate (the paper's convention; a clinician's label on one is kept).")
    var missingResponse: MissingResponse = .exclude

    @Option(help: "Bootstrap resamples for the intervals (0 for none).")
    var resamples = 1000

    @Option(name: .customLong("cluster-by"), help: "What the intervals generalise over: stimulus (default), transcript, condition, or none (these responses only).")
    var clusterBy: ClusterChoice = .stimulus

    @Option(name: .customLong("transport-from"), help: "Correct the rate of models without labels of their own with this model's measured sensitivity and specificity (Rogan–Gladen; named in the report).")
    var transportFrom: String?

    @Option(help: "Which of each clinician's answers enter the numbers: current (default, after any revision) or first (given before the judge was revealed).")
    var answers: AnalysisSettings.Answers = .current

    @Option(help: "The multiplicity adjustment of the paired comparisons: none (default, labelled unadjusted), holm, bonferroni or bh.")
    var adjust: MultiplicityAdjustment = .none

    @Option(parsing: .unconditional, help: "Seed of the bootstrap.", transform: SeedArgument.parse)
    var seed: UInt64 = 1

    func validate() throws {
        if let problem = AgreementLimits.resamplesProblem(resamples) { throw ValidationError(problem) }
    }

    /// The analysis settings of these options: agreement's defaults, broken down by condition.
    func settings(by key: BreakdownKey) -> AnalysisSettings {
        var settings = AnalysisSettings()
        settings.by = key
        settings.resamples = resamples
        settings.seed = seed
        settings.estimator = estimator
        settings.missingResponse = missingResponse
        settings.clusterBy = clusterBy.key
        settings.transportFrom = transportFrom
        settings.adjust = adjust
        settings.answers = answers
        return settings
    }

    func run() throws {
        try CommandOutput.reportingErrors(command: "report") {
            // The study is resolved and every file of it read once, for every section; the manifest's digests are
            // of the bytes read here, so it names exactly what the numbers rest on.
            let (read, files) = try ReadDigests.recording { () throws -> (LabelPlace, StudyLabels, ValidationSample?, [JudgeAnswers]) in
                let place = try LabelPlace.resolve(study)
                let (labels, noLabels) = try CommandOutput.withProgress { try place.labelsForAnalysis() }
                if let noLabels { CommandOutput.warning(noLabels) }
                let sample = try place.study.flatMap { try ValidationSample.load(from: $0) }
                let judges = try JudgeLog.answers(annotationFolder: place.annotationFolder, dataset: labels.dataset)
                return (place, labels, sample, judges)
            }
            let (place, labels, sample, judges) = read
            let assignment = labels.assignment
            CommandOutput.printPlaceNotes(place)
            CommandOutput.keepUntilExit(labels)
            var progress = AdjudicationStatus.statusLines(labels: labels)
            var gold: [String: String] = [:]
            if place.study != nil {
                progress += DesignStatus.lines(sample: sample, assignment: assignment, labels: labels)
                gold = Dictionary((assignment?.gold ?? []).map { ($0.id, $0.answer) }, uniquingKeysWith: { first, _ in first })
            }
            func analyze(by key: BreakdownKey) throws -> AgreementAnalysis {
                try CommandOutput.withProgress {
                    try StudyAnalysis.analyze(labels, sample: sample, settings: settings(by: key), source: place.datasetFile.path,
                                              annotationFolder: place.annotationFolder.path, furtherJudges: judges)
                }
            }
            let analysis = try analyze(by: .condition)
            // Rows per model and setting (steel-man prompt, context) when some model was run under more than one.
            var settingGroups: [ReportGroup] = []
            let items = labels.dataset.items
            if Set(items.map { BreakdownKey.setting.value(of: $0) }).count > Set(items.map(\.subject.name)).count {
                settingGroups = try analyze(by: .setting).groups
            }
            var report = StudyReport.build(study: labels.dataset.name, analysis: analysis, labels: labels, progress: progress,
                                           missingResponse: missingResponse, gold: gold, settingGroups: settingGroups,
                                           sample: sample, assignment: assignment)
            typealias Setting = ReportManifest.Setting
            report.manifest = ReportManifest.make(
                files: files, base: place.study?.folder ?? place.datasetFile.deletingLastPathComponent(),
                arguments: ["judge-review"] + CommandLine.arguments.dropFirst(),
                settings: [Setting("estimator", report.estimator), Setting("missing responses", missingResponse.rawValue),
                           Setting("resamples", "\(resamples)"), Setting("seed", "\(seed)"),
                           Setting("confidence", "\(analysis.options.confidence)"), Setting("cluster by", clusterBy.rawValue),
                           Setting("transport from", transportFrom ?? "none"), Setting("multiplicity", adjust.rawValue),
                           Setting("answers", answers.rawValue)])
            if let check {
                let old = try SafeFile.read(check)
                let comparison = try ReportCheck.differences(old: old, new: Data(report.rendered(as: .json).utf8))
                guard comparison.differences.isEmpty else {
                    let shown = comparison.differences.prefix(8).joined(separator: "; ")
                    throw InputError(file: check, "\(comparison.differences.count) of \(comparison.compared) values differ from the study now: \(shown)\(comparison.differences.count > 8 ? "; …" : "")")
                }
                CommandOutput.line("\(check): the same numbers (\(comparison.compared) values compared; only the date and command line may differ)")
                return
            }
            let text = report.rendered(as: format)
            if let output {
                try OutputGuard(dataset: place.datasetFile, annotationFolder: place.annotationFolder).check(output: output)
                try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: output))
                CommandOutput.line("wrote \(output)")
            } else if format == .text || format == .markdown {
                CommandOutput.text(text)
            } else {
                CommandOutput.machine(text)
            }
        }
    }
}

extension StudyReport.Format: ExpressibleByArgument {}
