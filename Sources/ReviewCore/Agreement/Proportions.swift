// Proportions with intervals, and the correction of a judge-reported rate for the judge's measured error.
import Foundation

/// A proportion's point estimate and interval, with the counts behind it.
public struct ProportionEstimate: Sendable, Equatable {
    /// Successes (e.g. inappropriate items caught).
    public var successes: Int
    /// Trials; the estimate is undefined (nil) when it is 0.
    public var n: Int
    /// `successes / n`, nil when n is 0.
    public var value: Double? { n > 0 ? Double(successes) / Double(n) : nil }
    /// Lower bound of the Wilson score interval, nil when n is 0.
    public var low: Double?
    /// Upper bound of the Wilson score interval, nil when n is 0.
    public var high: Double?

    /// The estimate of `successes / n` with its Wilson interval at `confidence`.
    public init(successes: Int, n: Int, confidence: Double) {
        self.successes = successes
        self.n = n
        let interval = Proportions.wilson(successes: successes, n: n, confidence: confidence)
        self.low = interval?.low
        self.high = interval?.high
    }
}

/// A percentile bootstrap interval for the Rogan–Gladen corrected rate.
public struct CorrectedRateInterval: Sendable, Equatable {
    /// Lower percentile bound.
    public var low: Double
    /// Upper percentile bound.
    public var high: Double
    /// Resamples in which sensitivity + specificity ≤ 1 left the correction undefined; they are left out.
    public var undefinedResamples: Int
}

/// Interval estimates for proportions and the judge-error correction of a rate.
public enum Proportions {
    /// Wilson score interval for `successes` out of `n`; nil when n is 0 or the counts are impossible.
    public static func wilson(successes: Int, n: Int, confidence: Double = 0.95) -> (low: Double, high: Double)? {
        guard n > 0, successes >= 0, successes <= n, confidence > 0, confidence < 1 else { return nil }
        let z = normalQuantile(0.5 + confidence / 2)
        let total = Double(n)
        let p = Double(successes) / total
        let z2 = z * z
        let denominator = 1 + z2 / total
        let centre = (p + z2 / (2 * total)) / denominator
        let halfWidth = z * (p * (1 - p) / total + z2 / (4 * total * total)).squareRoot() / denominator
        // At 0 or n successes the bound is exactly 0 or 1; rounding must not move it.
        let low = successes == 0 ? 0 : max(0, centre - halfWidth)
        let high = successes == n ? 1 : min(1, centre + halfWidth)
        return (low, high)
    }

    /// Rogan–Gladen corrected prevalence, clipped to [0, 1]; nil when sensitivity + specificity ≤ 1.
    ///
    /// `(apparent + specificity − 1) / (sensitivity + specificity − 1)`: the true rate that, seen through a
    /// rater with this sensitivity and specificity, would show the apparent rate.
    public static func roganGladen(apparent: Double, sensitivity: Double, specificity: Double) -> Double? {
        let youden = sensitivity + specificity - 1
        guard youden > 0, apparent.isFinite else { return nil }
        let corrected = (apparent + specificity - 1) / youden
        return min(1, max(0, corrected))
    }

    /// Percentile bootstrap interval of the corrected rate; nil when `resamples` is 0 or no resample is defined.
    ///
    /// Each resample redraws the validation items (the judge against the reference: a multinomial over the
    /// four cells of `validation`) for sensitivity and specificity, and the judged items for the apparent
    /// rate (binomial; by its normal approximation above 5,000 items), then applies Rogan–Gladen.
    /// Reproducible: the same `seed` gives the same interval.
    public static func correctedRateBootstrap(
        validation: ConfusionMatrix, reportedInappropriate: Int, judged: Int,
        resamples: Int, seed: UInt64, confidence: Double
    ) -> CorrectedRateInterval? {
        correctedRateBootstrap(validation: validation, reportedInappropriate: reportedInappropriate, judged: judged,
                               resamples: resamples, seed: seed, confidence: confidence, itemByItem: itemByItemLimit)
    }

    /// The same, drawing items one by one up to `itemByItem` validated items (a test compares the two ways).
    static func correctedRateBootstrap(
        validation: ConfusionMatrix, reportedInappropriate: Int, judged: Int,
        resamples: Int, seed: UInt64, confidence: Double, itemByItem: Int
    ) -> CorrectedRateInterval? {
        let validated = validation.total
        guard resamples > 0, validated > 0, judged > 0 else { return nil }
        var random = SplitMix64(seed: seed)
        // A drawn item falls in the first cell below its first bound, in the order TP, FN, FP, TN.
        let firstBound = validation.truePositive
        let secondBound = firstBound + validation.falseNegative
        let thirdBound = secondBound + validation.falsePositive
        let apparent = Double(reportedInappropriate) / Double(judged)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var undefined = 0
        // The cells of n items drawn with replacement are multinomial: above `itemByItemLimit` items they are
        // drawn as such (three binomials), so a resample costs the same for a million items as for a hundred.
        func share(_ count: Int, _ rest: Int) -> Double { rest > 0 ? Double(count) / Double(rest) : 0 }
        for _ in 0..<resamples {
            var truePositives = 0, falseNegatives = 0, falsePositives = 0
            if validated <= itemByItem {
                for _ in 0..<validated {
                    let pick = Int.random(in: 0..<validated, using: &random)
                    if pick < firstBound { truePositives += 1 } else if pick < secondBound { falseNegatives += 1 }
                    else if pick < thirdBound { falsePositives += 1 }
                }
            } else {
                truePositives = binomialCount(n: validated, p: share(validation.truePositive, validated), random: &random)
                let afterFirst = validated - truePositives
                falseNegatives = binomialCount(
                    n: afterFirst, p: share(validation.falseNegative, validated - validation.truePositive), random: &random)
                falsePositives = binomialCount(
                    n: afterFirst - falseNegatives,
                    p: share(validation.falsePositive, validated - validation.truePositive - validation.falseNegative),
                    random: &random)
            }
            let trueNegatives = validated - truePositives - falseNegatives - falsePositives
            let positives = truePositives + falseNegatives, negatives = falsePositives + trueNegatives
            let apparentDraw = binomialProportion(n: judged, p: apparent, random: &random)
            guard positives > 0, negatives > 0,
                  let corrected = roganGladen(
                    apparent: apparentDraw,
                    sensitivity: Double(truePositives) / Double(positives),
                    specificity: Double(trueNegatives) / Double(negatives))
            else { undefined += 1; continue }
            values.append(corrected)
        }
        guard !values.isEmpty else { return nil }
        values.sort()
        let tail = (1 - confidence) / 2
        return CorrectedRateInterval(
            low: percentile(values, tail), high: percentile(values, 1 - tail), undefinedResamples: undefined)
    }

    /// The `q` quantile of sorted values, interpolating linearly between order statistics.
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// The standard normal quantile: z with Φ(z) = p, found by bisection on `erfc` (exact to 1e-12).
    public static func normalQuantile(_ p: Double) -> Double {
        guard p > 0, p < 1 else { return p <= 0 ? -.infinity : .infinity }
        var low = -40.0, high = 40.0
        for _ in 0..<200 {
            let middle = (low + high) / 2
            let cdf = 0.5 * erfc(-middle / 2.0.squareRoot())
            if cdf < p { low = middle } else { high = middle }
            if high - low < 1e-13 { break }
        }
        return (low + high) / 2
    }

    /// Up to this many items a bootstrap draws them one by one; above it, it draws their counts.
    static let itemByItemLimit = 5_000

    /// One binomial draw divided by n.
    static func binomialProportion(n: Int, p: Double, random: inout SplitMix64) -> Double {
        if p <= 0 || p >= 1 { return p }
        return Double(binomialCount(n: n, p: p, random: &random)) / Double(n)
    }

    /// One draw of Binomial(n, p): trial by trial up to `itemByItemLimit` trials; above it, the normal
    /// approximation when n·p·(1−p) ≥ 100 (where it is accurate to well within a bootstrap's own noise),
    /// else exactly, by counting geometric waiting times between successes (about n·min(p, 1−p) steps).
    static func binomialCount(n: Int, p: Double, random: inout SplitMix64) -> Int {
        if n <= 0 || p <= 0 { return 0 }
        if p >= 1 { return n }
        if n <= itemByItemLimit {
            var successes = 0
            for _ in 0..<n where Double.random(in: 0..<1, using: &random) < p { successes += 1 }
            return successes
        }
        let variance = Double(n) * p * (1 - p)
        if variance >= 100 {
            // Box–Muller for one standard normal draw.
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &random)
            let u2 = Double.random(in: 0..<1, using: &random)
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            let draw = (Double(n) * p + z * variance.squareRoot()).rounded()
            return Int(min(Double(n), max(0, draw)))
        }
        if p > 0.5 { return n - binomialCount(n: n, p: 1 - p, random: &random) }
        // Successes are the geometric gaps (trials up to and including the next success) that fit in n.
        let logFailure = log1p(-p)
        var used = 0, successes = 0
        while true {
            let u = Double.random(in: Double.ulpOfOne..<1, using: &random)
            let gap = (log(u) / logFailure).rounded(.down) + 1
            guard gap <= Double(n - used) else { return successes }
            used += Int(gap)
            successes += 1
        }
    }
}

extension ConfusionMatrix {
    /// Every item in the table.
    public var total: Int { truePositive + falsePositive + falseNegative + trueNegative }
    /// Items the reference calls inappropriate.
    public var referencePositives: Int { truePositive + falseNegative }
    /// Items the reference calls appropriate.
    public var referenceNegatives: Int { trueNegative + falsePositive }

    /// Share of inappropriate items (by the reference) the rater caught, with its Wilson interval.
    public func sensitivity(confidence: Double) -> ProportionEstimate {
        ProportionEstimate(successes: truePositive, n: referencePositives, confidence: confidence)
    }

    /// Share of appropriate items (by the reference) the rater passed, with its Wilson interval.
    public func specificity(confidence: Double) -> ProportionEstimate {
        ProportionEstimate(successes: trueNegative, n: referenceNegatives, confidence: confidence)
    }
}
