import Testing
import Foundation
@testable import ReviewStatistics

@Suite("Plans for the printed intervals")
struct PrintedIntervalPlanningTests {
    /// The Wilson half-width at the share `p` of `n` trials.
    func wilsonHalfWidth(_ p: Double, _ n: Double, z: Double = Proportions.normalQuantile(0.975)) -> Double {
        z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / (1 + z * z / n)
    }

    @Test("humans only: the median plan is the Wilson closed form, a pool changes nothing (no finite-population correction), a design effect multiplies it")
    func humansOnly() throws {
        let closedForm = (1...5_000).first { wilsonHalfWidth(0.5, Double($0)) <= 0.03 } ?? 0
        let plans = try LabelPlanning.printedRateLabels(prevalence: 0.5, sensitivity: 0.85, specificity: 0.95, halfWidth: 0.03)
        let humans = try #require(plans.first { $0.estimator == .humans }?.labels)
        #expect(abs(Double(humans - closedForm)) <= 0.01 * Double(closedForm), "\(humans) against \(closedForm)")
        let pooled = try LabelPlanning.printedRateLabels(prevalence: 0.5, sensitivity: 0.85, specificity: 0.95, halfWidth: 0.03, pool: 2_000)
        #expect(pooled.first { $0.estimator == .humans }?.labels == humans, "the printed Wilson interval has no finite-population correction")
        let clustered = try LabelPlanning.printedRateLabels(prevalence: 0.5, sensitivity: 0.85, specificity: 0.95, halfWidth: 0.03,
                                                            design: LabelPlanning.PlanDesign(designEffect: 3))
        let tripled = try #require(clustered.first { $0.estimator == .humans }?.labels)
        #expect(abs(Double(tripled) / Double(humans) - 3) < 0.05)
    }

    @Test("a sensitivity plan at an assurance of 0.9 delivers: studies of that size print a Wilson half-width within the target 9 times in 10")
    func assuranceDelivers() throws {
        let plan = try LabelPlanning.printedAccuracyItems(0.98, "--sensitivity", halfWidth: 0.05, share: 0.1, assurance: 0.9)
        let median = try LabelPlanning.printedAccuracyItems(0.98, "--sensitivity", halfWidth: 0.05, share: 0.1)
        let buderer = try LabelPlanning.sensitivityItems(sensitivity: 0.98, halfWidth: 0.05, prevalence: 0.1)
        #expect(plan.items > median.items && median.cases > buderer.cases, "Buderer's Wald count misses the printed Wilson interval")
        // An independent check with another generator stream: the share of studies that meet the target.
        var random = RandomSource(seed: 99, stream: 7)
        var met = 0
        let studies = 2_000
        for _ in 0..<studies {
            let cases = random.binomial(plan.items, 0.1)
            let hits = random.binomial(cases, 0.98)
            if cases > 0, wilsonHalfWidth(Double(hits) / Double(cases), Double(cases)) <= 0.05 { met += 1 }
        }
        #expect(Double(met) / Double(studies) >= 0.87, "\(met) of \(studies)")
        // And at Buderer's count, about half the studies or fewer do.
        var atBuderer = 0
        for _ in 0..<studies {
            let cases = random.binomial(buderer.items, 0.1)
            let hits = random.binomial(cases, 0.98)
            if cases > 0, wilsonHalfWidth(Double(hits) / Double(cases), Double(cases)) <= 0.05 { atBuderer += 1 }
        }
        #expect(Double(atBuderer) / Double(studies) < 0.5)
    }

    @Test("the rate plans are the printed intervals' own: at the planned labels the median printed half-width is within the target, 10% more meet it, 20% fewer miss it")
    func ratePlansMatchPrinted() throws {
        let plans = try LabelPlanning.printedRateLabels(prevalence: 0.1, sensitivity: 0.85, specificity: 0.95, halfWidth: 0.05, pool: 5_000)
        for plan in plans {
            let labels = try #require(plan.labels)
            func medianHalfWidth(_ n: Int) -> Double {
                var random = RandomSource(seed: 5, stream: 9)
                var widths: [Double] = []
                for _ in 0..<400 {
                    var counts = RateCellCounts()
                    for _ in 0..<n {
                        let truth = random.uniform() < 0.1
                        counts.add(truth: truth, judge: truth ? random.uniform() < 0.85 : random.uniform() >= 0.95)
                    }
                    counts.unlabelled = 5_000 - n
                    counts.unlabelledInappropriate = random.binomial(5_000 - n, 0.1 * 0.85 + 0.9 * 0.05)
                    let z = Proportions.normalQuantile(0.975)
                    let interval: (Double, Double)?
                    switch plan.estimator {
                    case .humans: interval = RateInference.humansInterval(counts, effect: 1, quantile: z).map { ($0.low, $0.high) }
                    case .roganGladen: interval = RateInference.roganGladenInterval(counts: counts, effects: nil, confidence: 0.95, quantile: z).map { ($0.low, $0.high) }
                    case .ppi: interval = RateInference.ppiInterval(counts, effect: 1, clusters: nil, confidence: 0.95).map { ($0.low, $0.high) }
                    }
                    widths.append(interval.map { ($0.1 - $0.0) / 2 } ?? .infinity)
                }
                return widths.sorted()[widths.count / 2]
            }
            // Counts are whole numbers: the half-width steps with them, so the check allows 10% either side.
            #expect(medianHalfWidth(labels * 11 / 10) <= 0.05, "\(plan.estimator) at \(labels * 11 / 10)")
            #expect(medianHalfWidth(labels * 4 / 5) > 0.05, "\(plan.estimator) at \(labels * 4 / 5)")
        }
    }

    @Test("a kappa plan for the printed interval: studies of the planned size print an interval inside the bounds as often as promised")
    func kappaPlan() throws {
        let items = try #require(try LabelPlanning.printedKappaItems(kappa0: 0.8, lower: 0.5, upper: nil, prevalence: 0.5, assurance: 0.8))
        let expected = try LabelPlanning.kappaItemsAsymptotic(kappa0: 0.8, lower: 0.5, upper: nil, prevalence: 0.5)
        #expect(items >= expected, "the expected-count rule is a lower bound (\(items) against \(expected))")
        var random = RandomSource(seed: 11, stream: 3)
        var met = 0
        let studies = 100
        let pairs = LabelPlanning.pairProbabilities(kappa: 0.8, prevalence: 0.5)
        for study in 0..<studies {
            var codes: [Int32] = []
            for _ in 0..<items {
                let u = random.uniform()
                let pair: [Int32] = u < pairs[0] ? [1, 1] : u < pairs[0] + pairs[1] / 2 ? [1, 0] : u < pairs[0] + pairs[1] ? [0, 1] : [0, 0]
                codes += pair
            }
            let table = RatingTable(items: (0..<items).map(String.init), raters: ["a", "b"], categories: ["0", "1"], codes: codes)
            let kappa = AgreementEngine.summarize(table, options: AgreementOptions(resamples: 200, seed: UInt64(study + 1)), includePairs: false).overall[.cohenKappa]
            if let low = kappa?.ciLow, low >= 0.5 { met += 1 }
        }
        #expect(met >= 70, "\(met) of \(studies) studies printed a lower bound of at least 0.5")
    }

    @Test("bad plan inputs are one line each: assurance, design effect, clusters")
    func badInputs() {
        #expect(throws: LabelPlanning.InvalidInput.self) {
            try LabelPlanning.printedRateLabels(prevalence: 0.1, sensitivity: 0.8, specificity: 0.9, halfWidth: 0.05, assurance: 1)
        }
        #expect(throws: LabelPlanning.InvalidInput.self) {
            try LabelPlanning.printedRateLabels(prevalence: 0.1, sensitivity: 0.8, specificity: 0.9, halfWidth: 0.05,
                                                design: LabelPlanning.PlanDesign(designEffect: 0.5))
        }
        #expect(throws: LabelPlanning.InvalidInput.self) {
            try LabelPlanning.printedAccuracyItems(0.9, "--sensitivity", halfWidth: 0.05, share: 0.1, design: LabelPlanning.PlanDesign(clusters: 1))
        }
    }
}
