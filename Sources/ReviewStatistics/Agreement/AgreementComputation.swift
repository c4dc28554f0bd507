import Foundation

/// Builds an `AgreementSummary`: compresses the table once, computes every coefficient from pattern counts,
/// and adds bootstrap intervals per family of coefficients that share a compressed state space.
struct AgreementComputation: Sendable {
    let table: RatingTable
    let options: AgreementOptions
    /// Coefficients to compute (nil: all).
    var only: Set<CoefficientKind>? = nil
    /// Whether to compute every pair of raters.
    var includePairs = true

    private func wanted(_ kind: CoefficientKind) -> Bool { only?.contains(kind) ?? true }

    /// Bootstrap streams: one per family, so adding a pair does not change another family's draws.
    private enum Stream {
        static let categoryCounts: UInt64 = 1
        static let patterns: UInt64 = 2
        static func pair(_ a: Int, _ b: Int) -> UInt64 { 1000 + UInt64(a) * 10_000 + UInt64(b) }
    }

    func summary() -> AgreementSummary {
        summary(of: RatingPatterns(table))
    }

    /// The summary of `patterns` (the table's, or given counts with `table` naming the raters and categories).
    func summary(of patterns: RatingPatterns) -> AgreementSummary {
        let q = table.categories.count
        let r = table.raters.count
        var notes = table.notes
        if patterns.invalidCodes > 0 {
            notes.append("\(patterns.invalidCodes) rating code(s) outside the \(q) categories were treated as missing")
        }
        if r > 0, table.codes.count != table.items.count * r {
            notes.append("the table has \(table.codes.count) codes for \(table.items.count) items × \(r) raters; only whole rows were used")
        }
        guard q > 0, q <= AgreementLimits.maximumCategories else {
            let reason = q == 0 ? "no categories" : AgreementLimits.tooManyCategories(q)
            var overall: [CoefficientKind: CoefficientResult] = [:]
            for kind in overallKinds() where wanted(kind) { overall[kind] = .undefined(n: 0, reason) }
            return AgreementSummary(overall: overall, pairs: [], notes: notes)
        }
        let scale = CategoryScale(categories: table.categories)
        var clusters = options.clustered ? table.clusters : nil
        if let given = clusters, given.count < table.items.count {
            // Items without a cluster id resample on their own, each as a cluster of one.
            let next = (given.max() ?? -1) + 1
            clusters = given + (0..<(table.items.count - given.count)).map { next + Int32($0) }
            notes.append("\(table.items.count - given.count) item(s) had no cluster id and were resampled as clusters of one")
        }
        if options.clustered, options.resamples > 0, clusters == nil {
            notes.append("clustered intervals were asked for but the table has no clusters; items were resampled")
        }

        var pairs: [PairAgreement] = []
        var firstPair: [CoefficientKind: CoefficientResult] = [:]
        let pairKinds: Set<CoefficientKind> = [.cohenKappa, .scottPi, .weightedKappaLinear, .weightedKappaQuadratic]
        let includePairs = includePairs && r <= AgreementLimits.maximumRatersForPairs
        if self.includePairs, !includePairs {
            notes.append("pairwise coefficients are left out above \(AgreementLimits.maximumRatersForPairs) raters (\(r) here: \(r * (r - 1) / 2) pairs)")
        }
        let pairsNeeded = includePairs || (r == 2 && !pairKinds.isDisjoint(with: only ?? pairKinds))
        let pairCount = r * (r - 1) / 2
        var raterPairs: [(a: Int, b: Int)] = []
        for a in 0..<(pairsNeeded ? r : 0) {
            for b in (a + 1)..<max(r, a + 1) { raterPairs.append((a, b)) }
        }
        // Every pair's bootstrap and the all-raters one draw from streams of their own, so they run at once on
        // the machine's cores and give the very numbers they give one after another.
        let computation = self
        let jobs = raterPairs.count + (r >= 2 ? 1 : 0)
        let (jobPairs, jobClusters) = (raterPairs, clusters)
        let results = ParallelWork.map(parts: jobs) { job -> [CoefficientKind: CoefficientResult] in
            guard job < jobPairs.count else { return computation.overallCoefficients(patterns, scale: scale, clusters: jobClusters) }
            let (a, b) = jobPairs[job]
            return computation.pairCoefficients(patterns, a, b, scale: scale, clusters: jobClusters,
                                                task: "bootstrap, pair \(job + 1) of \(pairCount)")
        }
        for (job, (a, b)) in raterPairs.enumerated() {
            var coefficients = results[job]
            let indices = AgreementIndices(counts: ratingCounts(patterns, raters: [a, b], bothRated: true), categories: table.categories)
            noteParadox(&coefficients, indices: indices)
            if a == 0, b == 1 { firstPair = coefficients }
            if includePairs {
                var pair = PairAgreement(raters: [table.raters[a], table.raters[b]], coefficients: coefficients, indices: indices)
                pair.table = contingency(patterns, a, b)
                pairs.append(pair)
            }
        }

        var overall: [CoefficientKind: CoefficientResult]
        if r < 2 {
            overall = [:]
            let rated = patterns.counts.enumerated().filter { pattern, _ in (0..<r).contains { patterns.code(pattern, $0) >= 0 } }
            let n = rated.reduce(0) { $0 + $1.element }
            for kind in overallKinds() where wanted(kind) { overall[kind] = .undefined(n: n, "fewer than two raters") }
        } else {
            overall = results[raterPairs.count]
        }
        let indices = r >= 2 ? AgreementIndices(counts: ratingCounts(patterns, raters: Array(0..<r), bothRated: false), categories: table.categories) : nil
        noteParadox(&overall, indices: indices)
        if r == 2 {
            for kind in [CoefficientKind.cohenKappa, .scottPi, .weightedKappaLinear, .weightedKappaQuadratic] where wanted(kind) {
                if let result = firstPair[kind] { overall[kind] = result }
            }
        }
        var summary = AgreementSummary(overall: overall, pairs: pairs, notes: notes)
        summary.indices = indices
        return summary
    }

    /// The keys the overall section carries at the chosen level.
    private func overallKinds() -> [CoefficientKind] {
        var kinds: [CoefficientKind] = [.percentAgreement, .fleissKappa, .congerKappa, .krippendorffAlpha, .gwetAC1, .bennettS]
        if options.level != .nominal { kinds.append(.gwetAC2) }
        if options.level == .interval || options.level == .ratio { kinds.append(.iccAgreement) }
        return kinds
    }

    // MARK: - Overall

    private func overallCoefficients(_ patterns: RatingPatterns, scale: CategoryScale, clusters: [Int32]?) -> [CoefficientKind: CoefficientResult] {
        let q = patterns.categoryCount
        let identity = CategoryScale.identity(q)
        let ordered = options.level != .nominal
        let (counts, stateOfPattern) = CategoryCounts.project(patterns)
        let units = CompressedUnits(patterns: patterns, stateOfPattern: stateOfPattern, stateCount: counts.stateCount, clusters: clusters)
        let stateWeights = units.counts.prefix(counts.stateCount).map(Double.init)
        let unweighted = GwetMultiRater(units: counts, weights: identity)
        let levelWeighted = GwetMultiRater(units: counts, weights: scale.weights(for: options.level))
        let alpha = KrippendorffAlpha(units: counts, scale: scale, metric: KrippendorffMetric(options.level))

        // Each coefficient of the category-count family: its key and how to evaluate it on state weights.
        var family: [(kind: CoefficientKind, estimate: ([Double]) -> CoefficientResult, value: ([Double]) -> Double?)] = [
            (.percentAgreement, { unweighted.estimate(.none, stateWeights: $0) }, { unweighted.value(.none, stateWeights: $0) }),
            (.fleissKappa, { unweighted.estimate(.fleiss, stateWeights: $0) }, { unweighted.value(.fleiss, stateWeights: $0) }),
            (.gwetAC1, { unweighted.estimate(.gwet, stateWeights: $0) }, { unweighted.value(.gwet, stateWeights: $0) }),
            (.bennettS, { unweighted.estimate(.brennanPrediger, stateWeights: $0) }, { unweighted.value(.brennanPrediger, stateWeights: $0) }),
            (.krippendorffAlpha, { alpha.estimate(stateWeights: $0) }, { alpha.value(stateWeights: $0) }),
        ]
        if ordered {
            family.append((.gwetAC2, { levelWeighted.estimate(.gwet, stateWeights: $0) }, { levelWeighted.value(.gwet, stateWeights: $0) }))
        }
        // Percent agreement is always computed: its bootstrap spread gives the others' boundary bound.
        family = family.filter { wanted($0.kind) || $0.kind == .percentAgreement }
        var overall: [CoefficientKind: CoefficientResult] = [:]
        for member in family { overall[member.kind] = member.estimate(stateWeights) }
        let conger = CongerKappa(patterns: patterns, weights: identity)
        if wanted(.congerKappa) { overall[.congerKappa] = conger.estimate(patternWeights: patterns.counts.map(Double.init)) }
        let scored = options.level == .interval || options.level == .ratio
        let icc = IntraclassCorrelation(patterns: patterns, categories: table.categories)
        if scored, wanted(.iccAgreement) { overall[.iccAgreement] = icc.estimate(patternWeights: patterns.counts.map(Double.init)) }

        let resamples = min(options.resamples, AgreementLimits.maximumResamples)
        guard resamples > 0 else { return overall }
        let bootstrap = PercentileBootstrap(resamples: resamples, confidence: options.confidence, seed: options.seed, clustered: options.clustered)
        var agreementSpread: Double?
        if !family.isEmpty {
            let intervals = bootstrap.intervals(units: units, stream: Stream.categoryCounts, statisticCount: family.count,
                                                task: "bootstrap, all raters") { weights in
                family.map { $0.value(weights) }
            }
            apply(intervals, to: family.map(\.kind), in: &overall)
            agreementSpread = zip(family, intervals).first { $0.0.kind == .percentAgreement }?.1.standardDeviation
        }
        // The coefficients of whole rating patterns (Conger's kappa, the ICC) share one bootstrap of patterns.
        var patternFamily: [(kind: CoefficientKind, value: ([Double]) -> Double?)] = []
        if wanted(.congerKappa) { patternFamily.append((.congerKappa, { conger.value(patternWeights: $0) })) }
        if scored, wanted(.iccAgreement), overall[.iccAgreement]?.value != nil {
            patternFamily.append((.iccAgreement, { icc.value(patternWeights: $0) }))
        }
        if !patternFamily.isEmpty {
            let patternUnits = CompressedUnits(patterns: patterns, stateOfPattern: (0..<patterns.patternCount).map { Int32($0) },
                                               stateCount: patterns.patternCount, clusters: clusters)
            let intervals = bootstrap.intervals(units: patternUnits, stream: Stream.patterns, statisticCount: patternFamily.count,
                                                task: "bootstrap, rating patterns") { weights in
                patternFamily.map { $0.value(weights) }
            }
            apply(intervals, to: patternFamily.map(\.kind), in: &overall)
        }
        boundaryHonest(&overall, itemRatio: itemAgreementRatio(patterns, raters: Array(0..<patterns.raterCount)),
                       agreementSpread: agreementSpread, units: units)
        if !wanted(.percentAgreement) { overall[.percentAgreement] = nil }
        return overall
    }

    // MARK: - Pairs

    private func pairCoefficients(_ patterns: RatingPatterns, _ a: Int, _ b: Int, scale: CategoryScale, clusters: [Int32]?,
                                  task: String) -> [CoefficientKind: CoefficientResult] {
        let q = patterns.categoryCount
        let side = Int32(q + 1)
        let stateOfPattern = (0..<patterns.patternCount).map { pattern in
            (patterns.code(pattern, a) + 1) * side + (patterns.code(pattern, b) + 1)
        }
        let units = CompressedUnits(patterns: patterns, stateOfPattern: stateOfPattern, stateCount: (q + 1) * (q + 1), clusters: clusters)
        let table = TwoRaterTable(q: q, pairStateWeights: units.counts.map(Double.init))
        let identity = CategoryScale.identity(q)
        let ordered = options.level != .nominal
        let linear = scale.linearWeights(), quadratic = scale.quadraticWeights(), levelWeights = scale.weights(for: options.level)
        let metric = KrippendorffMetric(options.level)

        var kinds: [CoefficientKind] = [.percentAgreement, .cohenKappa, .scottPi, .gwetAC1, .bennettS, .krippendorffAlpha]
        if ordered { kinds += [.weightedKappaLinear, .weightedKappaQuadratic, .gwetAC2] }
        var result: [CoefficientKind: CoefficientResult] = [
            .percentAgreement: table.estimate(.percent, weights: identity),
            .cohenKappa: table.estimate(.cohen, weights: identity),
            .scottPi: table.estimate(.scott, weights: identity),
            .gwetAC1: table.estimate(.gwet, weights: identity),
            .bennettS: table.estimate(.brennanPrediger, weights: identity),
            .krippendorffAlpha: table.alpha(scale: scale, metric: metric),
        ]
        if ordered {
            result[.weightedKappaLinear] = table.estimate(.cohen, weights: linear)
            result[.weightedKappaQuadratic] = table.estimate(.cohen, weights: quadratic)
            result[.gwetAC2] = table.estimate(.gwet, weights: levelWeights)
        }
        let resamples = min(options.resamples, AgreementLimits.maximumResamples)
        guard resamples > 0 else { return result }
        let bootstrap = PercentileBootstrap(resamples: resamples, confidence: options.confidence, seed: options.seed, clustered: options.clustered)
        let intervals = bootstrap.intervals(units: units, stream: Stream.pair(a, b), statisticCount: kinds.count, task: task) { weights in
            let resampled = TwoRaterTable(q: q, pairStateWeights: weights)
            var values: [Double?] = [
                resampled.value(.percent, weights: identity),
                resampled.value(.cohen, weights: identity),
                resampled.value(.scott, weights: identity),
                resampled.value(.gwet, weights: identity),
                resampled.value(.brennanPrediger, weights: identity),
                resampled.alphaValue(scale: scale, metric: metric),
            ]
            if ordered {
                values += [resampled.value(.cohen, weights: linear), resampled.value(.cohen, weights: quadratic),
                           resampled.value(.gwet, weights: levelWeights)]
            }
            return values
        }
        apply(intervals, to: kinds, in: &result)
        boundaryHonest(&result, itemRatio: 1, agreementSpread: intervals.first?.standardDeviation, units: units)
        return result
    }

    /// Makes the intervals honest at the boundary, where the percentile bootstrap collapses (every resample of a
    /// perfectly agreeing sample agrees: [1, 1]; at extreme prevalence a kappa of −0.03 at 93% agreement comes out
    /// "significantly negative") and covers as little as 0.39 at 30 items.
    ///
    /// Percent agreement gets the continuity-corrected Wilson interval (Newcombe 1998) on its effective number of
    /// items. Every chance-corrected coefficient (P_a − P_e) / (1 − P_e) gets an interval no narrower than that
    /// bound carried through its own chance term (P_e held at its estimate): the hull of the bootstrap interval and
    /// the transformed Wilson bounds. The effective number of items is n over `itemRatio`, the variance of an item's
    /// agreement over the binomial P_a(1 − P_a) (1 for two raters, below 1 for several, where an item's agreement
    /// is a share of its rater pairs; 1 where nothing disagreed). Clustered, it is n over the ratio of percent
    /// agreement's cluster-bootstrap variance to the binomial one (never below `itemRatio`), or the number of clusters where no resample
    /// disagreed (each cluster as one item: the worst case). Per-item agreement lies in [0, 1], so weighted agreement takes part
    /// as well; Krippendorff's alpha does at the nominal level, where 1 − D_o is an agreement share. Clustered, the
    /// critical value is Student's t on clusters − 1 degrees of freedom.
    /// The simulation behind this choice (two raters, 30–100 items, kappa 0.5–0.9, prevalence 0.1–0.5): the
    /// bootstrap alone covers 0.39–0.95, this interval 0.95–1.00; percent agreement with plain Wilson 0.90–0.97,
    /// with the correction 0.96–0.99.
    private func boundaryHonest(_ results: inout [CoefficientKind: CoefficientResult], itemRatio: Double, agreementSpread: Double?,
                                units: CompressedUnits) {
        guard min(options.resamples, AgreementLimits.maximumResamples) > 0 else { return }
        // Clusters of one item each are items: the interval is over these items.
        let clusterCount = units.clusterCount
        let clusters = options.clustered && clusterCount > 0 && clusterCount < units.counts.reduce(0, +) ? clusterCount : nil
        let tail = 1 - (1 - options.confidence) / 2
        let quantile = clusters.map { StudentT.quantile(tail, degreesOfFreedom: Double(max(1, $0 - 1))) }
            ?? Proportions.normalQuantile(tail)
        let agreementShare = results[.percentAgreement]?.observed
        for (kind, result) in results {
            guard result.value != nil, let observed = result.observed, let chance = result.chance, result.n > 0 else { continue }
            var updated = result
            updated.clusters = clusters
            let (pa, pe): (Double, Double)
            switch kind {
            case .krippendorffAlpha:
                guard options.level == .nominal else { results[kind] = updated; continue }
                (pa, pe) = (1 - observed, 1 - chance)
            default: (pa, pe) = (observed, chance)
            }
            let n = Double(result.n)
            var effectiveN = n / itemRatio
            if let clusters {
                let share = agreementShare ?? pa
                let binomial = share * (1 - share) / n
                // Clustering never narrows the item-level bound; a ratio of 0 to rounding means nothing disagreed.
                if let spread = agreementSpread, binomial > 0, spread * spread / binomial > 1e-9 {
                    effectiveN = n / max(itemRatio, spread * spread / binomial)
                } else {
                    effectiveN = min(n, Double(clusters))
                }
            }
            guard pa >= 0, pa <= 1, 1 - pe > ChanceCorrected.degenerateTolerance,
                  let bound = Proportions.wilsonContinuityCorrected(proportion: pa, effectiveN: effectiveN, quantile: quantile) else {
                results[kind] = updated
                continue
            }
            let low = max(-1, (bound.low - pe) / (1 - pe)), high = min(1, (bound.high - pe) / (1 - pe))
            if kind == .percentAgreement {
                (updated.ciLow, updated.ciHigh) = (low, high)
            } else {
                updated.ciLow = min(updated.ciLow ?? low, low)
                updated.ciHigh = max(updated.ciHigh ?? high, high)
            }
            results[kind] = updated
        }
    }

    /// The variance of an item's agreement (the share of its pairs of ratings that agree) over P_a(1 − P_a), over
    /// the items with two or more ratings among `raters`; 1 where every item agreed alike.
    private func itemAgreementRatio(_ patterns: RatingPatterns, raters: [Int]) -> Double {
        var items = 0.0, sum = 0.0, squares = 0.0
        var perCategory = [Int](repeating: 0, count: patterns.categoryCount)
        for pattern in 0..<patterns.patternCount {
            for k in perCategory.indices { perCategory[k] = 0 }
            var rated = 0
            for rater in raters where patterns.code(pattern, rater) >= 0 {
                perCategory[Int(patterns.code(pattern, rater))] += 1
                rated += 1
            }
            guard rated >= 2 else { continue }
            let agreement = Double(perCategory.reduce(0) { $0 + $1 * ($1 - 1) }) / Double(rated * (rated - 1))
            let count = Double(patterns.counts[pattern])
            items += count
            sum += count * agreement
            squares += count * agreement * agreement
        }
        guard items > 0 else { return 1 }
        let mean = sum / items
        let binomial = mean * (1 - mean)
        guard binomial > 1e-12 else { return 1 }
        return min(1, max(1e-6, (squares / items - mean * mean) / binomial))
    }

    /// The q × q table of two raters' categories over the items both rated.
    private func contingency(_ patterns: RatingPatterns, _ a: Int, _ b: Int) -> [[Int]] {
        var table = [[Int]](repeating: [Int](repeating: 0, count: patterns.categoryCount), count: patterns.categoryCount)
        for pattern in 0..<patterns.patternCount {
            let first = patterns.code(pattern, a), second = patterns.code(pattern, b)
            guard first >= 0, second >= 0 else { continue }
            table[Int(first)][Int(second)] += patterns.counts[pattern]
        }
        return table
    }

    /// Ratings per rater (of `raters`) and category, over the items every one of `raters` rated when `bothRated`.
    private func ratingCounts(_ patterns: RatingPatterns, raters: [Int], bothRated: Bool) -> [[Double]] {
        var counts = [[Double]](repeating: [Double](repeating: 0, count: patterns.categoryCount), count: raters.count)
        for pattern in 0..<patterns.patternCount {
            let codes = raters.map { patterns.code(pattern, $0) }
            if bothRated, codes.contains(where: { $0 < 0 }) { continue }
            for (index, code) in codes.enumerated() where code >= 0 { counts[index][Int(code)] += Double(patterns.counts[pattern]) }
        }
        return counts
    }

    /// The kappa-type coefficients, whose chance term makes them paradoxical at extreme prevalence.
    static let paradoxKinds: Set<CoefficientKind> = [.cohenKappa, .scottPi, .fleissKappa, .congerKappa, .krippendorffAlpha,
                                                      .weightedKappaLinear, .weightedKappaQuadratic]

    /// The kappa-paradox note on every kappa-type coefficient, when one category dominates the ratings.
    private func noteParadox(_ results: inout [CoefficientKind: CoefficientResult], indices: AgreementIndices?) {
        guard let note = indices?.paradoxNote else { return }
        for kind in Self.paradoxKinds {
            guard var result = results[kind], result.value != nil else { continue }
            result.reason = [result.reason, note].compactMap { $0 }.joined(separator: "; ")
            results[kind] = result
        }
    }

    private func apply(_ intervals: [PercentileBootstrap.Interval], to kinds: [CoefficientKind], in results: inout [CoefficientKind: CoefficientResult]) {
        for (kind, interval) in zip(kinds, intervals) {
            guard var result = results[kind] else { continue }
            result.ciLow = interval.low
            result.ciHigh = interval.high
            result.resamplesUsed = interval.used
            results[kind] = result
        }
    }
}
