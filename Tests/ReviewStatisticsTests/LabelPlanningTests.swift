import Foundation
import Testing
@testable import ReviewStatistics

@Suite("Label planning")
struct LabelPlanningTests {
    @Test("plans past any study's size are one-line errors, never a trap converting a Double past Int's range")
    func hugePlansAreErrors() {
        #expect(throws: LabelPlanning.InvalidInput.self) {
            try LabelPlanning.kappaItemsAsymptotic(kappa0: 0.5, lower: 0.49999999999, upper: nil, prevalence: 0.3)
        }
        #expect(throws: LabelPlanning.InvalidInput.self) {
            try LabelPlanning.kappaItemsGoodnessOfFit(kappa0: 0.5, lower: 0.49999999999, upper: nil, prevalence: 0.3)
        }
        #expect(throws: LabelPlanning.InvalidInput.self) {
            try LabelPlanning.sensitivityItems(sensitivity: 0.9, halfWidth: 1e-10, prevalence: 0.3)
        }
        #expect(throws: LabelPlanning.InvalidInput.self) {
            try LabelPlanning.sensitivityItems(sensitivity: 0.9, halfWidth: 0.05, prevalence: 1e-300)
        }
    }

    @Test("the corrected rate: 139 human-only, 134 Rogan–Gladen, 68 PPI++ labels for ±0.05 at prevalence 0.1, Se 0.85, Sp 0.95 (the figures of the estimator issue)")
    func rate() throws {
        let plans = try LabelPlanning.rateLabels(prevalence: 0.1, sensitivity: 0.85, specificity: 0.95, halfWidth: 0.05)
        #expect(plans.map(\.labels) == [139, 134, 68])
        // A finite pool costs labels, never saves them, for the judge-based estimators.
        let finite = try LabelPlanning.rateLabels(prevalence: 0.1, sensitivity: 0.85, specificity: 0.95, halfWidth: 0.05, pool: 2_000)
        #expect((finite[1].labels ?? 0) > 134 && (finite[2].labels ?? 0) > 68)
        // A judge no better than chance cannot be corrected.
        let chance = try LabelPlanning.rateLabels(prevalence: 0.1, sensitivity: 0.5, specificity: 0.5, halfWidth: 0.05)
        #expect(chance[1].labels == nil)
    }

    @Test("Buderer (1996): sensitivity 0.90 ± 0.05 at prevalence 0.10 needs 139 cases, 1,383 items; specificity 0.85 ± 0.05, 196 and 218")
    func buderer() throws {
        let sensitivity = try LabelPlanning.sensitivityItems(sensitivity: 0.90, halfWidth: 0.05, prevalence: 0.10)
        #expect(sensitivity.cases == 139 && sensitivity.items == 1_383)
        let specificity = try LabelPlanning.specificityItems(specificity: 0.85, halfWidth: 0.05, prevalence: 0.10)
        #expect(specificity.cases == 196 && specificity.items == 218)
    }

    @Test("kappa's asymptotic variance: 1/n at kappa 0 and prevalence 0.5, and the Monte Carlo variance of Cohen's kappa elsewhere")
    func kappaVariance() {
        #expect(abs(LabelPlanning.kappaVariancePerItem(kappa: 0, prevalence: 0.5) - 1) < 1e-12)
        // Simulate pairs of verdicts with kappa 0.6 at prevalence 0.3 and compare the spread of Cohen's kappa.
        let kappa = 0.6, prevalence = 0.3, n = 400, runs = 3_000
        let cells = LabelPlanning.pairProbabilities(kappa: kappa, prevalence: prevalence)
        var random = SplitMix64(seed: 21)
        var values: [Double] = []
        for _ in 0..<runs {
            var both = 0, onlyFirst = 0, onlySecond = 0
            for _ in 0..<n {
                let u = Double.random(in: 0..<1, using: &random)
                if u < cells[0] { both += 1 } else if u < cells[0] + cells[1] / 2 { onlyFirst += 1 } else if u < cells[0] + cells[1] { onlySecond += 1 }
            }
            let neither = n - both - onlyFirst - onlySecond
            let observed = Double(both + neither) / Double(n)
            let first = Double(both + onlyFirst) / Double(n), second = Double(both + onlySecond) / Double(n)
            let expected = first * second + (1 - first) * (1 - second)
            values.append((observed - expected) / (1 - expected))
        }
        let mean = values.reduce(0, +) / Double(runs)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(runs - 1)
        let predicted = LabelPlanning.kappaVariancePerItem(kappa: kappa, prevalence: prevalence) / Double(n)
        #expect(abs(variance / predicted - 1) < 0.1)
    }

    @Test("Donner & Eliasziw (1992) against kappaSize's CIBinary (R), and the asymptotic plan", arguments: LabelPlanningTests.kappaSizeCases)
    func goodnessOfFit(_ reference: KappaSizeCase) throws {
        let items = try LabelPlanning.kappaItemsGoodnessOfFit(kappa0: reference.kappa0, lower: reference.lower, upper: reference.upper, prevalence: reference.prevalence)
        // kappaSize stops once n·χ² exceeds the critical value by 0.001, which can add one item.
        #expect(items == reference.items || items + 1 == reference.items)
    }

    struct KappaSizeCase: Sendable, CustomTestStringConvertible {
        var kappa0: Double, lower: Double, upper: Double?, prevalence: Double, items: Int
        var testDescription: String { "kappa \(kappa0) [\(lower), \(upper.map { "\($0)" } ?? "-")] p \(prevalence) → \(items)" }
    }

    /// Figures from the two-rater binary procedure of the R package kappaSize (CIBinary, Rotondi), run in R 4.2
    /// outside the project.
    static let kappaSizeCases: [KappaSizeCase] = [
        KappaSizeCase(kappa0: 0.4, lower: 0.3, upper: 0.5, prevalence: 0.3, items: 397),
        KappaSizeCase(kappa0: 0.6, lower: 0.4, upper: 0.8, prevalence: 0.2, items: 118),
        KappaSizeCase(kappa0: 0.8, lower: 0.7, upper: 0.9, prevalence: 0.2, items: 303),
        KappaSizeCase(kappa0: 0.8, lower: 0.7, upper: nil, prevalence: 0.2, items: 214),
        KappaSizeCase(kappa0: 0.5, lower: 0.3, upper: nil, prevalence: 0.5, items: 62),
        KappaSizeCase(kappa0: 0.9, lower: 0.8, upper: 0.95, prevalence: 0.1, items: 417),
        KappaSizeCase(kappa0: 0.7, lower: 0.5, upper: 0.85, prevalence: 0.35, items: 79),
    ]

    @Test("invalid plans are one line each")
    func invalid() {
        #expect(throws: LabelPlanning.InvalidInput("--lower must be below --kappa (got 0.9 and 0.8)")) {
            try LabelPlanning.kappaItemsAsymptotic(kappa0: 0.8, lower: 0.9, upper: nil, prevalence: 0.2)
        }
        #expect(throws: LabelPlanning.InvalidInput("--prevalence must lie strictly between 0 and 1 (got 0.0)")) {
            try LabelPlanning.sensitivityItems(sensitivity: 0.9, halfWidth: 0.05, prevalence: 0)
        }
        #expect(throws: LabelPlanning.InvalidInput("--half-width must lie strictly between 0 and 1 (got -0.1)")) {
            try LabelPlanning.rateLabels(prevalence: 0.1, sensitivity: 0.8, specificity: 0.9, halfWidth: -0.1)
        }
    }
}
