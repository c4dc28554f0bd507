import Foundation
import ReviewCore
import Testing

/// `init`, `import --to STUDY` and every command finding the study, as the built binary.
@Suite("Study commands (built binary)", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct StudyCommandTests {
    /// A paper-results CSV with one annotator column (invented text).
    static let csv = "key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification,annotator_1_classification\n"
        + "k1,mania,I feel great.,Does it urge rest?,\"yes, no\",yes,Please rest.,yes,yes\n"
        + "k2,mania,I feel great.,Does it urge rest?,\"yes, no\",yes,Go for it.,yes,no\n"

    @Test("init, import twice, and status from any folder: the same labels, and a second import appends nothing")
    func studyFromAnywhere() throws {
        let folder = try EndToEnd.temporaryFolder("study")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.csv.write(to: folder.appendingPathComponent("m_no-steelman.csv"), atomically: true, encoding: .utf8)
        let created = try EndToEnd.run(["init", "s"], in: folder)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try EndToEnd.run(["import", "m_no-steelman.csv", "--to", "s"], in: folder).status == 0)
        let log = folder.appendingPathComponent("s/Annotations/annotator_1.jsonl")
        let firstLog = try Data(contentsOf: log)
        let again = try EndToEnd.run(["import", "m_no-steelman.csv", "--to", "s"], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("unchanged"))
        #expect(try Data(contentsOf: log) == firstLog, "a repeated import wrote to the log")
        let items = try String(contentsOf: folder.appendingPathComponent("s/items.jsonl"), encoding: .utf8)
        #expect(items.contains("\"id\":\"m/k1\""))

        let elsewhere = folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let fromElsewhere = try EndToEnd.run(["status", "../s"], in: elsewhere)
        let inside = try EndToEnd.run(["status"], in: folder.appendingPathComponent("s/Annotations"))
        #expect(fromElsewhere.status == 0 && inside.status == 0, "\(fromElsewhere.stderr) \(inside.stderr)")
        #expect(fromElsewhere.stdout.contains("2/2"))
        #expect(fromElsewhere.stdout == inside.stdout)
        let export = try EndToEnd.run(["export", "--wide", "-"], in: folder.appendingPathComponent("s"))
        #expect(export.status == 0 && export.stdout.hasPrefix("item,annotator_1"), "\(export.stderr)")
    }

    @Test("a study without labels: export, agreement and adjudicate say where they looked and exit non-zero; status says so")
    func noLabels() throws {
        let folder = try EndToEnd.temporaryFolder("study")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try EndToEnd.run(["init", "s"], in: folder)
        for arguments in [["export", "s", "--gold", "g.csv"], ["agreement", "s"], ["adjudicate", "s", "--adjudicator", "ada"]] {
            let outcome = try EndToEnd.run(arguments, in: folder)
            #expect(outcome.status != 0, "\(arguments)")
            #expect(outcome.stderr.contains("no rater logs for this dataset; looked in \(folder.path)/s/Annotations"), "\(arguments): \(outcome.stderr)")
        }
        let status = try EndToEnd.run(["status", "s"], in: folder)
        #expect(status.stdout.contains("no rater logs yet in"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("g.csv").path))
        let outside = try EndToEnd.run(["status"], in: folder)
        #expect(outside.status != 0 && outside.stderr.contains("not inside a study"))
        let notEmpty = try EndToEnd.run(["init", "s"], in: folder)
        #expect(notEmpty.status != 0 && notEmpty.stderr.contains("is already a study"))
    }

    @Test("status --verify finds an item edited by hand after import and exits 1")
    func verifyHashes() throws {
        let folder = try EndToEnd.temporaryFolder("study")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.csv.write(to: folder.appendingPathComponent("m_no-steelman.csv"), atomically: true, encoding: .utf8)
        _ = try EndToEnd.run(["init", "s"], in: folder)
        _ = try EndToEnd.run(["import", "m_no-steelman.csv", "--to", "s"], in: folder)
        let clean = try EndToEnd.run(["status", "s", "--verify"], in: folder)
        #expect(clean.status == 0 && clean.stdout.contains("every item's stored sha256 matches"))
        let items = folder.appendingPathComponent("s/items.jsonl")
        let text = try String(contentsOf: items, encoding: .utf8).replacingOccurrences(of: "Go for it.", with: "Go for it, now.")
        try text.write(to: items, atomically: false, encoding: .utf8)
        let edited = try EndToEnd.run(["status", "s", "--verify"], in: folder)
        #expect(edited.status != 0)
        #expect(edited.stdout.contains("1 item edited by hand since the file was written"))
        #expect(edited.stdout.contains("m/k2"))
    }

    /// The paper's files in ../shared (absent on a fresh clone without shared/).
    static let paperData = EndToEnd.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/paper-data")

    @Test("the paper's files into one study: 700 items, 100 and 99 labels, nothing new on a repeat; run and validation file are one item each",
          .enabled(if: FileManager.default.fileExists(atPath: StudyCommandTests.paperData.path), "../shared/paper-data is absent"))
    func paperStudy() throws {
        let folder = try EndToEnd.temporaryFolder("study")
        defer { try? FileManager.default.removeItem(at: folder) }
        let validation = Self.paperData.appendingPathComponent("gpt-4o_classification_validation.csv").path
        let llama = Self.paperData.appendingPathComponent("llama-2-70b_no-steelman.jsonl").path
        let run = Self.paperData.appendingPathComponent("gpt-4o_no-steelman.jsonl").path
        _ = try EndToEnd.run(["init", "s"], in: folder)
        for file in [validation, llama, validation] {
            let outcome = try EndToEnd.run(["import", file, "--to", "s"], in: folder)
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
        let lines = try String(contentsOf: folder.appendingPathComponent("s/items.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 700)
        let status = try EndToEnd.run(["status", "s"], in: folder)
        #expect(status.stdout.contains("100/700") && status.stdout.contains("99/700"), "\(status.stdout)")
        let annotator = try String(contentsOf: folder.appendingPathComponent("s/Annotations/annotator_1.jsonl"), encoding: .utf8)
        #expect(annotator.split(separator: "\n").count == 100, "the repeated import appended")

        _ = try EndToEnd.run(["init", "together"], in: folder)
        let together = try EndToEnd.run(["import", run, validation, "--to", "together"], in: folder)
        #expect(together.status == 0, "\(together.stderr)")
        let merged = try String(contentsOf: folder.appendingPathComponent("together/items.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(merged.count == 350)
        let agreement = try EndToEnd.run(["agreement", "s", "--on", "answers", "--complete", "--resamples", "0", "--format", "json"], in: folder)
        #expect(agreement.status == 0, "\(agreement.stderr)")
    }
}

/// What a report's reference rests on, and which raters it covers.
@Suite("agreement: --raters, --min-raters, --complete (built binary)", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct ReferenceOptionTests {
    /// The small dataset with three clinicians: alice and bob label every item, carol only the first two.
    func folderWithLabels() throws -> URL {
        let folder = try EndToEnd.temporaryFolder("reference")
        let dataset = try Dataset.read(from: try SmallDataset.write(in: folder))
        let annotations = folder.appendingPathComponent("Annotations/small", isDirectory: true)
        for (rater, count) in [("alice", 5), ("bob", 5), ("carol", 2)] {
            let log = try RaterLog(folder: annotations, rater: rater)
            for item in dataset.items.prefix(count) {
                try log.append(LabelEvent.label(item: item, rater: rater, answer: rater == "bob" && item.id == "e2e-2" ? "no" : "yes",
                                                mode: .blind, judgeSeenFirst: false, at: Date()))
            }
            log.close()
        }
        return folder
    }

    func json(_ arguments: [String], in folder: URL) throws -> [String: Any] {
        let outcome = try runAgreement(["small.jsonl", "--format", "json", "--resamples", "0"] + arguments, in: folder)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
    }

    @Test("--raters limits the report to those clinicians (the judge stays); an unknown name is an error")
    func ratersOption() throws {
        let folder = try folderWithLabels()
        defer { try? FileManager.default.removeItem(at: folder) }
        let all = try json([], in: folder)
        #expect(all["raters"] as? [String] == ["alice", "bob", "carol", "judge:\(SmallDataset.judgeName)"])
        let two = try json(["--raters", "alice,bob"], in: folder)
        #expect(two["raters"] as? [String] == ["alice", "bob", "judge:\(SmallDataset.judgeName)"])
        let unknown = try runAgreement(["small.jsonl", "--raters", "alice,zed"], in: folder)
        #expect(unknown.status != 0 && unknown.stderr.contains("--raters: no log for zed"))
    }

    @Test("--min-raters decides what may serve as the reference; --complete measures the judge on the coefficients' items")
    func minRatersAndComplete() throws {
        let folder = try folderWithLabels()
        defer { try? FileManager.default.removeItem(at: folder) }
        let carolAndAlice = try json(["--raters", "alice,carol"], in: folder)
        let sources = (carolAndAlice["judge"] as? [String: Any])?["reference_sources"] as? [String: Int]
        #expect(sources?["single"] == 3)
        #expect(sources?["unanimous"] == 2)
        let strict = try json(["--raters", "alice,carol", "--min-raters", "2"], in: folder)
        let strictSources = (strict["judge"] as? [String: Any])?["reference_sources"] as? [String: Int]
        #expect(strictSources?["single"] == 0)
        #expect(strictSources?["unanimous"] == 2)
        let complete = try json(["--complete"], in: folder)
        let reference = (complete["judge"] as? [String: Any])?["against_reference"] as? [String: Any]
        #expect(complete["items"] as? Int == 2)
        #expect(reference?["n"] as? Int == 2, "the judge section used other items than the coefficients")
    }
}
