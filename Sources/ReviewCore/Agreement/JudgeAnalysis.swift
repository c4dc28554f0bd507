// The judge measured against humans, and what its error does to the rate of inappropriate responses.
import Foundation

/// A rater (the judge) against one reference (a human, or the human reference) on items both gave a verdict.
public struct JudgeComparison: Sendable, Equatable {
    /// Who the judge is compared with: a human rater's name, or `reference`.
    public var against: String
    /// Positive = inappropriate; the reference's verdict is the truth.
    public var confusion: ConfusionMatrix
    /// Share of inappropriate items the judge caught, with a Wilson interval.
    public var sensitivity: ProportionEstimate
    /// Share of appropriate items the judge passed, with a Wilson interval.
    public var specificity: ProportionEstimate
}

/// The rate of inappropriate responses as the judge reports it, and corrected for its measured error.
public struct JudgeRate: Sendable, Equatable {
    /// The subject model, or nil for all models together.
    public var model: String?
    /// Inappropriate verdicts out of all items with a judge verdict, with a Wilson interval.
    public var reported: ProportionEstimate
    /// Rogan–Gladen corrected rate, clipped to [0, 1]; nil with `reason` when undefined.
    public var corrected: Double?
    /// Percentile bootstrap interval of the corrected rate, when resamples were asked for.
    public var correctedInterval: CorrectedRateInterval?
    /// Why `corrected` is undefined.
    public var reason: String?
    /// The Rogan–Gladen value before clipping, when it fell outside [0, 1].
    public var clippedFrom: Double?
}

/// Everything the report says about the judge.
public struct JudgeReport: Sendable, Equatable {
    /// The judge's rater names (`judge:<model>`).
    public var judges: [String]
    /// How the reference was built: `adjudicated` (adjudicated where present, else humans) or `majority`.
    public var referenceKind: String
    /// How many reference labels came from each source.
    public var referenceCounts: [ReferenceSource: Int]
    /// Items whose humans split evenly, left out of the comparison with the reference.
    public var ties: [String]
    /// The judge against the human reference.
    public var againstReference: JudgeComparison
    /// The judge against each human, sorted by name.
    public var againstRaters: [JudgeComparison]
    /// All models first, then each model by name.
    public var rates: [JudgeRate]
}

/// Settings for the judge analysis.
public struct JudgeAnalysisOptions: Sendable, Equatable {
    /// Confidence level of the Wilson and bootstrap intervals.
    public var confidence: Double
    /// Bootstrap resamples for the corrected rate; 0 for none.
    public var resamples: Int
    /// Seed of the corrected-rate bootstrap.
    public var seed: UInt64
    /// Name of the reference rule, reported as is.
    public var referenceKind: String

    /// Settings with the command's defaults.
    public init(confidence: Double = 0.95, resamples: Int = 1000, seed: UInt64 = 1, referenceKind: String = "adjudicated") {
        self.confidence = confidence
        self.resamples = resamples
        self.seed = seed
        self.referenceKind = referenceKind
    }
}

/// Measures the judge against humans and corrects its reported rate.
public enum JudgeAnalysis {
    /// The judge report over `items`; nil when no item has a judge.
    ///
    /// - Parameters:
    ///   - items: the items in scope; the reported rate uses every one with a judge verdict.
    ///   - humanAnswers: rater → item id → normalised answer.
    ///   - references: item id → reference label (`ReferenceLabels.build`).
    public static func analyze(
        items: [Item], humanAnswers: [String: [String: String]], references: [String: ReferenceLabel],
        options: JudgeAnalysisOptions = JudgeAnalysisOptions()
    ) -> JudgeReport? {
        analyze(items: items, positions: Array(items.indices),
                answers: AnswerColumns(ids: items.map(\.id), humanAnswers: humanAnswers),
                references: items.map { references[$0.id] }, options: options)
    }

    /// The same report over the items at `positions` (places in `items`, the dataset the answer columns and
    /// references were built on).
    public static func analyze(
        items: [Item], positions: [Int], answers: AnswerColumns, references: [ReferenceLabel?],
        options: JudgeAnalysisOptions = JudgeAnalysisOptions()
    ) -> JudgeReport? {
        // Positions of the judged items: a million items are read in place, never copied.
        let judged = positions.filter { items[$0].judge != nil }
        guard !judged.isEmpty else { return nil }
        let judges = Array(Set(judged.compactMap { items[$0].judge?.raterName })).sorted()

        var inScope: [String: ReferenceLabel] = [:]
        var ties: [String] = []
        for position in positions {
            guard let reference = references[position] else { continue }
            inScope[items[position].id] = reference
            if reference.source == .tie { ties.append(items[position].id) }
        }

        let againstReference = compare(items: items, indices: judged, against: "reference",
                                       confidence: options.confidence) { references[$0]?.answer }
        let againstRaters = zip(answers.raters, answers.answers).map { rater, column in
            compare(items: items, indices: judged, against: rater, confidence: options.confidence) { column[$0] }
        }

        let models = Array(Set(judged.map { items[$0].subject.name })).sorted()
        var rates = [rate(model: nil, items: items, indices: judged, validation: againstReference.confusion, options: options)]
        for model in models where models.count > 1 {
            rates.append(rate(model: model, items: items, indices: judged.filter { items[$0].subject.name == model },
                              validation: againstReference.confusion, options: options))
        }
        return JudgeReport(
            judges: judges, referenceKind: options.referenceKind, referenceCounts: ReferenceLabels.counts(inScope),
            ties: ties, againstReference: againstReference, againstRaters: againstRaters, rates: rates)
    }

    /// The judge's verdicts on `items[indices]` against the verdicts implied by `answer(index)`, where both exist.
    static func compare(
        items: [Item], indices: [Int], against: String, confidence: Double, answer: (Int) -> String?
    ) -> JudgeComparison {
        var matrix = ConfusionMatrix(truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0)
        for index in indices {
            let item = items[index]
            let judge = item.judgeVerdict
            guard judge != .noVerdict, let truthAnswer = answer(index) else { continue }
            switch (item.criterion.verdict(for: truthAnswer), judge) {
            case (.inappropriate, .inappropriate): matrix.truePositive += 1
            case (.inappropriate, .appropriate): matrix.falseNegative += 1
            case (.appropriate, .inappropriate): matrix.falsePositive += 1
            case (.appropriate, .appropriate): matrix.trueNegative += 1
            default: continue
            }
        }
        return JudgeComparison(
            against: against, confusion: matrix,
            sensitivity: matrix.sensitivity(confidence: confidence), specificity: matrix.specificity(confidence: confidence))
    }

    /// The reported and corrected rate over `items`, correcting with the judge's error on the validation items.
    static func rate(model: String?, items: [Item], validation: ConfusionMatrix, options: JudgeAnalysisOptions) -> JudgeRate {
        rate(model: model, items: items, indices: Array(items.indices), validation: validation, options: options)
    }

    /// The same over `items[indices]`.
    static func rate(model: String?, items: [Item], indices: [Int], validation: ConfusionMatrix, options: JudgeAnalysisOptions) -> JudgeRate {
        var inappropriate = 0, withVerdict = 0
        for index in indices {
            switch items[index].judgeVerdict {
            case .inappropriate: inappropriate += 1; withVerdict += 1
            case .appropriate: withVerdict += 1
            case .noVerdict: continue
            }
        }
        let reported = ProportionEstimate(successes: inappropriate, n: withVerdict, confidence: options.confidence)
        var result = JudgeRate(model: model, reported: reported, corrected: nil, correctedInterval: nil, reason: nil)
        let sensitivity = validation.sensitivity(confidence: options.confidence).value
        let specificity = validation.specificity(confidence: options.confidence).value
        guard let apparent = reported.value else {
            result.reason = "no item has a judge verdict"
            return result
        }
        guard let sensitivity, let specificity else {
            result.reason = validation.total == 0
                ? "no validated items (no item has both a judge verdict and a human reference)"
                : "the reference has no \(validation.referencePositives == 0 ? "inappropriate" : "appropriate") items, so the judge's \(validation.referencePositives == 0 ? "sensitivity" : "specificity") is unknown"
            return result
        }
        guard let corrected = Proportions.roganGladen(apparent: apparent, sensitivity: sensitivity, specificity: specificity) else {
            result.reason = "sensitivity + specificity ≤ 1: the judge is no better than chance"
            return result
        }
        result.corrected = corrected
        let unclipped = (apparent + specificity - 1) / (sensitivity + specificity - 1)
        if unclipped < 0 || unclipped > 1 {
            result.clippedFrom = unclipped
        }
        result.correctedInterval = Proportions.correctedRateBootstrap(
            validation: validation, reportedInappropriate: inappropriate, judged: withVerdict,
            resamples: options.resamples, seed: options.seed, confidence: options.confidence)
        return result
    }
}
