import Testing
import Foundation
import ReviewStatistics
@testable import ReviewCore
@testable import ReviewReport

/// A two-rater binary table from its four cells: a (both first category), b (first, second), c (second, first), d.
private func binaryTable(a: Int, b: Int, c: Int, d: Int, clusterSize: Int? = nil) -> RatingTable {
    let pairs = Array(repeating: [Int32(0), 0], count: a) + Array(repeating: [Int32(0), 1], count: b)
        + Array(repeating: [Int32(1), 0], count: c) + Array(repeating: [Int32(1), 1], count: d)
    let clusters = clusterSize.map { size in pairs.indices.map { Int32($0 / size) } }
    return RatingTable(items: pairs.indices.map { "i\($0)" }, raters: ["x", "y"], categories: ["appropriate", "inappropriate"],
                       codes: pairs.flatMap { $0 }, clusters: clusters)
}

@Suite("Agreement intervals at the boundary")
struct BoundaryAgreementTests {
    @Test("the continuity-corrected Wilson interval equals scipy's binomtest(...).proportion_ci(method='wilsoncc')")
    func wilsonContinuityCorrected() throws {
        // scipy 1.17.1, 95%.
        let reference: [(Int, Int, Double, Double)] = [
            (81, 263, 0.25350868229518514, 0.3681762010430035), (15, 148, 0.059778208428498125, 0.16444977936483698),
            (0, 20, 0.0, 0.20045334501348705), (1, 29, 0.001802640213279666, 0.19628175100975953),
            (29, 30, 0.8094697836521794, 0.9982575329476151), (97, 100, 0.9084869129046745, 0.9922201650038677),
        ]
        let z = Proportions.normalQuantile(0.975)
        for (x, n, low, high) in reference {
            let interval = try #require(Proportions.wilsonContinuityCorrected(proportion: Double(x) / Double(n), effectiveN: Double(n), quantile: z))
            #expect(abs(interval.low - low) < 1e-9 && abs(interval.high - high) < 1e-9, "\(x)/\(n): \(interval)")
        }
        #expect(Proportions.wilsonContinuityCorrected(proportion: 1, effectiveN: 30, quantile: z)?.high == 1)
    }

    @Test("a perfectly agreeing sample gets a percent-agreement and kappa interval of non-zero width, not [1, 1]")
    func perfectAgreement() throws {
        let table = binaryTable(a: 24, b: 0, c: 0, d: 6)
        let summary = AgreementEngine.summarize(table, options: AgreementOptions(resamples: 400, seed: 3))
        let percent = try #require(summary.overall[.percentAgreement])
        let z = Proportions.normalQuantile(0.975)
        let bound = try #require(Proportions.wilsonContinuityCorrected(proportion: 1, effectiveN: 30, quantile: z))
        #expect(percent.ciHigh == 1 && abs((percent.ciLow ?? 1) - bound.low) < 1e-12)
        let kappa = try #require(summary.overall[.cohenKappa])
        let pe = try #require(kappa.chance)
        #expect(kappa.value == 1 && kappa.ciHigh == 1)
        #expect(abs((kappa.ciLow ?? 1) - (bound.low - pe) / (1 - pe)) < 1e-12, "the agreement bound through the chance term")
        let report = AgreementAnalysis(sourceKind: "ratings", source: "t.csv", table: table, options: AgreementOptions(resamples: 400, seed: 3),
                                       summary: summary)
        #expect(report.summary.overall[.cohenKappa]?.reason?.contains("zero-width") != true)
    }

    @Test("the kappa paradox (93% agreement, one category): the interval covers 0 and the note says why kappa is low")
    func kappaParadox() throws {
        let table = binaryTable(a: 0, b: 4, c: 3, d: 93)
        let summary = AgreementEngine.summarize(table, options: AgreementOptions(resamples: 400, seed: 5))
        let fleiss = try #require(summary.overall[.fleissKappa])
        let value = try #require(fleiss.value)
        #expect(value < 0 && value > -0.1)
        #expect((fleiss.ciLow ?? 0) < 0 && (fleiss.ciHigh ?? 0) > 0, "not 'significantly negative': \(fleiss)")
        #expect(fleiss.reason?.contains("kappa paradox") == true)
        #expect(summary.overall[.percentAgreement]?.reason?.contains("kappa paradox") != true)
        #expect(summary.overall[.gwetAC1]?.reason?.contains("kappa paradox") != true)
        let indices = try #require(summary.indices)
        // Byrt et al.: PI = |a − d| / n, BI = |b − c| / n.
        #expect(abs((indices.prevalenceIndex ?? 0) - 0.93) < 1e-12)
        #expect(abs((indices.biasIndex ?? 0) - 0.01) < 1e-12)
        #expect(indices.dominantCategory == "inappropriate")
    }

    @Test("prevalence and bias indices are Byrt's |a − d| / n and |b − c| / n, for every pair too, and in every format")
    func indices() throws {
        let table = binaryTable(a: 40, b: 10, c: 5, d: 45)
        let options = AgreementOptions(resamples: 50, seed: 1)
        let summary = AgreementEngine.summarize(table, options: options)
        let pair = try #require(summary.pairs.first?.indices)
        #expect(abs((pair.prevalenceIndex ?? 0) - 0.05) < 1e-12)
        #expect(abs((pair.biasIndex ?? 0) - 0.05) < 1e-12)
        #expect(pair.paradoxNote == nil)
        let report = AgreementAnalysis(sourceKind: "ratings", source: "t.csv", table: table, options: options, summary: summary)
        let text = report.rendered(as: .text), csv = report.rendered(as: .csv), markdown = report.rendered(as: .markdown)
        for rendering in [text, csv, markdown] {
            #expect(rendering.contains("prevalence") && rendering.contains("bias") && rendering.contains("PABAK"), "\(rendering)")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.rendered(as: .json).utf8)) as? [String: Any])
        let indices = try #require(json["indices"] as? [String: Any])
        #expect(abs((indices["prevalence_index"] as? Double ?? 0) - 0.05) < 1e-12)
    }

    @Test("fewer than 8 clusters: every agreement interval carries TOO FEW CLUSTERS; clusters of one item are items")
    func tooFewClusters() throws {
        let options = AgreementOptions(resamples: 200, seed: 2, clustered: true)
        let four = binaryTable(a: 20, b: 3, c: 2, d: 15, clusterSize: 10)
        let report = AgreementAnalysis(sourceKind: "ratings", source: "t.csv", table: four, options: options,
                                       summary: AgreementEngine.summarize(four, options: options))
        for kind in [CoefficientKind.percentAgreement, .cohenKappa, .fleissKappa, .krippendorffAlpha] {
            let result = try #require(report.summary.overall[kind])
            #expect(result.clusters == 4)
            #expect(result.reason?.hasPrefix("TOO FEW CLUSTERS (4)") == true, "\(kind): \(result.reason ?? "")")
        }
        #expect(report.rendered(as: .json).contains("\"trusted\": false"))
        let singletons = binaryTable(a: 20, b: 3, c: 2, d: 15, clusterSize: 1)
        let items = AgreementEngine.summarize(singletons, options: options)
        #expect(items.overall[.percentAgreement]?.clusters == nil)
    }

    @Test("clustered, with nothing to measure a design effect from, each cluster counts as one item (t on clusters − 1)")
    func clusteredWorstCase() throws {
        let table = binaryTable(a: 30, b: 0, c: 0, d: 20, clusterSize: 5)
        let summary = AgreementEngine.summarize(table, options: AgreementOptions(resamples: 200, seed: 4, clustered: true))
        let percent = try #require(summary.overall[.percentAgreement])
        let bound = try #require(Proportions.wilsonContinuityCorrected(
            proportion: 1, effectiveN: 10, quantile: StudentT.quantile(0.975, degreesOfFreedom: 9)))
        #expect(abs((percent.ciLow ?? 1) - bound.low) < 1e-12)
        #expect(percent.clusters == 10)
    }

    @Test("several raters: the bound uses the variance of an item's agreement, so it is no wider than a large sample needs")
    func severalRaters() throws {
        var rows: [[Int32]] = []
        for index in 0..<2000 { rows.append([Int32(index % 2), Int32(index % 2), Int32(index % 9 == 0 ? 1 - index % 2 : index % 2)]) }
        let table = RatingTable(items: rows.indices.map { "i\($0)" }, raters: ["a", "b", "c"], categories: ["0", "1"], codes: rows.flatMap { $0 })
        let summary = AgreementEngine.summarize(table, options: AgreementOptions(resamples: 1000, seed: 7))
        let fleiss = try #require(summary.overall[.fleissKappa])
        let se = try #require(fleiss.standardError), low = try #require(fleiss.ciLow), high = try #require(fleiss.ciHigh)
        #expect(abs((high - low) / (2 * 1.96 * se) - 1) < 0.15, "width \(high - low) against analytic \(2 * 1.96 * se)")
    }
}

@Suite("Interval trust words")
struct IntervalTrustTests {
    @Test("one rule recognises every warning, and warnings come first")
    func warnings() {
        #expect(IntervalTrust.distrusts("design effect 3.0; TOO FEW CLUSTERS (5) for a trustworthy interval"))
        #expect(IntervalTrust.distrusts(IntervalTrust.tooFew(12)))
        #expect(IntervalTrust.distrusts(IntervalTrust.notTrusted("x")))
        #expect(IntervalTrust.distrusts(IntervalTrust.noInterval("x")))
        #expect(!IntervalTrust.distrusts("intervals over the 10 stimuli the responses came from"))
        #expect(!IntervalTrust.distrusts(nil))
        #expect(IntervalTrust.tooFewClusters(8) == nil && IntervalTrust.tooFew(30) == nil)
        #expect(IntervalTrust.warningsFirst(["a note", "NOT TRUSTED: why"]) == "NOT TRUSTED: why; a note")
        #expect(IntervalTrust.firstWarning("a; only 3 labelled items: the interval cannot mean much") == "only 3 labelled items: the interval cannot mean much")
    }
}
