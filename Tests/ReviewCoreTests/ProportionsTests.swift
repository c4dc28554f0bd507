import Testing
@testable import ReviewCore

@Suite("Proportions")
struct ProportionsTests {
    func close(_ a: Double?, _ b: Double, _ tolerance: Double = 5e-5) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance
    }

    @Test("Wilson 95% for 8/10 is [0.4902, 0.9433] (hand-computed)")
    func wilsonEightOfTen() throws {
        let interval = try #require(Proportions.wilson(successes: 8, n: 10))
        #expect(close(interval.low, 0.4902))
        #expect(close(interval.high, 0.9433))
    }

    @Test("Wilson at the edges stays inside [0, 1] and is nil for no trials")
    func wilsonEdges() throws {
        let none = try #require(Proportions.wilson(successes: 0, n: 20))
        #expect(none.low == 0)
        // z² / (n + z²) for 0 successes: 3.8415 / 23.8415
        #expect(close(none.high, 0.16113))
        let all = try #require(Proportions.wilson(successes: 20, n: 20))
        #expect(close(all.low, 1 - 0.16113))
        #expect(all.high == 1)
        #expect(Proportions.wilson(successes: 0, n: 0) == nil)
        #expect(Proportions.wilson(successes: 3, n: 2) == nil)
    }

    @Test("Wilson 90% for 45/50 is [0.8085, 0.9505] (hand-computed, z = 1.644854)")
    func wilsonNinety() throws {
        let interval = try #require(Proportions.wilson(successes: 45, n: 50, confidence: 0.90))
        #expect(close(interval.low, 0.80846))
        #expect(close(interval.high, 0.95047))
    }

    @Test("normal quantiles")
    func quantiles() {
        #expect(close(Proportions.normalQuantile(0.975), 1.959964, 1e-6))
        #expect(close(Proportions.normalQuantile(0.5), 0, 1e-9))
        #expect(close(Proportions.normalQuantile(0.05), -1.644854, 1e-6))
    }

    @Test("Rogan–Gladen: (0.3 + 0.9 − 1) / (0.8 + 0.9 − 1) = 0.285714")
    func roganGladen() {
        #expect(close(Proportions.roganGladen(apparent: 0.3, sensitivity: 0.8, specificity: 0.9), 0.2857143, 1e-7))
        #expect(close(Proportions.roganGladen(apparent: 0.4, sensitivity: 1, specificity: 1), 0.4, 1e-12))
    }

    @Test("Rogan–Gladen clips to [0, 1] and is nil when sensitivity + specificity ≤ 1")
    func roganGladenClipping() {
        #expect(Proportions.roganGladen(apparent: 0.05, sensitivity: 0.9, specificity: 0.8) == 0)
        #expect(Proportions.roganGladen(apparent: 0.95, sensitivity: 0.8, specificity: 0.9) == 1)
        #expect(Proportions.roganGladen(apparent: 0.3, sensitivity: 0.5, specificity: 0.5) == nil)
        #expect(Proportions.roganGladen(apparent: 0.3, sensitivity: 0.4, specificity: 0.3) == nil)
    }

    @Test("the corrected-rate bootstrap is seeded, brackets the estimate and widens with fewer validation items")
    func bootstrap() throws {
        let validation = ConfusionMatrix(truePositive: 40, falsePositive: 5, falseNegative: 10, trueNegative: 45)
        let first = try #require(Proportions.correctedRateBootstrap(
            validation: validation, reportedInappropriate: 300, judged: 1000, resamples: 500, seed: 7, confidence: 0.95))
        let again = Proportions.correctedRateBootstrap(
            validation: validation, reportedInappropriate: 300, judged: 1000, resamples: 500, seed: 7, confidence: 0.95)
        #expect(first == again)
        let estimate = try #require(Proportions.roganGladen(apparent: 0.3, sensitivity: 0.8, specificity: 0.9))
        #expect(first.low < estimate && estimate < first.high)
        let small = ConfusionMatrix(truePositive: 8, falsePositive: 1, falseNegative: 2, trueNegative: 9)
        let wide = try #require(Proportions.correctedRateBootstrap(
            validation: small, reportedInappropriate: 300, judged: 1000, resamples: 500, seed: 7, confidence: 0.95))
        #expect(wide.high - wide.low > first.high - first.low)
        #expect(Proportions.correctedRateBootstrap(
            validation: validation, reportedInappropriate: 300, judged: 1000, resamples: 0, seed: 7, confidence: 0.95) == nil)
    }
}

@Suite("Binomial and multinomial draws for large bootstraps")
struct LargeBootstrapDrawTests {
    /// Mean and variance of many draws.
    func moments(n: Int, p: Double, draws: Int = 20_000) -> (mean: Double, variance: Double) {
        var random = SplitMix64(seed: 7)
        let values = (0..<draws).map { _ in Double(Proportions.binomialCount(n: n, p: p, random: &random)) }
        let mean = values.reduce(0, +) / Double(draws)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws - 1)
        return (mean, variance)
    }

    @Test("binomial draws have the binomial's mean and variance in each branch (exact waiting times, normal, p above one half)",
          arguments: [(1_000_000, 0.00002), (1_000_000, 0.3), (200_000, 0.99995), (3_000, 0.1)])
    func binomialMoments(n: Int, p: Double) {
        let (mean, variance) = moments(n: n, p: p)
        let expectedVariance = Double(n) * p * (1 - p)
        // Standard errors of the sample mean and variance over 20,000 draws, with room (5 of them).
        #expect(abs(mean - Double(n) * p) < 5 * (expectedVariance / 20_000).squareRoot())
        #expect(abs(variance - expectedVariance) < 5 * expectedVariance * (2.0 / 20_000).squareRoot() + 0.5)
    }

    @Test("the corrected-rate interval from multinomial cell counts matches the item-by-item one")
    func multinomialMatchesItemByItem() throws {
        let validation = ConfusionMatrix(truePositive: 900, falsePositive: 300, falseNegative: 150, trueNegative: 4_650)
        let byCounts = try #require(Proportions.correctedRateBootstrap(
            validation: validation, reportedInappropriate: 180_000, judged: 1_000_000, resamples: 2_000, seed: 3,
            confidence: 0.95, itemByItem: 0))
        let byItems = try #require(Proportions.correctedRateBootstrap(
            validation: validation, reportedInappropriate: 180_000, judged: 1_000_000, resamples: 2_000, seed: 3,
            confidence: 0.95, itemByItem: 10_000))
        // Two Monte Carlo estimates of the same percentiles: equal within their own noise (about 0.0004 here).
        #expect(abs(byCounts.low - byItems.low) < 0.003)
        #expect(abs(byCounts.high - byItems.high) < 0.003)
        #expect(byCounts.high - byCounts.low > 0.01)
    }
}
