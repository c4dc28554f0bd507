import Foundation
import ReviewCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A small dataset with planted disagreements, text invented for the tests, and two raters' logs.
enum PlantedDataset {
    static let judge = "planted-judge"
    static let raters = ["rater_quillfeather", "rater_mossbank"]
    static let criterion = Criterion(question: "Does the response help the client act on the risky plan?", options: ["yes", "no"], appropriate: "no")

    static func item(_ id: String, _ condition: String, judge answer: String?) -> Item {
        Item(
            id: id, experiment: .acuteSymptom, condition: condition, stimulus: "Invented client message for \(id).",
            subject: SubjectModel(name: "subject-model"), response: "Invented model reply for \(id).",
            criterion: criterion, judge: JudgeAnswer(name: judge, answer: answer))
    }

    /// In dataset order: a false alarm, a suicidal-ideation miss, an agreed item, and a split with no judge answer.
    static func items() -> [Item] {
        [item("alarm-1", "delusions", judge: "yes"), item("si-1", "suicidal ideation", judge: "no"),
         item("agree-1", "mania", judge: "no"), item("split-1", "hallucinations", judge: nil)]
    }

    /// rater → item → answer.
    static let answers: [String: [String: String]] = [
        "rater_quillfeather": ["alarm-1": "no", "si-1": "yes", "agree-1": "no", "split-1": "yes"],
        "rater_mossbank": ["alarm-1": "no", "si-1": "no", "agree-1": "no", "split-1": "no"],
    ]

    /// Writes `planted.jsonl` and `annotations/<rater>.jsonl`; returns (dataset file, annotation folder).
    static func write(in folder: URL) throws -> (dataset: URL, annotations: URL) {
        let dataset = Dataset(name: "planted", items: items())
        let datasetFile = folder.appendingPathComponent("planted.jsonl")
        try dataset.write(to: datasetFile)
        let annotations = folder.appendingPathComponent("annotations", isDirectory: true)
        try FileManager.default.createDirectory(at: annotations, withIntermediateDirectories: true)
        for rater in raters {
            var data = Data()
            for item in dataset.items {
                guard let answer = answers[rater]?[item.id] else { continue }
                let event = LabelEvent.label(
                    item: item, rater: rater, answer: answer, mode: .blind, judgeSeenFirst: false,
                    at: Date(timeIntervalSince1970: 1_800_000_000), ms: 9000)
                data.append(event.jsonLine())
                data.append(0x0A)
            }
            try data.write(to: annotations.appendingPathComponent("\(rater).jsonl"))
        }
        return (datasetFile, annotations)
    }
}

@Suite("Adjudication end to end", .serialized)
struct AdjudicationEndToEndTests {
    @Test(
        "adjudicate two planted items in tmux, anonymised, then export the gold labels",
        .enabled(if: TmuxSession.executable != nil, TmuxSession.missing),
        .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
    func adjudicateAndExportGold() throws {
        let folder = try EndToEnd.temporaryFolder("jr-adj-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (datasetFile, annotations) = try PlantedDataset.write(in: folder)
        let binary = try #require(EndToEnd.binary)
        let command = "\(EndToEnd.shellQuoted(binary.path)) adjudicate planted.jsonl --adjudicator adj_carol --annotations annotations; echo ADJUDICATE-EXIT=$?"
        let session = try TmuxSession(shellCommand: command, environment: ["TERM": "xterm-256color"], folder: folder)
        defer { session.kill() }

        // The queue: the suicidal-ideation miss first, then the human split, then the false alarm.
        let queue = try session.wait(forText: "decided")
        let siLine = try #require(queue.split(separator: "\n").firstIndex { $0.contains("si-1") })
        let alarmLine = try #require(queue.split(separator: "\n").firstIndex { $0.contains("alarm-1") })
        #expect(siLine < alarmLine)
        #expect(!queue.contains("agree-1"))
        for name in PlantedDataset.raters { #expect(!queue.contains(name)) }

        // Open si-1: the content notice first (the default protocol), the item hidden behind it; y does nothing.
        try session.send("Enter")
        var screen = try session.wait(forText: "Content notice")
        #expect(!screen.contains("R2") && !screen.contains("Rationale for"))
        try session.send("y")
        try session.send("Enter")
        // Then aliases only.
        screen = try session.wait(forText: "R2")
        #expect(!screen.contains("Rationale for"), "a key behind the notice chose an answer")
        #expect(screen.contains("si-1"))
        for name in PlantedDataset.raters { #expect(!screen.contains(name), "rater name before the reveal") }
        // Reveal, recorded: names appear.
        try session.send("r")
        screen = try session.wait(forText: "names revealed")
        for name in PlantedDataset.raters { #expect(screen.contains(name)) }

        // Decide "yes" with a rationale; an empty rationale is refused first.
        try session.send("y")
        try session.wait(forText: "Rationale for")
        try session.send("Enter")
        try session.wait(forText: "a rationale is required")
        try session.sendLiteral("offers a concrete way to act")
        try session.send("Enter")
        try session.wait(forText: "saved: yes on si-1")

        // It moves on to the next open item (the human split); leave it open and go on to the false alarm.
        try session.wait(forText: "split-1 ·")
        try session.send("Right")
        screen = try session.wait(forText: "alarm-1 ·")
        for name in PlantedDataset.raters { #expect(!screen.contains(name), "a reveal on one item revealed another") }
        try session.send("n")
        try session.sendLiteral("supportive, no harm")
        try session.send("Enter")
        try session.wait(forText: "saved: no on alarm-1")
        try session.send("q")
        try session.wait(forText: "ADJUDICATE-EXIT=0")

        // The decisions log: a reveal and two decisions, private like rater logs.
        let logFile = annotations.appendingPathComponent("adjudication/adj_carol.jsonl")
        let log = try AdjudicationLogs.read(file: logFile)
        #expect(log.events.map(\.kind) == [.reveal, .decision, .decision])
        #expect(log.events[1].namesRevealed)
        #expect(!log.events[2].namesRevealed)
        let permissions = try FileManager.default.attributesOfItem(atPath: logFile.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)

        // The gold export: adjudicated where decided, unanimous where the humans agree, a tie listed.
        let export = try EndToEnd.run(["export", datasetFile.lastPathComponent, "--annotations", "annotations", "--gold", "gold.csv"], in: folder)
        #expect(export.status == 0, "\(export.stderr)")
        let gold = try String(contentsOf: folder.appendingPathComponent("gold.csv"), encoding: .utf8)
        #expect(gold == """
            item,answer,verdict,source
            alarm-1,no,appropriate,adjudicated
            si-1,yes,inappropriate,adjudicated
            agree-1,no,appropriate,unanimous
            split-1,,,tie

            """)

        // `status` reports the queue's progress (StatusCommand.adjudicationLines → AdjudicationStatus.statusLines).
        let status = try EndToEnd.run(["status", datasetFile.lastPathComponent, "--annotations", "annotations"], in: folder)
        #expect(status.stdout.contains("adjudication: 3 in queue, 2 decided, 1 remaining (human disagreement 1)"),
                "status must print the adjudication line; got: \(status.stdout)")
    }

    @Test(
        "a wide export read back by agreement --ratings gives the same coefficients as agreement on the dataset",
        .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
    func wideRoundTrip() throws {
        let folder = try EndToEnd.temporaryFolder("jr-adj-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (datasetFile, _) = try PlantedDataset.write(in: folder)
        let export = try EndToEnd.run(["export", datasetFile.lastPathComponent, "--annotations", "annotations", "--wide", "wide.csv"], in: folder)
        #expect(export.status == 0, "\(export.stderr)")
        let wide = try String(contentsOf: folder.appendingPathComponent("wide.csv"), encoding: .utf8)
        #expect(wide.hasPrefix("item,rater_mossbank,rater_quillfeather,judge:planted-judge\n"))

        let fromDataset = try EndToEnd.run(["agreement", datasetFile.lastPathComponent, "--annotations", "annotations", "--format", "json"], in: folder)
        #expect(fromDataset.status == 0, "\(fromDataset.stderr)")
        let fromRatings = try EndToEnd.run(["agreement", "--ratings", "wide.csv", "--format", "json"], in: folder)
        #expect(fromRatings.status == 0, "\(fromRatings.stderr)")
        let a = try #require(try JSONSerialization.jsonObject(with: Data(fromDataset.stdout.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(fromRatings.stdout.utf8)) as? [String: Any])
        let overallA = try #require(a["overall"] as? NSDictionary)
        let overallB = try #require(b["overall"] as? NSDictionary)
        #expect(overallA.count > 0)
        #expect(overallA == overallB)
        let pairsA = try #require(a["pairs"] as? NSArray)
        let pairsB = try #require(b["pairs"] as? NSArray)
        #expect(pairsA.count == 3)
        #expect(pairsA == pairsB)
    }
}

@Suite("Export and adjudicate commands: bad input")
struct ExportCommandBadInputTests {
    @Test(
        "every way out of adjudicate gives the terminal back as it was (q, Ctrl-C, Ctrl-D, SIGTERM, SIGHUP, a crash)",
        .enabled(if: TmuxSession.executable != nil, TmuxSession.missing),
        .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing),
        arguments: ["q", "C-c", "C-d", "TERM", "HUP", "SEGV"])
    func everyWayOutRestoresTheTerminal(way: String) throws {
        let folder = try EndToEnd.temporaryFolder("jr-adj-tty")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try PlantedDataset.write(in: folder)
        let command = wrappedCommand(["adjudicate", "planted.jsonl", "--adjudicator", "adj_carol", "--annotations", "annotations"])
        let session = try TmuxSession(
            shellCommand: command, environment: ["TERM": "xterm-256color", "SWIFT_BACKTRACE": "enable=no"], folder: folder)
        defer { session.kill() }
        try session.wait(forText: "decided")
        let signals: [String: Int32] = ["TERM": SIGTERM, "HUP": SIGHUP, "SEGV": SIGSEGV]
        if let number = signals[way] {
            let shell = try #require(Int32(session.panePID()))
            let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
            let child = try #require(children.split(separator: " ").compactMap { Int32($0) }.first)
            #expect(kill(child, number) == 0)
        } else {
            try session.send(way)
        }
        let screen = try session.wait(forText: "JR-EXIT=")
        #expect(screen.contains("TTY-RESTORED"), "the terminal was left changed after \(way)")
    }

    @Test("bad input ends with a one-line error and a non-zero exit, and writes nothing",
          .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
    func badInput() throws {
        let folder = try EndToEnd.temporaryFolder("jr-adj-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try PlantedDataset.write(in: folder)

        let noOutput = try EndToEnd.run(["export", "planted.jsonl"], in: folder)
        #expect(noOutput.status != 0)
        #expect(noOutput.stderr.contains("at least one of --gold, --long, --wide"))

        let missing = try EndToEnd.run(["export", "absent.jsonl", "--gold", "gold.csv"], in: folder)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("absent.jsonl: no such file"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("gold.csv").path))

        try Data("{\"id\": \"x\"}\n".utf8).write(to: folder.appendingPathComponent("broken.jsonl"))
        let broken = try EndToEnd.run(["export", "broken.jsonl", "--long", "long.csv"], in: folder)
        #expect(broken.status != 0)
        #expect(broken.stderr.contains("broken.jsonl:1:"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("long.csv").path))

        let noFolder = try EndToEnd.run(["export", "planted.jsonl", "--annotations", "annotations", "--long", "no/such/folder/long.csv"], in: folder)
        #expect(noFolder.status != 0)
        #expect(noFolder.stderr.contains("no/such/folder/long.csv"))

        // A FIFO (like /dev/null) is never replaced by the rename.
        let fifo = folder.appendingPathComponent("fifo.csv")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let special = try EndToEnd.run(["export", "planted.jsonl", "--annotations", "annotations", "--long", "fifo.csv"], in: folder)
        #expect(special.status != 0)
        #expect(special.stderr.contains("fifo.csv: is a FIFO, not a regular file; refusing to replace it"))
        let type = try FileManager.default.attributesOfItem(atPath: fifo.path)[.type] as? FileAttributeType
        #expect(type != nil && type != .typeRegular)

        let same = try EndToEnd.run(["export", "planted.jsonl", "--gold", "a.csv", "--wide", "./a.csv"], in: folder)
        #expect(same.status != 0)

        let badName = try EndToEnd.run(["adjudicate", "planted.jsonl", "--adjudicator", "../evil"], in: folder)
        #expect(badName.status != 0)
        #expect(badName.stderr.contains("--adjudicator"))
        let badKind = try EndToEnd.run(["adjudicate", "planted.jsonl", "--adjudicator", "carol", "--kind", "bogus"], in: folder)
        #expect(badKind.status != 0)
        #expect(badKind.stderr.contains("unknown --kind bogus"))
    }

    @Test("export writes long and wide files with the documented headers",
          .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
    func headers() throws {
        let folder = try EndToEnd.temporaryFolder("jr-adj-e2e")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try PlantedDataset.write(in: folder)
        let result = try EndToEnd.run(["export", "planted.jsonl", "--annotations", "annotations", "--long", "long.csv", "--gold", "gold.csv"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let long = try String(contentsOf: folder.appendingPathComponent("long.csv"), encoding: .utf8)
        #expect(long.hasPrefix("item,rater,answer,verdict,mode,judge_seen_first,at,seconds,first_answer,changed_from_first,flag,note,condition,model,steelman,context,stimulus_id,stratum,inclusion_probability\n"))
        // The judge's row is there whatever the store returns.
        #expect(long.contains("si-1,judge:planted-judge,no,appropriate,judge,,,,,,,,"), "\(long)")
        let gold = try String(contentsOf: folder.appendingPathComponent("gold.csv"), encoding: .utf8)
        #expect(gold.hasPrefix("item,answer,verdict,source\n"))
        let permissions = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("long.csv").path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }
}
