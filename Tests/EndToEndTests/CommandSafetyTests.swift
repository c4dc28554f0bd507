import Foundation
import ReviewStatistics
import ReviewCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Whether text holds anything a terminal would act on: a byte below 0x20 other than newline and tab, DEL, a C1
/// control or a bidi override.
func holdsTerminalControls(_ text: String) -> Bool {
    text.unicodeScalars.contains { scalar in
        (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
            || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }
}

/// Commands run beside a live labelling session, and commands fed hostile bytes, as the built binary.
@Suite("Commands: the tool's own data and the terminal stay safe", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct CommandSafetyTests {
    /// A dataset with a rater whose session is open (its log locked and holding saved labels) in this process.
    struct LiveSession {
        let folder: URL
        let log: RaterLog
        let logFile: URL
        let savedBytes: Data

        init() throws {
            folder = try EndToEnd.temporaryFolder("safety")
            let dataset = try SmallDataset.write(in: folder)
            let annotations = folder.appendingPathComponent("Annotations/small", isDirectory: true)
            log = try RaterLog(folder: annotations, rater: "lena")
            for item in try Dataset.read(from: dataset).items {
                try log.append(LabelEvent.label(item: item, rater: "lena", answer: "yes", mode: .blind, judgeSeenFirst: false, at: Date()))
            }
            logFile = log.log.file
            savedBytes = try Data(contentsOf: logFile)
        }

        func end() {
            log.close()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    @Test("no command run beside a live session can replace its log, its lock or the dataset; its labels survive")
    func liveSessionSurvives() throws {
        let session = try LiveSession()
        defer { session.end() }
        let log = "Annotations/small/lena.jsonl"
        let attempts: [[String]] = [
            ["export", "small.jsonl", "--long", log], ["export", "small.jsonl", "--gold", log + ".lock"],
            ["export", "small.jsonl", "--wide", "small.jsonl"], ["export", "small.jsonl", "--long", "Annotations/small/new.csv"],
            ["export", "small.jsonl", "--long", "./x/../" + log],
            ["agreement", "small.jsonl", "--output", log], ["agreement", "small.jsonl", "--output", "small.jsonl"],
            ["import", "small.jsonl", "--to", "Annotations/small/lena.jsonl"],
        ]
        for arguments in attempts {
            let outcome = try EndToEnd.run(arguments, in: session.folder)
            #expect(outcome.status != 0, "\(arguments) was allowed")
            #expect(outcome.stderr.hasPrefix("judge-review \(arguments[0]): "), "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(arguments): \(outcome.stderr)")
        }
        #expect(try Data(contentsOf: session.logFile) == session.savedBytes, "a command changed the live log")
        // The session can go on saving, and status sees every label.
        let item = try #require(try Dataset.read(from: session.folder.appendingPathComponent("small.jsonl")).items.first)
        try session.log.append(LabelEvent.label(item: item, rater: "lena", answer: "no", mode: .blind, judgeSeenFirst: false, at: Date()))
        let status = try EndToEnd.run(["status", "small.jsonl"], in: session.folder)
        #expect(status.status == 0)
        #expect(status.stdout.contains("5/5"))
    }

    @Test("export writes all of its outputs or none; - sends one table to standard output")
    func exportAllOrNone() throws {
        let session = try LiveSession()
        defer { session.end() }
        let failed = try EndToEnd.run(["export", "small.jsonl", "--gold", "gold.csv", "--long", "no/such/folder/long.csv"], in: session.folder)
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("no/such/folder/long.csv"))
        #expect(!FileManager.default.fileExists(atPath: session.folder.appendingPathComponent("gold.csv").path), "one output was written, not none")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: session.folder.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)

        let piped = try EndToEnd.run(["export", "small.jsonl", "--wide", "-", "--gold", "gold.csv"], in: session.folder)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.hasPrefix("item,"))
        #expect(!piped.stdout.contains("wrote "))
        #expect(piped.stderr.contains("wrote gold.csv"))
        #expect(FileManager.default.fileExists(atPath: session.folder.appendingPathComponent("gold.csv").path))
        let twice = try EndToEnd.run(["export", "small.jsonl", "--wide", "-", "--gold", "-"], in: session.folder)
        #expect(twice.status != 0)
    }

    @Test("bytes from input files never reach the terminal: agreement, status and import output are sanitised")
    func hostileBytesSanitised() throws {
        let folder = try EndToEnd.temporaryFolder("safety")
        defer { try? FileManager.default.removeItem(at: folder) }
        let title = "\u{1B}]0;TITLE\u{07}\u{1B}[2J"
        try "item,a,\(title)b\n1,x,y\n2,x,\(title)\n".write(to: folder.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        let agreement = try runAgreement(["--ratings", "t.csv", "--categories", "x,y"], in: folder)
        #expect(agreement.status != 0)
        #expect(agreement.stderr.contains("is not one of --categories"))
        #expect(!holdsTerminalControls(agreement.stderr + agreement.stdout), "\(agreement.stderr.debugDescription)")
        let text = try runAgreement(["--ratings", "t.csv", "--resamples", "0"], in: folder)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(!holdsTerminalControls(text.stdout + text.stderr))

        // A log whose file name carries escapes, in a dataset's annotation folder.
        _ = try SmallDataset.write(in: folder)
        let annotations = folder.appendingPathComponent("Annotations/small", isDirectory: true)
        try FileManager.default.createDirectory(at: annotations, withIntermediateDirectories: true)
        try Data("{\"not\": \"a label\(title)\"}\n".utf8).write(to: annotations.appendingPathComponent("x\(title).jsonl"))
        let status = try EndToEnd.run(["status", "small.jsonl"], in: folder)
        #expect(!holdsTerminalControls(status.stdout + status.stderr), "\(status.stdout.debugDescription) \(status.stderr.debugDescription)")

        // A judge column named with escapes, echoed by the import summary.
        let csv = "key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,\(title)_classification\n"
            + "k1,mania,I feel great.,Is it fine?,\"yes, no\",no,Sure.,yes\n"
        try csv.write(to: folder.appendingPathComponent("hostile.csv"), atomically: true, encoding: .utf8)
        let imported = try EndToEnd.run(["import", "hostile.csv", "--to", "hostile.jsonl"], in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(!holdsTerminalControls(imported.stdout + imported.stderr), "\(imported.stdout.debugDescription)")
    }

    @Test("hostile numbers and tables end at once with a clear error or a bounded result")
    func hostileOptionsAndTables() throws {
        let folder = try EndToEnd.temporaryFolder("safety")
        defer { try? FileManager.default.removeItem(at: folder) }
        try "item,a,b\n1,x,y\n2,x,x\n".write(to: folder.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        let huge = try runAgreement(["--ratings", "t.csv", "--resamples", "1000000000"], in: folder)
        #expect(huge.status != 0)
        #expect(huge.stderr.contains("more than \(AgreementLimits.maximumResamples)"))
        let negative = try runAgreement(["--ratings", "t.csv", "--seed", "-1"], in: folder)
        #expect(negative.status != 0)
        #expect(negative.stderr.contains("a seed cannot be negative"))
        let label = try EndToEnd.run(["label", "t.csv", "--rater", "a", "--seed", "-1"], in: folder)
        #expect(label.stderr.contains("a seed cannot be negative"))

        // 100 raters with 150-character names: no pairs section (4,950 pairs), a note saying so, and a bounded text.
        let names = (0..<100).map { "rater_" + String(repeating: "x", count: 150) + "\($0)" }
        let rows = (0..<10).map { row in "i\(row)," + names.indices.map { ($0 + row).isMultiple(of: 3) ? "a" : "b" }.joined(separator: ",") }
        try (["item," + names.joined(separator: ",")] + rows).joined(separator: "\n").write(
            to: folder.appendingPathComponent("long.csv"), atomically: true, encoding: .utf8)
        let long = try runAgreement(["--ratings", "long.csv"], in: folder)
        #expect(long.status == 0, "\(long.stderr)")
        #expect(long.stdout.contains("pairwise coefficients are left out above \(AgreementLimits.maximumRatersForPairs) raters"))
        #expect(long.stdout.utf8.count < 100_000)
    }
}
