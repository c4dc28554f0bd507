import Foundation
import Testing
@testable import ReviewCore

/// Invented items for the design tests: models × conditions × judge verdicts, in a fixed order.
private func designDataset(count: Int = 600) -> Dataset {
    let conditions = ["suicidal ideation", "mania", "delusions"]
    let models = ["model-a", "model-b"]
    let items = (0..<count).map { index in
        Item(id: "item-\(index)", experiment: .acuteSymptom, condition: conditions[index % 3], stimulusID: "s\(index % 7)",
             stimulus: "Stimulus \(index % 7).", subject: SubjectModel(name: models[(index / 3) % 2]), response: "Response \(index).",
             criterion: Criterion(question: "Does it help?", options: ["yes", "no"], appropriate: "yes"),
             judge: JudgeAnswer(name: "judge", answer: index % 5 == 0 ? "no" : "yes"))
    }
    return Dataset(name: "design", items: items)
}

@Suite("Validation sample")
struct ValidationSampleTests {
    @Test("hand-edited sample and assignment files are checked by the rules the commands that write them apply")
    func designFilesValidated() throws {
        let dataset = designDataset()
        let sample = try ValidationSample.draw(from: dataset, .init(size: 120, seed: 7))
        #expect(sample.problem() == nil)
        var newer = sample
        newer.schema = 99
        #expect(newer.problem()?.contains("newer than this build") == true)
        var badProbability = sample
        badProbability.items[0].probability = 1.5
        #expect(badProbability.problem() != nil)
        var twice = sample
        twice.items.append(twice.items[0])
        #expect(twice.problem()?.contains("sampled twice") == true)
        var badStratum = sample
        badStratum.items[0].stratum = 999
        #expect(badStratum.problem() != nil)

        let assignment = try RaterAssignment.make(
            items: sample.items.map(\.id), raters: ["a", "b", "c"], overlap: 2, seed: 5, repeatFraction: 0.1,
            gold: [.init(id: "item-1", answer: "yes")], sampleSeed: 7)
        #expect(assignment.problem() == nil)
        var negative = assignment
        negative.overlap = -3
        #expect(negative.problem()?.contains("overlap must be at least 1") == true)
        var future = assignment
        future.schema = 99
        #expect(future.problem()?.contains("newer") == true)
        var farRepeat = assignment
        farRepeat.queues[0].repeats = [.init(item: farRepeat.queues[0].items[0], after: 10_000)]
        #expect(farRepeat.problem() != nil)
        var tooMany = assignment
        tooMany.queues[0].items.append(contentsOf: tooMany.queues[1].items.filter { !tooMany.queues[0].items.contains($0) })
        tooMany.queues[2].items += tooMany.queues[1].items.filter { !tooMany.queues[2].items.contains($0) }
        #expect(tooMany.problem()?.contains("queues; overlap is 2") == true)
    }

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

    @Test("proportional: sizes follow the populations, probabilities are sampled/population, weights sum to each stratum's population")
    func proportional() throws {
        let dataset = designDataset()
        let sample = try ValidationSample.draw(from: dataset, .init(size: 120, seed: 7))
        #expect(sample.items.count == 120)
        #expect(sample.strata.reduce(0) { $0 + $1.sampled } == 120)
        #expect(sample.strata.reduce(0) { $0 + $1.population } == 600)
        for (index, stratum) in sample.strata.enumerated() {
            let members = sample.items.filter { $0.stratum == index }
            #expect(members.count == stratum.sampled)
            // Horvitz–Thompson: the inverse probabilities of a stratum's sampled items add up to its population.
            #expect(abs(members.reduce(0) { $0 + 1 / $1.probability } - Double(stratum.population)) < 1e-9)
            #expect(abs(Double(stratum.sampled) - 120 * Double(stratum.population) / 600) <= 1)
        }
        #expect(Set(sample.items.map(\.id)).count == 120)
    }

    @Test("the same seed gives the same sample; another seed another")
    func seeded() throws {
        let dataset = designDataset()
        let first = try ValidationSample.draw(from: dataset, .init(size: 50, seed: 11), now: Date(timeIntervalSince1970: 0))
        let again = try ValidationSample.draw(from: dataset, .init(size: 50, seed: 11), now: Date(timeIntervalSince1970: 0))
        let other = try ValidationSample.draw(from: dataset, .init(size: 50, seed: 12), now: Date(timeIntervalSince1970: 0))
        #expect(first == again)
        #expect(first.items.map(\.id) != other.items.map(\.id))
        // Pinned: a change to the draw would change every study's sample.
        #expect(first.items.prefix(3).map(\.id) == ValidationSampleTests.pinnedFirstThree)
    }

    static let pinnedFirstThree = ["item-98", "item-122", "item-158"]

    @Test("equal, minimum per stratum, misses and neyman allocations")
    func allocations() throws {
        let dataset = designDataset()
        let equal = try ValidationSample.draw(from: dataset, .init(size: 120, allocation: .equal, seed: 1))
        #expect(Set(equal.strata.map(\.sampled)).count == 1)
        let minimum = try ValidationSample.draw(from: dataset, .init(size: 80, minPerStratum: 5, seed: 1))
        #expect(minimum.strata.allSatisfy { $0.sampled >= 5 })
        let misses = try ValidationSample.draw(from: dataset, .init(size: 120, allocation: .misses, seed: 1, missesWeight: 3))
        let acuteAppropriate = misses.strata.filter { $0.key["verdict"] == "appropriate" && $0.key["condition"] != "delusions" }
        let proportional = try ValidationSample.draw(from: dataset, .init(size: 120, seed: 1))
        let baseline = proportional.strata.filter { $0.key["verdict"] == "appropriate" && $0.key["condition"] != "delusions" }
        #expect(acuteAppropriate.reduce(0) { $0 + $1.sampled } > baseline.reduce(0) { $0 + $1.sampled })
        let neyman = try ValidationSample.draw(from: dataset, .init(size: 120, allocation: .neyman, seed: 1, neymanGuess: 0.2))
        #expect(neyman.items.count == 120)
    }

    @Test("bad designs: too large, a minimum the size cannot hold, misses without verdict, neyman without pilot or guess")
    func badDesigns() {
        let dataset = designDataset()
        #expect(throws: ValidationSample.DesignError("--size 601 is larger than the study's judged items (600 with a judge verdict, of 600)")) {
            try ValidationSample.draw(from: dataset, .init(size: 601, seed: 1))
        }
        #expect(throws: ValidationSample.DesignError.self) { try ValidationSample.draw(from: dataset, .init(size: 10, minPerStratum: 5, seed: 1)) }
        #expect(throws: ValidationSample.DesignError.self) {
            try ValidationSample.draw(from: dataset, .init(size: 10, strata: [.model], allocation: .misses, seed: 1))
        }
        #expect(throws: ValidationSample.DesignError.self) { try ValidationSample.draw(from: dataset, .init(size: 10, allocation: .neyman, seed: 1)) }
        #expect(throws: ValidationSample.DesignError.self) { try ValidationSample.draw(from: dataset, .init(size: 10, strata: [], seed: 1)) }
    }

    @Test("sample.json round-trips")
    func file() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("design-\(UUID().uuidString)")
        let study = try Study.create(at: folder)
        let sample = try ValidationSample.draw(from: designDataset(), .init(size: 30, seed: 3), now: Date(timeIntervalSince1970: 1_800_000_000))
        try sample.write(to: study)
        #expect(try ValidationSample.load(from: study) == sample)
    }
}

@Suite("Rater assignment")
struct RaterAssignmentTests {
    @Test("3 raters, overlap 2, 120 items: 80 each, every item exactly twice, pairs balanced")
    func balanced() throws {
        let items = (0..<120).map { "item-\($0)" }
        let assignment = try RaterAssignment.make(items: items, raters: ["a", "b", "c"], overlap: 2, seed: 5, sampleSeed: 1)
        #expect(assignment.queues.map(\.items.count) == [80, 80, 80])
        #expect(assignment.ratersPerItem.count == 120)
        #expect(assignment.ratersPerItem.values.allSatisfy { $0 == 2 })
        var pairs: [String: Int] = [:]
        for item in items {
            let holders = assignment.queues.filter { $0.items.contains(item) }.map(\.rater).sorted().joined(separator: "+")
            pairs[holders, default: 0] += 1
        }
        #expect(pairs == ["a+b": 40, "a+c": 40, "b+c": 40])
        let again = try RaterAssignment.make(items: items, raters: ["a", "b", "c"], overlap: 2, seed: 5, sampleSeed: 1, now: assignment.createdAt)
        #expect(again == assignment)
    }

    @Test("uneven loads stay within one of the mean; repeats come later in the queue than the first showing")
    func unevenAndRepeats() throws {
        let items = (0..<101).map { "item-\($0)" }
        let assignment = try RaterAssignment.make(items: items, raters: ["a", "b", "c", "d"], overlap: 3, seed: 9, repeatFraction: 0.1, sampleSeed: 1)
        let loads = assignment.queues.map(\.items.count)
        #expect((loads.max() ?? 0) - (loads.min() ?? 0) <= 1)
        #expect(loads.reduce(0, +) == 303)
        for queue in assignment.queues {
            #expect(queue.repeats.count == Int((Double(queue.items.count) * 0.1).rounded()))
            for repeated in queue.repeats {
                let first = try #require(queue.items.firstIndex(of: repeated.item))
                #expect(repeated.after > first)
            }
        }
    }

    @Test("rebalancing to add a rater keeps every labelled pair and still gives each item its overlap")
    func rebalance() throws {
        let items = (0..<60).map { "item-\($0)" }
        let assignment = try RaterAssignment.make(items: items, raters: ["a", "b"], overlap: 2, seed: 5, sampleSeed: 1)
        let labelledByA = Set(try #require(assignment.queue(of: "a")).items.prefix(10))
        let rebalanced = try assignment.rebalanced(raters: ["a", "b", "c"], labelled: ["a": labelledByA], seed: 6)
        let a = try #require(rebalanced.queue(of: "a"))
        #expect(Set(a.items.prefix(10)) == labelledByA)
        #expect(rebalanced.ratersPerItem.values.allSatisfy { $0 == 2 })
        #expect(rebalanced.ratersPerItem.count == 60)
        let loads = rebalanced.queues.map(\.items.count)
        #expect(loads.reduce(0, +) == 120)
        #expect((loads.max() ?? 0) - (loads.min() ?? 0) <= 1)
        #expect(throws: ValidationSample.DesignError.self) { try assignment.rebalanced(raters: ["b", "c"], labelled: ["a": labelledByA], seed: 6) }
    }

    @Test("bad assignments: overlap above the raters, a rater twice, a hostile name, repeats out of range")
    func bad() {
        let items = ["x", "y"]
        #expect(throws: ValidationSample.DesignError("--overlap 3 needs at least 3 raters (given 2)")) {
            try RaterAssignment.make(items: items, raters: ["a", "b"], overlap: 3, seed: 1, sampleSeed: 1)
        }
        #expect(throws: ValidationSample.DesignError.self) { try RaterAssignment.make(items: items, raters: ["a", "a"], overlap: 1, seed: 1, sampleSeed: 1) }
        #expect(throws: ValidationSample.DesignError.self) { try RaterAssignment.make(items: items, raters: ["../x"], overlap: 1, seed: 1, sampleSeed: 1) }
        #expect(throws: ValidationSample.DesignError.self) { try RaterAssignment.make(items: items, raters: ["a"], overlap: 1, seed: 1, repeatFraction: 0.9, sampleSeed: 1) }
    }
}

@Suite("Label planning")
struct LabelPlanningTests {
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
