import Foundation
import ReviewTestSupport
import Testing
@testable import ReviewCore
@testable import ReviewReport

@Suite("Rater consistency: practice against gold, hidden repeats")
struct RaterConsistencyTests {
    typealias F = StoreFixtures

    @Test("gold share and repeat agreement by hand: 4 of 5 gold, 8 of 10 repeats, kappa 0.6; practice and repeats never live")
    func byHand() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let items = (0..<15).map { F.item("i\($0)") }
        let dataset = Dataset(name: "d", items: items)
        let log = try RaterLog(folder: temp.url, rater: "ann")
        // Live labels on i0...i9 and repeats: 4 appropriate twice, 4 inappropriate twice, one each way changed.
        let first = ["no", "no", "no", "no", "yes", "yes", "yes", "yes", "no", "yes"]
        let again = ["no", "no", "no", "no", "yes", "yes", "yes", "yes", "yes", "no"]
        for index in 0..<10 {
            try log.append(F.label(items[index], answer: first[index], second: Double(index)))
        }
        for index in 0..<10 {
            try log.append(LabelEvent.label(item: items[index], rater: "ann", answer: again[index], mode: .blind, judgeSeenFirst: false,
                                            at: F.start.addingTimeInterval(100 + Double(index)), purpose: .repeat))
        }
        // Practice on i10...i14: gold "no" everywhere; one answered "yes".
        var gold: [String: String] = [:]
        for index in 10..<15 {
            gold[items[index].id] = "no"
            try log.append(LabelEvent.label(item: items[index], rater: "ann", answer: index == 12 ? "yes" : "no", mode: .blind,
                                            judgeSeenFirst: false, at: F.start.addingTimeInterval(Double(index)), purpose: .practice))
        }
        log.close()
        let labels = try StudyLabels.load(folder: temp.url, dataset: dataset)
        #expect(labels.humanReplays[0].labeledCount == 10, "practice and repeat labels are not live labels")
        #expect(labels.humanReplays[0].current(at: 8)?.answer == "no", "a repeat never replaces the first answer")
        let rows = RaterConsistency.rows(labels: labels, gold: gold, resamples: 200, seed: 1, confidence: 0.95)
        let row = try #require(rows.first)
        #expect(row.goldAnswered == 5 && row.goldAgreeing == 4)
        #expect(abs((row.goldShare.value ?? 0) - 0.8) < 1e-12)
        // The agreement engine's percent agreement: continuity-corrected Wilson (scipy's wilsoncc) for 4/5 and 8/10.
        #expect(abs((row.goldShare.low ?? 0) - 0.2987910540723935) < 1e-9 && abs((row.goldShare.high ?? 0) - 0.9894700456409833) < 1e-9)
        #expect(row.repeatPairs == 10 && row.repeatAgreeing == 8)
        #expect(abs((row.repeatShare.low ?? 0) - 0.4421814242785499) < 1e-9 && abs((row.repeatShare.high ?? 0) - 0.9645730562526337) < 1e-9)
        // po = 0.8, both showings half appropriate: pe = 0.5, kappa = 0.6.
        #expect(abs((row.repeatKappa.value ?? 0) - 0.6) < 1e-12)
        #expect(row.notes.contains { $0.contains("only 5 items") } && row.notes.contains { $0.contains("only 10 items") }, "\(row.notes)")
        // Clustered by condition (all fifteen items share one): the intervals say there are too few clusters.
        let clustered = try #require(RaterConsistency.rows(labels: labels, gold: gold, resamples: 200, seed: 1, confidence: 0.95,
                                                           clusterBy: .condition).first)
        #expect(clustered.notes.contains { $0.hasPrefix("repeats: TOO FEW CLUSTERS (1)") }, "\(clustered.notes)")
    }

    @Test("a rater with no practice or repeats gets no row; the report shows the section only when there is one")
    func noRow() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let log = try RaterLog(folder: temp.url, rater: "ann")
        try log.append(F.label(dataset.items[0]))
        log.close()
        let labels = try StudyLabels.load(folder: temp.url, dataset: dataset)
        #expect(RaterConsistency.rows(labels: labels, gold: [:], resamples: 0, seed: 1, confidence: 0.95).isEmpty)
    }
}

@Suite("First answers: the numbers without the judge's influence")
struct FirstAnswersTests {
    typealias F = StoreFixtures

    @Test("firstAnswers() puts each rater's first answer in place of a revision, keeps retracted items out, and says so")
    func firstAnswers() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let items = (0..<3).map { F.item("i\($0)") }
        let dataset = Dataset(name: "d", items: items)
        let log = try RaterLog(folder: temp.url, rater: "ann")
        try log.append(F.label(items[0], answer: "no", second: 0))
        // After the judge was revealed: revised to "yes".
        try log.append(F.label(items[0], answer: "yes", mode: .blind, seenFirst: true, revises: "no", second: 5))
        try log.append(F.label(items[1], answer: "yes", second: 10))
        try log.append(F.label(items[2], answer: "no", second: 20))
        try log.append(F.retract(items[2], second: 30))
        log.close()
        let labels = try StudyLabels.load(folder: temp.url, dataset: dataset)
        #expect(labels.humanAnswers["ann"] == ["i0": "yes", "i1": "yes"] && !labels.firstAnswersOnly)
        let first = labels.firstAnswers()
        #expect(first.humanAnswers["ann"] == ["i0": "no", "i1": "yes"] && first.firstAnswersOnly)
        #expect(first.restricted(to: ["ann"]).firstAnswersOnly)
        #expect(first.referenceColumn()[0]?.answer == "no", "the reference is built from the first answers too")
    }
}
