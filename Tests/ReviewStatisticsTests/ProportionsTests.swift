import Testing
import Foundation
@testable import ReviewStatistics

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

    @Test("Student's t quantiles and distribution function match scipy's t.ppf and t.cdf (exact below 1,000 df, Cornish–Fisher above)")
    func studentT() {
        // scipy.stats.t: (df, ppf(0.975), ppf(0.995), ppf(0.05), cdf(-1.3)).
        let reference: [(Double, Double, Double, Double, Double)] = [
            (3, 3.1824463052837078, 5.840909309733355, -2.353363434801824, 0.14223375436394853),
            (4, 2.7764451051977934, 4.604094871349992, -2.131846786326651, 0.13172579823561206),
            (5, 2.5705818356363146, 4.032142983555228, -2.015048373333024, 0.12515031708533855),
            (6, 2.4469118511449786, 3.7074280213248065, -1.943180280515305, 0.12065258731139306),
            (7, 2.364624251592784, 3.4994832973504924, -1.8945786050900066, 0.11738391769618862),
            (9, 2.262157162798205, 3.249835541592126, -1.8331129326562376, 0.11295318633652467),
            (12, 2.1788128296672284, 3.0545395893929013, -1.7822875556493194, 0.10900858554175706),
            (19, 2.0930240544083087, 2.8609346064649794, -1.7291328115213687, 0.10457575014866397),
            (29, 2.045229642132703, 2.756385903670605, -1.6991270265334977, 0.1019195918310149),
            (99, 1.9842169515864174, 2.626405457280827, -1.660391156016991, 0.09830978482171171),
            (500, 1.9647198374673676, 2.5856978351419415, -1.647906853929511, 0.0970999650647294),
            (999, 1.9623414611334493, 2.5807596372676365, -1.6463803454275354, 0.0969504140978254),
            (1500, 1.9615467538950184, 2.579110932109593, -1.6458701045425264, 0.0969003464167658),
        ]
        for (df, q975, q995, q05, cdf) in reference {
            #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: df) - q975) < 1e-9, "df \(df)")
            #expect(abs(StudentT.quantile(0.995, degreesOfFreedom: df) - q995) < 1e-9, "df \(df)")
            #expect(abs(StudentT.quantile(0.05, degreesOfFreedom: df) - q05) < 1e-9, "df \(df)")
            if df <= 1000 { #expect(abs(StudentT.cdf(-1.3, degreesOfFreedom: Int(df)) - cdf) < 1e-12, "df \(df)") }
        }
        // R's qt at 1 and 2 degrees of freedom (closed forms), and the normal limit.
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 1) - 12.706205) < 1e-5)
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 2) - 4.302653) < 1e-5)
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: .infinity) - 1.959964) < 1e-6)
    }
}

@Suite("Honest rate intervals")
struct HonestRateIntervalTests {
    @Test("a share of 1 keeps a variance from its Wilson interval: zero observed errors are not certainty")
    func wilsonVarianceAtTheBoundary() throws {
        let variance = try #require(RateInference.wilsonVariance(1, effectiveN: 61, confidence: 0.95))
        // Wilson's lower bound for 61/61 at 95% is 0.94088; the half-width over 1.96, squared.
        #expect(abs(variance - pow((1 - 0.94088) / 1.959964, 2)) < 2e-5)
        #expect(variance > 0)
    }

    @Test("zero errors in 98 labels (the paper's validation file): the interval covers what the Wilson bounds of the judge's accuracy allow")
    func zeroErrorsCarryTheJudgesUncertainty() throws {
        var counts = RateCellCounts()
        counts.truePositive = 61
        counts.trueNegative = 37
        counts.unlabelled = 252
        counts.unlabelledInappropriate = 129  // 190 of 350 judged inappropriate in all
        let interval = try #require(RateInference.roganGladenInterval(counts: counts, effects: nil, confidence: 0.95, quantile: 1.959964))
        let apparent = Double(counts.judgeInappropriate) / Double(counts.judged)
        let sensitivity = try #require(Proportions.wilson(successes: 61, n: 61))
        let specificity = try #require(Proportions.wilson(successes: 37, n: 37))
        // Rogan–Gladen at the corners the accuracy bounds allow (the apparent rate held at its value).
        let corners = [sensitivity.low, 1].flatMap { se in [specificity.low, 1].compactMap { sp in
            Proportions.roganGladen(apparent: apparent, sensitivity: se, specificity: sp) } }
        #expect(interval.low <= corners.min() ?? 0 && interval.high >= corners.max() ?? 1, "\(interval) vs \(corners)")
        #expect(interval.standardError > 0)
    }

    @Test("the counts form of PPI++ is the estimator's own formula")
    func ppiFromCounts() throws {
        var counts = RateCellCounts()
        counts.truePositive = 12; counts.falseNegative = 3; counts.falsePositive = 4; counts.trueNegative = 31
        counts.unlabelled = 400; counts.unlabelledInappropriate = 97
        let byCounts = try #require(RateInference.ppiValue(counts))
        let byItems = try #require(RateEstimators.ppi(counts.inputs, confidence: 0.95).value)
        #expect(abs(byCounts - byItems) < 1e-12)
    }

    @Test("clusters that differ in prevalence give the judge's rate a design effect well above 1; no error, no effect measured")
    func designEffects() throws {
        var clusters: [RateCellCounts] = []
        for stimulus in 0..<10 {
            var cluster = RateCellCounts()
            for response in 0..<35 {
                let inappropriate = stimulus < 5 ? response < 30 : response < 5
                cluster.add(truth: response < 10 ? inappropriate : nil, judge: inappropriate)
            }
            clusters.append(cluster)
        }
        let effects = try #require(RateInference.designEffects(clusters: clusters, seed: 1))
        #expect(effects.clusters == 10)
        #expect((effects.apparent ?? 0) > 10)
        #expect(effects.sensitivity == nil && effects.specificity == nil)
        let same = Array(repeating: clusters[0], count: 10)
        // Identical clusters: no spread between them, so no design effect above 1.
        #expect((RateInference.designEffects(clusters: same, seed: 1)?.apparent ?? 1) == 1)
    }
}
