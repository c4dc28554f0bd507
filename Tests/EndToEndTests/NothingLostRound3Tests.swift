import Foundation
import ReviewCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 22's command-level defects, each through the built binary: file modes under the umask, the study's own
/// files guarded from every output, one lock for writers of a study.
@Suite("Nothing lost, round 3 (built binary)", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct NothingLostRound3Tests {
    /// Runs the binary through sh with `umask` set first.
    static func run(umask: String, _ arguments: [String], in folder: URL) throws -> Subprocess.Outcome {
        let binary = try #require(EndToEnd.binary)
        let command = "umask \(umask); exec " + ([binary.path] + arguments).map(EndToEnd.shellQuoted).joined(separator: " ")
        return try Subprocess.run("/bin/sh", ["-c", command], in: folder)
    }

    /// The mode bits of a file or folder.
    static func mode(_ url: URL) -> mode_t {
        var info = stat()
        _ = lstat(url.path, &info)
        return info.st_mode & 0o777
    }

    @Test("with umask 077 every file written is owner-only: a group-readable study, its items, logs, sample, reports, exports")
    func umaskHonoured() throws {
        let folder = try ReportCommandTests.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        let steps: [[String]] = [
            ["init", "g", "--group-readable"],
            ["import", "a_no-steelman.csv", "--to", "g", "--group-readable"],
            ["import", "a_no-steelman.csv", "--to", "plain.jsonl"],
            ["report", "s", "--resamples", "0", "--output", "report.html", "--format", "html"],
            ["agreement", "s", "--resamples", "0", "--output", "agreement.txt"],
            ["sample", "s", "--size", "20", "--group-readable"],
            ["export", "s", "--wide", "wide.csv"],
        ]
        for step in steps {
            let outcome = try Self.run(umask: "077", step, in: folder)
            #expect(outcome.status == 0, "\(step): \(outcome.stderr)")
        }
        let written = ["g/study.json", "g/items.jsonl", "g/Annotations/annotator_1.jsonl", "plain.jsonl", "report.html",
                       "agreement.txt", "s/sample.json", "wide.csv"]
        for name in written {
            let url = folder.appendingPathComponent(name)
            #expect(FileManager.default.fileExists(atPath: url.path), "\(name) was not written")
            #expect(Self.mode(url) & 0o077 == 0, "\(name) is \(String(Self.mode(url), radix: 8)) under umask 077")
        }
        // With the usual umask a group-readable study is readable by the group, and outputs stay owner-only.
        #expect(try Self.run(umask: "022", ["init", "h", "--group-readable"], in: folder).status == 0)
        #expect(Self.mode(folder.appendingPathComponent("h/study.json")) == 0o640)
        #expect(try Self.run(umask: "022", ["report", "s", "--resamples", "0", "--output", "r2.txt"], in: folder).status == 0)
        #expect(Self.mode(folder.appendingPathComponent("r2.txt")) == 0o600)
    }

    /// A study with `rows` judged rows in each of two run files, annotator_1 labelling the first two thirds.
    static func bigStudy(rows: Int) throws -> URL {
        let folder = try EndToEnd.temporaryFolder("nothing-lost")
        let header = "key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification,annotator_1_classification"
        for (file, word) in [("a_no-steelman.csv", "Reply"), ("b_no-steelman.csv", "Answer")] {
            var lines = [header]
            for index in 0..<rows {
                let judge = index % 4 == 0 ? "no" : "yes"
                lines.append("k\(index)_\(index % 3),mania,I feel odd \(index % 5).,Does it help?,\"yes, no\",yes,\(word) \(index).,\(judge),\(index < rows * 2 / 3 ? judge : "")")
            }
            try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        #expect(try EndToEnd.run(["init", "s"], in: folder).status == 0)
        return folder
    }

    /// Lines of a file (0 when it is missing).
    static func lineCount(_ url: URL) -> Int {
        guard let data = try? Data(contentsOf: url) else { return 0 }
        return data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    @Test("two imports into one study at once: the second waits for the first, and both files' items are kept")
    func concurrentImports() throws {
        for round in 0..<4 {
            let folder = try Self.bigStudy(rows: 3_000)
            defer { try? FileManager.default.removeItem(at: folder) }
            let binary = try #require(EndToEnd.binary)
            let errors = folder.appendingPathComponent("stderr").path
            let first = try Subprocess.spawn(binary.path, ["import", "a_no-steelman.csv", "--to", "s"], in: folder, stdout: .file(folder.appendingPathComponent("out1").path), stderrPath: errors)
            let second = try Subprocess.spawn(binary.path, ["import", "b_no-steelman.csv", "--to", "s"], in: folder, stdout: .file(folder.appendingPathComponent("out2").path), stderrPath: errors)
            let statuses = [Subprocess.wait(first), Subprocess.wait(second)]
            let stderr = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            let items = Self.lineCount(folder.appendingPathComponent("s/items.jsonl"))
            let succeeded = statuses.filter { $0 == 0 }.count
            #expect(items == 3_000 * succeeded, "round \(round): \(items) items after \(succeeded) successful imports; \(stderr)")
            // Whichever lost the race waited (5 s is far longer than an import of 3,000 rows) or said who held the study.
            #expect(succeeded == 2 || stderr.contains("another command is writing this study"), "round \(round): \(stderr)")
        }
    }

    @Test("no output replaces a study's own files (every kind: settings, items, sample, assignment, lock, journal) or a label log")
    func outputsNeverReplaceStudyFiles() throws {
        let folder = try ReportCommandTests.study()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try EndToEnd.run(["sample", "s", "--size", "20", "--seed", "1"], in: folder).status == 0)
        #expect(try EndToEnd.run(["assign", "s", "--raters", "x,y", "--overlap", "1", "--seed", "1"], in: folder).status == 0)
        let names = Study.ownFiles.map(\.name) + ["Annotations/annotator_1.jsonl"]
        let before = names.map { try? Data(contentsOf: folder.appendingPathComponent("s/\($0)")) }
        for name in names {
            for command in [["agreement", "s", "--resamples", "0", "--output", "s/\(name)"],
                            ["report", "s", "--resamples", "0", "--output", "s/\(name)"],
                            ["export", "s", "--wide", "s/\(name)"],
                            ["import", "a_no-steelman.csv", "--to", "s/\(name)"]] {
                let outcome = try EndToEnd.run(command, in: folder)
                #expect(outcome.status != 0, "\(command) exited 0")
                #expect(outcome.stderr.contains(name), "\(command): \(outcome.stderr)")
            }
        }
        let after = names.map { try? Data(contentsOf: folder.appendingPathComponent("s/\($0)")) }
        #expect(before == after)
        #expect(try EndToEnd.run(["status", "s"], in: folder).status == 0)
    }

    @Test("importing an unchanged file again never undoes a clinician's revision of an imported label")
    func reimportKeepsRevision() throws {
        let folder = try Self.bigStudy(rows: 30)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try EndToEnd.run(["import", "a_no-steelman.csv", "--to", "s"], in: folder).status == 0)
        let study = Study(folder: folder.appendingPathComponent("s"))
        let dataset = try study.dataset()
        let log = try RaterLog(folder: study.annotationFolder, rater: "annotator_1")
        let item = dataset.items[1]
        let imported = try #require(log.replay(against: dataset).current(at: 1))
        let revised = imported.answer == "yes" ? "no" : "yes"
        try log.append(LabelEvent.label(item: item, rater: "annotator_1", answer: revised, mode: .blind, judgeSeenFirst: false, revises: imported.answer, at: Date()))
        log.close()
        let again = try EndToEnd.run(["import", "a_no-steelman.csv", "--to", "s"], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        let events = try CurrentLabels.readEvents(file: StudyLayout.logFile(folder: study.annotationFolder, rater: "annotator_1")).events
        let replay = RaterReplay(rater: "annotator_1", events: events, dataset: dataset)
        #expect(replay.current(at: 1)?.answer == revised, "the re-import undid the revision: \(again.stdout)")
        #expect(events.count == 21, "the re-import appended \(events.count - 21) events")
    }

    @Test("an import killed at any moment leaves the study all or none once the next command opens it; no temporary files stay")
    func killedImportsAreAllOrNone() throws {
        let folder = try Self.bigStudy(rows: 4_000)
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try #require(EndToEnd.binary)
        #expect(try EndToEnd.run(["import", "a_no-steelman.csv", "--to", "s"], in: folder).status == 0)
        let study = folder.appendingPathComponent("s")
        let itemsFile = study.appendingPathComponent("items.jsonl")
        let logFile = study.appendingPathComponent("Annotations/annotator_1.jsonl")
        let baseItems = Self.lineCount(itemsFile)
        let baseLabels = Self.lineCount(logFile)
        var seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var outcomes: [String: Int] = [:]
        for round in 0..<12 {
            let errors = folder.appendingPathComponent("stderr-\(round)").path
            let child = try Subprocess.spawn(binary.path, ["import", "b_no-steelman.csv", "--to", "s"], in: folder, stdout: .file("/dev/null"), stderrPath: errors)
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            usleep(UInt32(20_000 + (seed >> 33) % 400_000))
            kill(child.pid, SIGKILL)
            _ = Subprocess.wait(child)
            let status = try EndToEnd.run(["status", "s"], in: folder)
            #expect(status.status == 0, "round \(round): \(status.stderr)")
            let items = Self.lineCount(itemsFile)
            let labels = Self.lineCount(logFile)
            let complete = items == baseItems * 2 && labels == baseLabels * 2
            let none = items == baseItems && labels == baseLabels
            #expect(complete || none, "round \(round): \(items) items, \(labels) labels (base \(baseItems), \(baseLabels))")
            outcomes[complete ? (none ? "none" : "complete") : "none", default: 0] += 1
            #expect(!FileManager.default.fileExists(atPath: study.appendingPathComponent("write.journal").path))
            if complete {
                // Undo by starting again from the first file only.
                try? FileManager.default.removeItem(at: study)
                #expect(try EndToEnd.run(["init", "s"], in: folder).status == 0)
                #expect(try EndToEnd.run(["import", "a_no-steelman.csv", "--to", "s"], in: folder).status == 0)
            }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: study.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test("under a memory limit (ulimit -v) import and report end with a one-line error before reading, never a crash")
    func memoryLimit() throws {
        let folder = try Self.bigStudy(rows: 60_000)
        defer { try? FileManager.default.removeItem(at: folder) }
        let study = folder.appendingPathComponent("s")
        let before = try Data(contentsOf: study.appendingPathComponent("items.jsonl"))
        let refused = try Self.run(umask: "077; ulimit -v 200000", ["import", "a_no-steelman.csv", "--to", "s"], in: folder)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1 && refused.stderr.contains("ulimit -v"), "\(refused.stderr)")
        #expect(try Data(contentsOf: study.appendingPathComponent("items.jsonl")) == before)
        #expect(try EndToEnd.run(["import", "a_no-steelman.csv", "--to", "s"], in: folder).status == 0)
        let report = try Self.run(umask: "077; ulimit -v 180000", ["report", "s", "--resamples", "0"], in: folder)
        #expect(report.status == 1 && report.stderr.contains("ulimit -v") && !report.stderr.contains("Fatal"), "\(report.stderr)")
    }
}
