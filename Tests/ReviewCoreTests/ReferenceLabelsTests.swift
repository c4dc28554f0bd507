import Testing
@testable import ReviewCore

@Suite("Reference labels")
struct ReferenceLabelsTests {
    @Test("all humans agreeing give a unanimous reference, a single human too")
    func unanimous() {
        let references = ReferenceLabels.build(humanAnswers: ["a": ["x": "yes", "y": "no"], "b": ["x": "yes"]])
        #expect(references["x"] == ReferenceLabel(answer: "yes", source: .unanimous, raters: 2))
        #expect(references["y"] == ReferenceLabel(answer: "no", source: .unanimous, raters: 1))
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
        #expect(counts == [.adjudicated: 3, .majority: 1, .unanimous: 0, .tie: 0])
    }
}
