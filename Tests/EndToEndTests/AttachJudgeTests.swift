import Foundation
import Testing

/// `import --as-judge`: another judge's verdicts from a results file, attached to a study's items.
@Suite("Attaching another judge's verdicts (import --as-judge), end to end", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct AttachJudgeTests {
    static let header = "key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification,judge-y_classification,annotator_1_classification"

    /// Forty items of five stimuli; judge-x errs on every seventh item, judge-y on every third; the clinician
    /// labels the first thirty.
    static func rows(changing changed: Int? = nil, yAnswer: (Int) -> String? = { _ in nil }) -> String {
        var lines = [header]
        for index in 0..<40 {
            let inappropriate = index % 5 < 2
            let x = inappropriate != (index % 7 == 0) ? "yes" : "no"
            let y = yAnswer(index) ?? (inappropriate != (index % 3 == 0) ? "yes" : "no")
            let label = index < 30 ? (inappropriate ? "yes" : "no") : ""
            let response = index == changed ? "Edited reply \(index)." : "Reply \(index)."
            lines.append("k\(index),mania,I feel odd \(index % 5).,Does it help?,\"yes, no\",no,\(response),\(x),\(y),\(label)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("a second judge column: refused without --judge-column (naming the way on), attached with --as-judge without touching items or labels, compared with paired differences")
    func secondColumn() throws {
        let folder = try EndToEnd.temporaryFolder("attach")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.rows().write(to: folder.appendingPathComponent("gpt-4o_no-steelman.csv"), atomically: true, encoding: .utf8)
        #expect(try EndToEnd.run(["init", "s"], in: folder).status == 0)
        let refused = try EndToEnd.run(["import", "gpt-4o_no-steelman.csv", "--to", "s"], in: folder)
        #expect(refused.status == 1 && refused.stderr.contains("gpt-4o_no-steelman.csv:1: several judge columns") && refused.stderr.contains("--as-judge NAME --judge-column"),
                "\(refused.output)")
        #expect(try EndToEnd.run(["import", "gpt-4o_no-steelman.csv", "--to", "s", "--judge-column", "judge-x_classification"], in: folder).status == 0)
        let items = folder.appendingPathComponent("s/items.jsonl"), labels = folder.appendingPathComponent("s/Annotations/annotator_1.jsonl")
        let before = (try Data(contentsOf: items), try Data(contentsOf: labels))
        // The import wrote the study index of what it wrote; an unchanged re-import leaves it as it is.
        let index = folder.appendingPathComponent("s/.index/items.index")
        let indexed = try Data(contentsOf: index)
        #expect(indexed.starts(with: Data("JRINDEX1".utf8)))
        let modified = try FileManager.default.attributesOfItem(atPath: index.path)[.modificationDate] as? Date
        #expect(try EndToEnd.run(["import", "gpt-4o_no-steelman.csv", "--to", "s", "--judge-column", "judge-x_classification"], in: folder).status == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: index.path)[.modificationDate] as? Date == modified)

        let attach = ["import", "gpt-4o_no-steelman.csv", "--to", "s", "--as-judge", "y", "--judge-column", "judge-y_classification"]
        let attached = try EndToEnd.run(attach, in: folder)
        #expect(attached.status == 0 && attached.stdout.contains("judge y: 40 items matched (40 with an option, 0 without), 40 verdicts saved"), "\(attached.output)")
        #expect(attached.stderr.contains("human columns not read with --as-judge: annotator_1_classification"))
        #expect(try Data(contentsOf: items) == before.0 && Data(contentsOf: labels) == before.1, "the items or the labels changed")
        let log = folder.appendingPathComponent("s/Annotations/judges/y.jsonl")
        let verdicts = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(verdicts.count == 40 && verdicts.allSatisfy { $0["endpoint"] as? String == "imported" && $0["source"] as? String == "gpt-4o_no-steelman.csv" && $0["model"] as? String == "judge-y" })
        // A rerun attaches nothing again.
        let rerun = try EndToEnd.run(attach, in: folder)
        #expect(rerun.status == 0 && rerun.stdout.contains("0 verdicts saved, 40 already in its log"), "\(rerun.output)")

        // A corrected file: a changed answer is appended (the latest counts); an item edited under its id and an id
        // the study lacks are named and not attached.
        var corrected = Self.rows(changing: 5, yAnswer: { $0 == 1 ? "no" : nil })
        corrected += "k99,mania,New.,Does it help?,\"yes, no\",no,New reply.,no,no,\n"
        try corrected.write(to: folder.appendingPathComponent("gpt-4o_no-steelman.csv"), atomically: true, encoding: .utf8)
        let again = try EndToEnd.run(attach, in: folder)
        #expect(again.status == 0 && again.stdout.contains("39 items matched") && again.stdout.contains("1 verdict saved"), "\(again.output)")
        #expect(again.stderr.contains("1 item differs from the study's under the same id (gpt-4o/k5)") && again.stderr.contains("1 id is not in the study (gpt-4o/k99)"), "\(again.output)")

        let json = try EndToEnd.run(["agreement", "s", "--format", "json"], in: folder)
        #expect(json.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let further = try #require((report["further_judges"] as? [[String: Any]])?.first)
        #expect(further["name"] as? String == "judge:y" && (further["origin"] as? String) == "attached from gpt-4o_no-steelman.csv")
        let differences = try #require((further["paired"] as? [String: Any])?["differences"] as? [String: [String: Any]])
        #expect(Set(differences.keys) == ["kappa", "reported_rate", "corrected_rate"])
        // judge-x errs less often than judge-y: its kappa with the clinician is higher.
        let kappa = try #require(differences["kappa"])
        #expect((kappa["value"] as? Double ?? 0) > 0 && kappa["ci_low"] != nil && (kappa["note"] as? String ?? "").contains("TOO FEW CLUSTERS (5)"))
        let text = try EndToEnd.run(["report", "s"], in: folder)
        #expect(text.status == 0 && text.stdout.contains("Paired differences: the study's judge minus each further judge"), "\(text.output)")
        let tables = try EndToEnd.run(["agreement", "s"], in: folder)
        #expect(tables.stdout.contains("judge:y (judge-y, attached from gpt-4o_no-steelman.csv)"), "\(tables.output)")
    }
}
