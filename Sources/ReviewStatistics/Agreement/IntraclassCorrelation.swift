import Foundation

/// The intraclass correlation for interval scores: McGraw and Wong's (1996) ICC(A,1), two-way random effects,
/// absolute agreement, single rater (Shrout and Fleiss's ICC(2,1)), from the two-way ANOVA of the items every rater
/// scored. Computed on rating patterns, so a bootstrap reweights patterns instead of items.
///
/// ICC(A,1) = (MSR − MSE) / (MSR + (k − 1)·MSE + k·(MSC − MSE)/n) over n complete items and k raters.
struct IntraclassCorrelation {
    let patterns: RatingPatterns
    /// Each category's score: its number when every category is a number, else its rank (1, 2, …).
    let scores: [Double]
    /// The patterns every rater scored.
    private let complete: [Int]

    init(patterns: RatingPatterns, categories: [String]) {
        self.patterns = patterns
        let numbers = categories.map(CategoryNumber.value)
        scores = numbers.allSatisfy { $0 != nil } ? numbers.compactMap { $0 } : categories.indices.map { Double($0 + 1) }
        complete = (0..<patterns.patternCount).filter { pattern in (0..<patterns.raterCount).allSatisfy { patterns.code(pattern, $0) >= 0 } }
    }

    /// Items every rater scored, under `patternWeights`.
    func completeItems(_ patternWeights: [Double]) -> Double { complete.reduce(0) { $0 + patternWeights[$1] } }

    /// The coefficient under `patternWeights` (items per pattern); nil when undefined.
    func value(patternWeights: [Double]) -> Double? {
        let k = Double(patterns.raterCount)
        let n = completeItems(patternWeights)
        guard k >= 2, n >= 2 else { return nil }
        var columnSums = [Double](repeating: 0, count: patterns.raterCount)
        var total = 0.0
        for pattern in complete where patternWeights[pattern] > 0 {
            for rater in 0..<patterns.raterCount {
                let score = scores[Int(patterns.code(pattern, rater))] * patternWeights[pattern]
                columnSums[rater] += score
                total += score
            }
        }
        let grand = total / (n * k)
        var rows = 0.0, all = 0.0
        for pattern in complete where patternWeights[pattern] > 0 {
            let values = (0..<patterns.raterCount).map { scores[Int(patterns.code(pattern, $0))] }
            let mean = values.reduce(0, +) / k
            rows += patternWeights[pattern] * (mean - grand) * (mean - grand)
            all += patternWeights[pattern] * values.reduce(0) { $0 + ($1 - grand) * ($1 - grand) }
        }
        let ssRows = k * rows
        let ssColumns = n * columnSums.reduce(0) { $0 + ($1 / n - grand) * ($1 / n - grand) }
        let ssError = all - ssRows - ssColumns
        let msRows = ssRows / (n - 1), msColumns = ssColumns / (k - 1), msError = ssError / ((n - 1) * (k - 1))
        let denominator = msRows + (k - 1) * msError + k * (msColumns - msError) / n
        guard denominator > 1e-12 else { return nil }
        return (msRows - msError) / denominator
    }

    /// The estimate over the table's own patterns, with why it is undefined.
    func estimate(patternWeights: [Double]) -> CoefficientResult {
        let n = Int(completeItems(patternWeights).rounded())
        guard let value = value(patternWeights: patternWeights) else {
            return .undefined(n: n, n < 2 ? "fewer than two items every rater scored" : "no variance between or within items")
        }
        var result = CoefficientResult(value: value, n: n)
        let scored = (0..<patterns.patternCount).reduce(0.0) { sum, pattern in
            (0..<patterns.raterCount).contains { patterns.code(pattern, $0) >= 0 } ? sum + patternWeights[pattern] : sum
        }
        if Int(scored.rounded()) > n {
            result.reason = "over the \(n) items every rater scored (\(Int(scored.rounded()) - n) with a missing score left out)"
        }
        return result
    }
}
