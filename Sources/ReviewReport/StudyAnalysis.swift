// One analysis of a study's labels, computed once per command: `agreement` renders it, `report` builds its sections
// on it. Both commands fill the same settings from their options, so the two cannot drift apart.
import Foundation
import ReviewCore
import ReviewStatistics

/// Every choice that decides a number of the analysis, with the documented defaults.
public struct AnalysisSettings: Sendable, Equatable {
    /// Which answers of each clinician enter the coefficients and the reference.
    public enum Answers: String, Sendable, CaseIterable {
        /// The current answer, after any revision.
        case current
        /// The first live answer, given before the judge was revealed.
        case first
    }

    /// How the judge's reference is built.
    public enum ReferenceRule: String, Sendable, CaseIterable {
        /// Adjudicated where present, else unanimous or majority.
        case adjudicated
        /// The majority of the clinicians, ignoring adjudication.
        case majority
    }

    /// Rate the verdicts (appropriate / inappropriate) or the raw answers.
    public var on: RatingCategories = .verdicts
    /// The categories in a fixed order, when given (`--categories`).
    public var categories: [String]?
    public var level: MeasurementLevel = .nominal
    public var reference: ReferenceRule = .adjudicated
    /// The fewest human labels an item needs to serve as the judge's reference.
    public var minRaters = 1
    /// Only these clinicians, when given.
    public var raters: Set<String>?
    /// Only the items every rater labelled.
    public var completeOnly = false
    /// What the intervals generalise over; nil: these responses only.
    public var clusterBy: ClusterKey? = .stimulus
    public var resamples = 1000
    public var seed: UInt64 = 1
    public var confidence = 0.95
    /// The headline rate estimator; nil: PPI++ with a recorded sample, else Rogan–Gladen.
    public var estimator: LabelPlanning.RateEstimator?
    public var missingResponse: MissingResponse = .exclude
    /// The model whose measured accuracy corrects models without labels of their own (an assumption, named).
    public var transportFrom: String?
    public var adjust: MultiplicityAdjustment = .none
    public var answers: Answers = .current
    /// A breakdown, one sub-analysis per value.
    public var by: BreakdownKey?

    /// The defaults.
    public init() {}

    /// The engine's options for these settings (clustered when a cluster key is set).
    public var engineOptions: AgreementOptions {
        AgreementOptions(level: level, resamples: resamples, seed: seed, confidence: confidence, clustered: clusterBy != nil)
    }
}

/// The analysis of a study's (or dataset's) labels: agreement, the judge against the reference, the rates, the
/// paired comparisons and the unjudged models, overall and per breakdown value.
public enum StudyAnalysis {
    /// The analysis of `labels` with `settings`; `sample` is the study's recorded validation sample, if any, and
    /// `source` names the dataset file in errors.
    public static func analyze(_ labels: StudyLabels, sample: ValidationSample?, settings: AnalysisSettings,
                               source: String, annotationFolder: String, furtherJudges: [JudgeAnswers] = []) throws -> AgreementAnalysis {
        var study = settings.answers == .first ? labels.firstAnswers() : labels
        let data = study.dataset
        if let wanted = settings.raters {
            let unknown = wanted.subtracting(study.raters)
            if !unknown.isEmpty {
                throw InputError(file: annotationFolder, "--raters: no log for \(unknown.sorted().joined(separator: ", ")) (raters here: \(study.raters.joined(separator: ", ")))")
            }
            study = study.restricted(to: wanted)
        }
        let answers = study.answerColumns
        let references = study.referenceColumn(adjudicated: settings.reference == .adjudicated, minRaters: settings.minRaters)
        let design = sample.map { SampleDesign(sample: $0, dataset: data) }
        if let transportFrom = settings.transportFrom {
            // The source of a transport must have labels of its own: else there is nothing to transport.
            let labelled = data.items.indices.contains { data.items[$0].subject.name == transportFrom && data.items[$0].judge != nil && references[$0] != nil }
            guard labelled else {
                throw UsageError(option: "--transport-from", "model \"\(TextSanitizer.singleLine(transportFrom))\" has no judged item with a human reference in \(data.name)")
            }
        }
        let engineOptions = settings.engineOptions

        /// The coefficients and the judge's analysis of the items at `positions`; for the whole study (`whole`)
        /// also the paired comparisons and the rates of unjudged items. Those share nothing but their inputs (each
        /// draws its own seeded resamples), so they are worked out side by side; with `--complete` the judge
        /// waits for the table, whose items it is measured on.
        func analysis(positions: [Int], whole: Bool = false) throws -> AgreementAnalysis {
            var options = JudgeAnalysisOptions(confidence: settings.confidence, resamples: settings.resamples, seed: settings.seed,
                                               referenceKind: settings.reference.rawValue, headline: settings.estimator,
                                               missingResponse: settings.missingResponse, design: design)
            options.clusterBy = settings.clusterBy
            options.transportFrom = settings.transportFrom
            let judgeOptions = options
            @Sendable func table() throws -> RatingTable {
                let table = try DatasetRatings.table(
                    items: data.items, positions: positions, answers: answers, on: settings.on,
                    fixedCategories: settings.categories, clusterBy: settings.clusterBy, completeOnly: settings.completeOnly, level: settings.level)
                try checkBootstrapCost(table, resamples: settings.resamples, source: source)
                return table
            }
            // With --complete the judge is measured on the same items as the coefficients: the table first.
            let completeTable = settings.completeOnly ? try table() : nil
            let judgedPositions = completeTable.map { table in
                let tableItems = Set(table.items)
                return positions.filter { tableItems.contains(data.items[$0].id) }
            } ?? positions
            let tasks: [AnalysisTask] = [.summary, .judge] + (whole ? [.comparisons, .unjudged] : [])
            let parts = ParallelWork.map(parts: tasks.count) { part -> AnalysisPart in
                switch tasks[part] {
                case .summary:
                    return .summary(Result {
                        let table = try completeTable ?? table()
                        return (table, AgreementEngine.summarize(table, options: engineOptions),
                                AgreementAnalysis.humansOnly(of: table, options: engineOptions))
                    })
                case .judge:
                    return .judge(JudgeAnalysis.analyze(items: data.items, positions: judgedPositions, answers: answers,
                                                        references: references, options: judgeOptions))
                case .comparisons:
                    // The paper's comparisons, paired on the stimuli (the pairing unit even with --cluster-by none).
                    return .comparisons(PairedComparisons.compare(
                        items: data.items, positions: positions, pairBy: settings.clusterBy ?? .stimulus,
                        missingResponse: settings.missingResponse, confidence: settings.confidence, adjust: settings.adjust))
                case .unjudged:
                    return .unjudged(JudgeAnalysis.unjudgedRates(
                        items: data.items, positions: positions, references: references,
                        missingResponse: settings.missingResponse, confidence: settings.confidence))
                }
            }
            var summary: (table: RatingTable, summary: AgreementSummary, humansOnly: AgreementAnalysis.HumansOnly)?
            var judge: JudgeReport?
            var comparisons: [RateComparison] = []
            var unjudged: [UnjudgedRate] = []
            for part in parts {
                switch part {
                case .summary(let worked): summary = try worked.get()
                case .judge(let worked): judge = worked
                case .comparisons(let worked): comparisons = worked
                case .unjudged(let worked): unjudged = worked
                }
            }
            let worked = try summary ?? {
                let table = try table()
                return (table, AgreementEngine.summarize(table, options: engineOptions),
                        AgreementAnalysis.humansOnly(of: table, options: engineOptions))
            }()
            var analysis = AgreementAnalysis(
                sourceKind: "dataset", source: data.name, table: worked.table, options: engineOptions,
                clusterBy: settings.clusterBy?.rawValue, summary: worked.summary, judge: judge, humansOnly: worked.humansOnly)
            if whole {
                analysis.comparisons = comparisons
                analysis.unjudged = unjudged
            }
            return analysis
        }

        let all = Array(data.items.indices)
        var whole = try analysis(positions: all, whole: true)
        whole.adjustment = settings.adjust
        whole.answers = settings.answers.rawValue
        whole.furtherJudges = furtherJudges.map { further in
            let judged = further.items(data.items)
            var options = JudgeAnalysisOptions(confidence: settings.confidence, resamples: settings.resamples, seed: settings.seed,
                                               referenceKind: settings.reference.rawValue, headline: settings.estimator,
                                               missingResponse: settings.missingResponse, design: design)
            options.clusterBy = settings.clusterBy
            let report = JudgeAnalysis.analyze(items: judged, positions: all, answers: answers, references: references, options: options)
            let ownName = whole.judge?.judges.joined(separator: ", ") ?? "the study's judge"
            let paired = whole.judge == nil ? nil : PairedJudgeAccuracy.compare(
                first: (ownName, data.items), second: (JudgeRater.name(model: further.name), judged), positions: all,
                references: references, pairBy: settings.clusterBy ?? .stimulus, clusterBy: settings.clusterBy, design: design,
                confidence: settings.confidence)
            let summary = { (table: RatingTable?) in table.map { AgreementAnalysis.flagged(AgreementEngine.summarize($0, options: engineOptions)) } }
            return FurtherJudgeAnalysis(name: further.name, model: further.model, origin: further.origin, report: report, paired: paired,
                                        selfConsistency: summary(further.selfConsistencyTable(data.items, clusterBy: settings.clusterBy)),
                                        positionBias: summary(further.positionTable(data.items, clusterBy: settings.clusterBy)))
        }
        if let by = settings.by {
            var keys: [String] = []
            var members: [String: [Int]] = [:]
            for (position, item) in data.items.enumerated() {
                let key = by.value(of: item)
                if members[key] == nil { keys.append(key) }
                members[key, default: []].append(position)
            }
            whole.groupedBy = by.rawValue
            whole.groups = try keys.sorted().map { ReportGroup(key: $0, report: try analysis(positions: members[$0] ?? [])) }
        }
        return whole
    }

    /// The pieces of an analysis worked out side by side.
    private enum AnalysisTask: Sendable {
        case summary, judge, comparisons, unjudged
    }

    /// One piece's result.
    private enum AnalysisPart: Sendable {
        case summary(Result<(table: RatingTable, summary: AgreementSummary, humansOnly: AgreementAnalysis.HumansOnly), any Error>)
        case judge(JudgeReport?)
        case comparisons([RateComparison])
        case unjudged([UnjudgedRate])
    }

    /// The analysis of a ratings table (no judge, no items): the coefficients only.
    public static func analyze(ratings table: RatingTable, settings: AnalysisSettings, source: String) throws -> AgreementAnalysis {
        try checkBootstrapCost(table, resamples: settings.resamples, source: source)
        var options = settings.engineOptions
        options.clustered = false
        return AgreementAnalysis(sourceKind: "ratings", source: source, table: table, options: options,
                                 summary: AgreementEngine.summarize(table, options: options))
    }

    /// Refuses a table whose bootstrap would run past the documented limit, before any work starts.
    static func checkBootstrapCost(_ table: RatingTable, resamples: Int, source: String) throws {
        if let problem = AgreementLimits.bootstrapProblem(
            raters: table.raters.count, categories: table.categories.count, items: table.items.count, resamples: resamples) {
            throw InputError(file: source, problem)
        }
    }
}
