import Foundation
import ReviewStatistics
import ReviewTestSupport
import Testing
@testable import ReviewCore
@testable import ReviewReport

#if canImport(Glibc)
import Glibc
#endif

/// What command output may hold and where command outputs may go.
@Suite("Output safety: guarded targets, sanitised text, tables, duplicate keys")
struct OutputSafetyTests {
    @Test("no output may be the dataset, a file in the annotation folder, or any log, lock, side or order file")
    func guardedTargets() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = temp.url.appendingPathComponent("ds.jsonl")
        let folder = temp.url.appendingPathComponent("Annotations/ds", isDirectory: true)
        let other = temp.url.appendingPathComponent("Annotations/other", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data().write(to: dataset)
        try Data().write(to: other.appendingPathComponent("bob.jsonl"))
        try Data().write(to: other.appendingPathComponent("bob.jsonl.lock"))
        let link = temp.url.appendingPathComponent("labels")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: folder.path)
        let guardrail = OutputGuard(dataset: dataset, annotationFolder: folder)
        let refused = [
            dataset.path, temp.url.path + "/sub/../ds.jsonl", folder.appendingPathComponent("lena.jsonl").path,
            folder.appendingPathComponent("adjudication/judge.jsonl").path, link.path + "/lena.jsonl",
            other.appendingPathComponent("bob.jsonl").path, other.appendingPathComponent("bob.jsonl.lock").path,
            temp.url.appendingPathComponent("x.jsonl.corrupt").path, temp.url.appendingPathComponent("lena.order.json").path,
        ]
        for path in refused {
            #expect(throws: InputError.self, "\(path) was accepted") { try guardrail.check(output: path) }
        }
        try guardrail.check(output: temp.url.appendingPathComponent("gold.csv").path)
        try guardrail.check(output: other.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("wide.csv").path)
    }

    @Test("command text keeps newlines and tabs and shows every other control, C1 and bidi override as a placeholder")
    func forOutput() {
        let hostile = "\u{1B}]0;TITLE\u{07}\u{1B}[2J a\tb\r\nc\u{9B}31m\u{202E}d\u{7F}"
        let safe = TextSanitizer.forOutput(hostile)
        #expect(!safe.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E })
        #expect(safe.contains("a\tb\nc"))
        #expect(safe.hasPrefix("␛]0;TITLE␇␛[2J"))
    }

    @Test("JSON output escapes controls, C1 and bidi overrides, so it stays exact and safe on a terminal")
    func jsonEscapes() {
        #expect(JSONValue.quoted("a\u{1B}b\u{9B}c\u{202E}") == "\"a\\u001bb\\u009bc\\u202e\"")
    }

    @Test("the text table pads columns, right-aligns numbers, cuts the last column and leaves no trailing space")
    func textTable() {
        let lines = TextTable.render(header: ["name", "n", "note"], rows: [["a", "10", ""], ["bbb", "2", "a long note"]],
                                     rightAligned: [1], rule: true, indent: "  ", width: 20)
        // The last column keeps at least 10 characters, so "a long note" (11) is cut to 9 and an ellipsis.
        #expect(lines == ["  name   n  note", "  ----  --  ----------", "  a     10", "  bbb    2  a long no…"])
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") })
        // Long padded cells cost what they print: 2,000 rows of 2,000-character names.
        let name = String(repeating: "x", count: 2_000)
        let wide = TextTable.render(header: ["rater", "value"], rows: (0..<2_000).map { ["\(name)\($0)", ""] })
        #expect(wide.count == 2_001)
        #expect(wide.allSatisfy { !$0.hasSuffix(" ") })
    }

    @Test("a key twice in one object is found, escapes decoded; the same key in different objects is not")
    func duplicateKeys() {
        #expect(DuplicateKeyScanner.firstDuplicate(in: Data(#"{"a":1,"b":2,"a":3}"#.utf8)) == "a")
        #expect(DuplicateKeyScanner.firstDuplicate(in: Data(#"{"a":1,"\u0061":2}"#.utf8)) == "a")
        #expect(DuplicateKeyScanner.firstDuplicate(in: Data(#"{"a":{"a":1},"b":[{"a":1},{"a":2}]}"#.utf8)) == nil)
        #expect(DuplicateKeyScanner.firstDuplicate(in: Data(#"{"s":"\"a\":1,\"a\":2","t":"{"}"#.utf8)) == nil)
        #expect(DuplicateKeyScanner.firstDuplicate(in: Data(#"{"x":[1,{"k":1,"k":2}]}"#.utf8)) == "k")
    }

    @Test("the engine leaves pairs out above the rater limit and refuses more categories than the limit, with a note")
    func engineLimits() {
        let raters = AgreementLimits.maximumRatersForPairs + 1
        let many = RatingTable(items: ["1", "2"], raters: (0..<raters).map { "r\($0)" }, categories: ["no", "yes"],
                               codes: (0..<(2 * raters)).map { Int32($0 % 2) })
        let summary = AgreementEngine.summarize(many, options: AgreementOptions())
        #expect(summary.pairs.isEmpty)
        #expect(summary.notes.contains { $0.contains("pairwise coefficients are left out above") })
        let categories = (0...AgreementLimits.maximumCategories).map { "c\($0)" }
        let wide = RatingTable(items: ["1"], raters: ["a", "b"], categories: categories, codes: [0, 1])
        let refused = AgreementEngine.summarize(wide, options: AgreementOptions(resamples: 10))
        #expect(refused.overall[.fleissKappa]?.value == nil)
        #expect(refused.overall[.fleissKappa]?.reason?.contains("more than \(AgreementLimits.maximumCategories) distinct categories") == true)
        #expect(AgreementLimits.resamplesProblem(1_000_000_000) != nil)
        #expect(AgreementLimits.resamplesProblem(AgreementLimits.maximumResamples) == nil)
        // A bootstrap estimated past the limit is refused with the largest resample count that fits.
        let heavy = AgreementLimits.bootstrapProblem(raters: 5, categories: 200, items: 20_000, resamples: 10_000)
        #expect(heavy?.contains("pass --resamples") == true)
        #expect(AgreementLimits.bootstrapProblem(raters: 3, categories: 5, items: 1_000_000, resamples: 1_000) == nil)
        #expect(AgreementLimits.bootstrapProblem(raters: 2, categories: 200, items: 20_000, resamples: 1_000) == nil)
    }
}
