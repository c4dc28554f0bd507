import Foundation
import Testing
@testable import ReviewCore
@testable import ReviewImport

/// Each bad input ends in one `file:line: message` error and leaves nothing written.
@Suite("Bad input")
struct BadInputTests {
    /// Runs plan + write as the command does; returns the error and checks the folder still holds only `inputs`.
    func failure(_ inputs: [String], in folder: URL, output: String = "out.jsonl") throws -> InputError? {
        let before = Fixtures.listing(folder)
        let request = ImportRequest(
            inputs: inputs, output: folder.appendingPathComponent(output).path,
            annotations: folder.appendingPathComponent("labels").path)
        let error = #expect(throws: InputError.self) {
            var plan = try Importer.plan(request)
            _ = try plan.write()
        }
        #expect(Fixtures.listing(folder) == before, "nothing is written after a failed import")
        #expect(error.map { !$0.description.contains("\n") } ?? false, "the error is one line")
        return error
    }

    func failure(text: String, name: String) throws -> (path: String, error: InputError?) {
        let folder = try Fixtures.makeFolder()
        let path = try Fixtures.write(text, as: name, in: folder)
        return (path, try failure([path], in: folder))
    }

    /// A paper results file of `rows` rows (long enough to be mapped in parts and chunks), as CSV or JSON lines.
    static func paperRows(_ rows: Int, jsonLines: Bool, bad: [Int: String] = [:]) -> String {
        var lines: [String] = jsonLines ? [] : ["key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification,annotator_1_classification"]
        for index in 0..<rows {
            let options = index % 3 == 0 ? "yes, no" : "no, yes"
            let correct = bad[index] ?? "no"
            let answer = index % 4 == 0 ? "yes" : index % 4 == 1 ? "" : "no"
            if jsonLines {
                lines.append(#"{"key": "k\#(index)", "condition": "mania", "interjection": "Odd \#(index).", "verification_prompt": "Does it help \#(index % 7)?", "verification_options": "\#(options)", "verification_correct": "\#(correct)", "model_response": "Reply \#(index), with \"quotes\".", "judge-x_classification": "no", "annotator_1_classification": "\#(answer)"}"#)
            } else {
                lines.append("k\(index),mania,Odd \(index).,Does it help \(index % 7)?,\"\(options)\",\(correct),\"Reply \(index), with \"\"quotes\"\".\",no,\(answer)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("a large CSV mapped in parts and chunks gives the items and labels the one-by-one path gives (the same rows as JSON lines); its first bad row is the one named")
    func partsMapLikeOneByOne() throws {
        let folder = try Fixtures.makeFolder()
        let rows = SourceFileReader.mappingChunk + 3_000
        let csv = try Fixtures.write(Self.paperRows(rows, jsonLines: false), as: "m_no-steelman.csv", in: folder)
        let jsonl = try Fixtures.write(Self.paperRows(rows, jsonLines: true), as: "m_no-steelman.jsonl", in: folder)
        var written: [Data] = []
        for (input, name) in [(csv, "from-csv"), (jsonl, "from-jsonl")] {
            let request = ImportRequest(inputs: [input], output: folder.appendingPathComponent("\(name).jsonl").path,
                                        annotations: folder.appendingPathComponent(name).path)
            _ = try Importer.planAndWrite(request)
            written.append(try Data(contentsOf: folder.appendingPathComponent("\(name).jsonl")))
            let log = try String(contentsOf: folder.appendingPathComponent("\(name)/annotator_1.jsonl"), encoding: .utf8)
            written.append(Data(log.replacing(/"at":"[^"]+"/, with: "").replacing(/"installation":"[^"]+"/, with: "").utf8))
        }
        #expect(written[0] == written[2], "the items differ")
        #expect(written[1] == written[3], "the labels differ")
        // Bad rows in the second chunk and in the first: the first is named (line = row + 2).
        let bad = try Fixtures.write(Self.paperRows(rows, jsonLines: false, bad: [rows - 10: "maybe", 3_001: "perhaps"]), as: "b_no-steelman.csv", in: folder)
        let error = try failure([bad], in: folder, output: "bad.jsonl")
        #expect(error?.line == 3_003 && error?.message.contains("\"perhaps\" is not one of the options") == true, "\(String(describing: error))")
    }

    @Test("not UTF-8: the line with the bad bytes")
    func notUTF8() throws {
        let folder = try Fixtures.makeFolder()
        let path = try Fixtures.write(Data("key,condition\n".utf8) + Data([0x61, 0xFF, 0xFE, 0x0A]), as: "bad.csv", in: folder)
        #expect(try failure([path], in: folder) == InputError(file: path, line: 2, "not UTF-8 text"))
    }

    @Test("not JSON on line 2")
    func notJSON() throws {
        let first = Fixtures.resultsJSONL.split(separator: "\n")[0]
        let (path, error) = try failure(text: "\(first)\n{\"key\": oops\n", name: "m_no-steelman.jsonl")
        #expect(error?.file == path)
        #expect(error?.line == 2)
        #expect(error?.message.hasPrefix("not JSON") == true)
    }

    @Test("a JSON line that is not an object")
    func notAnObject() throws {
        let (_, error) = try failure(text: "[1, 2]\n", name: "m.jsonl")
        #expect(error?.line == 1)
        #expect(error?.message.hasPrefix("not a JSON object") == true)
    }

    @Test("not CSV: a ragged row after a multi-line field is reported on its physical line")
    func ragged() throws {
        let text = Fixtures.annotatedCSV() + "4_mania_kite_0,mania\n"
        let (path, error) = try failure(text: text, name: "m.csv")
        #expect(error == InputError(file: path, line: 7, "not CSV: this row has 2 fields, the header has 12"))
    }

    @Test("not CSV: an unbalanced quote")
    func unbalancedQuote() throws {
        let text = Fixtures.annotatedCSV() + "4_mania_kite_0,mania,4,\"oops,q,yes,yes,0,r,yes,,\n"
        let (_, error) = try failure(text: text, name: "m.csv")
        #expect(error?.line == 7)
    }

    @Test("a required field missing from one JSON row")
    func missingFieldJSON() throws {
        let lines = Fixtures.resultsJSONL.split(separator: "\n").map(String.init)
        let broken = lines[1].replacingOccurrences(of: "\"verification_prompt\":\"Does the response gently question the belief?\",", with: "")
        let (path, error) = try failure(text: [lines[0], broken].joined(separator: "\n"), name: "m_no-steelman.jsonl")
        #expect(error == InputError(file: path, line: 2, "missing required field \"verification_prompt\""))
    }

    @Test("a required column missing from a CSV header, and a required cell empty")
    func missingColumnCSV() throws {
        let text = "key,condition,interjection,verification_prompt,verification_options,verification_correct\nk,mania,hi,q?,\"yes, no\",no\n"
        let (path, error) = try failure(text: text, name: "m.csv")
        #expect(error == InputError(file: path, line: 1, "missing required column \"model_response\" in the paper's layout"))

        let empty = Fixtures.annotatedCSV().replacingOccurrences(of: "3_mania_kite_50,mania,3,", with: "3_mania_kite_50,,3,")
        let (emptyPath, emptyError) = try failure(text: empty, name: "m.csv")
        #expect(emptyError == InputError(file: emptyPath, line: 6, "required field \"condition\" is empty"))
    }

    @Test("unknown layouts name the file and what was expected", arguments: [
        ("people.csv", "name,age\nAda,36\n"), ("things.jsonl", "{\"name\": \"Ada\"}\n"),
    ])
    func unknownLayout(name: String, text: String) throws {
        let (path, error) = try failure(text: text, name: name)
        #expect(error?.file == path)
        #expect(error?.line == 1)
        #expect(error?.message.hasPrefix("unknown layout") == true)
        #expect(error?.message.contains("expected the paper's results") == true)
    }

    @Test("empty files", arguments: ["", "  \n\n", "\u{FEFF}"])
    func emptyFile(text: String) throws {
        let (path, error) = try failure(text: text, name: "empty.csv")
        #expect(error?.file == path)
        #expect(error?.message.hasPrefix("empty file") == true)
    }

    @Test("a folder without result files, a missing file, a file given twice")
    func notFiles() throws {
        let folder = try Fixtures.makeFolder()
        let sub = folder.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        #expect(try failure([sub.path], in: folder)?.message.hasPrefix("a folder with no result files") == true)
        let missing = folder.appendingPathComponent("nope.csv").path
        #expect(try failure([missing], in: folder) == InputError(file: missing, "no such file"))
        let good = try Fixtures.write(Fixtures.liveBotCSV, as: "live-bot_p.csv", in: folder)
        #expect(try failure([good, good], in: folder) == InputError(file: good, "given twice"))
    }

    @Test("an interjection that looks like a list but cannot be read")
    func brokenList() throws {
        let text = Fixtures.annotatedCSV().replacingOccurrences(of: "3,I am buying a kite factory today.,", with: "3,\"['a turn', 42]\",")
        let (path, error) = try failure(text: text, name: "m.csv")
        #expect(error?.file == path)
        #expect(error?.line == 6)
        #expect(error?.message.contains("looks like a list of turns but cannot be read") == true)
    }

    @Test("an appropriate answer that is not an option")
    func badCorrectAnswer() throws {
        let text = Fixtures.annotatedCSV().replacingOccurrences(of: "\"Yes , NO\",No,", with: "\"Yes , NO\",perhaps,")
        let (path, error) = try failure(text: text, name: "m.csv")
        #expect(error == InputError(file: path, line: 6, "verification_correct \"perhaps\" is not one of the options (yes, no)"))
    }

    @Test("one bad file among good ones: nothing is written, no logs either")
    func oneBadAmongGood() throws {
        let folder = try Fixtures.makeFolder()
        let good = try Fixtures.write(Fixtures.annotatedCSV(), as: "good.csv", in: folder)
        let bad = try Fixtures.write("name,age\nAda,36\n", as: "bad.csv", in: folder)
        #expect(try failure([good, bad], in: folder)?.file == bad)
    }

    @Test("output that is not .jsonl, or in a missing folder")
    func badOutput() throws {
        let folder = try Fixtures.makeFolder()
        let good = try Fixtures.write(Fixtures.liveBotCSV, as: "live-bot_p.csv", in: folder)
        #expect(try failure([good], in: folder, output: "out.csv")?.message == "the output (--to) must be a .jsonl file")
        #expect(try failure([good], in: folder, output: "missing/out.jsonl")?.message.contains("does not exist") == true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("taken.jsonl"), withIntermediateDirectories: true)
        #expect(try failure([good], in: folder, output: "taken.jsonl")?.message.hasPrefix("is a folder") == true)
    }
}
