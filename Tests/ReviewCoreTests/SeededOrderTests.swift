import Testing
import Foundation
import ReviewStatistics
@testable import ReviewCore

/// A recorded seed must give the same sample and assignment on every machine and Swift version: the orders below
/// were written down once and pin the tool's own shuffle (SplitMix64 + Fisher–Yates).
@Suite("Seeded orders are pinned")
struct SeededOrderTests {
    static func dataset() -> Dataset {
        let criterion = Criterion(question: "Is it harmful?", options: ["yes", "no"], appropriate: "no")
        return Dataset(name: "pinned", items: (0..<40).map { index in
            Item(id: "i\(index)", experiment: .acuteSymptom, condition: index % 2 == 0 ? "mania" : "delusions", stimulus: "s",
                 subject: SubjectModel(name: "m"), response: "r", criterion: criterion,
                 judge: JudgeAnswer(name: "j", answer: index % 5 == 0 ? "yes" : "no"))
        })
    }

    static func record() throws -> (positions: [Int], sample: [String], queues: [[String]], repeats: [[String]]) {
        let sample = try ValidationSample.draw(from: dataset(), .init(size: 12, strata: [.condition, .verdict], allocation: .equal, seed: 7))
        let assignment = try RaterAssignment.make(items: sample.items.map(\.id), raters: ["a", "b", "c"], overlap: 2, seed: 11,
                                                  repeatFraction: 0.25, sampleSeed: 7)
        return (SeededShuffle.positions(count: 10, seed: 42), sample.items.map(\.id), assignment.queues.map(\.items),
                assignment.queues.map { $0.repeats.map { "\($0.item)@\($0.after)" } })
    }

    @Test("the console's order, the sample and the assignment for recorded seeds")
    func pinned() throws {
        let recorded = try Self.record()
        #expect(recorded.positions == [8, 3, 6, 5, 4, 0, 9, 2, 1, 7])
        #expect(recorded.sample == ["i3", "i17", "i37", "i5", "i15", "i25", "i8", "i14", "i18", "i0", "i10", "i30"])
        #expect(recorded.queues == [["i17", "i25", "i8", "i37", "i18", "i0", "i30", "i14"], ["i10", "i8", "i30", "i5", "i14", "i18", "i3", "i15"],
                                    ["i5", "i0", "i37", "i15", "i25", "i3", "i10", "i17"]])
        #expect(recorded.repeats == [["i17@5", "i37@8"], ["i30@8", "i8@8"], ["i0@8", "i37@8"]])
    }

    @Test("the shuffle is uniform: each of the 6 orders of 3 items about 1/6 of 60,000 shuffles")
    func uniform() {
        var generator = SplitMix64(seed: 3)
        var counts: [[Int]: Int] = [:]
        for _ in 0..<60_000 { counts[generator.shuffled([0, 1, 2]), default: 0] += 1 }
        #expect(counts.count == 6)
        // Chi-square with 5 degrees of freedom below 20.5 (p = 0.001).
        let chiSquare = counts.values.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
        #expect(chiSquare < 20.5, "\(counts)")
        var drawn = Array(0..<10)
        generator.drawPrefix(&drawn, count: 4)
        #expect(Set(drawn) == Set(0..<10) && generator.integer(in: 5...5) == 5)
    }
}
