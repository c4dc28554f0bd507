import Foundation
import ReviewStatistics
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
