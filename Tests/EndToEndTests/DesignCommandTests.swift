import Foundation
import ReviewCore
import Testing

/// `sample`, `assign`, `status` and `plan` as the built binary, and the console of an assigned rater.
@Suite("Study design commands (built binary)", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct DesignCommandTests {
    /// A study of 300 judged items (invented text) in a temporary folder.
    static func study() throws -> URL {
        let folder = try EndToEnd.temporaryFolder("design")
        var lines = ["key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification"]
        let conditions = ["mania", "delusions", "suicidal ideation"]
        for index in 0..<300 {
            lines.append("k\(index)_\(index % 3),\(conditions[index % 3]),I feel odd \(index % 5).,Does it help?,\"yes, no\",yes,Reply \(index).,\(index % 4 == 0 ? "no" : "yes")")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("m_no-steelman.csv"), atomically: true, encoding: .utf8)
        #expect(try EndToEnd.run(["init", "s"], in: folder).status == 0)
        #expect(try EndToEnd.run(["import", "m_no-steelman.csv", "--to", "s"], in: folder).status == 0)
        return folder
    }

    @Test("sample 120, assign 3 raters with overlap 2: 80 each, status shows them, a second sample is refused, bad options are one line")
    func sampleAndAssign() throws {
        let folder = try Self.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sample = try EndToEnd.run(["sample", "s", "--size", "120", "--seed", "7"], in: folder)
        #expect(sample.status == 0, "\(sample.stderr)")
        #expect(sample.stdout.contains("sample of 120 from 300 judged items"))
        let assign = try EndToEnd.run(["assign", "s", "--raters", "a,b,c", "--overlap", "2", "--seed", "3"], in: folder)
        #expect(assign.status == 0, "\(assign.stderr)")
        let status = try EndToEnd.run(["status", "s"], in: folder)
        #expect(status.stdout.contains("assignment: 120 items, 2 raters each (seed 3); 0 of 120 items have 2 labels"), "\(status.stdout)")
        let rows = status.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        for rater in ["a", "b", "c"] { #expect(rows.contains([rater, "80", "0", "80"]), "\(status.stdout)") }

        let again = try EndToEnd.run(["sample", "s", "--size", "10"], in: folder)
        #expect(again.status == 1 && again.stderr.contains("already has a sample"), "\(again.stderr)")
        let replace = try EndToEnd.run(["sample", "s", "--size", "10", "--replace"], in: folder)
        #expect(replace.status == 1 && replace.stderr.contains("a new sample needs a new assignment"), "\(replace.stderr)")
        let twice = try EndToEnd.run(["assign", "s", "--raters", "a,b"], in: folder)
        #expect(twice.status == 1 && twice.stderr.contains("give --rebalance"), "\(twice.stderr)")
        let rebalance = try EndToEnd.run(["assign", "s", "--raters", "a,b,c,d", "--rebalance", "--seed", "4"], in: folder)
        let dealt = rebalance.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rebalance.status == 0 && dealt.contains(["d", "60", "0", "0"]), "\(rebalance.stdout) \(rebalance.stderr)")
        for bad in [["sample", "s", "--size", "0", "--replace"], ["sample", "s", "--size", "5", "--strata", "colour", "--replace"],
                    ["sample", "s", "--size", "5", "--allocation", "best", "--replace"]] {
            let outcome = try EndToEnd.run(bad, in: folder)
            #expect(outcome.status != 0, "\(bad)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(bad): \(outcome.stderr)")
        }
    }

    @Test("an assigned rater's console holds only their items, in their order",
          .enabled(if: TmuxSession.executable != nil, TmuxSession.missing))
    func assignedConsole() throws {
        let folder = try Self.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try EndToEnd.run(["sample", "s", "--size", "120", "--seed", "7"], in: folder).status == 0)
        #expect(try EndToEnd.run(["assign", "s", "--raters", "a,b,c", "--overlap", "2", "--seed", "3"], in: folder).status == 0)
        let session = try TmuxSession(shellCommand: wrappedCommand(["label", "s", "--rater", "b"]), columns: 120, rows: 40, folder: folder)
        defer { session.kill() }
        try session.waitForCursesMode()
        let screen = try session.wait(forText: "1/80")
        #expect(screen.contains("rater b"))
        try session.send("q")
        _ = try session.wait(forText: "JR-EXIT=0")
        let outsider = try EndToEnd.run(["label", "s", "--rater", "zed"], in: folder)
        #expect(outsider.status != 0 && outsider.stderr.contains("rater zed has no items in the study's assignment"), "\(outsider.stderr)")
    }

    @Test("the study's session protocol in the console: content notice, practice with feedback, break prompt",
          .enabled(if: TmuxSession.executable != nil, TmuxSession.missing))
    func sessionProtocolInConsole() throws {
        let folder = try Self.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        let study = folder.appendingPathComponent("s")
        // The protocol lives in study.json: a notice once a session, a break after three items.
        let settingsFile = study.appendingPathComponent("study.json")
        var settings = try JSONSerialization.jsonObject(with: Data(contentsOf: settingsFile)) as? [String: Any] ?? [:]
        #expect((settings["session"] as? [String: Any])?["break_after_items"] as? Int == 100, "init writes the defaults")
        settings["session"] = ["break_after_items": 3, "content_notice": "session", "support_line": "call the study lead"]
        try JSONSerialization.data(withJSONObject: settings).write(to: settingsFile)
        let items = try Dataset.read(from: study.appendingPathComponent("items.jsonl")).items
        let gold = "id,answer\n\(items[0].id),yes\n\(items[1].id),no\n"
        try gold.write(to: folder.appendingPathComponent("gold.csv"), atomically: true, encoding: .utf8)
        #expect(try EndToEnd.run(["sample", "s", "--size", "20", "--seed", "7"], in: folder).status == 0)
        let assign = try EndToEnd.run(["assign", "s", "--raters", "a", "--overlap", "1", "--gold", "gold.csv", "--seed", "3"], in: folder)
        #expect(assign.status == 0, "\(assign.stderr)")

        let session = try TmuxSession(shellCommand: wrappedCommand(["label", "s", "--rater", "a"]), columns: 120, rows: 40, folder: folder)
        defer { session.kill() }
        try session.waitForCursesMode()
        var screen = try session.wait(forText: "Content notice")
        #expect(screen.contains("call the study lead") && !screen.contains("I feel odd"), "the item stays hidden behind the notice")
        try session.send("y")  // behind the notice an answer key does nothing
        try session.send("Enter")
        screen = try session.wait(forText: "PRACTICE 1 of 2")
        try session.send("n")
        screen = try session.wait(forText: "Practice: compare")
        #expect(screen.contains("You answered \"no\""))
        try session.send("Enter")
        try session.wait(forText: "PRACTICE 2 of 2")
        try session.send("n")
        try session.wait(forText: "Practice: correct")
        try session.send("Enter")
        try session.wait(forText: "3/22")
        try session.send("y")
        // The header counts live labels: the two practice answers are not labels of the study.
        try session.wait(forText: "1 labeled")
        try session.send("Right")
        screen = try session.wait(forText: "Time for a break")
        #expect(screen.contains("3 items since your last break"))
        try session.send("n")  // behind the prompt an answer key does nothing
        try session.send("Enter")
        try session.wait(forText: "welcome back")
        try session.send("q")
        screen = try session.wait(forText: "JR-EXIT=")
        #expect(screen.contains("JR-EXIT=0"), "\(screen)")
        #expect(screen.contains("1 item labelled this session (2 practice answers)"), "\(screen)")
        let log = try String(contentsOf: study.appendingPathComponent("Annotations/a.jsonl"), encoding: .utf8)
        let events = try JSONLines.lines(of: log).map { try LogJSON.decoder().decode(LabelEvent.self, from: Data($0.1.utf8)) }
        #expect(events.map(\.purpose) == [.practice, .practice, nil], "\(events)")
        let status = try EndToEnd.run(["status", "s"], in: folder)
        let rows = status.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains(["a", "20", "1", "19", "2/2", "0/0"]), "practice answers are not live labels: \(status.stdout)")
        let report = try EndToEnd.run(["report", "s", "--resamples", "50"], in: folder)
        #expect(report.status == 0, "\(report.stderr)")
        let consistency = report.stdout.split(separator: "\n").first { $0.contains("gold: only 2 items") }.map(String.init) ?? ""
        #expect(consistency.split(separator: " ").prefix(4).map(String.init) == ["a", "2", "1", "50.0%"], "\(report.stdout)")
    }

    @Test("a session protocol value out of range or a bad session option is one line naming the file or option, exit 1")
    func badSessionProtocol() throws {
        let folder = try Self.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        let settingsFile = folder.appendingPathComponent("s/study.json")
        var settings = try JSONSerialization.jsonObject(with: Data(contentsOf: settingsFile)) as? [String: Any] ?? [:]
        settings["session"] = ["break_after_minutes": 5000]
        try JSONSerialization.data(withJSONObject: settings).write(to: settingsFile)
        for command in [["label", "s", "--rater", "a"], ["adjudicate", "s", "--adjudicator", "a"]] {
            let outcome = try EndToEnd.run(command, in: folder)
            #expect(outcome.status == 1 && outcome.stderr.split(separator: "\n").count == 1, "\(command): \(outcome.stderr)")
            #expect(outcome.stderr.contains("study.json:1:") && outcome.stderr.contains("break_after_minutes must lie in 0...1440, not 5000"))
        }
        settings["session"] = [:]
        try JSONSerialization.data(withJSONObject: settings).write(to: settingsFile)
        let option = try EndToEnd.run(["label", "s", "--rater", "a", "--daily-cap", "-3"], in: folder)
        #expect(option.status != 0 && option.stderr.contains("--daily-cap: must lie in 0...1000000, not -3"), "\(option.stderr)")
    }

    @Test("plan rate --study --by condition: one plan per condition from its own labels, a total, unplannable groups said why")
    func planByCondition() throws {
        // Two models over three conditions, an annotator on two thirds of the items, the judge right on most.
        let folder = try ReportCommandTests.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        let measured = try EndToEnd.run(["plan", "rate", "--study", "s", "--by", "condition", "--half-width", "0.05"], in: folder)
        #expect(measured.status == 0, "\(measured.stderr)")
        // The judge never misses here: a measured sensitivity of 1 plans nothing, and says so.
        #expect(measured.stdout.contains("give --sensitivity") && measured.stdout.contains("3 groups cannot be planned yet"), "\(measured.stdout)")
        // ±0.15: within the 54 judged responses of a group (±0.05 is not reachable in so small a pool, and says so).
        let given = try EndToEnd.run(["plan", "rate", "--study", "s", "--by", "condition", "--half-width", "0.15", "--design-effect", "1",
                                      "--prevalence", "0.1", "--sensitivity", "0.85", "--specificity", "0.95"], in: folder)
        #expect(given.status == 0, "\(given.stderr)")
        let rows = given.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        let groups = rows.filter { ["mania", "delusions", "<script>alert(1)</script>"].contains($0.first ?? "") }
        #expect(groups.count == 3, "\(given.stdout)")
        // Each condition has 60 judged items, 54 with a response (the pool the judge's rate is counted on).
        #expect(groups.allSatisfy { $0.contains("54") }, "\(given.stdout)")
        let humans = groups.compactMap { row in row.firstIndex(of: "54").flatMap { Int(row[$0 + 1]) } }
        let total = try #require(rows.first { $0.first == "total" })
        #expect(humans.count == 3 && total.count > 1 && Int(total[1]) == humans.reduce(0, +), "\(given.stdout)")
    }

    @Test("plan: the three estimators' labels, kappa by both methods, invalid input exits 64 with one line")
    func plan() throws {
        let folder = try EndToEnd.temporaryFolder("plan")
        defer { try? FileManager.default.removeItem(at: folder) }
        let rate = try EndToEnd.run(["plan", "rate", "--prevalence", "0.1", "--sensitivity", "0.85", "--specificity", "0.95", "--half-width", "0.05", "--seconds-per-item", "60"], in: folder)
        #expect(rate.status == 0, "\(rate.stderr)")
        // The asymptotic formulas beside the plans for the printed intervals, and hours from the printed plan.
        for figure in ["139", "134", "68"] { #expect(rate.stdout.contains(figure)) }
        let ppiRow = try #require(rate.stdout.split(separator: "\n").first { $0.hasPrefix("prediction-powered") })
        let cells = ppiRow.split(separator: " ").map(String.init)
        let labels = try #require(Int(cells[cells.count - 3])), hours = try #require(Double(cells[cells.count - 1]))
        #expect(labels > 68 && abs(hours - Double(labels) / 60) < 0.051, "\(ppiRow)")
        #expect(rate.stdout.contains("within the target in 50% of studies"))
        let kappa = try EndToEnd.run(["plan", "kappa", "--kappa", "0.4", "--lower", "0.3", "--upper", "0.5", "--prevalence", "0.3"], in: folder)
        #expect(kappa.status == 0 && kappa.stdout.contains("397") && kappa.stdout.contains("379"), "\(kappa.stdout)")
        #expect(kappa.stdout.contains("the interval agreement prints, inside the bounds in 50% of studies"))
        for bad in [["plan", "kappa", "--kappa", "0.4", "--lower", "0.5", "--prevalence", "0.3"],
                    ["plan", "sensitivity", "--sensitivity", "1.2", "--half-width", "0.05", "--prevalence", "0.1"],
                    ["plan", "rate", "--prevalence", "0.1", "--sensitivity", "0.8", "--specificity", "0.9", "--half-width", "0"]] {
            let outcome = try EndToEnd.run(bad, in: folder)
            #expect(outcome.status == 64, "\(bad): \(outcome.status)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(bad): \(outcome.stderr)")
        }
    }
}

@Suite("label on a CSV (built binary)", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct LabelCSVTests {
    @Test("label FILE.csv says to import it first, in one line")
    func suggestsImport() throws {
        let folder = try EndToEnd.temporaryFolder("label-csv")
        defer { try? FileManager.default.removeItem(at: folder) }
        try "key,condition\n".write(to: folder.appendingPathComponent("results.csv"), atomically: true, encoding: .utf8)
        let outcome = try EndToEnd.run(["label", "results.csv", "--rater", "ana"], in: folder)
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("a CSV is an input to import") && outcome.stderr.contains("judge-review import results.csv --to STUDY"), "\(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1)
    }
}
