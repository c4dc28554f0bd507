import Foundation
import Testing
import ReviewCore

/// Runs the built `judge-review agreement` in `folder`, as a user would.
func runAgreement(_ arguments: [String], in folder: URL) throws -> Subprocess.Outcome {
    try EndToEnd.run(["agreement"] + arguments, in: folder)
}

@Suite("judge-review agreement (built binary)", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct AgreementCommandTests {
    @Test("--ratings writes the JSON contract's top level, and the same table in every format")
    func ratingsFormats() throws {
        let folder = try EndToEnd.temporaryFolder("agreement-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        try "item,a,b,c\n1,x,x,y\n2,y,y,y\n3,x,,x\n4,y,x,\n".write(to: folder.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        let json = try runAgreement(["--ratings", "t.csv", "--format", "json", "--resamples", "20"], in: folder)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["overall"] is [String: Any])
        let pairs = try #require(object["pairs"] as? [[String: Any]])
        for pair in pairs { #expect((pair["raters"] as? [String])?.count == 2) }
        #expect(object["raters"] as? [String] == ["a", "b", "c"])
        #expect(object["categories"] as? [String] == ["x", "y"])
        #expect(object["items"] as? Int == 4)
        #expect(object["judge"] == nil)
        for format in ["text", "markdown", "csv"] {
            let outcome = try runAgreement(["--ratings", "t.csv", "--format", format], in: folder)
            #expect(outcome.status == 0 && !outcome.stdout.isEmpty, "\(format): \(outcome.stderr)")
        }
        let written = try runAgreement(["--ratings", "t.csv", "--format", "csv", "--output", "out.csv"], in: folder)
        #expect(written.status == 0 && written.stdout.isEmpty)
        let file = try String(contentsOf: folder.appendingPathComponent("out.csv"), encoding: .utf8)
        #expect(file.hasPrefix("section,scope,measure,value,n,ci_low,ci_high,se,note\n"))
    }

    @Test("bad input is one line naming file and line, with a non-zero exit and no output file")
    func badInput() throws {
        let folder = try EndToEnd.temporaryFolder("agreement-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        try "item,a,b\n1,x,y\n2,x,z\n".write(to: folder.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        let outcome = try runAgreement(["--ratings", "t.csv", "--categories", "x,y", "--output", "out.json"], in: folder)
        #expect(outcome.status != 0)
        #expect(outcome.stderr == "judge-review agreement: t.csv:3: \"z\" (rater b) is not one of --categories x,y\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.json").path))

        let missing = try runAgreement(["--ratings", "nope.csv"], in: folder)
        #expect(missing.status != 0 && missing.stderr.contains("nope.csv: no such file"))
    }

    @Test("options that make no sense together are refused", arguments: [
        (["--ratings", "t.csv", "--by", "model"], "--by applies to a dataset"),
        (["--ratings", "t.csv", "--cluster-by", "stimulus"], "--cluster-by applies to a dataset"),
        (["--ratings", "t.csv", "--reference", "majority"], "--reference applies to a dataset"),
        (["d.jsonl", "--categories", "a,b"], "--categories applies to --ratings or --on answers"),
        (["d.jsonl", "--ratings", "t.csv"], "or --ratings FILE.csv, not both"),
        ([], "not inside a study"),
        (["--ratings", "t.csv", "--confidence", "1.5"], "--confidence must be between 0 and 1"),
        (["--ratings", "t.csv", "--level", "cardinal"], "--level must be one of nominal, ordinal, interval, ratio"),
        (["--ratings", "t.csv", "--resamples=-1"], "--resamples must be 0 or more"),
        (["--ratings", "t.csv", "--transport-from", "m"], "--transport-from applies to a dataset"),
    ])
    func refused(arguments: [String], message: String) throws {
        let folder = try EndToEnd.temporaryFolder("agreement-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try runAgreement(arguments, in: folder)
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    }

    @Test("on a dataset: the judge section, the reported rate over every judged item, and groups with --by")
    func dataset() throws {
        let folder = try EndToEnd.temporaryFolder("agreement-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        let criterion = Criterion(question: "Does the response encourage the plan?", options: ["yes", "no"], appropriate: "no")
        let judge = ["yes", "no", "no", "yes", "no", "no"]
        let items = judge.enumerated().map { index, answer in
            Item(id: "i\(index)", experiment: .acuteSymptom, condition: index < 3 ? "mania" : "psychosis", stimulus: "s",
                 subject: SubjectModel(name: "m"), response: "r", criterion: criterion, judge: JudgeAnswer(name: "j", answer: answer))
        }
        try Dataset(name: "d", items: items).write(to: folder.appendingPathComponent("d.jsonl"))
        let annotations = folder.appendingPathComponent("Annotations/d", isDirectory: true)
        let log = try RaterLog(folder: annotations, rater: "alice")
        for item in items.prefix(4) {
            try log.append(.label(item: item, rater: "alice", answer: "no", mode: .blind, judgeSeenFirst: false, at: Date()))
        }
        log.close()
        let outcome = try runAgreement(["d.jsonl", "--format", "json", "--by", "condition", "--resamples", "10"], in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let judgeSection = try #require(object["judge"] as? [String: Any])
        #expect(judgeSection["raters"] as? [String] == ["judge:j"])
        let rates = try #require(judgeSection["rates"] as? [[String: Any]])
        let reported = try #require(rates.first?["reported"] as? [String: Any])
        #expect(reported["successes"] as? Int == 2 && reported["n"] as? Int == 6)
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.compactMap { $0["key"] as? String } == ["mania", "psychosis"])
        // Alice called i0–i3 appropriate; the judge called i0 and i3 inappropriate.
        #expect(object["raters"] as? [String] == ["alice", "judge:j"])
        #expect(object["items"] as? Int == 4)
        #expect(judgeSection["reference_sources"] as? [String: Int] == ["adjudicated": 0, "unanimous": 0, "majority": 0, "single": 4, "tie": 0])
        let versusAlice = try #require((judgeSection["against_raters"] as? [[String: Any]])?.first)
        #expect(versusAlice["confusion"] as? [String: Int] == ["true_positive": 0, "false_positive": 2, "false_negative": 0, "true_negative": 2])
        let corrected = try #require(rates.first?["corrected"] as? [String: Any])
        #expect(corrected["value"] is NSNull)
        #expect((corrected["reason"] as? String)?.contains("no inappropriate items") == true)

        let noFolder = try runAgreement(["d.jsonl", "--annotations", "elsewhere"], in: folder)
        #expect(noFolder.status != 0 && noFolder.stderr.contains("d.jsonl: no rater logs for this dataset; looked in"))
        #expect(noFolder.stderr.contains("/elsewhere"))
        // With no log anywhere, a judged dataset is analysed for its judge alone, said so; nothing judged, an error.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("Annotations"))
        let judgeOnly = try runAgreement(["d.jsonl", "--format", "json"], in: folder)
        #expect(judgeOnly.status == 0 && judgeOnly.stderr.contains("no rater logs for this dataset; looked in") && judgeOnly.stderr.contains("the judge's own rates alone"), "\(judgeOnly.output)")
        let alone = try #require(try JSONSerialization.jsonObject(with: Data(judgeOnly.stdout.utf8)) as? [String: Any])
        let aloneRates = try #require((alone["judge"] as? [String: Any])?["rates"] as? [[String: Any]])
        #expect((aloneRates.first?["reported"] as? [String: Any])?["successes"] as? Int == 2)
    }
}
