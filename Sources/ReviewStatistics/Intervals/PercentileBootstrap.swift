import Foundation

/// Percentile bootstrap intervals (Efron & Tibshirani 1993, ch. 13) drawn on compressed units.
///
/// Resampling N items with replacement gives each state a Multinomial(N, share) count, so a resample is one
/// multinomial draw over states (or, clustered, over groups of identical clusters), never a loop over items:
/// by sequential conditional binomials, or, when the states are nearly as many as the items (nothing to
/// compress), by as many alias draws as items, which is then the cheaper way to draw the same multinomial.
struct PercentileBootstrap {
    /// The interval of one statistic and how many resamples defined it.
    struct Interval: Equatable {
        var low: Double?
        var high: Double?
        var used: Int
        /// The standard deviation of the resampled values (the bootstrap standard error).
        var standardDeviation: Double? = nil
    }

    let resamples: Int
    let confidence: Double
    let seed: UInt64
    let clustered: Bool

    /// Intervals for the statistics `evaluate` returns from state counts, over `resamples` resamples of `units`.
    /// `stream` makes each family of statistics draw its own reproducible sequence from the one seed.
    /// `task` names the work in the progress line (e.g. "bootstrap, pair 3 of 10").
    func intervals(units: CompressedUnits, stream: UInt64, statisticCount: Int, task: String = "bootstrap",
                   evaluate: ([Double]) -> [Double?]) -> [Interval] {
        var random = RandomSource(seed: seed, stream: stream)
        var samples = [[Double]](repeating: [], count: statisticCount)
        for index in 0..<statisticCount { samples[index].reserveCapacity(resamples) }
        let stateCount = units.stateCount
        var stateDraws = [Int](repeating: 0, count: stateCount)
        var groupDraws = [Int](repeating: 0, count: units.clusterGroupSizes.count)
        var stateWeights = [Double](repeating: 0, count: stateCount)
        let itemCount = units.counts.reduce(0, +)
        let clusterCount = units.clusterCount
        let useClusters = clustered && clusterCount > 0
        // Barely compressed (states ≥ a quarter of the draws): N alias draws beat one binomial per state.
        let draws = useClusters ? clusterCount : itemCount
        let drawWeights = useClusters ? units.clusterGroupSizes : units.counts
        let alias = drawWeights.count * 4 > draws ? AliasTable(weights: drawWeights) : nil
        let progress = WorkProgress.current
        for resample in 0..<resamples {
            if resample & 63 == 0 { progress?.update(task, done: resample, total: resamples) }
            if useClusters {
                if let alias {
                    alias.multinomial(clusterCount, random: &random, into: &groupDraws)
                } else {
                    random.multinomial(clusterCount, weights: units.clusterGroupSizes, into: &groupDraws)
                }
                for state in 0..<stateCount { stateWeights[state] = 0 }
                for (group, draws) in groupDraws.enumerated() where draws > 0 {
                    for entry in units.clusterVectors[group] { stateWeights[Int(entry.state)] += Double(draws) * Double(entry.count) }
                }
            } else {
                if let alias {
                    alias.multinomial(itemCount, random: &random, into: &stateDraws)
                } else {
                    random.multinomial(itemCount, weights: units.counts, into: &stateDraws)
                }
                for state in 0..<stateCount { stateWeights[state] = Double(stateDraws[state]) }
            }
            let values = evaluate(stateWeights)
            for (index, value) in values.enumerated() where index < statisticCount {
                if let value, value.isFinite { samples[index].append(value) }
            }
        }
        let tail = (1 - confidence) / 2
        return samples.map { values in
            guard !values.isEmpty else { return Interval(low: nil, high: nil, used: 0) }
            let sorted = values.sorted()
            let mean = sorted.reduce(0, +) / Double(sorted.count)
            let variance = sorted.count > 1 ? sorted.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(sorted.count - 1) : nil
            return Interval(low: Self.quantile(sorted, tail), high: Self.quantile(sorted, 1 - tail), used: sorted.count,
                            standardDeviation: variance.map { $0.squareRoot() })
        }
    }

    /// Hyndman & Fan (1996) type 7 quantile of sorted values (R's and numpy's default).
    static func quantile(_ sorted: [Double], _ probability: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? .nan }
        let position = Double(sorted.count - 1) * min(max(probability, 0), 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + fraction * (sorted[upper] - sorted[lower])
    }
}
