import Testing
@testable import ReviewCore

@Suite("Reference labels")
struct ReferenceLabelsTests {
    @Test("two or more humans agreeing give a unanimous reference; one human alone is single, not unanimous")
    func unanimous() {
        let references = ReferenceLabels.build(humanAnswers: ["a": ["x": "yes", "y": "no"], "b": ["x": "yes"]])
        #expect(references["x"] == ReferenceLabel(answer: "yes", source: .unanimous, raters: 2))
        #expect(references["y"] == ReferenceLabel(answer: "no", source: .single, raters: 1))
    }

    @Test("--min-raters: items with fewer human labels get no reference, unless adjudicated")
    func minRaters() {
        let humans = ["a": ["x": "yes", "y": "no", "z": "no"], "b": ["x": "yes"]]
        let references = ReferenceLabels.build(humanAnswers: humans, adjudicated: ["z": "yes"], minRaters: 2)
        #expect(references["x"]?.source == .unanimous)
        #expect(references["y"] == nil)
        #expect(references["z"]?.source == .adjudicated)
    }

    @Test("the strictly most frequent answer is a majority reference")
    func majority() {
        let references = ReferenceLabels.build(humanAnswers: ["a": ["x": "yes"], "b": ["x": "yes"], "c": ["x": "no"]])
        #expect(references["x"] == ReferenceLabel(answer: "yes", source: .majority, raters: 3))
    }

    @Test("an even split is a tie with no answer, never broken")
    func tie() {
        let references = ReferenceLabels.build(humanAnswers: ["a": ["x": "yes", "z": "a"], "b": ["x": "no", "z": "b"], "c": ["z": "c"]])
        #expect(references["x"] == ReferenceLabel(answer: nil, source: .tie, raters: 2))
        #expect(references["z"]?.source == .tie)
    }

    @Test("an adjudicated answer wins over unanimity, majority and ties")
    func adjudicatedWins() {
        let humans = ["a": ["x": "yes", "y": "yes", "t": "yes"], "b": ["x": "yes", "y": "yes", "t": "no"], "c": ["y": "no"]]
        let references = ReferenceLabels.build(humanAnswers: humans, adjudicated: ["x": "no", "t": "no", "only": "yes"])
        #expect(references["x"] == ReferenceLabel(answer: "no", source: .adjudicated, raters: 2))
        #expect(references["t"] == ReferenceLabel(answer: "no", source: .adjudicated, raters: 2))
        #expect(references["y"] == ReferenceLabel(answer: "yes", source: .majority, raters: 3))
        #expect(references["only"] == ReferenceLabel(answer: "yes", source: .adjudicated, raters: 0))
        let counts = ReferenceLabels.counts(references)
        #expect(counts == [.adjudicated: 3, .majority: 1, .unanimous: 0, .single: 0, .tie: 0])
    }
}
