import Foundation
import Testing
@testable import ReviewStatistics

@Suite("McNemar's test")
struct McNemarTests {
    /// statsmodels' mcnemar(exact=True) and mcnemar(exact=False, correction=True) (= scipy's binomtest and the
    /// corrected χ²), computed with scipy 1.x: (b, c, exact p, corrected p).
    static let reference: [(Int, Int, Double, Double)] = [
        (3, 11, 0.057373046875, 0.0613688291394023),
        (0, 5, 0.0625, 0.07363827012030258),
        (7, 7, 1.0, 0.7892680261342813),
        (20, 9, 0.06142834573984146, 0.06331778683004569),
        (1, 0, 1.0, 1.0),
    ]

    @Test("exact and continuity-corrected p equal statsmodels'")
    func againstStatsmodels() {
        for (b, c, exact, corrected) in Self.reference {
            #expect(abs(McNemar.exactP(b: b, c: c) - exact) < 1e-10, "\(b), \(c)")
            #expect(abs((McNemar.correctedP(b: b, c: c) ?? -1) - corrected) < 1e-10, "\(b), \(c)")
        }
        #expect(McNemar.exactP(b: 0, c: 0) == 1 && McNemar.correctedP(b: 0, c: 0) == nil)
    }

    @Test("Durkalski's clustered statistic: with one item per cluster it is the uncorrected McNemar; clusters that disagree both ways weaken it")
    func clustered() throws {
        let single = McNemar.test((0..<14).map { (cluster: "s\($0)", first: $0 < 11, second: $0 >= 11 || $0 < 0) })
        let uncorrected = pow(Double(single.b - single.c), 2) / Double(single.b + single.c)
        #expect(abs(try #require(single.clusteredStatistic) - uncorrected) < 1e-12)
        // Two clusters: one with 5 first-right discordances, one with 5 second-right: the differences cancel.
        let cancelling = McNemar.test((0..<10).map { (cluster: $0 < 5 ? "x" : "y", first: $0 < 5, second: $0 >= 5) })
        #expect(cancelling.clusteredStatistic == 0 && cancelling.clusteredP == 1)
        // All discordance in one cluster: one cluster's worth of evidence (X² = 1), not ten items'.
        let lumped = McNemar.test((0..<10).map { _ in (cluster: "x", first: true, second: false) })
        #expect(lumped.clusteredStatistic == 1 && lumped.exactP < 0.01 && (lumped.clusteredP ?? 0) > 0.3)
        #expect(McNemar.test([(cluster: nil, first: true, second: false)]).clusters == nil)
    }
}
