import Foundation
import Testing

/// `judge-review check`: a clean study passes; each planted fault is found, named by file, and fails the check.
@Suite("judge-review check (built binary)", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct StudyCheckTests {
    @Test("a clean study: OK and exit 0; planted faults (an item changed under its id, a label for an unknown item, a log written at two sites, a torn line, a sample entry for an unknown item, two imports under one id): each named, exit 1")
    func plantedFaults() throws {
        let folder = try EndToEnd.temporaryFolder("check")
        defer { try? FileManager.default.removeItem(at: folder) }
        var lines = ["key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification,annotator_1_classification"]
        for index in 0..<20 {
            lines.append("k\(index),mania,I feel odd \(index).,Does it help?,\"yes, no\",no,Reply \(index).,no,\(index < 10 ? "no" : "")")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("m_no-steelman.csv"), atomically: true, encoding: .utf8)
        #expect(try EndToEnd.run(["init", "s"], in: folder).status == 0)
        #expect(try EndToEnd.run(["import", "m_no-steelman.csv", "--to", "s"], in: folder, environment: ["JUDGE_REVIEW_SITE": "site-one"]).status == 0)
        #expect(try EndToEnd.run(["sample", "s", "--size", "6", "--seed", "3"], in: folder).status == 0)
        let clean = try EndToEnd.run(["check", "s"], in: folder)
        #expect(clean.status == 0 && clean.stdout.hasPrefix("check: OK (20 items, 1 log:"), "\(clean.output)")

        // An item changed under its id: another response, the stored hash kept.
        let items = folder.appendingPathComponent("s/items.jsonl")
        let itemsText = try String(contentsOf: items, encoding: .utf8)
        try itemsText.replacingOccurrences(of: "Reply 12.", with: "Another reply.").write(to: items, atomically: true, encoding: .utf8)
        // A label for an item the study does not hold, then a torn last line.
        let log = folder.appendingPathComponent("s/Annotations/annotator_1.jsonl")
        let first = try #require(try String(contentsOf: log, encoding: .utf8).split(separator: "\n").first)
        let ghost = first.replacingOccurrences(of: "\"m/k0\"", with: "\"m/ghost\"")
        #expect(ghost != String(first))
        // The same rater's label written in another copy of the study (another site): a second writer.
        let elsewhere = first.replacing(/"installation":"[^"]+","site":"site-one"/, with: "\"installation\":\"0ther-c0py\",\"site\":\"site-two\"")
            .replacingOccurrences(of: "\"answer\":\"no\"", with: "\"answer\":\"yes\"")
        #expect(elsewhere != String(first))
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        handle.write(Data((ghost + "\n" + elsewhere + "\n{\"item\":\"m/k1").utf8))
        try handle.close()
        // A sample entry for an item the study does not hold.
        let sample = folder.appendingPathComponent("s/sample.json")
        let sampled = try String(contentsOf: sample, encoding: .utf8)
        let firstID = try #require(sampled.firstRange(of: /"id" *: *"m\/k[0-9]+"/))
        try sampled.replacingCharacters(in: firstID, with: "\"id\": \"m/nowhere\"").write(to: sample, atomically: true, encoding: .utf8)

        let faulty = try EndToEnd.run(["check", "s"], in: folder)
        #expect(faulty.status == 1, "\(faulty.output)")
        #expect(faulty.stdout.contains("items.jsonl:13: item \"m/k12\" is not the content its stored sha256 names (changed under its id)"), "\(faulty.output)")
        #expect(faulty.stdout.contains("annotator_1.jsonl: a label for item \"m/ghost\", which the study does not hold"), "\(faulty.output)")
        #expect(faulty.stdout.contains("annotator_1.jsonl:13: torn last line"), "\(faulty.output)")
        #expect(faulty.stdout.contains("annotator_1.jsonl: annotator_1's log was written at 2 sites (site-one (copy "), "\(faulty.output)")
        #expect(faulty.stdout.contains(": 11 lines; site-two (copy 0ther-c0): 1 line), 1 item answered differently"), "\(faulty.output)")
        #expect(faulty.stdout.contains("sample.json: sampled item \"m/nowhere\" is not in the study"), "\(faulty.output)")
        #expect(faulty.stdout.hasSuffix("check: 5 problems (20 items, 1 log)\n"), "\(faulty.output)")

        // Two sites' imports kept side by side by a merge: each id given twice named with both lines.
        let itemLines = try String(contentsOf: items, encoding: .utf8).split(separator: "\n")
        let otherContent = itemLines[0].replacingOccurrences(of: "Reply 0.", with: "Another site's reply.")
        try (itemLines.joined(separator: "\n") + "\n" + otherContent + "\n" + itemLines[1] + "\n").write(to: items, atomically: true, encoding: .utf8)
        let merged = try EndToEnd.run(["check", "s"], in: folder)
        #expect(merged.status == 1, "\(merged.output)")
        #expect(merged.stdout.contains("items.jsonl:21: item \"m/k0\" is given again with other content than on line 1: two sites imported different items under one id"), "\(merged.output)")
        #expect(merged.stdout.contains("items.jsonl:22: item \"m/k1\" is given again, the same content as on line 2"), "\(merged.output)")
        #expect(merged.stdout.hasSuffix("check: 2 problems (0 items, 0 logs)\n"), "\(merged.output)")
    }
}

/// `init --git`: a study kept in git ignores what belongs to one machine and keeps its files byte for byte.
@Suite("judge-review init --git (built binary)", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing),
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/git"), "git is not installed; skipping init --git"))
struct StudyRepositoryTests {
    @Test("a repository whose .gitignore leaves out the locks, the write journal and set-aside torn lines, never a log or the items; .gitattributes keeps *.jsonl and *.json as bytes")
    func ignoresWhatBelongsToOneMachine() throws {
        let folder = try EndToEnd.temporaryFolder("init-git")
        defer { try? FileManager.default.removeItem(at: folder) }
        let created = try EndToEnd.run(["init", "s", "--git"], in: folder)
        #expect(created.status == 0, "\(created.output)")
        let study = folder.appendingPathComponent("s")
        #expect(FileManager.default.fileExists(atPath: study.appendingPathComponent(".git").path))
        for ignored in ["study.lock", "write.journal", "Annotations/.installation", "Annotations/alice.jsonl.lock", "Annotations/adjudication/ada.jsonl.corrupt", "Annotations/judges/x.jsonl.lock", ".index/items.index", ".index/logs/alice.replay", ".index/index.lock"] {
            #expect(try EndToEnd.git(["check-ignore", "-q", ignored], in: study).status == 0, "\(ignored) is not ignored")
        }
        for kept in ["items.jsonl", "study.json", "sample.json", "assignment.json", "Annotations/alice.jsonl", "Annotations/alice.order.json",
                     "Annotations/adjudication/ada.jsonl", "Annotations/judges/x.jsonl"] {
            #expect(try EndToEnd.git(["check-ignore", "-q", kept], in: study).status == 1, "\(kept) would not travel")
        }
        let attributes = try String(contentsOf: study.appendingPathComponent(".gitattributes"), encoding: .utf8)
        #expect(attributes.contains("*.jsonl -text\n") && attributes.contains("*.json -text\n"))
        // Logs merge by keeping both sides' lines; the items do not (two imports are a conflict to settle).
        for (file, union) in [("Annotations/alice.jsonl", true), ("Annotations/judges/x.jsonl", true), ("items.jsonl", false)] {
            let attribute = try EndToEnd.git(["check-attr", "merge", "--", file], in: study).output
            #expect(attribute.hasSuffix(union ? "merge: union\n" : "merge: unspecified\n"), "\(file): \(attribute)")
        }
        let check = try EndToEnd.run(["check", "s"], in: folder)
        #expect(check.status == 0, "\(check.output)")
    }
}
