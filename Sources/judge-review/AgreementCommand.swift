import ArgumentParser
import Foundation
import ReviewStatistics
import ReviewCore
import ReviewReport
import ReviewImport
import ReviewJudge

#if canImport(Glibc)
import Glibc
#endif

/// `judge-review agreement`: agreement between raters (and the judge), with intervals, on a dataset or a ratings table.
struct AgreementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement",
        abstract: "Agreement between raters and the judge, with bootstrap intervals, on a dataset or a ratings table.",
        discussion: """
            On a dataset: every human rater's current labels (Annotations/<dataset>/ or --annotations) and the judge \
            (as rater judge:<model>), on the items some human labelled; then the judge against each human and against \
            the human reference, and the rate of inappropriate responses as the judge reports it and corrected for its \
            measured error. On a ratings table (--ratings FILE.csv, header item,<rater>,...; an empty cell is missing): \
            the coefficients only.

            Examples:
              judge-review agreement gpt-4o.jsonl --by condition
              judge-review agreement --ratings t.csv --categories low,mid,high --level ordinal
            """)

    @Argument(help: "A study folder (or a path inside one) or a dataset .jsonl file; default: the study around the current folder.")
    var dataset: String?

    @Option(name: .customLong("ratings"), help: "A ratings table instead of a dataset: header item,<rater>,..., one row per item.")
    var ratingsFile: String?

    @Option(help: "The annotation folder, when the logs are not where the study or dataset keeps them.")
    var annotations: String?

    @Option(help: "Scale of the categories: nominal, ordinal, interval or ratio (default: nominal).", transform: Self.parseLevel)
    var level: MeasurementLevel = .nominal

    @Option(help: "Comma-separated categories, fixing the set and order (default: the sorted observed values).")
    var categories: String?

    @Option(name: .customLong("on"), help: "Dataset only: rate the verdicts (appropriate / inappropriate, the default) or the raw answers.")
    var onOption: RatingCategories?

    @Option(name: .customLong("reference"), help: "Dataset only: the judge's reference: adjudicated (the default: adjudicated where present, else unanimous or majority) or majority.")
    var referenceOption: AnalysisSettings.ReferenceRule?

    @Option(help: "Bootstrap resamples for the intervals; 0 for none.")
    var resamples: Int = 1000

    @Option(help: "The headline estimator of the rate of inappropriate responses: ppi, rogan-gladen or humans (default: ppi when the study has a recorded sample, else rogan-gladen).")
    var estimator: LabelPlanning.RateEstimator?

    @Option(help: "Items with no response in the rates: exclude (default; counted beside every rate) or inappropriate (the paper's convention; a clinician's label on one is kept).")
    var missingResponse: MissingResponse = .exclude

    @Option(parsing: .unconditional, help: "Seed of the bootstrap (same seed, same intervals).", transform: SeedArgument.parse)
    var seed: UInt64 = 1

    @Option(help: "Confidence level of the intervals, between 0 and 1.")
    var confidence: Double = 0.95

    @Option(name: .customLong("cluster-by"), help: "Dataset only: what every interval generalises over: the stimuli the responses came from (stimulus, the default; an item without one is its own cluster), their transcripts or conditions, or none (these responses only).")
    var clusterBy: ClusterChoice?

    @Option(name: .customLong("transport-from"), help: "Dataset only: correct the rate of models without labels of their own with the judge's sensitivity and specificity measured on this model's labels (Rogan–Gladen only; an assumption every rendering names).")
    var transportFrom: String?

    @Option(help: "Dataset only: the multiplicity adjustment of the paired model and setting comparisons: none (the default, labelled unadjusted), holm, bonferroni or bh.")
    var adjust: MultiplicityAdjustment = .none

    @Option(help: "Dataset only: which of each clinician's answers enter every coefficient and the reference: current (the default, after any revision) or first (the first answer, given before the judge was revealed).")
    var answers: AnalysisSettings.Answers = .current

    @Option(help: "Dataset only: also report each condition, model or criterion separately.")
    var by: BreakdownKey?

    @Flag(help: "Dataset only: keep only the items every rater (and the judge) labelled; the judge section uses the same items.")
    var complete = false

    @Option(help: "Dataset only: report only these human raters (comma-separated), e.g. the paper's two annotators.")
    var raters: String?

    @Option(name: .customLong("min-raters"), help: "Dataset only: the fewest human labels an item needs to serve as the judge's reference (default 1: a single clinician's label counts, reported as single).")
    var minRaters: Int = 1

    @Option(help: "Output format: text, json, markdown or csv.")
    var format: ReportFormat = .text

    @Option(help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    /// `--level` parsed without a retroactive conformance of `MeasurementLevel` (other commands may add one).
    static func parseLevel(_ text: String) throws -> MeasurementLevel {
        guard let level = MeasurementLevel(rawValue: text) else {
            throw ValidationError("--level must be one of \(MeasurementLevel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return level
    }

    func validate() throws {
        if dataset != nil && ratingsFile != nil {
            throw ValidationError("give either a study or dataset, or --ratings FILE.csv, not both")
        }
        if ratingsFile != nil {
            let datasetOnly: [(String, Bool)] = [
                ("--by", by != nil), ("--cluster-by", clusterBy != nil), ("--annotations", annotations != nil),
                ("--complete", complete), ("--on", onOption != nil), ("--reference", referenceOption != nil),
                ("--raters", raters != nil), ("--min-raters", minRaters != 1), ("--transport-from", transportFrom != nil),
                ("--adjust", adjust != .none), ("--answers", answers != .current),
            ]
            if let (name, _) = datasetOnly.first(where: { $0.1 }) {
                throw ValidationError("\(name) applies to a dataset, not to --ratings")
            }
        }
        if let problem = AgreementLimits.resamplesProblem(resamples) { throw ValidationError(problem) }
        if minRaters < 1 { throw ValidationError("--min-raters must be 1 or more") }
        if !(confidence > 0 && confidence < 1) { throw ValidationError("--confidence must be between 0 and 1, e.g. 0.95") }
        if let categories, ListArgument.parse(categories).count > AgreementLimits.maximumCategories {
            throw ValidationError("--categories lists more than \(AgreementLimits.maximumCategories) categories")
        }
        if let categories, ListArgument.parse(categories).count < 2 {
            throw ValidationError("--categories needs at least two distinct names, e.g. --categories yes,no")
        }
        if categories != nil, dataset != nil, (onOption ?? .verdicts) == .verdicts {
            throw ValidationError("--categories applies to --ratings or --on answers (verdicts are always appropriate,inappropriate)")
        }
    }

    /// The settings these options ask for (the same value `report` builds from its own options).
    var settings: AnalysisSettings {
        var settings = AnalysisSettings()
        settings.on = onOption ?? .verdicts
        settings.categories = categories.map(ListArgument.parse)
        settings.level = level
        settings.reference = referenceOption ?? .adjudicated
        settings.minRaters = minRaters
        settings.raters = raters.map { Set(ListArgument.parse($0)) }
        settings.completeOnly = complete
        settings.clusterBy = (clusterBy ?? .stimulus).key
        settings.resamples = resamples
        settings.seed = seed
        settings.confidence = confidence
        settings.estimator = estimator
        settings.missingResponse = missingResponse
        settings.transportFrom = transportFrom
        settings.adjust = adjust
        settings.answers = answers
        settings.by = by
        return settings
    }

    func run() throws {
        try CommandOutput.reportingErrors(command: "agreement") {
            let report: AgreementAnalysis
            var place: LabelPlace?
            if let ratingsFile {
                let table = try RatingsTableReader.read(path: ratingsFile, categories: categories.map(ListArgument.parse))
                report = try StudyAnalysis.analyze(ratings: table, settings: settings, source: ratingsFile)
            } else {
                let found = try LabelPlace.resolve(dataset, annotations: annotations)
                CommandOutput.printPlaceNotes(found)
                let (labels, noLabels) = try CommandOutput.withProgress { try found.labelsForAnalysis(explicitFolder: annotations != nil) }
                if let noLabels { CommandOutput.warning(noLabels) }
                CommandOutput.keepUntilExit(labels)
                CommandOutput.printReplayNotes(labels)
                let sample = try found.study.flatMap { try ValidationSample.load(from: $0) }
                let judges = try JudgeLog.answers(annotationFolder: found.annotationFolder, dataset: labels.dataset)
                report = try CommandOutput.withProgress {
                    try StudyAnalysis.analyze(labels, sample: sample, settings: settings, source: found.datasetFile.path,
                                              annotationFolder: found.annotationFolder.path, furtherJudges: judges)
                }
                place = found
            }
            let text = report.rendered(as: format)
            if let output {
                // What --output must not replace: the dataset and its annotation folder, or the ratings table.
                let guardrail = place.map { OutputGuard(dataset: $0.datasetFile, annotationFolder: $0.annotationFolder) }
                    ?? ratingsFile.map { OutputGuard(dataset: URL(fileURLWithPath: $0)) }
                try guardrail?.check(output: output)
                try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: output))
            } else if format == .text || format == .markdown {
                CommandOutput.text(text)
            } else {
                CommandOutput.machine(text)
            }
            if let place { CommandOutput.note(place.description) }
        }
    }
}

/// `--cluster-by`: a cluster key, or none (the intervals are over these responses only).
enum ClusterChoice: String, ExpressibleByArgument, CaseIterable {
    case stimulus, transcript, condition, none

    /// The key the analysis clusters by; nil for none.
    var key: ClusterKey? { ClusterKey(rawValue: rawValue) }
}

/// A comma-separated list option (`--categories`, `--raters`): trimmed, empty entries and repeats left out.
enum ListArgument {
    static func parse(_ list: String) -> [String] {
        var seen: Set<String> = []
        return list.split(separator: ",").map { $0.trimmedOfWhitespace }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}

extension ReportFormat: ExpressibleByArgument {}
extension RatingCategories: ExpressibleByArgument {}
extension ClusterKey: ExpressibleByArgument {}
extension BreakdownKey: ExpressibleByArgument {}
extension MultiplicityAdjustment: ExpressibleByArgument {}
extension MissingResponse: ExpressibleByArgument {}
extension LabelPlanning.RateEstimator: ExpressibleByArgument {}
extension AnalysisSettings.Answers: ExpressibleByArgument {}
extension AnalysisSettings.ReferenceRule: ExpressibleByArgument {}
