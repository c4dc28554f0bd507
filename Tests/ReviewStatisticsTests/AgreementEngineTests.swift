import Foundation
import Testing
@testable import ReviewStatistics

/// A table from rows of category indices (nil = missing).
private func makeTable(_ rows: [[Int?]], categories: [String] = ["a", "b", "c"], clusters: [Int32]? = nil) -> RatingTable {
    let raterCount = rows.first?.count ?? 0
    return RatingTable(items: rows.indices.map { "i\($0)" }, raters: (0..<raterCount).map { "r\($0)" }, categories: categories,
                       codes: rows.flatMap { $0.map { $0.map(Int32.init) ?? RatingTable.missing } }, clusters: clusters)
}

private func allValues(_ summary: AgreementSummary) -> [Double] {
    let results = Array(summary.overall.values) + summary.pairs.flatMap { $0.coefficients.values }
    return results.flatMap { [$0.value, $0.standardError, $0.ciLow, $0.ciHigh].compactMap { $0 } }
}

@Suite("Agreement engine behaviour")
struct AgreementEngineTests {
    @Test("both raters using a single category gives nil with a reason, never NaN")
    func singleCategory() throws {
        let table = makeTable(Array(repeating: [0, 0], count: 10))
        let summary = AgreementEngine.summarize(table, options: AgreementOptions(level: .ordinal, resamples: 50))
        let cohen = try #require(summary.overall[.cohenKappa])
        #expect(cohen.value == nil)
        #expect(cohen.reason?.contains("single category") == true)
        #expect(cohen.n == 10)
        #expect(summary.overall[.fleissKappa]?.value == nil)
        #expect(summary.overall[.krippendorffAlpha]?.value == nil)
        #expect(summary.overall[.krippendorffAlpha]?.reason != nil)
        #expect(summary.overall[.percentAgreement]?.value == 1)
        #expect(summary.overall[.bennettS]?.value == 1)
        #expect(summary.overall[.gwetAC1]?.value == 1)
        let finite = allValues(summary).allSatisfy { $0.isFinite }
        #expect(finite)
    }

    @Test("empty, one-rater and no-category tables give reasons, not crashes")
    func degenerateTables() {
        let empty = AgreementEngine.summarize(makeTable([]), options: AgreementOptions(resamples: 10))
        #expect(empty.pairs.isEmpty)
        let oneRater = AgreementEngine.summarize(makeTable([[0], [1]]), options: AgreementOptions(resamples: 10))
        #expect(oneRater.overall[.fleissKappa]?.reason == "fewer than two raters")
        #expect(oneRater.overall[.fleissKappa]?.n == 2)
        let noCategories = AgreementEngine.summarize(makeTable([[nil, nil]], categories: []), options: AgreementOptions())
        #expect(noCategories.overall[.percentAgreement]?.reason == "no categories")
        let unpaired = AgreementEngine.summarize(makeTable([[0, nil], [nil, 1]]), options: AgreementOptions(resamples: 20))
        #expect(unpaired.pairs[0].coefficients[.cohenKappa]?.reason == "no item was rated by both raters")
        #expect(unpaired.overall[.krippendorffAlpha]?.n == 0)
        let finite = allValues(unpaired).allSatisfy { $0.isFinite }
        #expect(finite)
    }

    @Test("codes outside the category list are treated as missing and noted")
    func invalidCodes() {
        var table = makeTable([[0, 0], [1, 1], [0, 1]])
        table.codes[1] = 7
        let summary = AgreementEngine.summarize(table, options: AgreementOptions())
        #expect(summary.notes.count == 1)
        #expect(summary.overall[.cohenKappa]?.n == 2)
    }

    @Test("units with fewer than two ratings are dropped from alpha but count in Gwet's prevalences")
    func missingRules() throws {
        let table = makeTable([[0, 0, nil], [1, 1, 1], [2, nil, nil], [0, 1, 0], [nil, nil, nil]])
        let summary = AgreementEngine.summarize(table, options: AgreementOptions())
        #expect(summary.overall[.krippendorffAlpha]?.n == 3)
        #expect(summary.overall[.fleissKappa]?.n == 4)
        // π includes the single-rated unit: π_c = (0 + 0 + 1 + 0) / 4.
        let fleiss = try #require(summary.overall[.fleissKappa])
        let pa = (1.0 + 1.0 + 1.0 / 3.0) / 3.0
        let pi = [(1.0 + 0 + 0 + 2.0 / 3.0) / 4, (0 + 1.0 + 0 + 1.0 / 3.0) / 4, 0.25]
        let pe = pi.reduce(0) { $0 + $1 * $1 }
        #expect(abs((fleiss.observed ?? 0) - pa) < 1e-12)
        #expect(abs((fleiss.value ?? 0) - (pa - pe) / (1 - pe)) < 1e-12)
    }

    @Test("weighted kappa and AC2 appear only for ordered levels")
    func orderedOnly() {
        let table = makeTable([[0, 1], [1, 1], [2, 2], [0, 0], [2, 1]])
        let nominal = AgreementEngine.summarize(table, options: AgreementOptions(level: .nominal))
        #expect(nominal.pairs[0].coefficients[.weightedKappaLinear] == nil)
        #expect(nominal.overall[.gwetAC2] == nil)
        let ordinal = AgreementEngine.summarize(table, options: AgreementOptions(level: .ordinal))
        #expect(ordinal.pairs[0].coefficients[.weightedKappaQuadratic]?.value != nil)
        #expect(ordinal.overall[.gwetAC2]?.value != nil)
    }

    @Test("the same seed gives the same intervals; another seed gives others")
    func reproducibleBootstrap() throws {
        var rows: [[Int?]] = []
        for index in 0..<200 { rows.append([index % 3, (index / 2) % 3, index % 7 == 0 ? nil : index % 3]) }
        let table = makeTable(rows)
        let first = AgreementEngine.summarize(table, options: AgreementOptions(resamples: 300, seed: 42))
        let again = AgreementEngine.summarize(table, options: AgreementOptions(resamples: 300, seed: 42))
        let other = AgreementEngine.summarize(table, options: AgreementOptions(resamples: 300, seed: 43))
        #expect(first == again)
        // 200 items make a discrete bootstrap distribution: one bound may coincide by chance, not all of them.
        let bounds = { (summary: AgreementSummary) in summary.overall.sorted { $0.key.rawValue < $1.key.rawValue }.flatMap { [$0.value.ciLow, $0.value.ciHigh] } }
        #expect(bounds(first) != bounds(other))
        for kind in [CoefficientKind.fleissKappa, .congerKappa, .krippendorffAlpha, .gwetAC1, .percentAgreement, .bennettS] {
            let result = try #require(first.overall[kind])
            let value = try #require(result.value), low = try #require(result.ciLow), high = try #require(result.ciHigh)
            #expect(low <= value && value <= high, "\(kind): \(low) ≤ \(value) ≤ \(high)")
            #expect(result.resamplesUsed == 300)
        }
        let cohen = try #require(first.pairs[0].coefficients[.cohenKappa])
        #expect(cohen.ciLow != nil && cohen.ciHigh != nil)
    }

    @Test("bootstrap intervals are near the analytic ±1.96 SE for a large sample")
    func bootstrapMatchesAnalytic() throws {
        var rows: [[Int?]] = []
        for index in 0..<2000 {
            let truth = index % 3
            rows.append([truth, index % 5 == 0 ? (truth + 1) % 3 : truth, index % 11 == 0 ? nil : (index % 7 == 0 ? (truth + 2) % 3 : truth)])
        }
        let summary = AgreementEngine.summarize(makeTable(rows), options: AgreementOptions(resamples: 1000, seed: 7))
        let fleiss = try #require(summary.overall[.fleissKappa])
        let se = try #require(fleiss.standardError), low = try #require(fleiss.ciLow), high = try #require(fleiss.ciHigh)
        #expect(abs((high - low) / (2 * 1.96 * se) - 1) < 0.15, "bootstrap width \(high - low) vs analytic \(2 * 1.96 * se)")
    }

    @Test("clustered intervals resample clusters and are wider when clusters are homogeneous")
    func clusteredBootstrap() throws {
        var rows: [[Int?]] = [], clusters: [Int32] = []
        for cluster in 0..<40 {
            // Half the clusters agree perfectly, half disagree: agreement is clustered.
            for item in 0..<10 {
                rows.append(cluster % 2 == 0 ? [item % 3, item % 3] : [item % 3, (item + 1) % 3])
                clusters.append(Int32(cluster))
            }
        }
        let table = makeTable(rows, clusters: clusters)
        let items = AgreementEngine.summarize(table, options: AgreementOptions(resamples: 400, seed: 3))
        let clustered = AgreementEngine.summarize(table, options: AgreementOptions(resamples: 400, seed: 3, clustered: true))
        let itemWidth = try #require(items.overall[.cohenKappa]?.ciHigh) - (items.overall[.cohenKappa]?.ciLow ?? 0)
        let clusterWidth = try #require(clustered.overall[.cohenKappa]?.ciHigh) - (clustered.overall[.cohenKappa]?.ciLow ?? 0)
        #expect(clusterWidth > 1.5 * itemWidth)
        let noClusters = AgreementEngine.summarize(makeTable(rows), options: AgreementOptions(resamples: 10, clustered: true))
        #expect(noClusters.notes.contains { $0.contains("no clusters") })
    }

    @Test("asking for fewer coefficients does not change the intervals of the others")
    func onlyKeepsStreams() {
        var rows: [[Int?]] = []
        for index in 0..<120 { rows.append([index % 3, (index / 3) % 3, index % 5 == 0 ? nil : index % 3]) }
        let options = AgreementOptions(resamples: 200, seed: 8)
        let all = AgreementEngine.summarize(makeTable(rows), options: options)
        let alphaOnly = AgreementEngine.summarize(makeTable(rows), options: options, only: [.krippendorffAlpha], includePairs: false)
        #expect(alphaOnly.overall.keys.sorted { $0.rawValue < $1.rawValue } == [.krippendorffAlpha])
        #expect(alphaOnly.pairs.isEmpty)
        #expect(alphaOnly.overall[.krippendorffAlpha] == all.overall[.krippendorffAlpha])
    }

    @Test("items without a cluster id are resampled as clusters of one, and that is noted")
    func missingClusterIds() {
        let table = makeTable([[0, 0], [1, 1], [0, 1], [2, 2]], clusters: [0, 0])
        let summary = AgreementEngine.summarize(table, options: AgreementOptions(resamples: 20, clustered: true))
        #expect(summary.notes.contains { $0.contains("2 item(s) had no cluster id") })
        #expect(summary.overall[.cohenKappa]?.ciLow != nil)
    }

    @Test("identical clusters are grouped for the clustered bootstrap")
    func clusterGrouping() {
        let table = makeTable([[0, 0], [1, 1], [0, 0], [1, 1], [0, 1]], clusters: [0, 0, 1, 1, 2])
        let patterns = RatingPatterns(table)
        let units = CompressedUnits(patterns: patterns, stateOfPattern: (0..<patterns.patternCount).map { Int32($0) },
                                    stateCount: patterns.patternCount, clusters: table.clusters)
        #expect(patterns.patternCount == 3)
        #expect(units.clusterGroupSizes.sorted() == [1, 2])
        #expect(units.clusterCount == 3)
    }
}

@Suite("Seeded random source")
struct RandomSourceTests {
    @Test("the same seed and stream give the same bits on every machine")
    func portable() {
        var first = RandomSource(seed: 1), second = RandomSource(seed: 1), other = RandomSource(seed: 1, stream: 2)
        let a = (0..<5).map { _ in first.next() }, b = (0..<5).map { _ in second.next() }, c = (0..<5).map { _ in other.next() }
        #expect(a == b)
        #expect(a != c)
    }

    @Test("binomial draws have the right mean and variance, small and large n·p", arguments: [(20, 0.1), (1_000_000, 0.3), (500, 0.97)])
    func binomialMoments(_ trials: Int, _ probability: Double) {
        var random = RandomSource(seed: 9)
        let draws = (0..<4000).map { _ in Double(random.binomial(trials, probability)) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count - 1)
        let expectedMean = Double(trials) * probability, expectedVariance = expectedMean * (1 - probability)
        #expect(abs(mean - expectedMean) < 5 * (expectedVariance / Double(draws.count)).squareRoot())
        #expect(abs(variance / expectedVariance - 1) < 0.1)
        #expect(draws.allSatisfy { $0 >= 0 && $0 <= Double(trials) })
    }

    /// The binomial probability of `k` in `n` trials, through log-gamma.
    static func binomialProbability(_ k: Int, _ n: Int, _ p: Double) -> Double {
        let ways: Double = lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
        let chances: Double = Double(k) * log(p) + Double(n - k) * log(1 - p)
        return exp(ways + chances)
    }

    @Test("binomial draws follow the binomial distribution itself (chi-square against the exact probabilities), on both sides of the inversion/rejection switch",
          arguments: [(30, 0.4), (100, 0.3), (1_000, 0.01), (25, 0.5), (200, 0.05), (1_000_000, 0.2), (19, 0.5), (400, 0.97)])
    func binomialDistribution(_ trials: Int, _ probability: Double) {
        var random = RandomSource(seed: 31)
        let draws = 100_000
        var counts: [Int: Int] = [:]
        for _ in 0..<draws { counts[random.binomial(trials, probability), default: 0] += 1 }
        // Cells of k around the mean holding at least 5 expected draws; the two tails pooled into end cells.
        let mean = Double(trials) * probability, spread = (mean * (1 - probability)).squareRoot()
        let low = max(0, Int(mean - 6 * spread)), high = min(trials, Int(mean + 6 * spread) + 1)
        var statistic = 0.0, cells = 0
        var pooledObserved = 0, pooledExpected = 0.0
        var inRange = 0
        for k in low...high {
            let expected = Self.binomialProbability(k, trials, probability) * Double(draws)
            let observed = counts[k] ?? 0
            inRange += observed
            pooledObserved += observed
            pooledExpected += expected
            if pooledExpected >= 5 {
                statistic += (Double(pooledObserved) - pooledExpected) * (Double(pooledObserved) - pooledExpected) / pooledExpected
                cells += 1
                pooledObserved = 0
                pooledExpected = 0
            }
        }
        #expect(draws - inRange < 5, "draws more than six standard deviations out: \(draws - inRange)")
        // Chi-square with cells − 1 degrees of freedom: beyond mean + 5 sd of the statistic only by a broken sampler.
        let degrees = Double(cells - 1)
        #expect(statistic < degrees + 5 * (2 * degrees).squareRoot(), "chi-square \(statistic) on \(cells - 1) df for n \(trials), p \(probability)")
    }

    @Test("alias-table multinomial counts add up to n, skip empty states and follow the weights")
    func aliasMultinomial() {
        var random = RandomSource(seed: 11)
        let alias = AliasTable(weights: [1, 0, 6, 2, 0, 1])
        var counts = [Int](repeating: -1, count: 6)
        alias.multinomial(200_000, random: &random, into: &counts)
        #expect(counts.reduce(0, +) == 200_000)
        #expect(counts[1] == 0 && counts[4] == 0)
        #expect(abs(Double(counts[2]) / 200_000 - 0.6) < 0.006)
        #expect(abs(Double(counts[3]) / 200_000 - 0.2) < 0.006)
    }

    @Test("barely compressed tables (alias draws) and compressed ones give intervals around the estimate")
    func aliasPathIntervals() throws {
        // Ten raters: nearly every item has its own pattern, so the pattern family takes the alias path.
        var rows: [[Int?]] = []
        var state: UInt64 = 99
        for _ in 0..<300 {
            let truth = Int(state % 3)
            rows.append((0..<10).map { rater in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let roll = Int((state >> 33) % 10)
                return roll == 0 ? nil : (roll < 8 ? truth : (truth + rater) % 3)
            })
        }
        let summary = AgreementEngine.summarize(makeTable(rows), options: AgreementOptions(resamples: 200, seed: 2), includePairs: false)
        let conger = try #require(summary.overall[.congerKappa])
        let value = try #require(conger.value), low = try #require(conger.ciLow), high = try #require(conger.ciHigh)
        #expect(low < value && value < high)
        #expect(conger.resamplesUsed == 200)
    }

    @Test("multinomial counts add up to n and skip empty states")
    func multinomial() {
        var random = RandomSource(seed: 5)
        var counts = [Int](repeating: -1, count: 5)
        random.multinomial(1_000_000, weights: [3, 0, 5, 0, 2], into: &counts)
        #expect(counts.reduce(0, +) == 1_000_000)
        #expect(counts[1] == 0 && counts[3] == 0)
        #expect(abs(Double(counts[2]) / 1_000_000 - 0.5) < 0.005)
    }
}
