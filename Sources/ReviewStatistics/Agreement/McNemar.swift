import Foundation

/// McNemar's test of two paired proportions (two judges on the same items): from the discordant counts b (first
/// right, second wrong) and c (first wrong, second right).
///
/// `exactP` and `correctedP` are statsmodels' `mcnemar(table, exact=True)` and `mcnemar(table, exact=False,
/// correction=True)`; both assume independent items. `clustered` is Durkalski et al. (2003)'s adjustment for items
/// that share a cluster (responses to one stimulus): X² = (Σₖ (bₖ − cₖ))² / Σₖ (bₖ − cₖ)², on one degree of freedom;
/// with one item per cluster it is the uncorrected McNemar statistic.
public enum McNemar {
    /// One paired test.
    public struct Result: Sendable, Equatable {
        /// First right and second wrong; first wrong and second right.
        public var b: Int
        public var c: Int
        /// Items where both gave a verdict and the reference has one (of the class tested).
        public var n: Int
        public var exactP: Double
        public var correctedP: Double?
        /// Durkalski's statistic and p over the clusters (nil without clusters, or with no discordant cluster).
        public var clusteredStatistic: Double?
        public var clusteredP: Double?
        public var clusters: Int?
    }

    /// The test from per-item outcomes: (cluster, first right, second right) for every item both judged.
    public static func test(_ outcomes: [(cluster: String?, first: Bool, second: Bool)]) -> Result {
        var b = 0, c = 0
        var differences: [String: Int] = [:]
        var clusterCount: Set<String> = []
        var clustered = true
        for outcome in outcomes {
            let difference = (outcome.first && !outcome.second ? 1 : 0) - (!outcome.first && outcome.second ? 1 : 0)
            if difference > 0 { b += 1 }
            if difference < 0 { c += 1 }
            guard let cluster = outcome.cluster else {
                clustered = false
                continue
            }
            clusterCount.insert(cluster)
            differences[cluster, default: 0] += difference
        }
        var result = Result(b: b, c: c, n: outcomes.count, exactP: exactP(b: b, c: c), correctedP: correctedP(b: b, c: c))
        if clustered, !outcomes.isEmpty {
            result.clusters = clusterCount.count
            let sum = differences.values.reduce(0, +)
            let squares = differences.values.reduce(0) { $0 + $1 * $1 }
            if squares > 0 {
                let statistic = Double(sum * sum) / Double(squares)
                result.clusteredStatistic = statistic
                result.clusteredP = chiSquareOneSurvival(statistic)
            }
        }
        return result
    }

    /// Two-sided exact p: 2·P(X ≤ min(b, c)) for X ~ Binomial(b + c, ½), at most 1 (1 with no discordant pair).
    public static func exactP(b: Int, c: Int) -> Double {
        let n = b + c
        guard n > 0 else { return 1 }
        let low = min(b, c)
        // Σ_{k ≤ low} C(n, k) / 2^n in log space (n may be large).
        var logTerms: [Double] = []
        for k in 0...low {
            logTerms.append(lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) - Double(n) * log(2))
        }
        let top = logTerms.max() ?? 0
        let cdf = exp(top) * logTerms.reduce(0) { $0 + exp($1 - top) }
        return min(1, 2 * cdf)
    }

    /// The χ² test with continuity correction, (|b − c| − 1)² / (b + c) on one degree of freedom; nil with no
    /// discordant pair.
    public static func correctedP(b: Int, c: Int) -> Double? {
        guard b + c > 0 else { return nil }
        let statistic = pow(Double(abs(b - c)) - 1, 2) / Double(b + c)
        return chiSquareOneSurvival(statistic)
    }

    /// P(χ²₁ > x) = erfc(√(x/2)).
    static func chiSquareOneSurvival(_ x: Double) -> Double {
        erfc((max(0, x) / 2).squareRoot())
    }
}
