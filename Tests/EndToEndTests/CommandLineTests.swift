import Foundation
import Testing

/// `label` and `demo` where there is no terminal: every mistake is one clear line and a non-zero exit.
@Suite("label and demo without a terminal", .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
struct CommandLineTests {
    func run(_ arguments: [String]) throws -> Subprocess.Outcome {
        let folder = try EndToEnd.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try SmallDataset.write(in: folder)
        let replaced = arguments.map { $0 == "DATASET" ? dataset.path : $0 }
        return try EndToEnd.run(replaced, in: folder)
    }

    @Test("label refuses to run without a terminal and writes nothing")
    func noTerminal() throws {
        let folder = try EndToEnd.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try SmallDataset.write(in: folder)
        let result = try EndToEnd.run(["label", dataset.path, "--rater", "alice"], in: folder)
        #expect(result.status != 0)
        #expect(result.output.contains("needs a terminal"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Annotations").path))
    }

    @Test("rater names are checked", arguments: [
        ("judge:gpt", "reserved for the LLM judge"), ("a b", "may only hold letters"), ("../x", "starts with \".\""),
        ("", "empty"), ("al/ice", "may only hold letters"),
    ])
    func raterNames(name: String, message: String) throws {
        let result = try run(["label", "DATASET", "--rater", name])
        #expect(result.status != 0)
        #expect(result.output.contains(message))
    }

    @Test("option mistakes are one line each", arguments: [
        (["--mode", "sideways"], "The value 'sideways' is invalid for '--mode <mode>'. Please provide one of 'blind' and 'verdict'."),
        (["--order", "random"], "The value 'random' is invalid for '--order <order>'. Please provide one of 'file' and 'shuffled'."),
        (["--order", "file", "--seed", "3"], "--seed: only applies to --order shuffled"),
    ])
    func options(extra: [String], message: String) throws {
        let result = try run(["label", "DATASET", "--rater", "alice"] + extra)
        #expect(result.status != 0)
        #expect(result.output.contains(message))
    }

    @Test("a bad dataset names the file and line")
    func badDataset() throws {
        let folder = try EndToEnd.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("bad.jsonl")
        try Data("{\"id\": \"x\"}\n".utf8).write(to: file)
        let result = try EndToEnd.run(["label", file.path, "--rater", "alice"], in: folder)
        #expect(result.status != 0)
        #expect(result.output.contains("bad.jsonl:1:"))
        let missing = try EndToEnd.run(["label", folder.appendingPathComponent("none.jsonl").path, "--rater", "alice"], in: folder)
        #expect(missing.status != 0)
        #expect(missing.output.contains("none.jsonl: no such file"))
    }

    @Test("demo explains itself without a terminal; --check only checks the dataset")
    func demo() throws {
        let demoExists = FileManager.default.fileExists(
            atPath: EndToEnd.repositoryRoot.appendingPathComponent("Stimuli/demo/demo.jsonl").path)
        let plain = try EndToEnd.run(["demo"], in: EndToEnd.repositoryRoot)
        #expect(plain.status != 0)
        let checked = try EndToEnd.run(["demo", "--check"], in: EndToEnd.repositoryRoot)
        if demoExists {
            #expect(plain.output.contains("run `swift run judge-review demo`"))
            #expect(checked.status == 0)
            #expect(checked.output.contains("demo dataset:"))
        } else {
            #expect(plain.output.contains("Stimuli/demo/demo.jsonl: no such file"))
            #expect(checked.status != 0)
        }
    }
}

/// One exit-code convention for the whole tool (`ExitStatus`): the same kind of mistake gives the same status and
/// one line, `judge-review <command>: <message>`, in every command.
@Suite("One exit-code convention")
struct ExitConventionTests {
    @Test("a command line the command cannot take: exit 64 and one line naming the command, in every command", arguments: [
        (["label", "s", "--rater", "a b"], "judge-review label: --rater:"),
        (["adjudicate", "s", "--adjudicator", "a b"], "judge-review adjudicate: --adjudicator:"),
        (["report", "s", "--format", "pdf"], "judge-review report: The value 'pdf' is invalid for '--format"),
        (["agreement", "s", "--format", "pdf"], "judge-review agreement: The value 'pdf' is invalid for '--format"),
        (["plan", "kappa", "--kappa", "2", "--lower", "0.1", "--prevalence", "0.3"], "judge-review plan: --kappa"),
        (["plan", "rate", "--half-width", "x"], "judge-review plan rate:"),
        (["agreement", "s", "--bogus"], "judge-review agreement: Unknown option"),
        (["sample", "s", "--size"], "judge-review sample:"),
        (["sample", "s", "--size", "10", "--allocation", "sideways"], "judge-review sample: The value 'sideways' is invalid for '--allocation"),
        (["report", "s", "--adjust", "sidak"], "judge-review report: The value 'sidak' is invalid for '--adjust"),
        (["demo", "--mode", "x"], "judge-review demo: The value 'x' is invalid for '--mode"),
        (["no-such-command"], "judge-review:"),
    ])
    func usage(arguments: [String], prefix: String) throws {
        let folder = try EndToEnd.temporaryFolder("exit")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try EndToEnd.run(["init", "s"], in: folder)
        let outcome = try EndToEnd.run(arguments, in: folder)
        #expect(outcome.status == 64, "\(arguments): \(outcome.status) \(outcome.stderr)")
        #expect(outcome.stderr.hasPrefix(prefix) && outcome.stderr.split(separator: "\n").count == 1, "\(arguments): \(outcome.stderr)")
    }

    @Test("input the work cannot use (a missing file, a bad line): exit 1 and one line", arguments: [
        ["import", "nope.csv", "--to", "s"], ["agreement", "--ratings", "nope.csv"], ["status", "nope"],
    ])
    func failure(arguments: [String]) throws {
        let folder = try EndToEnd.temporaryFolder("exit")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try EndToEnd.run(["init", "s"], in: folder)
        let outcome = try EndToEnd.run(arguments, in: folder)
        #expect(outcome.status == 1, "\(arguments): \(outcome.status) \(outcome.stderr)")
        #expect(outcome.stderr.hasPrefix("judge-review \(arguments[0]): ") && outcome.stderr.split(separator: "\n").count == 1,
                "\(arguments): \(outcome.stderr)")
    }
}
