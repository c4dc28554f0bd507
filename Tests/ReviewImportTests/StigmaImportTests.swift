import Foundation
import Testing
import ReviewCore
import ReviewStatistics
@testable import ReviewImport

/// The stigma experiment's runs: one item per vignette, question and run, the letter parser's answer as the
/// verdict, the stigma coding as the scale's dichotomisation.
@Suite("The stigma experiment's runs")
struct StigmaImportTests {
    static let options = ["Low A", "Low B", "High C", "High D", "Do not know"]

    /// A run of 2 conditions × 2 vignettes × 2 questions (one scored high, one not coded), invented text.
    static func run(outputs: [String?]) -> String {
        var lines: [String] = []
        var index = 0
        for condition in ["worry", "calm"] {
            for person in ["man", "woman"] {
                for question in ["How likely is thing one?", "How likely is thing two?"] {
                    let output = outputs[index % outputs.count]
                    let answer: String? = output.flatMap { ["A": "Low A", "B": "Low B", "C": "High C", "D": "High D", "E": "Do not know"][$0] }
                    let object: [String: Any?] = [
                        "education": "college", "race": "Blue", "gender": person, "condition": condition,
                        "vignette": "Sam (\(person)) is \(condition).", "question": question, "question_only": question,
                        "options": options, "prompt": "Vignette: Sam is \(condition).\n\(question)", "output": output ?? "Hmm",
                        "answer": answer, "code": answer.map { $0.hasPrefix("High") } as Any?,
                    ]
                    let data = try? JSONSerialization.data(withJSONObject: object.mapValues { $0 ?? NSNull() }, options: [.sortedKeys])
                    lines.append(String(decoding: data ?? Data(), as: UTF8.self))
                    index += 1
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("items per vignette, question and run (the day in the id); verdicts by the coding; off-scale and uncoded answers no verdict")
    func synthetic() throws {
        let root = try Fixtures.makeFolder()
        let folder = root.appendingPathComponent("stigma/model=org__bot&steel-man-prompt=True")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.run(outputs: ["C", "A", "E", nil]).write(to: folder.appendingPathComponent("2025-01-18.jsonl"), atomically: true, encoding: .utf8)
        try Self.run(outputs: ["D", "D", "B", "A"]).write(to: folder.appendingPathComponent("2025-01-19.jsonl"), atomically: true, encoding: .utf8)
        // The notebook's combined file: the second run's rows again, each naming its model.
        let combined = Self.run(outputs: ["D", "D", "B", "A"]).split(separator: "\n")
            .map { String($0.dropLast()) + #","model":"bot"}"# }.joined(separator: "\n") + "\n"
        try combined.write(to: root.appendingPathComponent("stigma/all_combined.jsonl"), atomically: true, encoding: .utf8)
        let coding = try Fixtures.write("question,stigma\n*thing one?,high\n", as: "coding.csv", in: root)
        let study = root.appendingPathComponent("study")
        try Study.create(at: study)
        var request = ImportRequest(inputs: [root.appendingPathComponent("stigma").path], output: study.path)
        request.stigmaCoding = try StigmaCoding.read(path: coding)
        let plan = try Importer.plan(request)
        let items = plan.dataset.items
        #expect(items.count == 16)
        #expect(plan.combinedFiles.first?.participants == [CombinedFileReport.Participant(name: "bot", model: "org/bot", settings: "steel-man prompt", matched: 8, own: 0)])
        let first = try #require(items.first { $0.id.contains("/2025-01-18/") })
        #expect(first.id.hasPrefix("org/bot/steel-man/2025-01-18/worry/college/blue/man/") && first.stimulusID == "worry/college/blue/man")
        #expect(first.experiment == .stigma && first.subject.steelman == true && first.judge?.name == "letter-parser")
        #expect(first.criterion.options == ["low a", "low b", "high c", "high d", "do not know", "no option"])
        #expect(first.criterion.scale == CriterionScale(ordered: ["low a", "low b", "high c", "high d"], inappropriate: ["high c", "high d"]))
        // Thing one: the first run answers C, E, C, E (2 stigmatizing, 2 off the scale), the second D, B, D, B (2 and
        // 2 not); thing two is never scored; an output with no letter is "no option".
        let verdicts = items.map(\.judgeVerdict)
        #expect(verdicts.filter { $0 == .inappropriate }.count == 4 && verdicts.filter { $0 == .appropriate }.count == 2)
        #expect(items.contains { $0.judge?.answer == "no option" })
        #expect(throws: InputError.self) { try StigmaCoding.read(path: try Fixtures.write("question,stigma\nx,sideways\n", as: "bad.csv", in: root)) }
    }

    @Test("the repository's two stigma runs (../shared): 1,008 items each; the notebook's coding (the default) gives its stigma share per condition",
          .enabled(if: PaperData.available, "../shared/paper-data is absent; skipping the stigma acceptance check"))
    func paperRuns() throws {
        let root = try Fixtures.makeFolder()
        let study = root.appendingPathComponent("study")
        try Study.create(at: study)
        // No coding given: the paper notebook's (social distance reversed, violence toward others; 6 of 14).
        let plan = try Importer.plan(ImportRequest(inputs: [PaperData.path("repository-layout/results/stigma")], output: study.path))
        let items = plan.dataset.items
        #expect(plan.summary(outcome: ImportOutcome(replacedExistingDataset: false, logs: []))
            .contains("Stigma questions: 6 of 14 scored (5 with the lower half of the scale stigmatizing, 1 the upper), by the paper notebook's coding"))
        #expect(items.count == 2016 && Set(items.compactMap(\.stimulusID)).count == 72)
        // (model, condition) → (stigmatizing, scored): the notebook's stigma_code_dfs over the same rows.
        let expected: [String: (Int, Int)] = [
            "gpt-4o-2024-08-06|depression": (20, 83), "gpt-4o-2024-08-06|schizophrenia": (62, 84),
            "gpt-4o-2024-08-06|alcohol dependence": (72, 107), "gpt-4o-2024-08-06|daily troubles": (0, 108),
            "meta-llama/Llama-2-70b-chat-hf|depression": (0, 39), "meta-llama/Llama-2-70b-chat-hf|schizophrenia": (43, 55),
            "meta-llama/Llama-2-70b-chat-hf|alcohol dependence": (63, 63), "meta-llama/Llama-2-70b-chat-hf|daily troubles": (0, 90),
        ]
        var counted: [String: (Int, Int)] = [:]
        for item in items where item.judgeVerdict != .noVerdict {
            let key = item.subject.name + "|" + item.condition
            counted[key, default: (0, 0)].0 += item.judgeVerdict == .inappropriate ? 1 : 0
            counted[key, default: (0, 0)].1 += 1
        }
        for (key, value) in expected { #expect(counted[key]?.0 == value.0 && counted[key]?.1 == value.1, "\(key)") }
        // The same share through the analysis, clustered on the 18 vignettes of the condition.
        let depression = items.indices.filter { items[$0].condition == "depression" && items[$0].subject.name == "gpt-4o-2024-08-06" }
        let report = try #require(JudgeAnalysis.analyze(
            items: items, positions: depression, answers: AnswerColumns(items: items, labels: [:]),
            references: [ReferenceLabel?](repeating: nil, count: items.count), options: JudgeAnalysisOptions(resamples: 0)))
        let rate = try #require(report.rates.first)
        #expect(rate.reported.successes == 20 && rate.reported.n == 83)
        #expect(rate.estimates.compactMap(\.clusters).allSatisfy { $0 == 18 })
    }
}
