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
