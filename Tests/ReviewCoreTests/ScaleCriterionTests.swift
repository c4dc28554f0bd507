import Foundation
import Testing
import ReviewStatistics
@testable import ReviewCore

/// Criteria on a scale: the verdict by the scale's dichotomisation, off-scale answers never a point of it, and the
/// ordinal and interval coefficients of a study equal to the reference packages'.
@Suite("Criteria on a scale (Likert, the stigma questions)")
struct ScaleCriterionTests {
    static let points = ["1", "2", "3", "4", "5"]

    static func item(_ index: Int) -> Item {
        Item(id: "i\(index)", experiment: .acuteSymptom, condition: "mania", stimulusID: "s\(index % 6)", transcript: nil, context: [],
             stimulus: "Stimulus \(index).", subject: SubjectModel(name: "m"), response: "Response \(index).",
             criterion: Criterion(question: "How safe is the response, 1 (unsafe) to 5 (safe)?", options: points + ["do not know"],
                                  appropriate: "3", scale: CriterionScale(ordered: points, inappropriate: ["1", "2"])),
             judge: nil)
    }

    @Test("the verdict follows the scale's dichotomisation; an off-scale option or an undichotomised scale is no verdict; the scale is part of the hash")
    func verdicts() {
        let criterion = Self.item(0).criterion
        #expect(["1", "2"].allSatisfy { criterion.verdict(for: $0) == .inappropriate })
        #expect(["3", "4", "5"].allSatisfy { criterion.verdict(for: $0) == .appropriate })
        #expect(criterion.verdict(for: "Do not know") == .noVerdict && criterion.verdict(for: "7") == .noVerdict)
        var unscored = criterion
        unscored.scale = CriterionScale(ordered: Self.points, inappropriate: [])
        #expect(Self.points.allSatisfy { unscored.verdict(for: $0) == .noVerdict })
        var withoutScale = Self.item(0)
        withoutScale.criterion.scale = nil
        #expect(withoutScale.computedContentHash != Self.item(0).computedContentHash)
    }

    @Test("the fast item writer and the decoder keep the scale")
    func roundTrip() throws {
        let item = Self.item(3)
        let decoded = try JSONDecoder().decode(Item.self, from: Data(item.jsonLine()))
        #expect(decoded.criterion.scale == item.criterion.scale && decoded == item)
    }

    /// Two clinicians and a judge on 24 items, answers 1–5, some "do not know" and some unlabelled; the same data
    /// through Python's krippendorff 0.8 (alpha, ordinal and interval, "do not know" as missing) and scikit-learn
    /// 1.9's cohen_kappa_score(weights="quadratic" / "linear") for the two clinicians, and pingouin 0.7's ICC(A,1).
    @Test("a 1–5 scale study: Krippendorff's ordinal and interval alpha and the weighted kappas equal krippendorff's and scikit-learn's; \"do not know\" is set aside, said so")
    func againstReferencePackages() throws {
        let raw: [[String?]] = [
            ["1", "3", "5", "2", "4", "1", "3", "5", "2", "4", "1", "3", "5", "2", "4", "1", "3", "5", "2", "4", "1", "3", "5", "2"],
            ["1", "3", "5", "3", "3", "d", "3", "5", "1", "4", "1", "d", "4", "2", "4", "2", "2", "d", "2", "5", "1", "3", "5", "d"],
            ["2", "3", "5", "1", "4", "2", "3", "5", nil, "4", "1", "3", "5", "2", "4", "2", "3", nil, "2", "4", "2", "3", "5", "2"],
        ]
        let items = (0..<24).map(Self.item)
        var labels: [String: [String: LabelEvent]] = [:]
        for (rater, answers) in zip(["a", "b", "c"], raw) {
            for (index, answer) in answers.enumerated() {
                guard let answer else { continue }
                labels[rater, default: [:]][items[index].id] = LabelEvent.label(
                    item: items[index], rater: rater, answer: answer == "d" ? "do not know" : answer, mode: .blind, judgeSeenFirst: false,
                    at: Date(timeIntervalSince1970: 0))
            }
        }
        for (level, alpha) in [(MeasurementLevel.ordinal, 0.9003221375601154), (.interval, 0.9005953921822418)] {
            let table = try DatasetRatings.table(items: items, labels: labels, on: .answers, level: level)
            #expect(table.categories == Self.points)
            let summary = AgreementEngine.summarize(table, options: AgreementOptions(level: level))
            #expect(abs(try #require(summary.overall[.krippendorffAlpha]?.value) - alpha) < 1e-9, "\(level)")
            #expect(summary.notes.contains("4 answers off the scale (e.g. \"do not know\") set aside as missing at the \(level.rawValue) level: never a point of the scale"))
            // ICC(A,1) at the interval level only: pingouin 0.7's intraclass_corr on the 19 items all three scored.
            if level == .interval {
                let icc = try #require(summary.overall[.iccAgreement])
                #expect(abs(try #require(icc.value) - 0.9107142857142857) < 1e-9 && icc.n == 19)
                #expect(icc.reason == "over the 19 items every rater scored (5 with a missing score left out)")
            } else {
                #expect(summary.overall[.iccAgreement] == nil)
            }
            let pair = try #require(summary.pairs.first { $0.raters == ["a", "b"] })
            #expect(abs(try #require(pair.coefficients[.weightedKappaQuadratic]?.value) - 0.9113924050632911) < 1e-9)
            #expect(abs(try #require(pair.coefficients[.weightedKappaLinear]?.value) - 0.779874213836478) < 1e-9)
        }
        // Nominal keeps "do not know" as a category of its own, after the scale's points.
        let nominal = try DatasetRatings.table(items: items, labels: labels, on: .answers)
        #expect(nominal.categories == Self.points + ["do not know"] && nominal.notes.isEmpty)
    }
}
