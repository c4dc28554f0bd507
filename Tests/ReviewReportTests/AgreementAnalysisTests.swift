import Foundation
import ReviewStatistics
import Testing
@testable import ReviewCore
@testable import ReviewReport

@Suite("Agreement report formats")
struct AgreementAnalysisTests {
    /// A report with hand-made coefficients (one undefined, one with an interval) and the fixture's judge.
    func sampleReport(withGroups: Bool = false) throws -> AgreementAnalysis {
        let fixture = try JudgeFixture()
        defer { fixture.remove() }
        let labels = try fixture.currentLabels()
        let table = try DatasetRatings.table(items: fixture.items, labels: labels)
        let humans = StudyLabels.humanAnswers(labels)
        let judge = JudgeAnalysis.analyze(
            items: fixture.items, humanAnswers: humans, references: ReferenceLabels.build(humanAnswers: humans),
            options: JudgeAnalysisOptions(resamples: 50, seed: 1, referenceKind: "adjudicated"))
        let summary = AgreementSummary(
            overall: [
                .fleissKappa: CoefficientResult(value: 0.5, n: 9, standardError: 0.1, ciLow: 0.3, ciHigh: 0.7),
                .percentAgreement: CoefficientResult(value: 0.75, n: 9),
            ],
            pairs: [PairAgreement(raters: ["alice", "bob"], coefficients: [
                .cohenKappa: CoefficientResult(value: nil, n: 8, reason: "both raters used a single category"),
            ])],
            notes: ["2 rating code(s) outside the 2 categories were treated as missing"])
        let options = AgreementOptions(resamples: 50, seed: 1)
        var report = AgreementAnalysis(sourceKind: "dataset", source: "fixture", table: table, options: options, summary: summary, judge: judge)
        if withGroups {
            report.groupedBy = "model"
            report.groups = [ReportGroup(key: "m1", report: report)]
        }
        return report
    }

    func parse(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    @Test("JSON follows the contract: overall, pairs with raters, coefficient objects, null + reason, judge, groups")
    func jsonContract() throws {
        let json = try parse(try sampleReport(withGroups: true).rendered(as: .json))
        let overall = try #require(json["overall"] as? [String: Any])
        #expect(Set(overall.keys) == ["fleiss_kappa", "percent_agreement"])
        let fleiss = try #require(overall["fleiss_kappa"] as? [String: Any])
        #expect(fleiss["value"] as? Double == 0.5)
        #expect(fleiss["n"] as? Int == 9)
        #expect(fleiss["ci_low"] as? Double == 0.3)
        #expect(fleiss["ci_high"] as? Double == 0.7)
        #expect(fleiss["se"] as? Double == 0.1)
        let percent = try #require(overall["percent_agreement"] as? [String: Any])
        #expect(percent["ci_low"] == nil)
        let pairs = try #require(json["pairs"] as? [[String: Any]])
        #expect(pairs.count == 1)
        #expect(pairs[0]["raters"] as? [String] == ["alice", "bob"])
        let kappa = try #require(pairs[0]["cohen_kappa"] as? [String: Any])
        #expect(kappa["value"] is NSNull)
        #expect(kappa["reason"] as? String == "both raters used a single category")

        let judge = try #require(json["judge"] as? [String: Any])
        #expect(judge["raters"] as? [String] == ["judge:j"])
        let sources = try #require(judge["reference_sources"] as? [String: Int])
        #expect(sources == ["adjudicated": 0, "unanimous": 5, "majority": 0, "single": 1, "tie": 3])
        let reference = try #require(judge["against_reference"] as? [String: Any])
        let confusion = try #require(reference["confusion"] as? [String: Int])
        #expect(confusion == ["true_positive": 2, "false_positive": 1, "false_negative": 0, "true_negative": 3])
        let sensitivity = try #require(reference["sensitivity"] as? [String: Any])
        #expect(sensitivity["value"] as? Double == 1)
        #expect(sensitivity["ci_low"] is Double)
        let rates = try #require(judge["rates"] as? [[String: Any]])
        #expect(rates.count == 3)
        #expect(rates[0]["model"] is NSNull)
        let corrected = try #require(rates[0]["corrected"] as? [String: Any])
        #expect(corrected["value"] is Double)
        // An interval is a number or null with the note saying why; every estimate says whether it may be trusted.
        for key in ["ci_low", "ci_high", "design_effect", "clusters", "trusted", "note"] { #expect(corrected[key] != nil, "\(key)") }
        #expect(json["notes"] as? [String] == ["2 rating code(s) outside the 2 categories were treated as missing"])
        #expect(json["by"] as? String == "model")
        let groups = try #require(json["groups"] as? [[String: Any]])
        #expect(groups.first?["key"] as? String == "m1")
        #expect(groups.first?["overall"] is [String: Any])
    }

    @Test("every coefficient kind in a summary is written under its raw value")
    func everyKind() throws {
        var overall: [CoefficientKind: CoefficientResult] = [:]
        for (index, kind) in CoefficientKind.allCases.enumerated() { overall[kind] = CoefficientResult(value: Double(index) / 10, n: 5) }
        let table = RatingTable(items: ["a"], raters: ["x", "y"], categories: ["0", "1"], codes: [0, 1])
        let report = AgreementAnalysis(sourceKind: "ratings", source: "t.csv", table: table, options: AgreementOptions(), summary: AgreementSummary(overall: overall, pairs: []))
        let json = try parse(report.rendered(as: .json))
        let keys = try #require(json["overall"] as? [String: Any]).keys
        #expect(Set(keys) == Set(CoefficientKind.allCases.map(\.rawValue)))
        #expect(json["judge"] == nil && json["groups"] == nil && json["notes"] == nil)
        let csv = report.rendered(as: .csv)
        for kind in CoefficientKind.allCases { #expect(csv.contains(",\(kind.rawValue),")) }
    }

    @Test("text is an aligned table per section")
    func text() throws {
        let text = try sampleReport().rendered(as: .text)
        #expect(text.hasPrefix("dataset fixture: 9 items, 3 raters (alice, bob, judge:j)"))
        #expect(text.contains("intervals: 95% percentile bootstrap, 50 resamples, seed 1, resampling items; percent agreement continuity-corrected Wilson, and no chance-corrected interval narrower than that bound\nnote: 2 rating code(s) outside"))
        #expect(text.contains("judge:j against the human reference (adjudicated; positive = inappropriate)"))
        let lines = text.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("  scope") })
        // The value column is right-aligned: every row of the first table ends its value at the same column.
        let valueEnd = try #require(lines[header].range(of: "value")?.upperBound).utf16Offset(in: lines[header])
        for line in lines[(header + 2)...(header + 3)] {
            let index = line.index(line.startIndex, offsetBy: valueEnd - 1)
            #expect(line[index] != " ", "value column misaligned: \(line)")
        }
        #expect(text.contains("fleiss_kappa"))
        #expect(text.contains("[0.3000, 0.7000]"))
        #expect(text.contains("undefined"))
        #expect(text.contains("both raters used a single category"))
    }

    @Test("markdown has a heading and a pipe table per section")
    func markdown() throws {
        let markdown = try sampleReport().rendered(as: .markdown)
        #expect(markdown.hasPrefix("# Agreement\n"))
        #expect(markdown.contains("\n## Pairs\n\n| scope | measure | value | n | interval | se | note |\n"))
        #expect(markdown.contains("| alice × bob | cohen\\_kappa | undefined | 8 |"))
        #expect(markdown.contains("| all models | rogan-gladen \\* |"))
    }

    @Test("CSV has one row per measure with the same number of fields")
    func csv() throws {
        let csv = try sampleReport(withGroups: true).rendered(as: .csv)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "section,scope,measure,value,n,ci_low,ci_high,se,note")
        #expect(csv.contains("All raters (3),all,fleiss_kappa,0.5,9,0.3,0.7,0.1,"))
        #expect(csv.contains("model = m1: All raters (3),all,fleiss_kappa"))
        #expect(csv.contains(",reference,true positive,2,"))
    }

    @Test("undefined and non-finite numbers are JSON null")
    func nulls() {
        #expect(JSONValue.render(.number(nil)) == "null")
        #expect(JSONValue.render(.number(.nan)) == "null")
        #expect(JSONValue.render(.number(.infinity)) == "null")
        #expect(JSONValue.render(.object([("a", .double(0.9587)), ("b", .string("q\"\n"))])) == "{\n  \"a\": 0.9587,\n  \"b\": \"q\\\"\\n\"\n}")
    }
}

@Suite("Escaping for the format text lands in")
struct OutputEscapingTests {
    @Test("CSV cells a spreadsheet would run as a formula get a leading quote (OWASP); numbers stay numbers")
    func csvFormulaInjection() {
        #expect(CSVText.field("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"")
        #expect(CSVText.field("+1+2") == "'+1+2")
        #expect(CSVText.field("-cmd|' /C calc'!A0") == "'-cmd|' /C calc'!A0")
        #expect(CSVText.field("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSVText.field("\tx") == "'\tx")
        #expect(CSVText.field("-0.034") == "-0.034")
        #expect(CSVText.field("+1e-3") == "+1e-3")
        #expect(CSVText.field("mania") == "mania")
    }

    @Test("Markdown: raw HTML, links, emphasis and cell breaks from the data are escaped")
    func markdownEscaping() {
        let hostile = MarkdownText.escaped("mania<img src=x onerror=alert(1)> [a](javascript:x) *b* | c")
        #expect(!hostile.contains("<") && !hostile.contains(">"))
        #expect(hostile.contains("&lt;img") && hostile.contains("\\[a\\]\\(javascript:x\\)") && hostile.contains("\\*b\\*") && hostile.contains("\\|"))
        #expect(MarkdownText.escaped("line\nbreak").contains("\n") == false)
    }
}

@Suite("Memory budget")
struct MemoryBudgetTests {
    @Test("an input that would pass the address-space limit is refused in one line naming it; no limit, no check")
    func budget() throws {
        #expect(throws: InputError.self) {
            try MemoryBudget.check(bytes: 100 << 20, factor: 16, file: "big.csv", limit: 1 << 30)
        }
        try MemoryBudget.check(bytes: 10 << 20, factor: 16, file: "small.csv", limit: 1 << 30)
        try MemoryBudget.check(bytes: 100 << 30, factor: 16, file: "huge.csv", limit: nil)
    }
}

@Suite("Clinicians only, beside all raters")
struct HumansOnlyAgreementTests {
    @Test("a table with the judge also reports the clinicians alone: the coefficients of the table without the judge's column")
    func humansOnly() throws {
        let fixture = try JudgeFixture()
        defer { fixture.remove() }
        let table = try DatasetRatings.table(items: fixture.items, labels: try fixture.currentLabels())
        #expect(table.raters == ["alice", "bob", "judge:j"])
        let options = AgreementOptions(resamples: 0, seed: 1)
        let report = AgreementAnalysis(sourceKind: "dataset", source: "fixture", table: table, options: options,
                                       summary: AgreementEngine.summarize(table, options: options))
        let humans = try #require(report.humansOnly)
        let pair = try #require(report.summary.pairs.first { $0.raters == ["alice", "bob"] })
        // Two clinicians: their overall Cohen's kappa is the alice × bob pair's, on the items either labelled.
        #expect(humans[.cohenKappa]?.value == pair.coefficients[.cohenKappa]?.value)
        #expect(humans[.fleissKappa]?.value != report.summary.overall[.fleissKappa]?.value)
        let text = try report.rendered(as: .text)
        #expect(text.contains("Clinicians only (2, without the judge)"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try report.rendered(as: .json).utf8)) as? [String: Any])
        #expect(json["humans_only"] is [String: Any])
    }
}

@Suite("Agreement intervals that cannot be trusted say so")
struct AgreementBoundaryNoteTests {
    @Test("a zero-width interval from a finite sample, and one from few items, carry a note and trusted: false")
    func flagged() throws {
        let perfect = AgreementAnalysis.flagged(CoefficientResult(value: 1, n: 30, ciLow: 1, ciHigh: 1))
        #expect(perfect.reason?.hasPrefix("NOT TRUSTED: a zero-width interval from 30 items") == true)
        let few = AgreementAnalysis.flagged(CoefficientResult(value: 0.6, n: 20, ciLow: 0.2, ciHigh: 0.9))
        #expect(few.reason?.contains("only 20 items: the interval cannot mean much") == true)
        let fine = AgreementAnalysis.flagged(CoefficientResult(value: 0.6, n: 200, ciLow: 0.5, ciHigh: 0.7))
        #expect(fine.reason == nil)
        let json = JSONValue.render(AgreementAnalysis.coefficientJSON(perfect)).replacingOccurrences(of: " ", with: "")
        #expect(json.contains("\"trusted\":false"))
    }
}
