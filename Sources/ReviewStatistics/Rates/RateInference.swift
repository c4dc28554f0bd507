// Intervals for the rate of inappropriate responses that hold at the study's design: clusters of responses to one
// stimulus, items with no response, and a judge whose validation saw no error.
import Foundation

/// Student's t quantiles, for intervals with few clusters or few labels.
public enum StudentT {
    /// The `p` quantile of Student's t with `degreesOfFreedom`: for whole degrees of freedom up to 1,000, Newton's
    /// method on the exact distribution function (`cdf`) from the Cornish–Fisher start (to about 1e-12); otherwise
    /// the fourth-order Cornish–Fisher expansion about the normal quantile (within 1e-8 of R's `qt` from 1,000 on).
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        guard nu.isFinite, nu < 1e7 else { return Proportions.normalQuantile(p) }
        if nu <= 1 { return tan(Double.pi * (p - 0.5)) }
        if nu <= 2 { return (2 * p - 1) / (2 * p * (1 - p)).squareRoot() }
        var t = cornishFisher(p, nu)
        guard nu == nu.rounded(), nu <= 1000, p > 0, p < 1 else { return t }
        let logScale = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * Double.pi)
        for _ in 0..<8 {
            let density = exp(logScale - (nu + 1) / 2 * log1p(t * t / nu))
            let step = (cdf(t, degreesOfFreedom: Int(nu)) - p) / density
            t -= step
            if abs(step) < 1e-13 * max(1, abs(t)) { break }
        }
        return t
    }

    /// Student's t distribution function for whole degrees of freedom, by the finite series of Abramowitz and
    /// Stegun 26.7.3–4 in θ = atan(t/√ν).
    public static func cdf(_ t: Double, degreesOfFreedom nu: Int) -> Double {
        let theta = atan(abs(t) / Double(nu).squareRoot())
        let c2 = cos(theta) * cos(theta), s = sin(theta)
        var inside: Double  // A(|t| | ν) = P(|T| ≤ |t|)
        if nu % 2 == 1 {
            var term = 1.0, sum = nu > 1 ? 1.0 : 0.0
            if nu > 3 {
                for k in stride(from: 2, through: nu - 3, by: 2) {
                    term *= Double(k) / Double(k + 1) * c2
                    sum += term
                }
            }
            inside = 2 / Double.pi * (theta + s * cos(theta) * sum)
        } else {
            var term = 1.0, sum = 1.0
            if nu > 2 {
                for k in stride(from: 1, through: nu - 3, by: 2) {
                    term *= Double(k) / Double(k + 1) * c2
                    sum += term
                }
            }
            inside = s * sum
        }
        return t < 0 ? (1 - inside) / 2 : (1 + inside) / 2
    }

    /// The Cornish–Fisher expansion of t's quantile about the normal one, to the fourth order in 1/ν.
    static func cornishFisher(_ p: Double, _ nu: Double) -> Double {
        let z = Proportions.normalQuantile(p)
        let z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z
        return z + (z3 + z) / (4 * nu) + (5 * z5 + 16 * z3 + 3 * z) / (96 * nu * nu)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * nu * nu * nu)
            + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * nu * nu * nu * nu)
    }
}

extension Proportions {
    /// The Wilson score interval with the critical value `quantile` (a t quantile with few clusters) for a
    /// proportion from `effectiveN` trials (the count divided by the design effect).
    public static func wilson(proportion p: Double, effectiveN n: Double, quantile z: Double) -> (low: Double, high: Double)? {
        guard n > 0, p >= 0, p <= 1, z > 0 else { return nil }
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let halfWidth = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        return (p == 0 ? 0 : max(0, centre - halfWidth), p == 1 ? 1 : min(1, centre + halfWidth))
    }

    /// The Wilson score interval with continuity correction (Newcombe 1998, method 4; R's `prop.test`), for a
    /// proportion from `effectiveN` trials with the critical value `quantile`.
    ///
    /// For shares near 0 or 1 at a few dozen trials, where the plain Wilson interval's coverage dips to 0.90
    /// (percent agreement lives there), this one stays at or above the nominal level.
    public static func wilsonContinuityCorrected(proportion p: Double, effectiveN n: Double, quantile z: Double) -> (low: Double, high: Double)? {
        guard n > 0, p >= 0, p <= 1, z > 0 else { return nil }
        let z2 = z * z
        let lowRoot = max(0, z2 - 2 - 1 / n + 4 * p * (n * (1 - p) + 1)).squareRoot()
        let highRoot = max(0, z2 + 2 - 1 / n + 4 * p * (n * (1 - p) - 1)).squareRoot()
        let low = p == 0 ? 0 : max(0, (2 * n * p + z2 - 1 - z * lowRoot) / (2 * (n + z2)))
        let high = p == 1 ? 1 : min(1, (2 * n * p + z2 + 1 + z * highRoot) / (2 * (n + z2)))
        return (low, high)
    }
}

/// What the rate estimators read in one cluster (the responses to one stimulus, or one item): counts of the
/// responded, judged items by judge verdict and, where a reference exists, by reference verdict.
public struct RateCellCounts: Sendable, Equatable {
    /// Reference inappropriate, judge inappropriate.
    public var truePositive = 0
    /// Reference inappropriate, judge appropriate (a miss).
    public var falseNegative = 0
    /// Reference appropriate, judge inappropriate (a false alarm).
    public var falsePositive = 0
    /// Reference appropriate, judge appropriate.
    public var trueNegative = 0
    /// Judged items without a reference.
    public var unlabelled = 0
    /// Of those, the judge's inappropriate verdicts.
    public var unlabelledInappropriate = 0

    /// Empty counts.
    public init() {}

    /// Labelled items.
    public var labelled: Int { truePositive + falseNegative + falsePositive + trueNegative }
    /// Judged items.
    public var judged: Int { labelled + unlabelled }
    /// The judge's inappropriate verdicts.
    public var judgeInappropriate: Int { truePositive + falsePositive + unlabelledInappropriate }

    /// Adds another cluster's counts.
    public mutating func add(_ other: RateCellCounts) {
        truePositive += other.truePositive
        falseNegative += other.falseNegative
        falsePositive += other.falsePositive
        trueNegative += other.trueNegative
        unlabelled += other.unlabelled
        unlabelledInappropriate += other.unlabelledInappropriate
    }

    /// Adds one judged item: `truth` nil when it has no reference.
    public mutating func add(truth: Bool?, judge: Bool) {
        switch (truth, judge) {
        case (true?, true): truePositive += 1
        case (true?, false): falseNegative += 1
        case (false?, true): falsePositive += 1
        case (false?, false): trueNegative += 1
        case (nil, let judge):
            unlabelled += 1
            if judge { unlabelledInappropriate += 1 }
        }
    }

    /// The estimators' inputs.
    public var inputs: RateInputs {
        var labelled: [(truth: Bool, judge: Bool)] = []
        labelled.reserveCapacity(self.labelled)
        labelled += Array(repeating: (true, true), count: truePositive)
        labelled += Array(repeating: (true, false), count: falseNegative)
        labelled += Array(repeating: (false, true), count: falsePositive)
        labelled += Array(repeating: (false, false), count: trueNegative)
        return RateInputs(labelled: labelled, unlabelled: unlabelled, unlabelledInappropriate: unlabelledInappropriate)
    }
}

/// The quantities whose spread over clusters sets the design effects, computed from summed counts.
struct RateQuantities {
    var humans: Double?
    var apparent: Double?
    var sensitivity: Double?
    var specificity: Double?
    var ppi: Double?

    init(_ counts: RateCellCounts) {
        func share(_ hit: Int, _ total: Int) -> Double? { total > 0 ? Double(hit) / Double(total) : nil }
        humans = share(counts.truePositive + counts.falseNegative, counts.labelled)
        apparent = share(counts.judgeInappropriate, counts.judged)
        sensitivity = share(counts.truePositive, counts.truePositive + counts.falseNegative)
        specificity = share(counts.trueNegative, counts.trueNegative + counts.falsePositive)
        ppi = RateInference.ppiValue(counts)
    }
}

/// How far clustering widens each quantity's variance: the cluster bootstrap's variance (times G/(G − 1), the
/// small-sample correction) over the simple random sampling variance (Kish's design effect), from resampling whole
/// clusters.
public struct DesignEffects: Sendable, Equatable {
    /// Clusters (stimuli) in the scope.
    public var clusters: Int
    /// Of the humans' rate, the judge's reported rate, its sensitivity, its specificity and the PPI++ estimate; nil
    /// where the quantity has no spread to measure one from.
    public var humans: Double?
    public var apparent: Double?
    public var sensitivity: Double?
    public var specificity: Double?
    public var ppi: Double?
}

/// The honest intervals of the rate estimators (issue 23): every interval accounts for the clusters when there are
/// any, carries the judge's uncertainty at the boundary, and handles items with no response by one rule.
public enum RateInference {
    /// Bootstrap resamples of clusters for the design effects.
    public static let designEffectResamples = 400

    /// The PPI++ estimate from counts (the same formula as `RateEstimators.ppi`, which the tests check).
    static func ppiValue(_ counts: RateCellCounts) -> Double? {
        let n = counts.labelled
        let bigN = counts.unlabelled
        guard n > 0 else { return nil }
        let meanY = Double(counts.truePositive + counts.falseNegative) / Double(n)
        guard bigN > 0 else { return meanY }
        let meanF = Double(counts.truePositive + counts.falsePositive) / Double(n)
        let meanU = Double(counts.unlabelledInappropriate) / Double(bigN)
        let lambda = ppiLambda(counts)
        return lambda * meanU + meanY - lambda * meanF
    }

    /// PPI++'s standard error with the labelled 2×2 table smoothed as Agresti–Coull smooths a proportion: each cell
    /// gets z²/4 more (z²/4 ≈ 1 at 95%) and the count z² more. With few labels the judge's errors are rarely seen,
    /// and the plain rectifier variance then takes the judge for better than it is (the coverage harness: 0.918
    /// at 50 labels and a rate of 0.1); with many labels the two agree. `lambda` is the estimate's own weight.
    static func ppiSmoothedStandardError(_ counts: RateCellCounts, lambda: Double, confidence: Double) -> Double? {
        guard counts.labelled > 0 else { return nil }
        let z = Proportions.normalQuantile(1 - (1 - confidence) / 2)
        let k = z * z / 4
        let a = Double(counts.truePositive) + k, b = Double(counts.falseNegative) + k
        let c = Double(counts.falsePositive) + k, d = Double(counts.trueNegative) + k  // d's rectifier is 0
        let n = a + b + c + d
        let mean = (a * (1 - lambda) + b - c * lambda) / n
        let variance = max(0, (a * (1 - lambda) * (1 - lambda) + b + c * lambda * lambda) / n - mean * mean)
        var imputed = 0.0
        if counts.unlabelled > 0 {
            let meanU = Double(counts.unlabelledInappropriate) / Double(counts.unlabelled)
            imputed = lambda * lambda * meanU * (1 - meanU) / Double(counts.unlabelled)
        }
        return (variance / n + imputed).squareRoot()
    }

    /// The humans-only interval the analysis prints: Wilson on the labels' share of inappropriate responses from
    /// the effective count (labels over the design effect), with the critical value `quantile`.
    public static func humansInterval(_ counts: RateCellCounts, effect: Double, quantile: Double) -> (value: Double, low: Double, high: Double)? {
        guard counts.labelled > 0 else { return nil }
        let p = Double(counts.truePositive + counts.falseNegative) / Double(counts.labelled)
        return Proportions.wilson(proportion: p, effectiveN: Double(counts.labelled) / effect, quantile: quantile).map { (p, $0.low, $0.high) }
    }

    /// The PPI++ interval the analysis prints: the estimate ± t × its standard error, the larger of the plain one
    /// and the smoothed one (few labels rarely show the judge's errors), times the square root of the design
    /// effect; t on n − 1 degrees of freedom, or G − 1 over G clusters; clipped to [0, 1].
    public static func ppiInterval(_ counts: RateCellCounts, effect: Double, clusters: Int?, confidence: Double)
        -> (value: Double, low: Double, high: Double, standardError: Double)? {
        let plain = RateEstimators.ppi(counts, confidence: confidence)
        guard let value = plain.value, let se = plain.standardError else { return nil }
        let smoothed = ppiSmoothedStandardError(counts, lambda: ppiLambda(counts), confidence: confidence)
        let widened = max(se, smoothed ?? 0) * effect.squareRoot()
        let df = clusters.map { Double(max(1, $0 - 1)) } ?? Double(max(1, counts.labelled - 1))
        let t = StudentT.quantile(1 - (1 - confidence) / 2, degreesOfFreedom: df)
        return (value, max(0, value - t * widened), min(1, value + t * widened), widened)
    }

    /// PPI++'s tuned weight λ from counts (as `RateEstimators.ppi` computes it).
    static func ppiLambda(_ counts: RateCellCounts) -> Double {
        let n = counts.labelled, bigN = counts.unlabelled
        guard n > 0, bigN > 0 else { return 0 }
        let meanY = Double(counts.truePositive + counts.falseNegative) / Double(n)
        let meanF = Double(counts.truePositive + counts.falsePositive) / Double(n)
        let meanU = Double(counts.unlabelledInappropriate) / Double(bigN)
        let covariance = Double(counts.truePositive) / Double(n) - meanY * meanF
        let total = Double(n + bigN)
        let pooled = (meanF * Double(n) + meanU * Double(bigN)) / total
        let varianceF = total > 1 ? pooled * (1 - pooled) * total / (total - 1) : 0
        let lambda = varianceF > 0 ? covariance / ((1 + Double(n) / Double(bigN)) * varianceF) : 0
        return min(max(lambda, 0), 1)
    }

    /// The design effects of a scope's quantities from `clusters` (one counts value a cluster), by a seeded
    /// bootstrap of whole clusters; nil when there are fewer than two clusters.
    public static func designEffects(clusters: [RateCellCounts], seed: UInt64) -> DesignEffects? {
        let present = clusters.filter { $0.judged > 0 }
        guard present.count >= 2 else { return nil }
        var total = RateCellCounts()
        for cluster in present { total.add(cluster) }
        var random = RandomSource(seed: seed, stream: 23)
        var draws: [[Double?]] = Array(repeating: [], count: 5)
        for _ in 0..<designEffectResamples {
            var sum = RateCellCounts()
            for _ in 0..<present.count { sum.add(present[random.index(below: present.count)]) }
            let q = RateQuantities(sum)
            for (index, value) in [q.humans, q.apparent, q.sensitivity, q.specificity, q.ppi].enumerated() { draws[index].append(value) }
        }
        // The bootstrap of G clusters understates the spread between them by (G − 1)/G (it resamples the clusters
        // seen as if they were all there are); the small-sample correction puts it back.
        let smallSample = Double(present.count) / Double(present.count - 1)
        func variance(_ values: [Double?]) -> Double? {
            let defined = values.compactMap { $0 }
            // Too many undefined resamples (a cluster set with no positives, say) and the spread means little.
            guard defined.count >= values.count * 9 / 10, defined.count > 1 else { return nil }
            let mean = defined.reduce(0, +) / Double(defined.count)
            return smallSample * defined.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(defined.count - 1)
        }
        func effect(_ index: Int, successes: Int, n: Int) -> Double? {
            guard n > 0, let clustered = variance(draws[index]) else { return nil }
            let p = Double(successes) / Double(n)
            let simple = p * (1 - p) / Double(n)
            guard simple > 0, clustered > 0 else { return nil }
            return max(1, clustered / simple)
        }
        let ppiEffect: Double? = {
            guard let clustered = variance(draws[4]), clustered > 0,
                  let se = RateEstimators.ppi(total.inputs, confidence: 0.95).standardError, se > 0 else { return nil }
            return max(1, clustered / (se * se))
        }()
        return DesignEffects(
            clusters: present.count,
            humans: effect(0, successes: total.truePositive + total.falseNegative, n: total.labelled),
            apparent: effect(1, successes: total.judgeInappropriate, n: total.judged),
            sensitivity: effect(2, successes: total.truePositive, n: total.truePositive + total.falseNegative),
            specificity: effect(3, successes: total.trueNegative, n: total.trueNegative + total.falsePositive),
            ppi: ppiEffect)
    }

    /// The variance of a share for the Rogan–Gladen delta method: the Wilson interval's half-width (from the
    /// effective count) over its critical value, squared. Not zero at 0 or 1: the share stays uncertain with no
    /// error observed.
    public static func wilsonVariance(_ p: Double, effectiveN n: Double, confidence: Double) -> Double? {
        let z = Proportions.normalQuantile(1 - (1 - confidence) / 2)
        guard let interval = Proportions.wilson(proportion: p, effectiveN: n, quantile: z) else { return nil }
        return pow(max(interval.high - p, p - interval.low) / z, 2)
    }

    /// The Rogan–Gladen interval that carries the judge's uncertainty, at the boundary too (zero observed errors):
    /// the delta method, `Var(RG) = [Var(a) + RG²·Var(Se) + (1 − RG)²·Var(Sp)] / (Se + Sp − 1)²`, where each variance
    /// is the Wilson interval's half-width over its critical value, squared, from the effective count (count /
    /// design effect). At zero errors the Wilson half-width is not zero, so the judge's accuracy stays uncertain
    /// (a plain delta method would take it as exact). The interval is `RG ± quantile·se`, clipped to [0, 1]; nil
    /// when sensitivity + specificity − 1 is within two standard errors of 0 (the judge cannot be told from
    /// chance) or a share is unmeasured.
    ///
    /// `accuracy`: where the judge's sensitivity and specificity come from another scope's labels (an explicit
    /// transport), their counts and design effects; the apparent rate stays this scope's.
    public static func roganGladenInterval(
        counts: RateCellCounts, effects: DesignEffects?, accuracy: (counts: RateCellCounts, effects: DesignEffects?)? = nil,
        confidence: Double, quantile: Double
    ) -> (low: Double, high: Double, standardError: Double)? {
        let measured = accuracy ?? (counts, effects)
        func share(_ hit: Int, _ n: Int, _ effect: Double?) -> (value: Double, variance: Double)? {
            guard n > 0 else { return nil }
            let p = Double(hit) / Double(n)
            return wilsonVariance(p, effectiveN: Double(n) / (effect ?? 1), confidence: confidence).map { (p, $0) }
        }
        // Where a share shows no spread (no error observed) there is nothing to measure its clustering from: the
        // Wilson half-width of the raw count carries its uncertainty. (The judge's verdict clusters because
        // prevalence differs by stimulus, which says nothing of how its errors cluster.)
        guard let apparent = share(counts.judgeInappropriate, counts.judged, effects?.apparent),
              let sensitivity = share(measured.counts.truePositive, measured.counts.truePositive + measured.counts.falseNegative,
                                      measured.effects?.sensitivity),
              let specificity = share(measured.counts.trueNegative, measured.counts.trueNegative + measured.counts.falsePositive,
                                      measured.effects?.specificity)
        else { return nil }
        let youden = sensitivity.value + specificity.value - 1
        guard youden > 2 * (sensitivity.variance + specificity.variance).squareRoot() else { return nil }
        let rate = min(1, max(0, (apparent.value + specificity.value - 1) / youden))
        let variance = (apparent.variance + rate * rate * sensitivity.variance + (1 - rate) * (1 - rate) * specificity.variance) / (youden * youden)
        let se = variance.squareRoot()
        return (max(0, rate - quantile * se), min(1, rate + quantile * se), se)
    }
}
