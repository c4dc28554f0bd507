import Foundation
import Testing

/// Two sites share one study through a bare repository: `sync` in both directions, a console open during a pull,
/// a shared adjudicator, and at the end the same status and agreement at each site as one study holding every label.
@Suite("judge-review sync: two sites, one bare repository (built binary)", .serialized,
       .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing),
       .enabled(if: TmuxSession.executable != nil, TmuxSession.missing),
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/git"), "git is not installed; skipping sync"))
struct SyncTests {
    /// A results file in the paper's layout: 20 items of one model, the judge-x judge, and the given raters' columns.
    static func results(_ raters: [String: (Int) -> String]) -> String {
        let names = raters.keys.sorted()
        var lines = ["key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification,"
            + names.map { "\($0)_classification" }.joined(separator: ",")]
        for index in 0..<20 {
            lines.append("k\(index),mania,I feel odd \(index).,Does it help?,\"yes, no\",no,Reply \(index).,\(index % 3 == 0 ? "yes" : "no"),"
                + names.map { raters[$0]?(index) ?? "" }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `status` with the study's own folder written as STUDY, so two sites' reports compare.
    static func status(_ study: String, in folder: URL) throws -> String {
        let result = try EndToEnd.run(["status", study], in: folder)
        #expect(result.status == 0, "\(result.output)")
        return result.stdout.replacingOccurrences(of: folder.appendingPathComponent(study).path, with: "STUDY")
    }

    static func agreement(_ study: String, in folder: URL) throws -> String {
        let result = try EndToEnd.run(["agreement", study, "--format", "json"], in: folder)
        #expect(result.status == 0, "\(result.output)")
        return result.stdout
    }

    @Test("label at two sites, sync both ways, a console open during a pull, one adjudicator: every site ends with one study's status and agreement; sync refuses while a console holds a log it would commit")
    func twoSitesSyncBothWays() throws {
        let folder = try EndToEnd.temporaryFolder("sync")
        defer { try? FileManager.default.removeItem(at: folder) }
        let siteA = ["JUDGE_REVIEW_SITE": "hospital-a"]
        let siteB = ["JUDGE_REVIEW_SITE": "hospital-b"]
        for name in ["from-a", "from-b"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        try Self.results(["annotator_a2": { $0 % 4 == 0 ? "yes" : "no" }])
            .write(to: folder.appendingPathComponent("from-a/m_no-steelman.csv"), atomically: true, encoding: .utf8)
        try Self.results(["annotator_b1": { $0 % 2 == 0 ? "yes" : "no" }, "annotator_b2": { $0 < 7 ? "yes" : "no" }])
            .write(to: folder.appendingPathComponent("from-b/m_no-steelman.csv"), atomically: true, encoding: .utf8)
        #expect(try EndToEnd.git(["init", "--quiet", "--bare", "remote.git"], in: folder).status == 0)

        // Site A makes the study, imports its rater's labels and publishes it.
        #expect(try EndToEnd.run(["init", "a", "--git"], in: folder).status == 0)
        #expect(try EndToEnd.git(["remote", "add", "origin", "../remote.git"], in: folder.appendingPathComponent("a")).status == 0)
        #expect(try EndToEnd.run(["import", "from-a/m_no-steelman.csv", "--to", "a"], in: folder, environment: siteA).status == 0)
        let published = try EndToEnd.run(["sync", "a"], in: folder, environment: siteA)
        #expect(published.status == 0 && published.stdout.contains("sync: committed ") && published.stdout.contains("annotator_a2 +20"), "\(published.output)")
        #expect(published.stdout.contains("sync: pushed to origin"), "\(published.output)")

        // Site B clones it, imports the same items with its two raters' labels, and syncs.
        #expect(try EndToEnd.git(["clone", "--quiet", "remote.git", "b"], in: folder).status == 0)
        let imported = try EndToEnd.run(["import", "from-b/m_no-steelman.csv", "--to", "b"], in: folder, environment: siteB)
        #expect(imported.status == 0, "\(imported.output)")
        let fromB = try EndToEnd.run(["sync", "b"], in: folder, environment: siteB)
        #expect(fromB.status == 0 && fromB.stdout.contains("annotator_b1 +20, annotator_b2 +20"), "\(fromB.output)")
        #expect(try EndToEnd.git(["diff", "--quiet", "HEAD", "--", "items.jsonl"], in: folder.appendingPathComponent("b")).status == 0,
                "site B's import changed the shared items")

        // Site A: a clinician labels in the console; while it is open, sync refuses and a plain git pull brings B's logs.
        let binary = try #require(EndToEnd.binary)
        let command = ([binary.path, "label", "a", "--rater", "annotator_a1", "--content-notice", "off", "--no-practice"])
            .map(EndToEnd.shellQuoted).joined(separator: " ") + "; echo LABEL-EXIT=$?"
        let console = try TmuxSession(shellCommand: command, environment: siteA.merging(["TERM": "xterm-256color"]) { $1 }, folder: folder)
        defer { console.kill() }
        func label(_ position: Int, _ key: String) throws {
            _ = try console.wait(for: "item \(position)") { $0.contains("\(position)/20") && $0.contains("\(position - 1) labeled") }
            try console.send(key)
            try console.wait(forText: "\(position) labeled")
            try console.send("l")
        }
        try label(1, "y")
        try label(2, "n")
        let refused = try EndToEnd.run(["sync", "a"], in: folder, environment: siteA)
        #expect(refused.status == 1 && refused.stderr.contains("annotator_a1's log is open here"), "\(refused.output)")
        #expect(try EndToEnd.git(["log", "--oneline"], in: folder.appendingPathComponent("a")).output.split(separator: "\n").count == 1,
                "a refused sync committed")
        let pulled = try EndToEnd.git(["pull", "--no-edit", "--quiet", "origin", "HEAD"], in: folder.appendingPathComponent("a"))
        #expect(pulled.status == 0, "\(pulled.output)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("a/Annotations/annotator_b1.jsonl").path))
        try label(3, "y")
        try label(4, "n")
        try label(5, "n")
        try console.wait(forText: "6/20")
        try console.send("q")
        let exit = try console.wait(forText: "LABEL-EXIT=")
        #expect(exit.contains("LABEL-EXIT=0") && exit.contains("5 items labelled this session"), "\(exit)")
        console.kill()
        let consoleLog = try Data(contentsOf: folder.appendingPathComponent("a/Annotations/annotator_a1.jsonl"))
        #expect(String(decoding: consoleLog, as: UTF8.self).split(separator: "\n").count == 5)
        #expect(String(decoding: consoleLog, as: UTF8.self).contains("\"site\":\"hospital-a\""))

        let fromA = try EndToEnd.run(["sync", "a"], in: folder, environment: siteA)
        #expect(fromA.status == 0 && fromA.stdout.contains("annotator_a1 +5") && fromA.stdout.contains("pushed to origin"), "\(fromA.output)")

        // The adjudicator works at site B, on everything both sites labelled.
        let toB = try EndToEnd.run(["sync", "b"], in: folder, environment: siteB)
        #expect(toB.status == 0 && toB.stdout.contains("merged origin") && toB.stdout.contains("annotator_a1 +5"), "\(toB.output)")
        let adjudicate = ([binary.path, "adjudicate", "b", "--adjudicator", "ada", "--content-notice", "off"])
            .map(EndToEnd.shellQuoted).joined(separator: " ") + "; echo ADJUDICATE-EXIT=$?"
        let adjudicator = try TmuxSession(shellCommand: adjudicate, environment: siteB.merging(["TERM": "xterm-256color"]) { $1 }, folder: folder)
        defer { adjudicator.kill() }
        try adjudicator.wait(forText: "decided")
        try adjudicator.send("Enter")
        try adjudicator.wait(forText: "R2")
        try adjudicator.send("y")
        try adjudicator.wait(forText: "Rationale for")
        try adjudicator.sendLiteral("names a way to act")
        try adjudicator.send("Enter")
        try adjudicator.wait(forText: "saved: yes on")
        try adjudicator.send("q")
        #expect(try adjudicator.wait(forText: "ADJUDICATE-EXIT=").contains("ADJUDICATE-EXIT=0"))
        adjudicator.kill()
        let decisions = try Data(contentsOf: folder.appendingPathComponent("b/Annotations/adjudication/ada.jsonl"))
        let fromB2 = try EndToEnd.run(["sync", "b"], in: folder, environment: siteB)
        #expect(fromB2.status == 0 && fromB2.stdout.contains("adjudicator ada +1"), "\(fromB2.output)")
        let toA = try EndToEnd.run(["sync", "a"], in: folder, environment: siteA)
        #expect(toA.status == 0 && toA.stdout.contains("adjudicator ada +1"), "\(toA.output)")

        // One study holding every label as each was written, with no git in between.
        #expect(try EndToEnd.run(["init", "whole", "--name", "a"], in: folder).status == 0)
        #expect(try EndToEnd.run(["import", "from-a/m_no-steelman.csv", "from-b/m_no-steelman.csv", "--to", "whole"], in: folder).status == 0)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("whole/Annotations/adjudication"), withIntermediateDirectories: true)
        try consoleLog.write(to: folder.appendingPathComponent("whole/Annotations/annotator_a1.jsonl"))
        try decisions.write(to: folder.appendingPathComponent("whole/Annotations/adjudication/ada.jsonl"))

        for site in ["a", "b"] {
            let check = try EndToEnd.run(["check", site], in: folder)
            #expect(check.status == 0 && check.stdout.hasPrefix("check: OK (20 items, 5 logs"), "\(site): \(check.output)")
        }
        let statusA = try Self.status("a", in: folder), statusB = try Self.status("b", in: folder)
        #expect(statusA == statusB, "\(statusA)\n---\n\(statusB)")
        let agreementA = try Self.agreement("a", in: folder), agreementWhole = try Self.agreement("whole", in: folder)
        #expect(agreementA == (try Self.agreement("b", in: folder)))
        #expect(agreementA == agreementWhole, "\(agreementA)\n---\n\(agreementWhole)")
        #expect(agreementA.contains("\"annotator_a1\"") && agreementA.contains("\"annotator_b2\""))
        // Status counts (not the times of the imports, which differ in the one study) equal the one study's.
        func counts(_ text: String) -> [String] {
            text.split(separator: "\n").filter { $0.hasPrefix("annotator_") || $0.hasPrefix("adjudication:") }
                .map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(4).joined(separator: " ") }
        }
        #expect(counts(try Self.status("a", in: folder)) == counts(try Self.status("whole", in: folder)))
        #expect(counts(try Self.status("a", in: folder)).count == 5)
        // Nothing was forced: every site's history holds every commit the other made.
        let historyA = try EndToEnd.git(["log", "--format=%s", "origin/HEAD"], in: folder.appendingPathComponent("b")).output
        #expect(historyA.contains("judge-review sync at hospital-a") && historyA.contains("judge-review sync at hospital-b"), "\(historyA)")
    }

    @Test("a pull that replaces the open console's own log (the same rater written at the other site too) loses nothing: the next label lands in the merged file, and check names the log written at two sites")
    func pullReplacingTheOpenLog() throws {
        let folder = try EndToEnd.temporaryFolder("sync-replace")
        defer { try? FileManager.default.removeItem(at: folder) }
        let siteA = ["JUDGE_REVIEW_SITE": "hospital-a"], siteB = ["JUDGE_REVIEW_SITE": "hospital-b"]
        try Self.results(["annotator_a1": { $0 < 10 ? "no" : "" }]).write(to: folder.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
        try Self.results(["annotator_a1": { $0 < 2 ? "yes" : "" }]).write(to: folder.appendingPathComponent("b.csv"), atomically: true, encoding: .utf8)
        #expect(try EndToEnd.git(["init", "--quiet", "--bare", "remote.git"], in: folder).status == 0)
        #expect(try EndToEnd.run(["init", "a", "--git"], in: folder).status == 0)
        #expect(try EndToEnd.git(["remote", "add", "origin", "../remote.git"], in: folder.appendingPathComponent("a")).status == 0)
        #expect(try EndToEnd.run(["import", "a.csv", "--to", "a"], in: folder, environment: siteA).status == 0)
        #expect(try EndToEnd.run(["sync", "a"], in: folder, environment: siteA).status == 0)
        #expect(try EndToEnd.git(["clone", "--quiet", "remote.git", "b"], in: folder).status == 0)

        // The console at A is open, everything it saved committed; meanwhile B writes the same rater's log and pushes.
        let binary = try #require(EndToEnd.binary)
        let command = ([binary.path, "label", "a", "--rater", "annotator_a1", "--content-notice", "off", "--no-practice"])
            .map(EndToEnd.shellQuoted).joined(separator: " ") + "; echo LABEL-EXIT=$?"
        let console = try TmuxSession(shellCommand: command, environment: siteA.merging(["TERM": "xterm-256color"]) { $1 }, folder: folder)
        defer { console.kill() }
        _ = try console.wait(for: "the console at item 11") { $0.contains("11/20") && $0.contains("10 labeled") }
        #expect(try EndToEnd.run(["import", "b.csv", "--to", "b"], in: folder, environment: siteB).status == 0)
        let fromB = try EndToEnd.run(["sync", "b"], in: folder, environment: siteB)
        #expect(fromB.status == 1 && fromB.stdout.contains("annotator_a1's log was written at 2 sites") && fromB.stdout.contains("pushed"), "\(fromB.output)")
        let log = folder.appendingPathComponent("a/Annotations/annotator_a1.jsonl")
        let before = try FileManager.default.attributesOfItem(atPath: log.path)[.systemFileNumber] as? Int
        let pulled = try EndToEnd.git(["pull", "--no-edit", "--quiet", "origin", "HEAD"], in: folder.appendingPathComponent("a"))
        #expect(pulled.status == 0, "\(pulled.output)")
        let after = try FileManager.default.attributesOfItem(atPath: log.path)[.systemFileNumber] as? Int
        #expect(before != after, "git did not replace the log; the test proves nothing")
        #expect(try String(contentsOf: log, encoding: .utf8).split(separator: "\n").count == 12)

        // Two more labels in the open console: both in the file the path names now, after the merged lines.
        try console.send("y")
        try console.wait(forText: "11 labeled")
        try console.send("l")
        _ = try console.wait(for: "item 12") { $0.contains("12/20") }
        try console.send("n")
        try console.wait(forText: "12 labeled")
        try console.send("q")
        #expect(try console.wait(forText: "LABEL-EXIT=").contains("LABEL-EXIT=0"))
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 14)
        #expect(lines.suffix(2).allSatisfy { $0.contains("\"mode\":\"blind\"") && $0.contains("\"site\":\"hospital-a\"") })
        #expect(lines.suffix(2).map { $0.contains("/k10\",") || $0.contains("/k11\",") } == [true, true], "\(lines.suffix(2))")
        let check = try EndToEnd.run(["check", "a"], in: folder)
        #expect(check.status == 1 && check.stdout.contains("hospital-a (copy ") && check.stdout.contains("12 lines; hospital-b (copy "), "\(check.output)")
        let synced = try EndToEnd.run(["sync", "a"], in: folder, environment: siteA)
        #expect(synced.stdout.contains("annotator_a1 +2") && synced.stdout.contains("pushed"), "\(synced.output)")
    }

    @Test("a merge git cannot make (both sites imported into items.jsonl) is taken back and named; a copy without a remote commits and says so")
    func conflictTakenBack() throws {
        let folder = try EndToEnd.temporaryFolder("sync-conflict")
        defer { try? FileManager.default.removeItem(at: folder) }
        let siteA = ["JUDGE_REVIEW_SITE": "hospital-a"], siteB = ["JUDGE_REVIEW_SITE": "hospital-b"]
        try Self.results(["annotator_a1": { _ in "no" }]).write(to: folder.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
        #expect(try EndToEnd.git(["init", "--quiet", "--bare", "remote.git"], in: folder).status == 0)
        #expect(try EndToEnd.run(["init", "a", "--git"], in: folder).status == 0)
        // No remote yet: committed here, said so.
        let alone = try EndToEnd.run(["sync", "a"], in: folder, environment: siteA)
        #expect(alone.status == 0 && alone.stdout.contains("sync: no remote: nothing pulled or pushed"), "\(alone.output)")
        #expect(try EndToEnd.git(["remote", "add", "origin", "../remote.git"], in: folder.appendingPathComponent("a")).status == 0)
        #expect(try EndToEnd.run(["sync", "a"], in: folder, environment: siteA).status == 0)
        #expect(try EndToEnd.git(["clone", "--quiet", "remote.git", "b"], in: folder).status == 0)
        // Both sites import different runs into the empty study.
        try Self.results(["annotator_b1": { _ in "yes" }]).replacingOccurrences(of: "Reply ", with: "Other reply ")
            .write(to: folder.appendingPathComponent("b.csv"), atomically: true, encoding: .utf8)
        #expect(try EndToEnd.run(["import", "a.csv", "--to", "a"], in: folder, environment: siteA).status == 0)
        #expect(try EndToEnd.run(["import", "b.csv", "--to", "b"], in: folder, environment: siteB).status == 0)
        #expect(try EndToEnd.run(["sync", "a"], in: folder, environment: siteA).status == 0)
        let itemsBefore = try Data(contentsOf: folder.appendingPathComponent("b/items.jsonl"))
        let refused = try EndToEnd.run(["sync", "b"], in: folder, environment: siteB)
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.stderr.contains("cannot merge origin") && refused.stderr.contains("both sites changed items.jsonl; nothing was merged"), "\(refused.output)")
        // Taken back: no merge in progress, the items as site B had them, its commit kept.
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("b/.git/MERGE_HEAD").path))
        #expect(try Data(contentsOf: folder.appendingPathComponent("b/items.jsonl")) == itemsBefore)
        #expect(try EndToEnd.git(["status", "--porcelain"], in: folder.appendingPathComponent("b")).output.isEmpty)
        #expect(try EndToEnd.git(["log", "--format=%s", "-1"], in: folder.appendingPathComponent("b")).output.contains("judge-review sync at hospital-b"))
        #expect(try EndToEnd.run(["check", "b"], in: folder).status == 0)
    }
}
