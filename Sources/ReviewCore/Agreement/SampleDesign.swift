import Foundation
import ReviewStatistics

/// The study's recorded sample as the estimates use it: each sampled item's inclusion probability, and every
/// judged item's stratum, by dataset position.
///
/// With a sample, the judge's sensitivity and specificity are weighted by the inverse inclusion probabilities
/// (Begg & Greenes 1983), and the rates are stratified: so oversampling the judge's "appropriate" verdicts
/// (`sample --allocation misses`) biases nothing. Labels given outside the sample are left out of both.
public struct SampleDesign: Sendable, Equatable {
    /// `probability[position]`: the item's inclusion probability when it is in the sample, else nil.
    public var probability: [Double?]
    /// `stratum[position]`: the item's stratum in the sample's strata, nil when the sample has none like it.
    public var stratum: [Int?]
    /// How many strata the sample has.
    public var strataCount: Int
    /// Each stratum's label (`field=value, ...`), for the notes that name strata.
    public var strataLabels: [String]

    public init(probability: [Double?], stratum: [Int?], strataCount: Int, strataLabels: [String]? = nil) {
        self.probability = probability
        self.stratum = stratum
        self.strataCount = strataCount
        self.strataLabels = strataLabels ?? (0..<strataCount).map { "stratum \($0 + 1)" }
    }

    /// The design of `sample` over `dataset`'s items (sampled ids the dataset no longer has are dropped).
    public init(sample: ValidationSample, dataset: Dataset) {
        var probability = [Double?](repeating: nil, count: dataset.items.count)
        for item in sample.items {
            if let position = dataset.indexByID[item.id] { probability[position] = item.probability }
        }
        var index: [String: Int] = [:]
        for (number, stratum) in sample.strata.enumerated() { index[stratum.label(fields: sample.strataFields)] = number }
        let fields = sample.strataFields
        let stratum = dataset.items.map { item -> Int? in
            index[ValidationSample.stratumLabel(fields: fields, of: item)]
        }
        self.init(probability: probability, stratum: stratum, strataCount: sample.strata.count,
                  strataLabels: sample.strata.map { $0.label(fields: fields) })
    }
}

/// The judge's sensitivity and specificity estimated from a stratified sample (Begg & Greenes 1983): each
/// stratum's labelled items stand for all its judged items.
public struct WeightedAccuracy: Sendable, Equatable {
    /// A design-based share with its interval (delta method on the logit scale).
    public struct Share: Sendable, Equatable {
        public var value: Double?
        public var low: Double?
        public var high: Double?
        /// What the share's labels are worth in a simple random sample: `value(1 − value)/se²`.
        public var effectiveN: Double
    }

    public var sensitivity: Share
    public var specificity: Share
    /// Validated items of the sample that were used.
    public var sampled: Int
    /// Validated items outside the sample, left out.
    public var leftOut: Int

    /// Weighted accuracy of the judge on `items[indices]` against `answer(index)`: within stratum h with N_h
    /// judged items and m_h labelled sampled ones, the shares of (truth, judge) pairs scale to N_h; sensitivity is
    /// Σ N_h·tp_h/m_h over Σ N_h·(tp_h + fn_h)/m_h (specificity likewise), its variance by the delta method
    /// with the cells of each stratum multinomial.
    static func measure(
        items: [Item], indices: [Int], design: SampleDesign, confidence: Double, answer: (Int) -> String?
    ) -> WeightedAccuracy {
        struct Cells { var judged = 0.0, labelled = 0.0, tp = 0.0, fn = 0.0, tn = 0.0, fp = 0.0 }
        var strata = [Cells](repeating: Cells(), count: design.strataCount)
        var sampled = 0, leftOut = 0
        for index in indices {
            let item = items[index]
            let judge = item.judgeVerdict
            guard judge != .noVerdict, let stratum = design.stratum[index] else { continue }
            strata[stratum].judged += 1
            guard let truthAnswer = answer(index) else { continue }
            let truth = item.criterion.verdict(for: truthAnswer)
            guard truth != .noVerdict else { continue }
            guard design.probability[index] != nil else { leftOut += 1; continue }
            sampled += 1
            strata[stratum].labelled += 1
            switch (truth, judge) {
            case (.inappropriate, .inappropriate): strata[stratum].tp += 1
            case (.inappropriate, _): strata[stratum].fn += 1
            case (_, .appropriate): strata[stratum].tn += 1
            default: strata[stratum].fp += 1
            }
        }
        let used = strata.filter { $0.labelled > 0 }
        let z = Proportions.normalQuantile(1 - (1 - confidence) / 2)
        /// The share hit/(hit + miss) from the cells `hit` and `miss` of each stratum.
        func share(_ hit: (Cells) -> Double, _ miss: (Cells) -> Double) -> Share {
            let a = used.reduce(0) { $0 + $1.judged * hit($1) / $1.labelled }
            let b = used.reduce(0) { $0 + $1.judged * miss($1) / $1.labelled }
            guard a + b > 0 else { return Share(value: nil, low: nil, high: nil, effectiveN: 0) }
            let value = a / (a + b)
            let gradientA = b / pow(a + b, 2), gradientB = -a / pow(a + b, 2)
            var variance = 0.0
            for cells in used {
                let pa = hit(cells) / cells.labelled, pb = miss(cells) / cells.labelled
                variance += cells.judged * cells.judged / cells.labelled
                    * (gradientA * gradientA * pa * (1 - pa) + gradientB * gradientB * pb * (1 - pb) - 2 * gradientA * gradientB * pa * pb)
            }
            let se = variance.squareRoot()
            let labels = used.reduce(0) { $0 + hit($1) + miss($1) }
            let effective = se > 0 ? value * (1 - value) / variance : labels
            guard value > 0, value < 1, se > 0 else {
                // At 0 or 1 the logit is infinite: the Wilson bound at the effective count instead.
                let interval = Proportions.wilson(proportion: value, effectiveN: max(effective, 1), confidence: confidence)
                return Share(value: value, low: interval?.low, high: interval?.high, effectiveN: effective)
            }
            let logit = log(value / (1 - value)), spread = z * se / (value * (1 - value))
            func expit(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
            return Share(value: value, low: expit(logit - spread), high: expit(logit + spread), effectiveN: effective)
        }
        return WeightedAccuracy(
            sensitivity: share({ $0.tp }, { $0.fn }), specificity: share({ $0.tn }, { $0.fp }),
            sampled: sampled, leftOut: leftOut)
    }
}

extension Proportions {
    /// The Wilson score interval for a proportion estimated from `effectiveN` (possibly fractional) trials.
    public static func wilson(proportion p: Double, effectiveN n: Double, confidence: Double = 0.95) -> (low: Double, high: Double)? {
        guard n > 0, p >= 0, p <= 1, confidence > 0, confidence < 1 else { return nil }
        let z = normalQuantile(0.5 + confidence / 2)
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let halfWidth = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        return (p == 0 ? 0 : max(0, centre - halfWidth), p == 1 ? 1 : min(1, centre + halfWidth))
    }
}

extension RateEstimators {
    /// An estimator applied within each stratum and combined by the strata's shares of the judged items:
    /// value Σ W_h θ_h, standard error √(Σ W_h² se_h²), a normal interval. Strata with judged items but no
    /// labels cannot be estimated: they are left out and the shares of the rest renormalised, with a note.
    public static func stratified(
        _ estimator: LabelPlanning.RateEstimator, parts: [(judged: Int, inputs: RateInputs)], confidence: Double, labels strataLabels: [String] = []
    ) -> RateEstimate {
        let total = parts.reduce(0) { $0 + $1.judged }
        let usable = parts.filter { !$0.inputs.labelled.isEmpty && $0.judged > 0 }
        let covered = usable.reduce(0) { $0 + $1.judged }
        guard total > 0, covered > 0 else { return RateEstimate(estimator: estimator, note: "no stratum of the sample has labels yet") }
        // A total over strata is design-weighted over all of them or undefined: never a partial total shown as the whole.
        let unlabelled = parts.indices.filter { parts[$0].judged > 0 && parts[$0].inputs.labelled.isEmpty }
        if !unlabelled.isEmpty {
            let share = 100 * Double(total - covered) / Double(total)
            let names = unlabelled.prefix(5).map { $0 < strataLabels.count ? strataLabels[$0] : "stratum \($0 + 1)" }
            let listed = names.joined(separator: " | ") + (unlabelled.count > 5 ? " | …" : "")
            return RateEstimate(
                estimator: estimator,
                note: String(format: "undefined: %d strata of the sample (%.1f%% of the judged items) have no labels yet (", unlabelled.count, share)
                    + listed + "); a total over the others would not be this scope's")
        }
        var value = 0.0, variance = 0.0, labels = 0
        for part in usable {
            let estimate = estimator == .ppi ? ppi(part.inputs, confidence: confidence) : humans(part.inputs, confidence: confidence)
            guard let partValue = estimate.value else { continue }
            let share = Double(part.judged) / Double(covered)
            value += share * partValue
            variance += share * share * pow(estimate.standardError ?? 0, 2)
            labels += part.inputs.labelled.count
        }
        let se = variance.squareRoot()
        let z = Proportions.normalQuantile(1 - (1 - confidence) / 2)
        var notes = ["stratified by the sample's \(usable.count) strata with labels"]
        if covered < total {
            let share = 100 * Double(total - covered) / Double(total)
            notes.append(String(format: "%d strata without labels left out (%.1f%% of the judged items): the estimate covers the rest", parts.count - usable.count, share))
        }
        if let few = IntervalTrust.tooFew(labels) { notes.append(few) }
        let effective = se > 0 ? value * (1 - value) / (se * se) : nil
        return RateEstimate(estimator: estimator, value: value, low: max(0, value - z * se), high: min(1, value + z * se),
                            standardError: se, effectiveN: effective, note: notes.joined(separator: "; "))
    }
}
