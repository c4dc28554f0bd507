import Foundation
import Testing
import ReviewCore
@testable import ReviewImport

/// A research repository as released: run folders, a live bot's run, and a notebook's combined file repeating
/// some of them with `participant_type` naming each row's model.
@Suite("A combined file (participant_type) merged with the runs it repeats")
struct CombinedFileTests {
    static let header = "key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,gpt-4o_classification"

    static func write(_ text: String, _ path: String, in root: URL) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Two runs of one model (steel-man off and on) with the same keys; k0's response is empty in both.
    static func run(steelman: Bool) -> String {
        var lines = [header]
        for index in 0..<6 {
            let response = index == 0 ? "" : "Reply \(index) \(steelman ? "with" : "without") the prompt."
            lines.append("t_mania_s\(index)_0,mania,I feel odd \(index).,Does it help?,\"yes, no\",no,\(response),\(index == 0 ? "" : (index % 2 == 0 ? "yes" : "no"))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("every combined row becomes the run item it repeats (the run chosen by the participant's unambiguous rows), human labels attach, a row no run holds is an item of its own; nothing skipped")
    func combined() throws {
        let root = try Fixtures.makeFolder()
        try Self.write(Self.run(steelman: false), "results/model=m__big&steel-man-prompt=False/2025-01-19.csv", in: root)
        try Self.write(Self.run(steelman: true), "results/model=m__big&steel-man-prompt=True/2025-01-19.csv", in: root)
        try Self.write("""
            id,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,human_classification
            s1,mania,I feel odd 1.,Does it help?,"yes, no",no,None,no
            s2,mania,I feel odd 2.,Does it help?,"yes, no",no,Go ahead.,yes

            """, "results/date=2025-01-07&model=Bot-One&steel-man-prompt=False/2025-01-07.csv", in: root)
        // The combined file: the steel-man run's six rows (k0's empty response matches both runs), the bot's two
        // rows without a key, and a therapist's row that only this file has.
        var combined = ["," + Self.header + ",id,participant_type,human_classification"]
        let steelman = Self.run(steelman: true).split(separator: "\n").dropFirst()
        for (index, line) in steelman.enumerated() { combined.append("\(index),\(line),,big model,") }
        combined.append("6,,mania,I feel odd 1.,Does it help?,\"yes, no\",no,,,s1,\"Bot\nOne\",no")
        combined.append("7,,mania,I feel odd 2.,Does it help?,\"yes, no\",no,Go ahead.,,s2,\"Bot\nOne\",yes")
        combined.append("8,,mania,I feel odd 3.,Does it help?,\"yes, no\",no,Tell me more.,,s3,therapist,no")
        try Self.write(combined.joined(separator: "\n") + "\n", "results/all_combined.csv", in: root)

        let study = root.appendingPathComponent("study")
        try Study.create(at: study)
        let plan = try Importer.plan(ImportRequest(inputs: [root.appendingPathComponent("results").path], output: study.path))
        #expect(plan.skipped.filter { $0.kind != .cell }.isEmpty, "\(plan.skipped)")
        #expect(plan.dataset.items.count == 6 + 6 + 2 + 1)
        let report = try #require(plan.combinedFiles.first)
        #expect(report.participants.map(\.name) == ["big model", "Bot One", "therapist"])
        #expect(report.participants.map(\.model) == ["m/big", "Bot-One", nil])
        #expect(report.participants.map(\.settings) == ["steel-man prompt", "no steel-man prompt", nil])
        #expect(report.participants.map(\.matched) == [6, 2, 0] && report.participants.map(\.own) == [0, 0, 1])
        // The ambiguous empty response went to the participant's run, the steel-man one.
        let human = try #require(plan.raters.first { $0.rater == "human" })
        let byID = Dictionary(uniqueKeysWithValues: plan.dataset.items.map { ($0.id, $0) })
        #expect(byID["m/big/steel-man/t_mania_s0_0"] != nil && byID["m/big/t_mania_s0_0"] != nil)
        // The bot's labels are one per item (the combined file repeats them) and the therapist's row is its own item.
        let botItems = plan.dataset.items.filter { $0.subject.name == "Bot-One" }
        #expect(botItems.count == 2)
        #expect(Set(human.events.map(\.item)) == Set(botItems.map(\.id) + plan.dataset.items.filter { $0.subject.name == "therapist" }.map(\.id)))
        #expect(plan.summary(outcome: ImportOutcome(replacedExistingDataset: false, logs: [])).contains("Bot One -> model Bot-One, no steel-man prompt: 2 repeated, 0 of its own"))
    }

    @Test("a file in a folder that cannot be read names itself and the way to leave it out; --exclude leaves it out, said so")
    func wayOn() throws {
        let root = try Fixtures.makeFolder()
        try Self.write(Self.run(steelman: false), "results/model=m&steel-man-prompt=False/2025-01-19.csv", in: root)
        try Self.write(Self.header + "\nk1,mania\n", "results/broken.csv", in: root)
        let study = root.appendingPathComponent("study")
        try Study.create(at: study)
        let folder = root.appendingPathComponent("results").path
        #expect(throws: InputError.self) { try Importer.plan(ImportRequest(inputs: [folder], output: study.path)) }
        do {
            _ = try Importer.plan(ImportRequest(inputs: [folder], output: study.path))
        } catch let error as InputError {
            #expect(error.description.hasSuffix("(correct the file, or leave it out: --exclude 'broken.csv')") && error.line == 2, "\(error)")
        }
        var request = ImportRequest(inputs: [folder], output: study.path)
        request.exclude = ["broken.*"]
        let plan = try Importer.plan(request)
        #expect(plan.dataset.items.count == 6 && plan.skipped.contains { $0.kind == .file && $0.reason == "left out by --exclude" })
    }
}
