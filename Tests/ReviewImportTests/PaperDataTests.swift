import Foundation
import Testing
@testable import ReviewCore
@testable import ReviewImport

/// The paper's released files in ../shared/paper-data (absent on a fresh clone: these tests then skip).
enum PaperData {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/paper-data")

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static var available: Bool { FileManager.default.fileExists(atPath: path("live-bot_noni.csv")) }
}

@Suite("The paper's data (../shared/paper-data)", .enabled(if: PaperData.available, "../shared/paper-data is absent; skipping the acceptance checks on the paper's files"))
struct PaperDataTests {
    func plan(_ names: [String]) throws -> ImportPlan {
        let folder = try Fixtures.makeFolder()
        return try Importer.plan(ImportRequest(
            inputs: names.map(PaperData.path), output: folder.appendingPathComponent("paper.jsonl").path,
            annotations: folder.appendingPathComponent("labels").path))
    }

    @Test("validation CSV: 350 items all with a verdict (195 yes, 155 no), annotator_1 100 labels, annotator_2 99")
    func validationCSV() throws {
        let plan = try plan(["gpt-4o_classification_validation.csv"])
        let items = plan.dataset.items
        #expect(items.count == 350)
        #expect(plan.itemsWithVerdict == 350)
        #expect(items.filter { $0.judge?.answer == "yes" }.count == 195)
        #expect(items.filter { $0.judge?.answer == "no" }.count == 155)
        #expect(items.allSatisfy { $0.judge?.name == "gpt-4o-2024-08-06" && $0.subject.name == "gpt-4o" })
        #expect(plan.raters.map(\.rater) == ["annotator_1", "annotator_2"])
        #expect(plan.raters.map(\.events.count) == [100, 99])
        #expect(plan.skipped.isEmpty)
        #expect(Set(items.compactMap(\.stimulusID)).count == 10)
        #expect(items.filter { !$0.context.isEmpty }.count == 24)
        #expect(items.allSatisfy { $0.context.count % 2 == 0 && $0.context.first?.role != "assistant" })
    }

    @Test("the CSV and the JSONL of the same responses give the same items")
    func csvMatchesJSONL() throws {
        let csv = try plan(["gpt-4o_classification_validation.csv"]).dataset
        let jsonl = try plan(["gpt-4o_no-steelman.jsonl"]).dataset
        #expect(jsonl.items.count == 350)
        var matched = 0
        for item in jsonl.items {
            guard let other = csv[id: item.id] else { continue }
            #expect(other.stimulus == item.stimulus && other.context == item.context && other.criterion == item.criterion)
            matched += 1
        }
        #expect(matched == 350)
    }

    @Test("llama JSONL: 350 items, 161 without a judge verdict, and the summary says so")
    func llama() throws {
        let plan = try plan(["llama-2-70b_no-steelman.jsonl"])
        #expect(plan.dataset.items.count == 350)
        #expect(plan.dataset.items.count - plan.itemsWithVerdict == 161)
        #expect(plan.dataset.items.allSatisfy { $0.subject.name == "llama-2-70b" && $0.subject.steelman == false })
        let summary = plan.summary(outcome: ImportOutcome(replacedExistingDataset: false, logs: []))
        #expect(summary.contains("Items: 350 read, 189 with a judge verdict, 161 without"))
    }

    @Test("live-bot CSV: 10 items, one missing response, a human log, no judge")
    func liveBot() throws {
        let plan = try plan(["live-bot_noni.csv"])
        let items = plan.dataset.items
        #expect(items.count == 10)
        #expect(items.filter { $0.response == nil }.count == 1)
        #expect(items.allSatisfy { $0.judge == nil && $0.subject.name == "live-bot:noni" })
        #expect(plan.raters.map(\.rater) == ["human"])
        #expect(plan.raters[0].events.count == 10)
        let multiTurn = try #require(items.first { $0.stimulusID == "pesticides" })
        #expect(multiTurn.context.count == 4)
        #expect(multiTurn.context.map(\.role) == ["user", "assistant", "user", "assistant"])
    }

    @Test("two models with the same keys in one dataset: ids prefixed with the model")
    func twoModels() throws {
        let plan = try plan(["gpt-4o_no-steelman.jsonl", "llama-2-70b_no-steelman.jsonl"])
        #expect(plan.dataset.items.count == 700)
        #expect(Set(plan.dataset.items.map(\.id)).count == 700)
        #expect(plan.files.map(\.idPrefix) == ["gpt-4o", "llama-2-70b"])
    }
}

@Suite("The paper's repository layout (../shared/paper-data/repository-layout)", .enabled(if: PaperData.available, "../shared/paper-data is absent; skipping the repository-layout acceptance check"))
struct RepositoryLayoutTests {
    @Test("results/interjections into a study: gpt-4o 350 items with both annotators (100, 99), Llama-2-70b 350, Noni 10 with a human log; the run's copies merged")
    func interjections() throws {
        let root = PaperData.path("repository-layout/results/interjections")
        let studyFolder = try Fixtures.makeFolder().appendingPathComponent("study")
        try Study.create(at: studyFolder)
        let plan = try Importer.plan(ImportRequest(inputs: [root], output: studyFolder.path))
        let byModel = Dictionary(grouping: plan.dataset.items, by: \.subject.name)
        #expect(byModel.keys.sorted() == ["Noni-7cups", "gpt-4o-2024-08-06", "meta-llama/Llama-2-70b-chat-hf"])
        #expect(byModel["gpt-4o-2024-08-06"]?.count == 350)
        #expect(byModel["meta-llama/Llama-2-70b-chat-hf"]?.count == 350)
        #expect(byModel["Noni-7cups"]?.count == 10)
        let gpt = byModel["gpt-4o-2024-08-06"] ?? []
        #expect(gpt.allSatisfy { $0.subject.steelman == false && $0.subject.contextualized == false && $0.subject.shownContextPosition == nil })
        #expect(Set(plan.dataset.items.map(\.id)).count == plan.dataset.items.count)
        let gptIDs = Set(gpt.map(\.id))
        let counts = Dictionary(uniqueKeysWithValues: plan.raters.map { ($0.rater, $0.events.filter { gptIDs.contains($0.item) }.count) })
        #expect(counts["annotator_1"] == 100)
        #expect(counts["annotator_2"] == 99)
        #expect(plan.raters.first { $0.rater == "human" }?.events.count == 10)
        // The run's .jsonl and the validation file repeat the .csv's 350 responses.
        #expect(plan.duplicates.map(\.count) == [350, 350])
        // The paper's convention for empty responses: Llama-2-70b's 161 empty responses of 350 counted
        // inappropriate give 71 of 350 appropriate (20.3%); left out, 71 of 189 (37.6%).
        let items = plan.dataset.items
        let answers = AnswerColumns(ids: items.map(\.id), humanAnswers: [:])
        let noReferences = [ReferenceLabel?](repeating: nil, count: items.count)
        for (convention, appropriate, judged) in [(MissingResponse.inappropriate, 71, 350), (.exclude, 71, 189)] {
            let report = try #require(JudgeAnalysis.analyze(
                items: items, positions: Array(items.indices), answers: answers, references: noReferences,
                options: JudgeAnalysisOptions(resamples: 0, missingResponse: convention)))
            let llama = try #require(report.rates.first { $0.model == "meta-llama/Llama-2-70b-chat-hf" })
            #expect(llama.reported.n == judged && llama.reported.n - llama.reported.successes == appropriate, "\(convention)")
            #expect(llama.missingResponses == 161)
        }
        // Every label is of an item as kept, so none is stale.
        let hashes = Dictionary(uniqueKeysWithValues: plan.dataset.items.map { ($0.id, $0.contentHash) })
        #expect(plan.raters.allSatisfy { $0.events.allSatisfy { hashes[$0.item] == $0.itemSHA256 } })
        // The paper's figure counts Noni-7cups 4 of 10 appropriate: its empty first reply keeps its human label
        // (appropriate) under the paper's convention; left out, 3 of the 9 replies it gave.
        var human: [String: String] = [:]
        for event in plan.raters.first(where: { $0.rater == "human" })?.events ?? [] { human[event.item] = event.answer }
        let references = items.map { item in human[item.id].map { ReferenceLabel(answer: $0, source: .single, raters: 1) } }
        for (convention, appropriate, count) in [(MissingResponse.inappropriate, 0.4, 10), (.exclude, 1.0 / 3, 9)] {
            let noni = try #require(JudgeAnalysis.unjudgedRates(items: items, positions: Array(items.indices), references: references,
                                                                missingResponse: convention, confidence: 0.95).first { $0.model == "Noni-7cups" })
            #expect(noni.missingResponses == 1 && abs(1 - (noni.estimate.value ?? -1) - appropriate) < 1e-12, "\(convention)")
            #expect(noni.estimate.effectiveN == Double(count) && (noni.estimate.note ?? "").contains("1 item with no response"), "\(convention)")
        }
    }
}
