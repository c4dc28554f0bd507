import Foundation

/// Builds an `AgreementSummary`: compresses the table once, computes every coefficient from pattern counts,
/// and adds bootstrap intervals per family of coefficients that share a compressed state space.
struct AgreementComputation {
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
        let patterns = RatingPatterns(table)
        let q = table.categories.count
        let r = table.raters.count
        var notes: [String] = []
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
        var pairNumber = 0
        for a in 0..<(pairsNeeded ? r : 0) {
            for b in (a + 1)..<max(r, a + 1) {
                pairNumber += 1
                let coefficients = pairCoefficients(patterns, a, b, scale: scale, clusters: clusters,
                                                    task: "bootstrap, pair \(pairNumber) of \(pairCount)")
                if a == 0, b == 1 { firstPair = coefficients }
                if includePairs { pairs.append(PairAgreement(raters: [table.raters[a], table.raters[b]], coefficients: coefficients)) }
            }
        }

        var overall: [CoefficientKind: CoefficientResult]
        if r < 2 {
            overall = [:]
            let rated = patterns.counts.enumerated().filter { pattern, _ in (0..<r).contains { patterns.code(pattern, $0) >= 0 } }
            let n = rated.reduce(0) { $0 + $1.element }
            for kind in overallKinds() where wanted(kind) { overall[kind] = .undefined(n: n, "fewer than two raters") }
        } else {
            overall = overallCoefficients(patterns, scale: scale, clusters: clusters)
        }
        if r == 2 {
            for kind in [CoefficientKind.cohenKappa, .scottPi, .weightedKappaLinear, .weightedKappaQuadratic] where wanted(kind) {
                if let result = firstPair[kind] { overall[kind] = result }
            }
        }
        return AgreementSummary(overall: overall, pairs: pairs, notes: notes)
    }

    /// The keys the overall section carries at the chosen level.
    private func overallKinds() -> [CoefficientKind] {
        var kinds: [CoefficientKind] = [.percentAgreement, .fleissKappa, .congerKappa, .krippendorffAlpha, .gwetAC1, .bennettS]
        if options.level != .nominal { kinds.append(.gwetAC2) }
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
        family = family.filter { wanted($0.kind) }
        var overall: [CoefficientKind: CoefficientResult] = [:]
        for member in family { overall[member.kind] = member.estimate(stateWeights) }
        let conger = CongerKappa(patterns: patterns, weights: identity)
        if wanted(.congerKappa) { overall[.congerKappa] = conger.estimate(patternWeights: patterns.counts.map(Double.init)) }

        let resamples = min(options.resamples, AgreementLimits.maximumResamples)
        guard resamples > 0 else { return overall }
        let bootstrap = PercentileBootstrap(resamples: resamples, confidence: options.confidence, seed: options.seed, clustered: options.clustered)
        if !family.isEmpty {
            let intervals = bootstrap.intervals(units: units, stream: Stream.categoryCounts, statisticCount: family.count,
                                                task: "bootstrap, all raters") { weights in
                family.map { $0.value(weights) }
            }
            apply(intervals, to: family.map(\.kind), in: &overall)
        }
        guard wanted(.congerKappa) else { return overall }
        let patternUnits = CompressedUnits(patterns: patterns, stateOfPattern: (0..<patterns.patternCount).map { Int32($0) },
                                           stateCount: patterns.patternCount, clusters: clusters)
        let congerIntervals = bootstrap.intervals(units: patternUnits, stream: Stream.patterns, statisticCount: 1,
                                                  task: "bootstrap, Conger's kappa") { weights in
            [conger.value(patternWeights: weights)]
        }
        apply(congerIntervals, to: [.congerKappa], in: &overall)
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
        return result
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
