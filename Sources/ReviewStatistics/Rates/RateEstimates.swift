import Foundation

/// One estimate of the rate of inappropriate responses, by one estimator.
public struct RateEstimate: Sendable, Equatable {
    public var estimator: LabelPlanning.RateEstimator
    /// The estimate; nil with `note` when undefined.
    public var value: Double?
    /// The interval, clipped to [0, 1].
    public var low: Double?
    public var high: Double?
    /// The standard error (delta method).
    public var standardError: Double?
    /// What the human labels are worth, in labels of a human-only estimate with the same standard error:
    /// `value(1 − value) / se²`.
    public var effectiveN: Double?
    /// Why the estimate is undefined, or what to keep in mind (too few labels for the interval to mean much).
    public var note: String?
    /// The design effect the clusters put on this estimate (nil: no clusters, or none measurable).
    public var designEffect: Double? = nil
    /// Clusters (stimuli) the interval generalises over; nil when it is over these responses.
    public var clusters: Int? = nil
    /// The model whose labels measured the judge's sensitivity and specificity, when they were transported to
    /// this scope by `--transport-from` (an assumption every rendering names); nil: the scope's own labels.
    public var transportedFrom: String? = nil

    /// An estimate by `estimator`; an undefined one has only a `note`.
    public init(estimator: LabelPlanning.RateEstimator, value: Double? = nil, low: Double? = nil, high: Double? = nil,
                standardError: Double? = nil, effectiveN: Double? = nil, note: String? = nil, designEffect: Double? = nil,
                clusters: Int? = nil, transportedFrom: String? = nil) {
        self.estimator = estimator
        self.value = value
        self.low = low
        self.high = high
        self.standardError = standardError
        self.effectiveN = effectiveN
        self.note = note
        self.designEffect = designEffect
        self.clusters = clusters
        self.transportedFrom = transportedFrom
    }

    /// Whether the interval may be taken at its word: defined, with enough labels and enough clusters (the notes
    /// that say otherwise start with a capitalised warning or name too few labels).
    public var isTrusted: Bool {
        guard value != nil, low != nil, high != nil else { return false }
        return !IntervalTrust.distrusts(note)
    }
}

/// What the estimators read for one scope (all models, or one): the judged items with a human reference,
/// as (reference says inappropriate, judge says inappropriate), and the judge's verdicts on the judged items
/// without one.
public struct RateInputs: Sendable, Equatable {
    public var labelled: [(truth: Bool, judge: Bool)]
    /// Judged items without a human reference.
    public var unlabelled: Int
    /// Of those, the judge's inappropriate verdicts.
    public var unlabelledInappropriate: Int

    public init(labelled: [(truth: Bool, judge: Bool)], unlabelled: Int, unlabelledInappropriate: Int) {
        self.labelled = labelled
        self.unlabelled = unlabelled
        self.unlabelledInappropriate = unlabelledInappropriate
    }

    public static func == (lhs: RateInputs, rhs: RateInputs) -> Bool {
        lhs.unlabelled == rhs.unlabelled && lhs.unlabelledInappropriate == rhs.unlabelledInappropriate
            && lhs.labelled.map(\.truth) == rhs.labelled.map(\.truth) && lhs.labelled.map(\.judge) == rhs.labelled.map(\.judge)
    }
}

/// The estimators of the rate of inappropriate responses: humans only, prediction-powered (PPI++), and the
/// judge's rate corrected by Rogan–Gladen (computed by `JudgeAnalysis.rate`, whose bootstrap it keeps).
public enum RateEstimators {
    /// The standard error of a share, `√(p(1−p)/n)`; when every label agrees (0 or n successes), where that is 0,
    /// the Agresti–Coull one, `√(p̃(1−p̃)/(n + z²))` with `p̃ = (x + z²/2)/(n + z²)`, so that a stratum of
    /// unanimous labels is not taken as certain.
    public static func adjustedStandardError(successes: Int, n: Int, confidence: Double) -> Double {
        let p = Double(successes) / Double(n)
        guard successes == 0 || successes == n else { return (p * (1 - p) / Double(n)).squareRoot() }
        let z = Proportions.normalQuantile(1 - (1 - confidence) / 2)
        let adjusted = (Double(successes) + z * z / 2) / (Double(n) + z * z)
        return (adjusted * (1 - adjusted) / (Double(n) + z * z)).squareRoot()
    }

    /// The share of the labels the humans call inappropriate, with its Wilson interval.
    public static func humans(_ inputs: RateInputs, confidence: Double) -> RateEstimate {
        let n = inputs.labelled.count
        guard n > 0 else { return RateEstimate(estimator: .humans, note: "no labelled item") }
        let positives = inputs.labelled.filter(\.truth).count
        let estimate = ProportionEstimate(successes: positives, n: n, confidence: confidence)
        let p = Double(positives) / Double(n)
        let se = adjustedStandardError(successes: positives, n: n, confidence: confidence)
        return RateEstimate(estimator: .humans, value: p, low: estimate.low, high: estimate.high, standardError: se,
                            effectiveN: Double(n), note: IntervalTrust.tooFew(n))
    }

    /// Prediction-powered inference with the tuned weight (PPI++, Angelopoulos, Duchi & Zrnic 2023), in
    /// ppi_py's conventions: the labelled items and the unlabelled ones (the judged items without a label) are
    /// apart; λ = Cov(Y, f)/((1 + n/N)·Var(f)), the covariance over the labelled items (divided by n), the variance
    /// over all judged items (divided by n + N − 1), clipped to [0, 1]; the estimate is λ·f̄(unlabelled) +
    /// mean(Y − λf) over the labelled, with standard error √(Var(λf)/N + Var(Y − λf)/n) (variances divided by the
    /// count) and a normal interval.
    public static func ppi(_ inputs: RateInputs, confidence: Double) -> RateEstimate {
        var counts = RateCellCounts()
        for label in inputs.labelled { counts.add(truth: label.truth, judge: label.judge) }
        counts.unlabelled = inputs.unlabelled
        counts.unlabelledInappropriate = inputs.unlabelledInappropriate
        return ppi(counts, confidence: confidence)
    }

    /// PPI++ from counts (what `ppi(_:confidence:)` computes; every item of one cell is alike).
    public static func ppi(_ counts: RateCellCounts, confidence: Double) -> RateEstimate {
        let n = counts.labelled
        let bigN = counts.unlabelled
        guard n > 0 else { return RateEstimate(estimator: .ppi, note: "no labelled item") }
        let z = Proportions.normalQuantile(1 - (1 - confidence) / 2)
        guard bigN > 0 else {
            // Every judged item is labelled: nothing for the judge to add.
            var humans = self.humans(counts.inputs, confidence: confidence)
            humans.estimator = .ppi
            humans.note = [humans.note, "every judged item is labelled, so PPI is the humans' own rate"].compactMap { $0 }.joined(separator: "; ")
            return humans
        }
        let lambda = RateInference.ppiLambda(counts)
        let meanU = Double(counts.unlabelledInappropriate) / Double(bigN)
        let value = RateInference.ppiValue(counts) ?? 0
        let imputedVariance = lambda * lambda * meanU * (1 - meanU)
        // The rectifier Y − λf per cell: 1 − λ (TP), 1 (FN), −λ (FP), 0 (TN); its variance divided by n.
        let cells: [(value: Double, count: Int)] = [(1 - lambda, counts.truePositive), (1, counts.falseNegative),
                                                    (-lambda, counts.falsePositive), (0, counts.trueNegative)]
        let meanRectifier = cells.reduce(0) { $0 + $1.value * Double($1.count) } / Double(n)
        var rectifierVariance = cells.reduce(0) { $0 + Double($1.count) * ($1.value - meanRectifier) * ($1.value - meanRectifier) } / Double(n)
        var notes = [IntervalTrust.tooFew(n)].compactMap { $0 }
        if rectifierVariance < 1e-15 {
            // Every label the same and the judge no help: the labels' own Agresti–Coull spread, not zero.
            rectifierVariance = pow(adjustedStandardError(successes: counts.truePositive + counts.falseNegative, n: n, confidence: confidence), 2) * Double(n)
            notes.append("no spread among the labels: Agresti–Coull standard error")
        }
        let se = (imputedVariance / Double(bigN) + rectifierVariance / Double(n)).squareRoot()
        let effective = se > 0 ? value * (1 - value) / (se * se) : nil
        return RateEstimate(
            estimator: .ppi, value: value, low: max(0, value - z * se), high: min(1, value + z * se), standardError: se,
            effectiveN: effective, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }


}
