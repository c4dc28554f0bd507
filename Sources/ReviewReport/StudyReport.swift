import Foundation
import ReviewCore
import ReviewStatistics

/// The study report a researcher can publish (`judge-review report`): the paper's figure judge-corrected, the
/// judge's agreement with clinicians, the clinicians' own agreement, and how the labelling went.
public struct StudyReport: Sendable, Equatable {
    /// An estimate with its interval.
    public struct Interval: Sendable, Equatable {
        public var value: Double?
        public var low: Double?
        public var high: Double?

        /// The complementary share (appropriate from inappropriate), its interval flipped.
        var complement: Interval {
            Interval(value: value.map { 1 - $0 }, low: high.map { 1 - $0 }, high: low.map { 1 - $0 })
        }
    }

    /// One row of the paper's figure: percent appropriate, as the judge reports it and as estimated.
    public struct RateRow: Sendable, Equatable {
        public var scope: String
        /// Items with a judge verdict in the rate.
        public var judged: Int
        /// Items with no response (left out or counted inappropriate, as the report says).
        public var missing: Int
        /// Share appropriate by the judge (Wilson).
        public var reported: Interval
        /// Share appropriate by the headline estimator.
        public var estimated: Interval
        public var estimator: String
        /// What the estimate's labels are worth in human-only labels.
        public var effectiveLabels: Double?
        public var note: String?
        /// Clusters (stimuli) the interval generalises over; nil: over these responses.
        public var clusters: Int? = nil
        /// The design effect of the clusters on the judge's verdict.
        public var designEffect: Double? = nil
        /// Whether the interval may be taken at its word (`RateEstimate.isTrusted`).
        public var trusted = true
        /// The model whose measured accuracy was transported to this scope (`--transport-from`), or nil.
        public var transportedFrom: String? = nil
    }

    /// The judge against the human reference in one scope.
    public struct AccuracyRow: Sendable, Equatable {
        public var scope: String
        public var confusion: ConfusionMatrix
        public var sensitivity: Interval
        public var specificity: Interval
        public var weighted: Bool
    }

    /// One coefficient between raters.
    public struct AgreementRow: Sendable, Equatable {
        public var raters: String
        public var measure: String
        public var estimate: Interval
        public var n: Int
        /// What the interval cannot say (zero width, few items), or nil.
        public var note: String? = nil
    }

    /// One clinician's labelling.
    public struct EffortRow: Sendable, Equatable {
        public var rater: String
        public var labelled: Int
        /// Median seconds on an item (from the label events' timings).
        public var medianSeconds: Double?
        /// Items answered blind first.
        public var blindFirst: Int
        /// Of those, answers changed after the judge was revealed: toward the judge's verdict, away from it.
        public var revisedTowardJudge: Int
        public var revisedAwayFromJudge: Int
    }

    public var study: String
    public var estimator: String
    public var missingResponse: String
    public var resamples: Int
    public var confidence: Double
    public var byModel: [RateRow]
    public var byCondition: [RateRow]
    /// Per subject model and setting (steel-man prompt, context), when some model was run under more than one.
    public var bySetting: [RateRow] = []
    public var accuracy: [AccuracyRow]
    public var agreement: [AgreementRow]
    public var referenceSources: [(source: String, items: Int)]
    public var effort: [EffortRow]
    /// Each clinician's practice answers against gold and hidden repeats against the first showing.
    public var consistency: [RaterConsistency] = []
    /// Adjudication and design status, as `status` prints them.
    public var progress: [String]
    /// Model against model and setting against setting on the same stimuli, and the multiplicity policy.
    public var comparisons: [RateComparison] = []
    /// Further judges run through an endpoint, against the reference and paired with the study's judge.
    public var furtherJudges: [FurtherJudgeAnalysis] = []
    public var adjustment: MultiplicityAdjustment = .none
    /// What `agreement` notes about the input (codes treated as missing, items without a cluster, …): every
    /// rendering of the report carries them too.
    public var notes: [String] = []
    /// Every note of the analysis the report rests on, each once: what `agreement --format json` says under
    /// `note`, `notes`, `reason` and `statement` anywhere in the same analysis (every scope, estimator, pair and
    /// comparison), so no rendering of the report can leave one out.
    public var analysisNotes: [String] = []
    /// How the report was made (tool, command, settings, date, the files read and their digests).
    public var manifest: ReportManifest?
    /// The sampling design, each pair's 2×2 table and the reporting checklist.
    public var publication = PublicationSections()
    /// Which of each clinician's answers entered: `current` or `first`.
    public var answers = "current"

    public static func == (lhs: StudyReport, rhs: StudyReport) -> Bool {
        lhs.study == rhs.study && lhs.byModel == rhs.byModel && lhs.byCondition == rhs.byCondition && lhs.bySetting == rhs.bySetting && lhs.accuracy == rhs.accuracy
            && lhs.agreement == rhs.agreement && lhs.effort == rhs.effort && lhs.progress == rhs.progress && lhs.consistency == rhs.consistency
            && lhs.comparisons == rhs.comparisons && lhs.furtherJudges == rhs.furtherJudges && lhs.adjustment == rhs.adjustment && lhs.notes == rhs.notes && lhs.analysisNotes == rhs.analysisNotes && lhs.manifest == rhs.manifest && lhs.publication == rhs.publication
            && lhs.referenceSources.map(\.source) == rhs.referenceSources.map(\.source)
            && lhs.referenceSources.map(\.items) == rhs.referenceSources.map(\.items)
    }

    /// The report from an agreement analysis grouped by condition and the study's labels.
    public static func build(study: String, analysis: AgreementAnalysis, labels: StudyLabels, progress: [String],
                             missingResponse: MissingResponse, gold: [String: String] = [:],
                             settingGroups: [ReportGroup] = [], sample: ValidationSample? = nil,
                             assignment: RaterAssignment? = nil) -> StudyReport {
        func rows(_ judge: JudgeReport?, scope: (JudgeRate) -> String) -> [RateRow] {
            (judge?.rates ?? []).map { rate in
                let headline = rate.headlineEstimate
                return RateRow(
                    scope: scope(rate), judged: rate.reported.n, missing: rate.missingResponses,
                    reported: Interval(value: rate.reported.value, low: rate.reported.low, high: rate.reported.high).complement,
                    estimated: Interval(value: headline?.value, low: headline?.low, high: headline?.high).complement,
                    estimator: rate.headline.rawValue, effectiveLabels: headline?.effectiveN, note: headline?.note,
                    clusters: headline?.clusters, designEffect: headline?.designEffect, trusted: headline?.isTrusted ?? false,
                    transportedFrom: headline?.transportedFrom)
            }
        }
        // Models no judge scored (live bots, human therapists) come after, from the clinicians' labels alone.
        let byModel = rows(analysis.judge) { $0.model ?? "all models" } + analysis.unjudged.map { rate in
            RateRow(scope: rate.model, judged: 0, missing: rate.missingResponses, reported: Interval(value: nil, low: nil, high: nil),
                    estimated: Interval(value: rate.estimate.value, low: rate.estimate.low, high: rate.estimate.high).complement,
                    estimator: rate.estimate.estimator.rawValue,
                    effectiveLabels: rate.estimate.effectiveN,
                    note: rate.estimate.note, trusted: rate.estimate.isTrusted)
        }
        let byCondition = analysis.groups.flatMap { group in rows(group.report.judge) { _ in group.key }.prefix(1) }
        let bySetting = settingGroups.flatMap { group in rows(group.report.judge) { _ in group.key }.prefix(1) }
        func accuracy(_ judge: JudgeReport?, scope: String) -> AccuracyRow? {
            guard let comparison = judge?.againstReference else { return nil }
            if let weighted = comparison.weighted {
                return AccuracyRow(scope: scope, confusion: comparison.confusion,
                                   sensitivity: Interval(value: weighted.sensitivity.value, low: weighted.sensitivity.low, high: weighted.sensitivity.high),
                                   specificity: Interval(value: weighted.specificity.value, low: weighted.specificity.low, high: weighted.specificity.high),
                                   weighted: true)
            }
            return AccuracyRow(scope: scope, confusion: comparison.confusion,
                               sensitivity: Interval(value: comparison.sensitivity.value, low: comparison.sensitivity.low, high: comparison.sensitivity.high),
                               specificity: Interval(value: comparison.specificity.value, low: comparison.specificity.low, high: comparison.specificity.high),
                               weighted: false)
        }
        let accuracyRows = ([accuracy(analysis.judge, scope: "all conditions")] + analysis.groups.map { accuracy($0.report.judge, scope: $0.key) }).compactMap { $0 }
        var agreement: [AgreementRow] = []
        let binary = analysis.categories.count == 2
        for pair in analysis.summary.pairs {
            // Each kappa beside what it must be read with: the prevalence and bias indices, PABAK and AC1.
            for kind in [CoefficientKind.cohenKappa, .percentAgreement, .bennettS, .gwetAC1] {
                guard let result = pair.coefficients[kind] else { continue }
                var notes = [result.value == nil ? nil : result.reason].compactMap { $0 }
                if kind == .cohenKappa, let indices = pair.indices, let prevalence = indices.prevalenceIndex, let bias = indices.biasIndex {
                    notes.append(String(format: "prevalence index %.2f, bias index %.2f", prevalence, bias))
                }
                if kind == .bennettS, binary { notes.insert("PABAK", at: 0) }
                agreement.append(AgreementRow(raters: pair.raters.joined(separator: " × "), measure: kind == .bennettS && binary ? "pabak" : kind.rawValue,
                                              estimate: Interval(value: result.value, low: result.ciLow, high: result.ciHigh), n: result.n,
                                              note: notes.isEmpty ? nil : IntervalTrust.warningsFirst(notes)))
            }
        }
        for kind in [CoefficientKind.fleissKappa, .krippendorffAlpha] {
            guard let result = analysis.summary.overall[kind] else { continue }
            agreement.append(AgreementRow(raters: "all raters", measure: kind.rawValue,
                                          estimate: Interval(value: result.value, low: result.ciLow, high: result.ciHigh), n: result.n,
                                          note: result.value == nil ? nil : result.reason))
        }
        let sources = ReferenceSource.allCases.map { ($0.rawValue, analysis.judge?.referenceCounts[$0] ?? 0) }
        var report = StudyReport(
            study: study, estimator: byModel.first?.estimator ?? "", missingResponse: missingResponse.rawValue,
            resamples: analysis.options.resamples, confidence: analysis.options.confidence,
            byModel: byModel, byCondition: byCondition, bySetting: bySetting, accuracy: accuracyRows, agreement: agreement,
            referenceSources: sources, effort: effort(labels),
            consistency: RaterConsistency.rows(labels: labels, gold: gold, resamples: analysis.options.resamples,
                                               seed: analysis.options.seed, confidence: analysis.options.confidence,
                                               clusterBy: analysis.clusterBy.flatMap(ClusterKey.init(rawValue:))),
            progress: progress)
        report.comparisons = analysis.comparisons
        report.furtherJudges = analysis.furtherJudges
        report.notes = analysis.summary.notes
        report.analysisNotes = JSONValue.uniqued(analysis.allNotes + settingGroups.flatMap { $0.report.allNotes })
        report.answers = analysis.answers ?? "current"
        report.publication = PublicationSections.build(analysis: analysis, labels: labels, sample: sample, assignment: assignment,
                                                       effort: report.effort, missingResponse: missingResponse)
        report.adjustment = analysis.adjustment
        return report
    }

    /// Each clinician's effort and anchoring, from their log.
    static func effort(_ labels: StudyLabels) -> [EffortRow] {
        let dataset = labels.dataset
        return labels.humanReplays.map { replay in
            var seconds: [Double] = []
            var blindFirst = 0, toward = 0, away = 0
            let firstByItem = replay.firstLabels
            for position in dataset.items.indices {
                guard let current = replay.current(at: position), current.kind == .label else { continue }
                if let ms = current.ms, ms > 0 { seconds.append(Double(ms) / 1000) }
                let item = dataset.items[position]
                guard let first = firstByItem[item.id], first.mode == .blind else { continue }
                blindFirst += 1
                let before = first.verdict ?? item.criterion.verdict(for: first.answer)
                let after = current.verdict ?? item.criterion.verdict(for: current.answer)
                let judge = item.judgeVerdict
                guard before != after, judge != .noVerdict else { continue }
                if after == judge { toward += 1 } else if before == judge { away += 1 }
            }
            return EffortRow(rater: replay.rater, labelled: replay.labeledCount, medianSeconds: StudyMeasurements.median(seconds),
                             blindFirst: blindFirst, revisedTowardJudge: toward, revisedAwayFromJudge: away)
        }
    }
}
