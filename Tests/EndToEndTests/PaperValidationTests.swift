import Foundation
import ReviewStatistics
import Testing
import ReviewCore

/// The paper's validation labels through the judge analysis and the `--ratings` path of the binary.
@Suite("Paper validation labels")
struct PaperValidationTests {
    static let judgeName = "gpt-4o-2024-08-06"

    static var items: [Item] {
        PaperValidationLabels.rows.map { row in
            Item(id: row.id, experiment: .acuteSymptom, condition: row.condition, stimulus: "(not stored)",
                 subject: SubjectModel(name: "gpt-4o", steelman: false), response: "(not stored)",
                 criterion: Criterion(question: "(not stored)", options: ["yes", "no"], appropriate: row.appropriate),
                 judge: JudgeAnswer(name: judgeName, answer: AnswerNormalizer.normalize(row.judge)))
        }
    }

    static var humanAnswers: [String: [String: String]] {
        var answers: [String: [String: String]] = ["annotator_1": [:], "annotator_2": [:]]
        for row in PaperValidationLabels.rows {
            answers["annotator_1"]?[row.id] = AnswerNormalizer.normalize(row.annotator1)
            answers["annotator_2"]?[row.id] = AnswerNormalizer.normalize(row.annotator2)
        }
        return answers
    }

    /// The table as a user would export it: quoted ids (some hold commas), raw lowercased answers.
    static func ratingsCSV(completeOnly: Bool) -> String {
        var text = "item,annotator_1,annotator_2,judge\n"
        for row in PaperValidationLabels.rows {
            let cells = [row.annotator1, row.annotator2, row.judge].map { $0.lowercased() }
            if completeOnly && cells.contains("") { continue }
            text += "\"\(row.id)\"," + cells.joined(separator: ",") + "\n"
        }
        return text
    }

    @Test("the judge against each annotator and the reference, as counted independently from the paper's file")
    func judgeAnalysis() throws {
        let humans = Self.humanAnswers
        let report = try #require(JudgeAnalysis.analyze(
            items: Self.items, humanAnswers: humans, references: ReferenceLabels.build(humanAnswers: humans),
            options: JudgeAnalysisOptions(resamples: 200, seed: 11, referenceKind: "majority")))
        #expect(report.judges == ["judge:\(Self.judgeName)"])
        #expect(report.referenceCounts == [.unanimous: 95, .single: 3, .majority: 0, .tie: 3, .adjudicated: 0])
        #expect(Set(report.ties) == ["60101_compulsive behavior, obsessive behavior_soap_250", "16132_delusions_stalking_50", "16132_delusions_dead_200"])
        #expect(report.againstRaters[0].confusion == ConfusionMatrix(truePositive: 63, falsePositive: 1, falseNegative: 0, trueNegative: 36))
        #expect(report.againstRaters[1].confusion == ConfusionMatrix(truePositive: 61, falsePositive: 2, falseNegative: 0, trueNegative: 36))
        #expect(report.againstReference.confusion == ConfusionMatrix(truePositive: 61, falsePositive: 0, falseNegative: 0, trueNegative: 37))
        let rate = try #require(report.rates.first)
        #expect(rate.reported.successes == 190 && rate.reported.n == 350)
        // A judge with no error on the validated items leaves the rate unchanged.
        #expect(abs((rate.corrected ?? 0) - 190.0 / 350.0) < 1e-12)
        // Over the stimuli (the default) the interval is wider than over these responses: 10 stimuli, t with 9 df.
        let conditional = try #require(JudgeAnalysis.analyze(
            items: Self.items, humanAnswers: humans, references: ReferenceLabels.build(humanAnswers: humans),
            options: {
                var options = JudgeAnalysisOptions(resamples: 200, seed: 11, referenceKind: "majority")
                options.clusterBy = nil
                return options
            }()))
        // Wilson 95% for the 61 of 61 caught, over these responses: [0.9408, 1] (hand-computed).
        #expect(abs((conditional.againstReference.sensitivity.low ?? 0) - 0.94076) < 5e-5)
        #expect((report.againstReference.sensitivity.low ?? 1) < 0.94076)
        // Zero observed errors: the corrected rate's interval still covers what the accuracy's Wilson bounds allow
        // (0.495 to 0.577 inappropriate, hand-computed from Se ≥ 0.9408 and Sp ≥ 0.9064 at the apparent 190/350).
        let corrected = conditional.rates[0].estimates[1]
        #expect((corrected.low ?? 1) <= 0.495 && (corrected.high ?? 0) >= 0.577, "\(corrected)")
        #expect(corrected.isTrusted)
    }

    @Test("the quoted ratings table reads through the binary", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
    func ratingsTable() throws {
        let folder = try EndToEnd.temporaryFolder("agreement-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.ratingsCSV(completeOnly: false).write(to: folder.appendingPathComponent("paper.csv"), atomically: true, encoding: .utf8)
        let outcome = try runAgreement(["--ratings", "paper.csv", "--format", "json", "--resamples", "0"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(json["items"] as? Int == 350)
        #expect(json["categories"] as? [String] == ["no", "yes"])
        #expect(json["raters"] as? [String] == ["annotator_1", "annotator_2", "judge"])
    }

    @Test("Fleiss' kappa over the judge and both annotators on the 98 complete items is the paper's 0.9587",
          .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
    func paperFleiss() throws {
        let folder = try EndToEnd.temporaryFolder("agreement-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.ratingsCSV(completeOnly: true).write(to: folder.appendingPathComponent("paper.csv"), atomically: true, encoding: .utf8)
        let outcome = try runAgreement(["--ratings", "paper.csv", "--format", "json", "--resamples", "0"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(json["items"] as? Int == 98)
        let overall = try #require(json["overall"] as? [String: Any])
        let fleiss = try #require(overall["fleiss_kappa"] as? [String: Any])
        let value = try #require(fleiss["value"] as? Double)
        #expect(abs(value - 0.9587) < 5e-5)
        #expect(fleiss["n"] as? Int == 98)
    }

    /// The paper's validation file in ../shared (absent on a fresh clone without shared/).
    static let sharedValidationFile = EndToEnd.repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/paper-data/gpt-4o_classification_validation.csv")

    @Test("imported from the paper's file, the dataset gives Fleiss 0.9587 on answers and the judge's counts on verdicts",
          .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing),
          .enabled(if: FileManager.default.fileExists(atPath: sharedValidationFile.path), "../shared/paper-data is absent"))
    func importedDataset() throws {
        let folder = try EndToEnd.temporaryFolder("agreement-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        let imported = try EndToEnd.run(["import", Self.sharedValidationFile.path, "--to", "val.jsonl"], in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")

        let answers = try runAgreement(["val.jsonl", "--on", "answers", "--complete", "--resamples", "0", "--format", "json"], in: folder)
        #expect(answers.status == 0, "\(answers.stderr)")
        let answersJSON = try #require(try JSONSerialization.jsonObject(with: Data(answers.stdout.utf8)) as? [String: Any])
        #expect(answersJSON["items"] as? Int == 98)
        let fleiss = try #require((answersJSON["overall"] as? [String: Any])?["fleiss_kappa"] as? [String: Any])
        #expect(abs((fleiss["value"] as? Double ?? 0) - 0.9587) < 5e-5)

        let verdicts = try runAgreement(["val.jsonl", "--resamples", "0", "--format", "json"], in: folder)
        #expect(verdicts.status == 0, "\(verdicts.stderr)")
        let verdictsJSON = try #require(try JSONSerialization.jsonObject(with: Data(verdicts.stdout.utf8)) as? [String: Any])
        let judge = try #require(verdictsJSON["judge"] as? [String: Any])
        let reference = try #require(judge["against_reference"] as? [String: Any])
        #expect(reference["confusion"] as? [String: Int] == ["true_positive": 61, "false_positive": 0, "false_negative": 0, "true_negative": 37])
        #expect(judge["reference_sources"] as? [String: Int] == ["adjudicated": 0, "unanimous": 95, "majority": 0, "single": 3, "tie": 3])
    }
}
