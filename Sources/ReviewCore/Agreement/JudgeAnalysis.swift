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
    /// With a recorded sample: sensitivity and specificity weighted by its inverse inclusion probabilities,
    /// which replace the unweighted ones wherever they are reported or used.
    public var weighted: WeightedAccuracy? = nil
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
    /// Every estimator's estimate, in the order humans, Rogan–Gladen, PPI++.
    public var estimates: [RateEstimate] = []
    /// The estimator whose estimate is the headline (`corrected` in the JSON).
    public var headline: LabelPlanning.RateEstimator = .roganGladen
    /// Items in scope with no response, and how they were counted.
    public var missingResponses: Int = 0

    /// The headline estimate.
    public var headlineEstimate: RateEstimate? { estimates.first { $0.estimator == headline } }
}

/// A subject model no judge scored: its rate of inappropriate responses from the clinicians' labels only.
public struct UnjudgedRate: Sendable, Equatable {
    /// The subject model's name.
    public var model: String
    /// The model's items.
    public var items: Int
    /// Of those, items with no response (left out or counted inappropriate, as the convention says).
    public var missingResponses: Int
    /// The humans-only estimate.
    public var estimate: RateEstimate
}

/// How items with no response count in the rates.
public enum MissingResponse: String, Sendable, CaseIterable {
    /// Left out of the rates (counted beside them).
    case exclude
    /// Counted as inappropriate, for the judge and the humans alike: the paper's convention.
    case inappropriate
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
    /// The estimator of the headline rate; nil: PPI++ when the labels are a recorded probability sample,
    /// else Rogan–Gladen.
    public var headline: LabelPlanning.RateEstimator?
    /// Whether the human labels come from a recorded sample of the judged items (the study's `sample.json`).
    public var labelsAreSample: Bool
    /// How items with no response count in the rates.
    public var missingResponse: MissingResponse
    /// The study's recorded sample, by dataset position: weights and strata for the design-based estimates.
    public var design: SampleDesign?

    /// Settings with the command's defaults.
    public init(confidence: Double = 0.95, resamples: Int = 1000, seed: UInt64 = 1, referenceKind: String = "adjudicated",
                headline: LabelPlanning.RateEstimator? = nil, labelsAreSample: Bool = false, missingResponse: MissingResponse = .exclude,
                design: SampleDesign? = nil) {
        self.confidence = confidence
        self.resamples = resamples
        self.seed = seed
        self.referenceKind = referenceKind
        self.headline = headline
        self.labelsAreSample = labelsAreSample || design != nil
        self.missingResponse = missingResponse
        self.design = design
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
                                       confidence: options.confidence, design: options.design) { references[$0]?.answer }
        let againstRaters = zip(answers.raters, answers.answers).map { rater, column in
            compare(items: items, indices: judged, against: rater, confidence: options.confidence, design: options.design) { column[$0] }
        }

        let models = Array(Set(judged.map { items[$0].subject.name })).sorted()
        let scopes: [(String?, [Int])] = [(nil, judged)]
            + (models.count > 1 ? models.map { model in (model, judged.filter { items[$0].subject.name == model }) } : [])
        let rates = scopes.map { model, indices in
            estimatedRate(model: model, items: items, indices: indices, references: references,
                          validation: againstReference.confusion, weightedAccuracy: againstReference.weighted, options: options)
        }
        return JudgeReport(
            judges: judges, referenceKind: options.referenceKind, referenceCounts: ReferenceLabels.counts(inScope),
            ties: ties, againstReference: againstReference, againstRaters: againstRaters, rates: rates)
    }

    /// The reference's verdict on an item, under the missing-response convention; no verdict when unlabelled or tied.
    /// The one rule of the judged rates and of the rates of models no judge scored.
    static func referenceVerdict(_ item: Item, _ reference: ReferenceLabel?, missingResponse: MissingResponse) -> Verdict {
        guard let reference, reference.source != .tie else { return .noVerdict }
        return missingResponse == .inappropriate && item.response == nil ? .inappropriate : item.criterion.verdict(for: reference.answer)
    }

    /// The rate of inappropriate responses of each subject model no judge scored (live bots, human therapists),
    /// from the clinicians' reference alone (the humans-only estimator, Wilson interval, few-label warning).
    public static func unjudgedRates(
        items: [Item], positions: [Int], references: [ReferenceLabel?], missingResponse: MissingResponse, confidence: Double
    ) -> [UnjudgedRate] {
        var judgedModels: Set<String> = []
        var byModel: [String: [Int]] = [:]
        for position in positions {
            let model = items[position].subject.name
            if items[position].judge != nil { judgedModels.insert(model) } else { byModel[model, default: []].append(position) }
        }
        return byModel.keys.filter { !judgedModels.contains($0) }.sorted().map { model in
            let indices = byModel[model] ?? []
            let missing = indices.filter { items[$0].response == nil }.count
            let inScope = missingResponse == .exclude ? indices.filter { items[$0].response != nil } : indices
            let labelled = inScope.compactMap { index -> (truth: Bool, judge: Bool)? in
                let verdict = referenceVerdict(items[index], references[index], missingResponse: missingResponse)
                return verdict == .noVerdict ? nil : (truth: verdict == .inappropriate, judge: false)
            }
            let estimate = RateEstimators.humans(RateInputs(labelled: labelled, unlabelled: 0, unlabelledInappropriate: 0), confidence: confidence)
            return UnjudgedRate(model: model, items: indices.count, missingResponses: missing, estimate: estimate)
        }
    }

    /// The judge's verdicts on `items[indices]` against the verdicts implied by `answer(index)`, where both exist.
    static func compare(
        items: [Item], indices: [Int], against: String, confidence: Double, design: SampleDesign? = nil, answer: (Int) -> String?
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
            sensitivity: matrix.sensitivity(confidence: confidence), specificity: matrix.specificity(confidence: confidence),
            weighted: design.map { WeightedAccuracy.measure(items: items, indices: indices, design: $0, confidence: confidence, answer: answer) })
    }

    /// The rate over the judged items at `indices` by every estimator, items without a response counted as
    /// `options.missingResponse` says.
    static func estimatedRate(
        model: String?, items: [Item], indices: [Int], references: [ReferenceLabel?], validation: ConfusionMatrix,
        weightedAccuracy: WeightedAccuracy? = nil, options: JudgeAnalysisOptions
    ) -> JudgeRate {
        let missing = indices.filter { items[$0].response == nil }
        let inScope = options.missingResponse == .exclude ? indices.filter { items[$0].response != nil } : indices
        func judgeVerdict(_ index: Int) -> Verdict {
            options.missingResponse == .inappropriate && items[index].response == nil ? .inappropriate : items[index].judgeVerdict
        }
        func truthVerdict(_ index: Int) -> Verdict {
            referenceVerdict(items[index], references[index], missingResponse: options.missingResponse)
        }
        if let design = options.design {
            // The weighted Rogan–Gladen replaces the counted one: its bootstrap would be work thrown away.
            var unweighted = options
            unweighted.resamples = 0
            var result = rate(model: model, items: items, indices: inScope, verdict: judgeVerdict, validation: validation, options: unweighted)
            result.estimates = designBased(
                result, items: items, indices: inScope, truth: truthVerdict, verdict: judgeVerdict, design: design,
                weighted: weightedAccuracy, options: options)
            let weightedRG = result.estimates.first { $0.estimator == .roganGladen }
            result.corrected = weightedRG?.value
            result.correctedInterval = nil
            result.clippedFrom = nil
            result.reason = weightedRG?.value == nil ? weightedRG?.note : nil
            result.headline = options.headline ?? .ppi
            result.missingResponses = missing.count
            return result
        }
        var result = rate(model: model, items: items, indices: inScope, verdict: judgeVerdict, validation: validation, options: options)
        var labelled: [(truth: Bool, judge: Bool)] = []
        var unlabelled = 0, unlabelledInappropriate = 0
        for index in inScope {
            let judge = judgeVerdict(index)
            guard judge != .noVerdict else { continue }
            let truth = truthVerdict(index)
            if truth == .noVerdict {
                unlabelled += 1
                if judge == .inappropriate { unlabelledInappropriate += 1 }
            } else {
                labelled.append((truth == .inappropriate, judge == .inappropriate))
            }
        }
        let inputs = RateInputs(labelled: labelled, unlabelled: unlabelled, unlabelledInappropriate: unlabelledInappropriate)
        var humans = RateEstimators.humans(inputs, confidence: options.confidence)
        var ppi = RateEstimators.ppi(inputs, confidence: options.confidence)
        if !options.labelsAreSample && !labelled.isEmpty {
            // Without a recorded sample nothing says the labels represent these items.
            let caveat = "takes the labels as a random sample of these judged items (no sample.json; draw one with judge-review sample)"
            humans.note = [humans.note, caveat].compactMap { $0 }.joined(separator: "; ")
            ppi.note = [ppi.note, caveat].compactMap { $0 }.joined(separator: "; ")
        }
        result.estimates = [
            humans,
            RateEstimators.roganGladen(result, validation: validation, confidence: options.confidence),
            ppi,
        ]
        result.headline = options.headline ?? (options.labelsAreSample ? .ppi : .roganGladen)
        result.missingResponses = missing.count
        return result
    }

    /// The estimates with a recorded sample: humans and PPI++ stratified by the sample's strata over the sampled
    /// labels, Rogan–Gladen with the weighted sensitivity and specificity (delta-method interval).
    static func designBased(
        _ rate: JudgeRate, items: [Item], indices: [Int], truth: (Int) -> Verdict, verdict: (Int) -> Verdict,
        design: SampleDesign, weighted: WeightedAccuracy?, options: JudgeAnalysisOptions
    ) -> [RateEstimate] {
        var judgedByStratum = [Int](repeating: 0, count: design.strataCount)
        var parts = [RateInputs](repeating: RateInputs(labelled: [], unlabelled: 0, unlabelledInappropriate: 0), count: design.strataCount)
        var outside = 0
        for index in indices {
            let judge = verdict(index)
            guard judge != .noVerdict else { continue }
            guard let stratum = design.stratum[index] else { outside += 1; continue }
            judgedByStratum[stratum] += 1
            // Only the sample's labels count in the design-based estimates.
            let truth = design.probability[index] == nil ? .noVerdict : truth(index)
            if truth == .noVerdict {
                parts[stratum].unlabelled += 1
                if judge == .inappropriate { parts[stratum].unlabelledInappropriate += 1 }
            } else {
                parts[stratum].labelled.append((truth == .inappropriate, judge == .inappropriate))
            }
        }
        let strata = zip(judgedByStratum, parts).map { (judged: $0, inputs: $1) }
        var humans = RateEstimators.stratified(.humans, parts: strata, confidence: options.confidence)
        var ppi = RateEstimators.stratified(.ppi, parts: strata, confidence: options.confidence)
        if outside > 0 {
            let note = "\(outside) judged items outside the sample's strata left out"
            humans.note = [humans.note, note].compactMap { $0 }.joined(separator: "; ")
            ppi.note = [ppi.note, note].compactMap { $0 }.joined(separator: "; ")
        }
        var roganGladen = RateEstimate(estimator: .roganGladen, note: "no weighted sensitivity and specificity yet")
        if let weighted, let sensitivity = weighted.sensitivity.value, let specificity = weighted.specificity.value,
           let apparent = rate.reported.value {
            let youden = sensitivity + specificity - 1
            if youden > 0, let value = Proportions.roganGladen(apparent: apparent, sensitivity: sensitivity, specificity: specificity) {
                let variance = (value * value * sensitivity * (1 - sensitivity) / max(weighted.sensitivity.effectiveN, 1)
                    + (1 - value) * (1 - value) * specificity * (1 - specificity) / max(weighted.specificity.effectiveN, 1)
                    + apparent * (1 - apparent) / Double(max(rate.reported.n, 1))) / (youden * youden)
                let se = variance.squareRoot()
                let z = Proportions.normalQuantile(1 - (1 - options.confidence) / 2)
                roganGladen = RateEstimate(
                    estimator: .roganGladen, value: value, low: max(0, value - z * se), high: min(1, value + z * se), standardError: se,
                    effectiveN: se > 0 ? value * (1 - value) / (se * se) : nil,
                    note: "the judge's rate corrected by the sensitivity and specificity weighted by the sample's inclusion probabilities; delta-method interval")
            } else {
                roganGladen.note = "weighted sensitivity + specificity ≤ 1: the judge is no better than chance"
            }
        }
        return [humans, roganGladen, ppi]
    }

    /// The reported and corrected rate over `items`, correcting with the judge's error on the validation items.
    static func rate(model: String?, items: [Item], validation: ConfusionMatrix, options: JudgeAnalysisOptions) -> JudgeRate {
        rate(model: model, items: items, indices: Array(items.indices), verdict: { items[$0].judgeVerdict },
             validation: validation, options: options)
    }

    /// The same over `items[indices]`, with the judge's verdict on each as `verdict` says.
    static func rate(
        model: String?, items: [Item], indices: [Int], verdict: (Int) -> Verdict, validation: ConfusionMatrix,
        options: JudgeAnalysisOptions
    ) -> JudgeRate {
        var inappropriate = 0, withVerdict = 0
        for index in indices {
            switch verdict(index) {
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
