// The judge measured against humans, and what its error does to the rate of inappropriate responses.
import Foundation
import ReviewStatistics

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
    /// The clusters the reported rate's interval is over and the judge's verdict's design effect, when clustered
    /// (its Wilson interval then uses the effective count and a t quantile with G − 1 df).
    public var reportedClusters: Int? = nil
    public var reportedDesignEffect: Double? = nil

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
    /// The paper's convention: counted inappropriate, for the judge and the humans alike, except that a human's
    /// label on an item with no response (a live bot's empty reply a clinician judged) is kept as given.
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
    /// What the intervals generalise over: the stimuli the responses came from (clusters, the default where items
    /// carry a stimulus) or these responses (nil: `--cluster-by none`, the conditional reading).
    public var clusterBy: ClusterKey? = .stimulus
    /// The model whose labels measure the judge's sensitivity and specificity for scopes without labels of their
    /// own (`--transport-from`): an assumption, named wherever it is used; nil: no transport, such scopes undefined.
    public var transportFrom: String? = nil

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
        let judged = positions.filter { items[$0].isJudged }
        guard !judged.isEmpty else { return nil }
        let judges = JudgeRater.judges(judged.lazy.map { items[$0].judge }).map(\.rater)

        var referenceCounts = Dictionary(uniqueKeysWithValues: ReferenceSource.allCases.map { ($0, 0) })
        var ties: [String] = []
        for position in positions {
            guard let reference = references[position] else { continue }
            referenceCounts[reference.source, default: 0] += 1
            if reference.source == .tie { ties.append(items[position].id) }
        }

        var againstReference = compare(items: items, indices: judged, against: "reference",
                                       confidence: options.confidence, design: options.design) { references[$0]?.answer }
        if let key = options.clusterBy {
            clusterAccuracy(&againstReference, items: items, indices: judged, key: key, options: options) { references[$0]?.answer }
        }
        let againstRaters = zip(answers.raters, answers.answers).map { rater, column in
            compare(items: items, indices: judged, against: rater, confidence: options.confidence, design: options.design) { column[$0] }
        }

        let models = modelScopes(items: items, indices: judged)
        let scopes: [(String?, [Int])] = [(nil, judged)] + (models.count > 1 ? models.map { ($0.name, $0.indices) } : [])
        // With a sample, each scope's Rogan–Gladen uses the weighted accuracy of its own labels (never another's).
        let transport = options.transportFrom.map { source in
            let scope = scopeCounts(items: items, indices: judged.filter { items[$0].subject.name == source }, references: references,
                                    clusterBy: options.clusterBy)
            let effects = scope.clusters.count < scope.counts.judged
                ? RateInference.designEffects(clusters: scope.clusters, seed: options.seed) : nil
            return Transport(model: source, counts: scope.counts, effects: effects)
        }
        let rates = scopes.map { model, indices in
            let weighted = model == nil || options.design == nil ? againstReference.weighted
                : compare(items: items, indices: indices, against: "reference", confidence: options.confidence, design: options.design) {
                    references[$0]?.answer
                }.weighted
            return honestRate(model: model, items: items, indices: indices, references: references,
                              weightedAccuracy: weighted, transport: transport, options: options)
        }
        return JudgeReport(
            judges: judges, referenceKind: options.referenceKind, referenceCounts: referenceCounts,
            ties: ties, againstReference: againstReference, againstRaters: againstRaters, rates: rates)
    }

    /// The rates' per-model scopes: each subject model, or each model and setting where one model ran under
    /// several (a steel-man prompt on and off are two runs, never one rate), named `model · settings`.
    static func modelScopes(items: [Item], indices: [Int]) -> [(name: String, indices: [Int])] {
        // Each distinct subject's caption once (a million items come from a handful of runs; neighbours mostly share
        // one, so the last subject seen is compared before any table is asked).
        var subjects: Set<SubjectModel> = []
        var last: Int?
        for index in indices where last.map({ !items[index].hasSameSubject(as: items[$0]) }) ?? true {
            last = index
            subjects.insert(items[index].subject)
        }
        var captions: [String: Set<String>] = [:]
        for subject in subjects { captions[subject.name, default: []].insert(subject.settingsCaption) }
        func scopeName(_ subject: SubjectModel) -> String {
            (captions[subject.name]?.count ?? 0) > 1 ? subject.name + " · " + subject.settingsCaption : subject.name
        }
        // Then the items in their given order, each appended to its scope.
        var numbers: [String: Int] = [:]
        var scopes: [(name: String, indices: [Int])] = []
        var current: (index: Int, number: Int)?
        for index in indices {
            if current.map({ !items[index].hasSameSubject(as: items[$0.index]) }) ?? true {
                let name = scopeName(items[index].subject)
                let number = numbers[name] ?? scopes.count
                if number == scopes.count {
                    numbers[name] = number
                    scopes.append((name, []))
                }
                current = (index, number)
            }
            if let number = current?.number { scopes[number].indices.append(index) }
        }
        return scopes.sorted { $0.name < $1.name }
    }

    /// The reference's verdict on an item, under the missing-response convention; no verdict when unlabelled or tied.
    /// The one rule of the judged rates and of the rates of models no judge scored. Under the paper's convention a
    /// missing response a human labelled keeps the label (the paper counts Noni-7cups' empty first reply as its
    /// human judged it, appropriate); one whose label is not an option counts inappropriate.
    static func referenceVerdict(_ item: Item, _ reference: ReferenceLabel?, missingResponse: MissingResponse) -> Verdict {
        guard let reference, reference.source != .tie else { return .noVerdict }
        let labelled = item.criterion.verdict(for: reference.answer)
        return missingResponse == .inappropriate && item.response == nil && labelled == .noVerdict ? .inappropriate : labelled
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
            var estimate = RateEstimators.humans(RateInputs(labelled: labelled, unlabelled: 0, unlabelledInappropriate: 0), confidence: confidence)
            if missing > 0 {
                let rule = missingResponse == .exclude ? "left out"
                    : "counted as the clinicians labelled them (the paper's convention; inappropriate where a label is not an option)"
                estimate.note = IntervalTrust.warningsFirst([estimate.note, "\(missing) item\(missing == 1 ? "" : "s") with no response \(rule)"].compactMap { $0 })
            }
            return UnjudgedRate(model: model, items: indices.count, missingResponses: missing, estimate: estimate)
        }
    }

    /// Widens the sensitivity and specificity intervals of `comparison` for the clusters: Wilson intervals from the
    /// effective counts (count / design effect from a bootstrap of whole clusters) with a t quantile of G − 1
    /// degrees of freedom; a share with no spread (no error observed) keeps its raw count.
    static func clusterAccuracy(
        _ comparison: inout JudgeComparison, items: [Item], indices: [Int], key: ClusterKey, options: JudgeAnalysisOptions,
        answer: (Int) -> String?
    ) {
        var byCluster: [ClusterIdentity: RateCellCounts] = [:]
        for index in indices {
            let judge = items[index].judgeVerdict
            guard judge != .noVerdict else { continue }
            var truth: Bool?
            if let given = answer(index) {
                switch items[index].criterion.verdict(for: given) {
                case .inappropriate: truth = true
                case .appropriate: truth = false
                case .noVerdict: truth = nil
                }
            }
            byCluster[key.identity(of: items[index]), default: RateCellCounts()].add(truth: truth, judge: judge == .inappropriate)
        }
        // In key order: a dictionary's order changes from run to run, and the seeded bootstrap must not.
        let clusters = byCluster.sorted { $0.key < $1.key }.map(\.value)
        guard clusters.count < clusters.reduce(0, { $0 + $1.judged }),
              let effects = RateInference.designEffects(clusters: clusters, seed: options.seed) else { return }
        let q = StudentT.quantile(1 - (1 - options.confidence) / 2, degreesOfFreedom: Double(max(1, effects.clusters - 1)))
        func widen(_ estimate: inout ProportionEstimate, _ effect: Double?) {
            guard let value = estimate.value,
                  let interval = Proportions.wilson(proportion: value, effectiveN: Double(estimate.n) / (effect ?? 1), quantile: q)
            else { return }
            estimate.low = interval.low
            estimate.high = interval.high
        }
        widen(&comparison.sensitivity, effects.sensitivity)
        widen(&comparison.specificity, effects.specificity)
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

    /// The rate of inappropriate responses over the judged items at `indices` by every estimator, with intervals
    /// honest at the study's design (issue 23):
    ///
    /// - **One rule for missing responses.** Every estimator estimates the rate among the responded items, r; under
    ///   `inappropriate` the rate is then m + (1 − m)·r, m the share of items with no response, its interval
    ///   transformed alike and widened for m's own uncertainty ((1 − r)²·Var(m)); under `exclude` it is r.
    /// - **No transport.** The judge's sensitivity and specificity come from the scope's own labels; a scope
    ///   whose models have no labels of their own gets no corrected estimate, and says which.
    /// - **Clusters.** With `clusterBy` (the stimulus by default) every interval uses design effects from a
    ///   bootstrap of whole clusters (effective counts) and a t quantile with G − 1 degrees of freedom; fewer than
    ///   `IntervalTrust.minimumClusters` clusters is marked in the note.
    /// - **The judge's uncertainty at the boundary.** Rogan–Gladen's interval takes the variances of the apparent
    ///   rate, sensitivity and specificity from their Wilson intervals (`RateInference.roganGladenInterval`), so zero
    ///   observed errors still leave the judge's accuracy uncertain.
    ///
    /// With a recorded sample the three estimates are the design-based ones (`designBased`, over the responded
    /// items), widened by the same design effect and t quantile and transformed by the same missing-response rule.
    static func honestRate(
        model: String?, items: [Item], indices: [Int], references: [ReferenceLabel?], weightedAccuracy: WeightedAccuracy? = nil,
        transport: Transport? = nil, options: JudgeAnalysisOptions
    ) -> JudgeRate {
        let missing = indices.filter { items[$0].response == nil }
        let responded = indices.filter { items[$0].response != nil }
        let scope = scopeCounts(items: items, indices: responded, references: references, clusterBy: options.clusterBy)
        let (counts, labelsByModel) = (scope.counts, scope.labelsByModel)
        let m = indices.isEmpty ? 0 : Double(missing.count) / Double(indices.count)
        let convention = options.missingResponse
        func transformed(_ value: Double) -> Double { convention == .inappropriate ? m + (1 - m) * value : value }

        // The judge-reported rate, its interval clustered too.
        let clusters = scope.clusters
        let effects = clusters.count < counts.judged ? RateInference.designEffects(clusters: clusters, seed: options.seed) : nil
        let clusterCount = effects?.clusters
        let tail = 1 - (1 - options.confidence) / 2
        let quantile: (Double) -> Double = { p in
            clusterCount.map { StudentT.quantile(p, degreesOfFreedom: Double(max(1, $0 - 1))) } ?? Proportions.normalQuantile(p)
        }
        let reportedSuccesses = counts.judgeInappropriate + (convention == .inappropriate ? missing.count : 0)
        let reportedN = counts.judged + (convention == .inappropriate ? missing.count : 0)
        // The judge's share over the items the convention counts, from its effective count (clustered).
        var reported = ProportionEstimate(successes: reportedSuccesses, n: reportedN, confidence: options.confidence)
        if reportedN > 0, let interval = Proportions.wilson(
            proportion: Double(reportedSuccesses) / Double(reportedN),
            effectiveN: Double(reportedN) / (effects?.apparent ?? 1), quantile: quantile(tail)) {
            reported.low = interval.low
            reported.high = interval.high
        }
        var result = JudgeRate(model: model, reported: reported, corrected: nil, reason: nil)
        result.missingResponses = missing.count
        result.reportedClusters = clusterCount
        result.reportedDesignEffect = effects?.apparent

        // What every estimate says about the design.
        var designNotes: [String] = []
        if let key = options.clusterBy {
            if let effects {
                let deff = effects.apparent.map { String(format: ", design effect %.1f (judge's verdict)", $0) } ?? ""
                designNotes.append("intervals over the \(effects.clusters) \(key.plural) the responses came from (clustered\(deff), t with \(effects.clusters - 1) df)")
                if let few = IntervalTrust.tooFewClusters(effects.clusters) { designNotes.insert(few, at: 0) }
            } else if clusters.count == counts.judged {
                designNotes.append("no two responses share a \(key.rawValue): intervals over these responses")
            }
        } else {
            designNotes.append("intervals over these responses only (--cluster-by none), not the stimuli they came from")
        }
        if convention == .inappropriate, !missing.isEmpty {
            designNotes.append(String(format: "%d items with no response counted inappropriate: m + (1 − m) × rate among responses, m = %.3f (its uncertainty carried)", missing.count, m))
        }
        // No transport: every model in the scope needs labels of its own.
        let unlabelledModels = Set(responded.map { items[$0].subject.name }).filter { (labelsByModel[$0] ?? 0) == 0 }.sorted()
        let apparent = counts.judged > 0 ? Double(counts.judgeInappropriate) / Double(counts.judged) : nil
        func finished(_ estimate: RateEstimate) -> RateEstimate {
            var estimate = estimate
            if !unlabelledModels.isEmpty, estimate.transportedFrom == nil {
                let names = unlabelledModels.prefix(3).joined(separator: ", ") + (unlabelledModels.count > 3 ? ", …" : "")
                return RateEstimate(
                    estimator: estimate.estimator,
                    note: "undefined: \(unlabelledModels.count) model\(unlabelledModels.count == 1 ? "" : "s") in this scope (\(names)) \(unlabelledModels.count == 1 ? "has" : "have") no labels of \(unlabelledModels.count == 1 ? "its" : "their") own; no other model's accuracy is assumed")
            }
            guard let value = estimate.value else { return estimate }
            estimate.value = transformed(value)
            estimate.low = estimate.low.map(transformed)
            estimate.high = estimate.high.map(transformed)
            if convention == .inappropriate {
                // m is itself a share of the items, uncertain as a share is (clustered as the judge's verdict is):
                // Var = (1 − m)²·Var(r) + (1 − r)²·Var(m), each side of the interval widened alike.
                let varianceM = indices.isEmpty ? 0 : m * (1 - m) / Double(indices.count) * (effects?.apparent ?? 1)
                let extra = quantile(tail) * (1 - value) * varianceM.squareRoot()
                let centre = transformed(value)
                estimate.low = estimate.low.map { max(0, centre - ((centre - $0) * (centre - $0) + extra * extra).squareRoot()) }
                estimate.high = estimate.high.map { min(1, centre + (($0 - centre) * ($0 - centre) + extra * extra).squareRoot()) }
                estimate.standardError = estimate.standardError.map {
                    ((1 - m) * (1 - m) * $0 * $0 + (1 - value) * (1 - value) * varianceM).squareRoot()
                }
            }
            // Warnings first (every format shows the start of a note), then the design, then the estimator's own.
            estimate.note = IntervalTrust.warningsFirst(designNotes + [estimate.note].compactMap { $0 })
            estimate.designEffect = estimate.designEffect ?? effects?.apparent
            estimate.clusters = clusterCount
            return estimate
        }

        // Humans only: Wilson from the effective count.
        var humans = RateEstimate(estimator: .humans, note: "no labelled item")
        let humansEffect = effects?.humans ?? effects?.apparent ?? 1
        if let interval = RateInference.humansInterval(counts, effect: humansEffect, quantile: quantile(tail)) {
            let effect = humansEffect
            let se = RateEstimators.adjustedStandardError(successes: counts.truePositive + counts.falseNegative, n: counts.labelled,
                                                          confidence: options.confidence) * effect.squareRoot()
            humans = RateEstimate(estimator: .humans, value: interval.value, low: interval.low, high: interval.high, standardError: se,
                                  effectiveN: Double(counts.labelled) / effect, note: IntervalTrust.tooFew(counts.labelled))
            humans.designEffect = effects?.humans
        }

        // Rogan–Gladen: the scope's own sensitivity and specificity; the box interval.
        var roganGladen = RateEstimate(estimator: .roganGladen)
        let sensitivity = counts.truePositive + counts.falseNegative > 0
            ? Double(counts.truePositive) / Double(counts.truePositive + counts.falseNegative) : nil
        let specificity = counts.trueNegative + counts.falsePositive > 0
            ? Double(counts.trueNegative) / Double(counts.trueNegative + counts.falsePositive) : nil
        if let apparent, let sensitivity, let specificity {
            if let value = Proportions.roganGladen(apparent: apparent, sensitivity: sensitivity, specificity: specificity) {
                let unclipped = (apparent + specificity - 1) / (sensitivity + specificity - 1)
                var notes = ["the judge's rate corrected by this scope's own sensitivity and specificity; delta-method interval with Wilson-based variances (the judge's accuracy stays uncertain with no error observed)"]
                if unclipped < 0 || unclipped > 1 { notes.append("clipped from \(String(format: "%.4f", unclipped))") }
                if counts.falseNegative == 0 || counts.falsePositive == 0 {
                    notes.append("no \(counts.falseNegative == 0 && counts.falsePositive == 0 ? "error" : counts.falseNegative == 0 ? "miss" : "false alarm") observed: the interval still allows the error the Wilson bounds allow")
                }
                if let few = IntervalTrust.tooFew(counts.labelled) { notes.append(few) }
                if let interval = RateInference.roganGladenInterval(
                    counts: counts, effects: effects, confidence: options.confidence, quantile: quantile(tail)) {
                    let se = interval.standardError
                    roganGladen = RateEstimate(estimator: .roganGladen, value: value, low: interval.low, high: interval.high,
                                               standardError: se, effectiveN: se > 0 ? value * (1 - value) / (se * se) : nil,
                                               note: notes.joined(separator: "; "))
                } else {
                    roganGladen = RateEstimate(
                        estimator: .roganGladen, value: value,
                        note: IntervalTrust.noInterval("within the uncertainty of its sensitivity and specificity the judge cannot be told from chance; ") + notes.joined(separator: "; "))
                }
                result.corrected = transformed(value)
                if unclipped < 0 || unclipped > 1 { result.clippedFrom = unclipped }
            } else {
                roganGladen.note = "sensitivity + specificity ≤ 1: the judge is no better than chance"
                result.reason = roganGladen.note
            }
        } else {
            roganGladen.note = counts.labelled == 0
                ? "no validated items (no item has both a judge verdict and a human reference)"
                : "the reference has no \(sensitivity == nil ? "inappropriate" : "appropriate") items, so the judge's \(sensitivity == nil ? "sensitivity" : "specificity") is unknown"
            result.reason = roganGladen.note
        }

        // PPI++: the normal interval becomes t (n − 1 df, or G − 1 with clusters) and widens by its design effect.
        var ppi = RateEstimators.ppi(counts, confidence: options.confidence)
        if let interval = RateInference.ppiInterval(counts, effect: effects?.ppi ?? effects?.apparent ?? 1, clusters: clusterCount,
                                                    confidence: options.confidence) {
            let widened = interval.standardError
            (ppi.low, ppi.high, ppi.standardError) = (interval.low, interval.high, widened)
            ppi.effectiveN = widened > 0 ? interval.value * (1 - interval.value) / (widened * widened) : nil
            ppi.designEffect = effects?.ppi
        }
        if !options.labelsAreSample && counts.labelled > 0 {
            // Without a recorded sample nothing says the labels represent these items.
            let caveat = "takes the labels as a random sample of these judged items (no sample.json; draw one with judge-review sample)"
            humans.note = [humans.note, caveat].compactMap { $0 }.joined(separator: "; ")
            ppi.note = [ppi.note, caveat].compactMap { $0 }.joined(separator: "; ")
        }
        var estimates = [humans, roganGladen, ppi]
        let transported = unlabelledModels.isEmpty ? nil : transport.map {
            transportedRoganGladen(counts: counts, effects: effects, from: $0, unlabelled: unlabelledModels, options: options,
                                   quantile: quantile(tail))
        }
        if let design = options.design {
            // The design-based estimates over the responded items, widened for the clusters as the others are.
            // The design-based Rogan–Gladen corrects the judge's rate among the responded items.
            var respondedRate = result
            respondedRate.reported = ProportionEstimate(successes: counts.judgeInappropriate, n: counts.judged, confidence: options.confidence)
            let designed = designBased(
                respondedRate, items: items, indices: responded,
                truth: { referenceVerdict(items[$0], references[$0], missingResponse: .exclude) }, verdict: { items[$0].judgeVerdict },
                design: design, weighted: weightedAccuracy, options: options)
            // Each estimator widened by its own design effect (Rogan–Gladen: the largest of its three shares').
            let apparentEffect = effects?.apparent ?? 1
            let designEffect: [LabelPlanning.RateEstimator: Double] = [
                .humans: effects?.humans ?? apparentEffect, .ppi: effects?.ppi ?? apparentEffect,
                .roganGladen: [effects?.apparent, effects?.sensitivity, effects?.specificity].compactMap { $0 }.max() ?? 1,
            ]
            estimates = designed.map { estimate in
                let widen = (designEffect[estimate.estimator] ?? apparentEffect).squareRoot() * quantile(tail) / Proportions.normalQuantile(tail)
                guard widen > 1, let value = estimate.value, let low = estimate.low, let high = estimate.high else { return estimate }
                var widened = estimate
                widened.low = max(0, value - (value - low) * widen)
                widened.high = min(1, value + (high - value) * widen)
                widened.standardError = estimate.standardError.map { $0 * widen }
                return widened
            }
            result.corrected = estimates[1].value.map(transformed)
            result.clippedFrom = nil
            result.reason = estimates[1].value == nil ? estimates[1].note : nil
        }
        if let transported {
            estimates[1] = transported
            result.corrected = transported.value.map(transformed)
            result.reason = transported.value == nil ? transported.note : nil
        }
        result.estimates = estimates.map(finished)
        if result.estimates[1].value == nil { result.corrected = nil; result.clippedFrom = nil }
        result.headline = options.headline ?? (options.labelsAreSample ? .ppi : .roganGladen)
        return result
    }

    /// Another scope's labels, whose sensitivity and specificity `--transport-from` applies where a scope has none.
    struct Transport {
        /// The model whose labels measured them.
        var model: String
        /// Its responded, judged items' counts.
        var counts: RateCellCounts
        /// Their design effects over the model's clusters.
        var effects: DesignEffects?
    }

    /// What the rate estimators read over `indices`: the responded, judged items' counts, the same per cluster (in
    /// key order: a dictionary's order changes from run to run, and the seeded bootstrap must not), and the
    /// labels each model has.
    static func scopeCounts(items: [Item], indices: [Int], references: [ReferenceLabel?], clusterBy: ClusterKey?)
        -> (counts: RateCellCounts, clusters: [RateCellCounts], labelsByModel: [String: Int]) {
        var counts = RateCellCounts()
        var byCluster: [ClusterIdentity: RateCellCounts] = [:]
        var labelsByModel: [String: Int] = [:]
        for index in indices where items[index].response != nil {
            let judge = items[index].judgeVerdict
            guard judge != .noVerdict else { continue }
            let truth = referenceVerdict(items[index], references[index], missingResponse: .exclude)
            let truthValue: Bool? = truth == .noVerdict ? nil : truth == .inappropriate
            counts.add(truth: truthValue, judge: judge == .inappropriate)
            labelsByModel[items[index].subject.name, default: 0] += truthValue == nil ? 0 : 1
            if let clusterBy {
                byCluster[clusterBy.identity(of: items[index]), default: RateCellCounts()].add(truth: truthValue, judge: judge == .inappropriate)
            }
        }
        return (counts, byCluster.sorted { $0.key < $1.key }.map(\.value), labelsByModel)
    }

    /// Rogan–Gladen for a scope whose models have no labels of their own, with the sensitivity and specificity
    /// measured on `source`'s labels: an explicit assumption (`--transport-from`), named in the note and the JSON.
    static func transportedRoganGladen(counts: RateCellCounts, effects: DesignEffects?, from source: Transport, unlabelled: [String],
                                       options: JudgeAnalysisOptions, quantile: Double) -> RateEstimate {
        let labelled = source.counts.labelled
        let names = unlabelled.prefix(3).joined(separator: ", ") + (unlabelled.count > 3 ? ", …" : "")
        let assumption = "ASSUMES the judge errs on \(names) as on \(source.model): sensitivity and specificity transported from \(source.model)'s \(labelled) labels (--transport-from)"
        var estimate = RateEstimate(estimator: .roganGladen)
        estimate.transportedFrom = source.model
        let positives = source.counts.truePositive + source.counts.falseNegative
        let negatives = source.counts.trueNegative + source.counts.falsePositive
        guard counts.judged > 0, positives > 0, negatives > 0,
              let value = Proportions.roganGladen(apparent: Double(counts.judgeInappropriate) / Double(counts.judged),
                                                  sensitivity: Double(source.counts.truePositive) / Double(positives),
                                                  specificity: Double(source.counts.trueNegative) / Double(negatives)) else {
            estimate.note = "undefined: \(source.model)'s labels do not measure both its sensitivity and its specificity, or it is no better than chance there (--transport-from)"
            return estimate
        }
        estimate.value = value
        var notes = [assumption]
        if let few = IntervalTrust.tooFew(labelled) { notes.append(few) }
        if let interval = RateInference.roganGladenInterval(counts: counts, effects: effects, accuracy: (source.counts, source.effects),
                                                            confidence: options.confidence, quantile: quantile) {
            (estimate.low, estimate.high, estimate.standardError) = (interval.low, interval.high, interval.standardError)
        } else {
            notes.insert(IntervalTrust.noInterval("within the uncertainty of its sensitivity and specificity on \(source.model) the judge cannot be told from chance"), at: 0)
        }
        estimate.note = notes.joined(separator: "; ")
        return estimate
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
        var humans = RateEstimators.stratified(.humans, parts: strata, confidence: options.confidence, labels: design.strataLabels)
        var ppi = RateEstimators.stratified(.ppi, parts: strata, confidence: options.confidence, labels: design.strataLabels)
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
                // Wilson-based variances, so a weighted share of 1 (no error in the sample) is not taken as exact.
                func variance(_ p: Double, _ n: Double) -> Double {
                    RateInference.wilsonVariance(p, effectiveN: max(n, 1), confidence: options.confidence) ?? p * (1 - p) / max(n, 1)
                }
                let variance = (value * value * variance(sensitivity, weighted.sensitivity.effectiveN)
                    + (1 - value) * (1 - value) * variance(specificity, weighted.specificity.effectiveN)
                    + variance(apparent, Double(max(rate.reported.n, 1)))) / (youden * youden)
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


}
