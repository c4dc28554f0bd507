// Plans for the intervals the analysis prints: simulated studies run through the estimators' own interval code.
import Foundation

extension LabelPlanning {
    /// How the study's clusters widen the intervals a plan is for: the design effect on every variance, and the
    /// clusters whose count sets the t quantile (G − 1 degrees of freedom), as `agreement` applies them.
    public struct PlanDesign: Sendable, Equatable {
        /// Variance inflation from clustering (1: responses independent).
        public var designEffect: Double
        /// Clusters the intervals generalise over (nil: over the responses).
        public var clusters: Int?

        /// A design; the defaults are independent responses.
        public init(designEffect: Double = 1, clusters: Int? = nil) {
            self.designEffect = designEffect
            self.clusters = clusters
        }

        func validate() throws {
            guard designEffect.isFinite, designEffect >= 1, designEffect <= 10_000 else {
                throw InvalidInput("--design-effect must lie between 1 and 10000 (got \(designEffect))")
            }
            if let clusters, clusters < 2 || clusters > 100_000_000 {
                throw InvalidInput("--clusters must lie between 2 and 100000000 (got \(clusters))")
            }
        }

        /// The critical value the printed Wilson and delta-method intervals use.
        func quantile(_ confidence: Double) -> Double {
            let tail = 1 - (1 - confidence) / 2
            return clusters.map { StudentT.quantile(tail, degreesOfFreedom: Double($0 - 1)) } ?? Proportions.normalQuantile(tail)
        }

        /// The design effects every quantity gets.
        var effects: DesignEffects {
            DesignEffects(clusters: clusters ?? 0, humans: designEffect, apparent: designEffect, sensitivity: designEffect,
                          specificity: designEffect, ppi: designEffect)
        }
    }

    /// The assurance a plan gives unless asked for another: half of the planned studies print an interval within
    /// the target (the median width).
    public static let defaultAssurance = 0.5
    /// Simulated studies per candidate size.
    static let simulatedStudies = 1_000
    /// The most labels a rate plan may ask for without a pool.
    static let unlimitedPoolLabels = 10_000_000

    static func requireAssurance(_ assurance: Double) throws {
        guard assurance > 0, assurance < 1 else { throw InvalidInput("--assurance must lie strictly between 0 and 1 (got \(assurance))") }
    }

    /// The smallest n in 1...limit at which `meets` holds, by doubling then bisection (`meets` grows with n, up to
    /// simulation noise held down by drawing every candidate from the same seed); nil when not even at `limit`.
    static func smallest(upTo limit: Int, startingAt start: Int = 1, _ meets: (Int) -> Bool) -> Int? {
        guard limit >= 1, meets(limit) else { return nil }
        var low = 0, high = min(max(1, start), limit)
        while !meets(high) { low = high; high = min(high * 2, limit) }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if meets(middle) { high = middle } else { low = middle }
        }
        return high
    }

    /// The share of `simulatedStudies` simulated studies (seeded: the same plan on every run) in which `halfWidth`
    /// of the drawn study is at most `target`; a study whose interval is undefined misses.
    static func assuranceMet(_ assurance: Double, target: Double, seed: UInt64, stream: UInt64, studies: Int = simulatedStudies,
                             halfWidth: (inout RandomSource) -> Double?) -> Bool {
        var random = RandomSource(seed: seed, stream: stream)
        var met = 0
        for _ in 0..<studies {
            if let width = halfWidth(&random), width <= target + 1e-12 { met += 1 }
        }
        return Double(met) >= assurance * Double(studies)
    }

    /// Simulated studies per candidate size for a kappa plan, and bootstrap resamples in each (every study runs
    /// the agreement engine, bootstrap and all).
    static let kappaStudies = 200, kappaResamples = 200

    /// Items for Cohen's kappa (two raters, a binary verdict, the common-correlation model of Donner & Eliasziw)
    /// so that the interval `agreement` prints (the percentile bootstrap widened to the agreement bound) lies
    /// within [`lower`, `upper`] (or above `lower` alone) in a share `assurance` of studies: each candidate size is
    /// simulated and every simulated study is run through the agreement engine itself. nil: not within 100,000
    /// items.
    public static func printedKappaItems(
        kappa0: Double, lower: Double, upper: Double?, prevalence: Double, confidence: Double = 0.95,
        assurance: Double = defaultAssurance, seed: UInt64 = 1
    ) throws -> Int? {
        try requireProbability(kappa0, "--kappa")
        try requireProbability(prevalence, "--prevalence")
        try requireConfidence(confidence)
        try requireAssurance(assurance)
        let pairs = pairProbabilities(kappa: kappa0, prevalence: prevalence)
        let cells = [pairs[0], pairs[1] / 2, pairs[1] / 2]
        // The expected-count plan is a near lower bound of this one: start the search there.
        let start = (try? kappaItemsAsymptotic(kappa0: kappa0, lower: lower, upper: upper, prevalence: prevalence, confidence: confidence)) ?? 1
        return smallest(upTo: 100_000, startingAt: start) { n in
            assuranceMet(assurance, target: 0, seed: seed, stream: 60, studies: kappaStudies) { random in
                var counts: [Int] = [], left = n, mass = 1.0
                for share in cells {
                    let count = mass > 0 ? random.binomial(left, min(1, share / mass)) : 0
                    counts.append(count)
                    left -= count
                    mass -= share
                }
                counts.append(left)
                let options = AgreementOptions(resamples: kappaResamples, seed: random.next(), confidence: confidence)
                let kappa = AgreementEngine.summarizeBinaryPair(counts: counts, options: options, only: [.cohenKappa]).overall[.cohenKappa]
                guard let low = kappa?.ciLow, let high = kappa?.ciHigh else { return nil }
                // 0 when inside the target: the assurance counts studies whose interval lies within the bounds.
                return low >= lower - 1e-12 && high <= (upper ?? 1) + 1e-12 ? 0 : 1
            }
        }
    }

    /// Labels each estimator needs for the interval `agreement` prints to be within ±`halfWidth` in a share
    /// `assurance` of studies: each candidate number of labels is simulated (labels drawn at random from the judged
    /// pool with this prevalence, sensitivity and specificity) and run through the estimator's own interval code
    /// (`RateInference`: Wilson for humans only, the delta method with Wilson-based variances for Rogan–Gladen,
    /// t with the smoothed standard error for PPI++), with the design effect and cluster count of `design`. A pool
    /// enters as the analysis takes it: the judge's rate over the pool for Rogan–Gladen and PPI++, nothing for
    /// humans only (its interval has no finite-population correction). nil: not reachable (within the pool).
    public static func printedRateLabels(
        prevalence: Double, sensitivity: Double, specificity: Double, halfWidth: Double, pool: Int? = nil, confidence: Double = 0.95,
        design: PlanDesign = PlanDesign(), assurance: Double = defaultAssurance, seed: UInt64 = 1
    ) throws -> [(estimator: RateEstimator, labels: Int?)] {
        try checkRatePlan(prevalence: prevalence, sensitivity: sensitivity, specificity: specificity, halfWidth: halfWidth, pool: pool,
                          confidence: confidence)
        try requireAssurance(assurance)
        try design.validate()
        let judgePositive = prevalence * sensitivity + (1 - prevalence) * (1 - specificity)
        let cells = [prevalence * sensitivity, prevalence * (1 - sensitivity), (1 - prevalence) * (1 - specificity)]
        let quantile = design.quantile(confidence)
        func study(_ n: Int, _ random: inout RandomSource) -> RateCellCounts {
            var counts = RateCellCounts()
            var left = n, mass = 1.0
            var drawn: [Int] = []
            for share in cells {
                let count = mass > 0 ? random.binomial(left, min(1, share / mass)) : 0
                drawn.append(count)
                left -= count
                mass -= share
            }
            (counts.truePositive, counts.falseNegative, counts.falsePositive, counts.trueNegative) = (drawn[0], drawn[1], drawn[2], left)
            if let pool {
                counts.unlabelled = pool - n
                counts.unlabelledInappropriate = random.binomial(pool - n, judgePositive)
            } else {
                // Unlimited: the judge's rate over the pool is known (a billion judged items).
                counts.unlabelled = 1_000_000_000
                counts.unlabelledInappropriate = Int((1_000_000_000 * judgePositive).rounded())
            }
            return counts
        }
        let limit = pool.map { $0 - 1 } ?? unlimitedPoolLabels
        return RateEstimator.allCases.enumerated().map { index, estimator in
            let labels = smallest(upTo: limit) { n in
                assuranceMet(assurance, target: halfWidth, seed: seed, stream: 40 + UInt64(index)) { random in
                    let counts = study(n, &random)
                    switch estimator {
                    case .humans:
                        return RateInference.humansInterval(counts, effect: design.designEffect, quantile: quantile).map { ($0.high - $0.low) / 2 }
                    case .roganGladen:
                        return RateInference.roganGladenInterval(counts: counts, effects: design.effects, confidence: confidence, quantile: quantile)
                            .map { ($0.high - $0.low) / 2 }
                    case .ppi:
                        return RateInference.ppiInterval(counts, effect: design.designEffect, clusters: design.clusters, confidence: confidence)
                            .map { ($0.high - $0.low) / 2 }
                    }
                }
            }
            return (estimator, labels)
        }
    }

    /// Items to label at random for the judge's sensitivity (`share` = the prevalence) or specificity (`share` = 1 −
    /// the prevalence) to be printed within ±`halfWidth` in a share `assurance` of studies: the Wilson interval
    /// `agreement` prints, from the effective count of cases (cases over the design effect) and the critical value
    /// of `design`; the number of cases among the items is itself drawn. Returns the items and the cases expected.
    public static func printedAccuracyItems(
        _ value: Double, _ name: String, halfWidth: Double, share: Double, confidence: Double = 0.95,
        design: PlanDesign = PlanDesign(), assurance: Double = defaultAssurance, seed: UInt64 = 1
    ) throws -> (items: Int, cases: Int) {
        try requireProbability(value, name)
        try requireProbability(share, "--prevalence")
        try requireHalfWidth(halfWidth)
        try requireConfidence(confidence)
        try requireAssurance(assurance)
        try design.validate()
        let quantile = design.quantile(confidence)
        let limit = 1_000_000_000
        guard let items = smallest(upTo: limit, { n in
            assuranceMet(assurance, target: halfWidth, seed: seed, stream: 50) { random in
                let cases = random.binomial(n, share)
                guard cases > 0 else { return nil }
                let hits = random.binomial(cases, value)
                return Proportions.wilson(proportion: Double(hits) / Double(cases), effectiveN: Double(cases) / design.designEffect,
                                          quantile: quantile).map { ($0.high - $0.low) / 2 }
            }
        }) else {
            throw InvalidInput("the plan would need more than 1,000,000,000 items; the target is too narrow or an input too close to its bound")
        }
        return (items, try count(Double(items) * share, "cases"))
    }
}
