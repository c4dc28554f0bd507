import Foundation
import Testing
@testable import ReviewStatistics

@Suite("Paired differences of two judges")
struct PairedJudgeDifferencesTests {
    /// Sixty items in six clusters: a hidden truth, shown for two in three; judge one errs on every seventh item,
    /// judge two on every fourth; design weights 1, 1.5, 2, 2.5 in turn.
    static let items: [PairedJudgeDifferences.Item] = (0..<60).map { i in
        let hidden = (i * 7) % 5 < 2
        return PairedJudgeDifferences.Item(cluster: i % 6, truth: i % 3 != 0 ? hidden : nil, first: hidden != (i % 7 == 0),
                                           second: hidden != (i % 4 == 1), weight: 1 + Double(i % 4) * 0.5)
    }

    /// The same data through scikit-learn 1.9's cohen_kappa_score (with sample_weight) and numpy, each statistic
    /// recomputed from scratch with every cluster (then every item) left out, t quantiles from scipy:
    /// (measure, first, second, difference, se, low, high).
    static let clustered: [(String, Double, Double, Double, Double, Double, Double)] = [
        ("kappa", 0.6938775510204082, 0.5614035087719298, 0.13247404224847836, 0.21275517464908836, -0.41443054514209987, 0.6793786296390566),
        ("reported_rate", 0.45, 0.45, 0.0, 0.05773502691896259, -0.1484126114778589, 0.1484126114778589),
        ("corrected_rate", 0.4000000000000001, 0.4125000000000001, -0.012500000000000011, 0.06554138325655881, -0.18097948928178817, 0.15597948928178815),
    ]
    static let unclustered: [(String, Double, Double, Double, Double)] = [
        ("kappa", 0.13247404224847836, 0.18652535154610872, -0.2407623240915744, 0.5057104085885311),
        ("reported_rate", 0.0, 0.07516460280028293, -0.15040402279920656, 0.15040402279920656),
        ("corrected_rate", -0.012500000000000011, 0.08554921345298962, -0.18368358071851884, 0.15868358071851882),
    ]

    @Test("values, jackknife standard errors and t intervals equal a from-scratch reference, over clusters and over items")
    func againstReference() throws {
        let differences = PairedJudgeDifferences.compare(Self.items, clustered: true, confidence: 0.95)
        for (measure, first, second, value, se, low, high) in Self.clustered {
            let d = try #require(differences.first { $0.measure == measure })
            for (got, expected) in [(d.first, first), (d.second, second), (d.value, value), (d.standardError, se), (d.low, low), (d.high, high)] {
                #expect(abs(try #require(got) - expected) < 1e-6, "\(measure): \(String(describing: got)) against \(expected)")
            }
            #expect(d.units == 6 && d.note.hasPrefix("TOO FEW CLUSTERS (6)"))
        }
        let byItem = PairedJudgeDifferences.compare(Self.items, clustered: false, confidence: 0.95)
        for (measure, value, se, low, high) in Self.unclustered {
            let d = try #require(byItem.first { $0.measure == measure })
            for (got, expected) in [(d.value, value), (d.standardError, se), (d.low, low), (d.high, high)] {
                #expect(abs(try #require(got) - expected) < 1e-6, "\(measure) by item: \(String(describing: got)) against \(expected)")
            }
            #expect(d.units == 60 && !IntervalTrust.distrusts(d.note))
        }
    }

    @Test("a judge compared with itself differs by exactly 0, with a zero-width interval; an undefined kappa gives no interval, said so")
    func degenerate() throws {
        let same = Self.items.map { PairedJudgeDifferences.Item(cluster: $0.cluster, truth: $0.truth, first: $0.first, second: $0.first, weight: $0.weight) }
        for d in PairedJudgeDifferences.compare(same, clustered: true, confidence: 0.95) {
            #expect(d.value == 0 && d.standardError == 0 && d.low == 0 && d.high == 0, "\(d.measure)")
        }
        // No labelled item: kappa with the reference is undefined for both judges, said so.
        let unlabelled = Self.items.map { PairedJudgeDifferences.Item(cluster: $0.cluster, truth: nil, first: $0.first, second: $0.second) }
        let kappa = try #require(PairedJudgeDifferences.compare(unlabelled, clustered: true, confidence: 0.95).first { $0.measure == "kappa" })
        #expect(kappa.value == nil && kappa.low == nil && kappa.note.hasPrefix("undefined"))
        // Defined on the whole but not with cluster 1 out (the only appropriate labels are there): no interval, a warning.
        let fragile = Self.items.map { item in
            let appropriate = item.cluster == 1
            return PairedJudgeDifferences.Item(cluster: item.cluster, truth: item.truth.map { _ in !appropriate },
                                               first: item.truth == nil ? item.first : !appropriate, second: item.truth == nil ? item.second : !appropriate)
        }
        let corrected = try #require(PairedJudgeDifferences.compare(fragile, clustered: true, confidence: 0.95).first { $0.measure == "corrected_rate" })
        #expect(corrected.value != nil)
        #expect(corrected.low == nil && IntervalTrust.distrusts(corrected.note))
    }
}
