import ArgumentParser
import Foundation
import ReviewCore
import ReviewImport

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
    var referenceOption: ReferenceRule?

    @Option(help: "Bootstrap resamples for the intervals; 0 for none.")
    var resamples: Int = 1000

    @Option(help: "The headline estimator of the rate of inappropriate responses: ppi, rogan-gladen or humans (default: ppi when the study has a recorded sample, else rogan-gladen).")
    var estimator: String?

    @Option(help: "Items with no response in the rates: exclude (default; counted beside every rate) or inappropriate (the paper's convention).")
    var missingResponse = "exclude"

    @Option(parsing: .unconditional, help: "Seed of the bootstrap (same seed, same intervals).", transform: SeedArgument.parse)
    var seed: UInt64 = 1

    @Option(help: "Confidence level of the intervals, between 0 and 1.")
    var confidence: Double = 0.95

    @Option(name: .customLong("cluster-by"), help: "Dataset only: what every interval generalises over: the stimuli the responses came from (stimulus, the default; an item without one is its own cluster), their transcripts or conditions, or none (these responses only).")
    var clusterChoice: String?

    /// The clusters the intervals generalise over; nil for `--cluster-by none`.
    var clusterBy: ClusterKey? {
        guard let clusterChoice else { return .stimulus }
        return clusterChoice == "none" ? nil : ClusterKey(rawValue: clusterChoice)
    }

    @Option(name: .customLong("transport-from"), help: "Dataset only: correct the rate of models without labels of their own with the judge's sensitivity and specificity measured on this model's labels (Rogan–Gladen only; an assumption every rendering names).")
    var transportFrom: String?

    @Option(help: "Dataset only: the multiplicity adjustment of the paired model and setting comparisons: none (the default, labelled unadjusted), holm, bonferroni or bh.")
    var adjust: MultiplicityAdjustment = .none

    @Option(help: "Dataset only: which of each clinician's answers enter every coefficient and the reference: current (the default, after any revision) or first (the first answer, given before the judge was revealed).")
    var answers: AnswerChoice = .current

    /// Which answers of each clinician a report uses.
    enum AnswerChoice: String, ExpressibleByArgument, CaseIterable {
        case current, first
    }

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

    /// What a dataset's table rates.
    var on: RatingCategories { onOption ?? .verdicts }
    /// How the judge's reference is built.
    var reference: ReferenceRule { referenceOption ?? .adjudicated }

    /// How the reference for the judge is built.
    enum ReferenceRule: String, ExpressibleByArgument, CaseIterable {
        case adjudicated, majority
    }

    func validate() throws {
        if let clusterChoice, clusterChoice != "none", ClusterKey(rawValue: clusterChoice) == nil {
            throw ValidationError("--cluster-by must be stimulus, transcript, condition or none, not \"\(clusterChoice)\"")
        }
        if dataset != nil && ratingsFile != nil {
            throw ValidationError("give either a study or dataset, or --ratings FILE.csv, not both")
        }
        if ratingsFile != nil {
            let datasetOnly: [(String, Bool)] = [
                ("--by", by != nil), ("--cluster-by", clusterChoice != nil), ("--annotations", annotations != nil),
                ("--complete", complete), ("--on", onOption != nil), ("--reference", referenceOption != nil),
                ("--raters", raters != nil), ("--min-raters", minRaters != 1), ("--transport-from", transportFrom != nil), ("--adjust", adjust != .none), ("--answers", answers != .current),
            ]
            if let (name, _) = datasetOnly.first(where: { $0.1 }) {
                throw ValidationError("\(name) applies to a dataset, not to --ratings")
            }
        }
        if let problem = AgreementLimits.resamplesProblem(resamples) { throw ValidationError(problem) }
        if minRaters < 1 { throw ValidationError("--min-raters must be 1 or more") }
        if !(confidence > 0 && confidence < 1) { throw ValidationError("--confidence must be between 0 and 1, e.g. 0.95") }
        if let categories, parsedCategories(categories).count > AgreementLimits.maximumCategories {
            throw ValidationError("--categories lists more than \(AgreementLimits.maximumCategories) categories")
        }
        if let categories, parsedCategories(categories).count < 2 {
            throw ValidationError("--categories needs at least two distinct names, e.g. --categories yes,no")
        }
        if categories != nil, dataset != nil, on == .verdicts {
            throw ValidationError("--categories applies to --ratings or --on answers (verdicts are always appropriate,inappropriate)")
        }
    }

    func run() throws {
        try CommandOutput.reportingErrors(command: "agreement") {
            let report = try CommandOutput.withProgress { try ratingsFile.map(ratingsReport) ?? datasetReport() }
            let text = report.rendered(as: format)
            if let output {
                try outputGuard().check(output: output)
                try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: output))
            } else if format == .text || format == .markdown {
                CommandOutput.text(text)
            } else {
                CommandOutput.machine(text)
            }
            if ratingsFile == nil { CommandOutput.note(try LabelPlace.resolve(dataset, annotations: annotations).description) }
        }
    }

    /// What `--output` must not replace: the ratings table, or the dataset and its annotation folder.
    func outputGuard() throws -> OutputGuard {
        if let ratingsFile { return OutputGuard(dataset: URL(fileURLWithPath: ratingsFile)) }
        let place = try LabelPlace.resolve(dataset, annotations: annotations)
        return OutputGuard(dataset: place.datasetFile, annotationFolder: place.annotationFolder)
    }

    func parsedCategories(_ list: String) -> [String] {
        var seen: Set<String> = []
        return list.split(separator: ",").map { $0.trimmedOfWhitespace }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    var engineOptions: AgreementOptions {
        AgreementOptions(level: level, resamples: resamples, seed: seed, confidence: confidence, clustered: ratingsFile == nil && clusterBy != nil)
    }

    /// Refuses a table whose bootstrap would run past the documented limit, before any work starts.
    func checkBootstrapCost(_ table: RatingTable, source: String) throws {
        if let problem = AgreementLimits.bootstrapProblem(
            raters: table.raters.count, categories: table.categories.count, items: table.items.count, resamples: resamples) {
            throw InputError(file: source, problem)
        }
    }

    func ratingsReport(_ path: String) throws -> AgreementAnalysis {
        let table = try RatingsTableReader.read(path: path, categories: categories.map(parsedCategories))
        try checkBootstrapCost(table, source: path)
        let summary = AgreementEngine.summarize(table, options: engineOptions)
        return AgreementAnalysis(sourceKind: "ratings", source: path, table: table, options: engineOptions, summary: summary)
    }

    /// The dataset's report; `loaded` gives a place and labels already read (by `report`, which reads them once for
    /// all its sections), else they are resolved and read here.
    func datasetReport(loaded: (place: LabelPlace, labels: StudyLabels)? = nil) throws -> AgreementAnalysis {
        let place = try loaded?.place ?? LabelPlace.resolve(dataset, annotations: annotations)
        if loaded == nil { CommandOutput.printPlaceNotes(place) }
        let path = place.datasetFile.path
        var study = try loaded?.labels ?? place.labels()
        if loaded == nil { CommandOutput.keepUntilExit(study) }
        if answers == .first { study = study.firstAnswers() }
        let data = study.dataset
        let folder = place.annotationFolder
        if let names = raters {
            let wanted = Set(parsedCategories(names))
            let unknown = wanted.subtracting(study.raters)
            if !unknown.isEmpty {
                throw InputError(file: folder.path, "--raters: no log for \(unknown.sorted().joined(separator: ", ")) (raters here: \(study.raters.joined(separator: ", ")))")
            }
            study = study.restricted(to: wanted)
        }
        let answers = study.answerColumns
        let references = study.referenceColumn(adjudicated: reference == .adjudicated, minRaters: minRaters)
        let sample = try place.study.flatMap { try ValidationSample.load(from: $0) }
        let design = sample.map { SampleDesign(sample: $0, dataset: data) }
        let headline = try estimator.map { name -> LabelPlanning.RateEstimator in
            guard let chosen = LabelPlanning.RateEstimator(rawValue: name) else {
                throw UsageError(option: "--estimator", "\"\(TextSanitizer.singleLine(name))\" is not one of \(LabelPlanning.RateEstimator.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return chosen
        }
        guard let missingResponses = MissingResponse(rawValue: missingResponse) else {
            throw UsageError(option: "--missing-response", "\"\(TextSanitizer.singleLine(missingResponse))\" is not exclude or inappropriate")
        }

        if let transportFrom {
            // The source of a transport must have labels of its own: else there is nothing to transport.
            let labelled = data.items.indices.contains { data.items[$0].subject.name == transportFrom && data.items[$0].judge != nil && references[$0] != nil }
            guard labelled else {
                throw UsageError(option: "--transport-from", "model \"\(TextSanitizer.singleLine(transportFrom))\" has no judged item with a human reference in \(data.name)")
            }
        }

        func report(positions: [Int]) throws -> AgreementAnalysis {
            let table = try DatasetRatings.table(
                items: data.items, positions: positions, answers: answers, on: on,
                fixedCategories: categories.map(parsedCategories), clusterBy: clusterBy, completeOnly: complete)
            try checkBootstrapCost(table, source: path)
            // With --complete the judge is measured on the same items as the coefficients.
            let tableItems = Set(table.items)
            let judgedPositions = complete ? positions.filter { tableItems.contains(data.items[$0].id) } : positions
            let judge = JudgeAnalysis.analyze(
                items: data.items, positions: judgedPositions, answers: answers,
                references: references,
                options: {
                    var options = JudgeAnalysisOptions(confidence: confidence, resamples: resamples, seed: seed, referenceKind: reference.rawValue,
                                                       headline: headline, missingResponse: missingResponses, design: design)
                    options.clusterBy = clusterBy
                    options.transportFrom = transportFrom
                    return options
                }())
            return AgreementAnalysis(
                sourceKind: "dataset", source: data.name, table: table, options: engineOptions,
                clusterBy: clusterBy?.rawValue, summary: AgreementEngine.summarize(table, options: engineOptions), judge: judge)
        }

        var whole = try report(positions: Array(data.items.indices))
        // The paper's comparisons, paired on the stimuli (the pairing unit even with --cluster-by none).
        whole.comparisons = PairedComparisons.compare(items: data.items, positions: Array(data.items.indices), pairBy: clusterBy ?? .stimulus,
                                                      missingResponse: missingResponses, confidence: confidence, adjust: adjust)
        whole.adjustment = adjust
        whole.answers = self.answers.rawValue
        whole.unjudged = JudgeAnalysis.unjudgedRates(items: data.items, positions: Array(data.items.indices), references: references,
                                                     missingResponse: missingResponses, confidence: confidence)
        if let by {
            var keys: [String] = []
            var members: [String: [Int]] = [:]
            for (position, item) in data.items.enumerated() {
                let key = by.value(of: item)
                if members[key] == nil { keys.append(key) }
                members[key, default: []].append(position)
            }
            whole.groupedBy = by.rawValue
            whole.groups = try keys.sorted().map { ReportGroup(key: $0, report: try report(positions: members[$0] ?? [])) }
        }
        return whole
    }

}

extension ReportFormat: ExpressibleByArgument {}
extension RatingCategories: ExpressibleByArgument {}
extension ClusterKey: ExpressibleByArgument {}
extension BreakdownKey: ExpressibleByArgument {}
extension MultiplicityAdjustment: ExpressibleByArgument {}
