import Foundation
import Testing
@testable import ReviewCore

@Suite("Label exports")
struct ExportTests {
    typealias F = AdjudicationFixture

    func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    @Test("RFC 4180: fields with comma, quote, CR or LF are quoted and inner quotes doubled")
    func quoting() {
        #expect(CSVText.field("plain") == "plain")
        #expect(CSVText.field("a,b") == "\"a,b\"")
        #expect(CSVText.field("say \"no\"") == "\"say \"\"no\"\"\"")
        #expect(CSVText.field("two\nlines") == "\"two\nlines\"")
        #expect(CSVText.field("cr\r") == "\"cr\r\"")
        #expect(CSVText.field("") == "")
        #expect(text(CSVText.document(header: ["a", "b"], rows: [["1", "x,y"], ["", ""]])) == "a,b\n1,\"x,y\"\n,\n")
    }

    @Test("gold: one row per referenced item in dataset order; a tie has an empty answer and source tie")
    func gold() {
        let items = [F.item("i1", "mania", judge: "no"), F.item("i,2", "mania", judge: "no"), F.item("i3", "mania", judge: "no"), F.item("i4", "mania", judge: "no")]
        let dataset = Dataset(name: "d", items: items)
        let reference: [String: ReferenceLabel] = [
            "i3": ReferenceLabel(answer: "yes", source: .majority, raters: 3),
            "i1": ReferenceLabel(answer: "no", source: .adjudicated, raters: 2),
            "i,2": ReferenceLabel(answer: nil, source: .tie, raters: 2),
        ]
        #expect(text(LabelExports.goldCSV(LabelExports.goldRows(dataset: dataset, reference: reference))) == """
            item,answer,verdict,source
            i1,no,appropriate,adjudicated
            "i,2",,,tie
            i3,yes,inappropriate,majority

            """)
    }

    @Test("long: one row per current label, humans sorted, then the judge as judge:<model> with mode judge")
    func long() throws {
        let a = F.item("a", "mania", judge: "yes")
        let b = Item(
            id: "b", experiment: .acuteSymptom, condition: "mania", stimulus: "s", subject: SubjectModel(name: "m"),
            response: "r", criterion: F.criterion, judge: nil)
        let c = F.item("c", "mania", judge: nil)
        let dataset = Dataset(name: "d", items: [a, b, c])
        var labels = F.labels([(a, "zoe", "no"), (a, "adam", "yes"), (b, "zoe", "yes")])
        labels["zoe"]?["a"]?.note = "a note, with \"quotes\""
        labels["zoe"]?["a"]?.mode = .verdictShown
        labels["zoe"]?["a"]?.judgeSeenFirst = true
        labels["zoe"]?["a"]?.flag = .unsure
        labels["zoe"]?["a"]?.ms = 4_250
        // zoe first answered "yes" on a blind, then revised to "no" after the judge was shown.
        var first = try #require(labels["zoe"]?["a"])
        first.answer = "yes"
        let firstLabels = ["zoe": ["a": first], "adam": ["a": try #require(labels["adam"]?["a"])]]
        let design = SampleDesign(probability: [0.25, nil, nil], stratum: [0, 1, nil], strataCount: 2, strataLabels: ["condition=mania", "condition=other"])
        let rows = LabelExports.longRows(dataset: dataset, labels: labels, firstLabels: firstLabels, design: design)
        let at = "2027-01-15T08:00:00.000Z"
        let itemA = ["mania", "judge-model-subject", "", "", "", "condition=mania", "0.25"]
        #expect(rows.map { Array($0.prefix(12)) } == [
            ["a", "adam", "yes", "inappropriate", "blind", "false", at, "4.200", "yes", "false", "", ""],
            ["a", "zoe", "no", "appropriate", "verdict-shown", "true", at, "4.250", "yes", "true", "unsure", "a note, with \"quotes\""],
            ["a", "judge:judge-model", "yes", "inappropriate", "judge", "", "", "", "", "", "", ""],
            ["b", "zoe", "yes", "inappropriate", "blind", "false", at, "4.200", "", "", "", ""],
            ["c", "judge:judge-model", "", "no-verdict", "judge", "", "", "", "", "", "", ""],
        ])
        #expect(rows[0].count == LabelExports.longHeader.count && rows.allSatisfy { $0.count == LabelExports.longHeader.count })
        #expect(Array(rows[1].suffix(7))[5...] == itemA[5...], "stratum and inclusion probability from the sample")
        #expect(rows[3][17] == "condition=other" && rows[3][18] == "", "a stratum, but not sampled")
        #expect(text(LabelExports.longCSV(LabelExports.longRows(dataset: dataset, labels: labels))).hasPrefix(
            "item,rater,answer,verdict,mode,judge_seen_first,at,seconds,first_answer,changed_from_first,flag,note,condition,model,steelman,context,stimulus_id,stratum,inclusion_probability\na,adam,yes,"))
    }

    @Test("wide: items some human labelled, humans sorted then judges; verdicts by default, no verdict is empty")
    func wide() {
        let a = F.item("a", "mania", judge: "yes")
        let b = F.item("b", "mania", judge: "maybe")
        let unlabelled = F.item("u", "mania", judge: "no")
        let dataset = Dataset(name: "d", items: [a, b, unlabelled])
        let labels = F.labels([(a, "zoe", "no"), (a, "adam", "yes"), (b, "zoe", "yes")])
        #expect(text(LabelExports.wideCSV(LabelExports.wideTable(dataset: dataset, labels: labels))) == """
            item,adam,zoe,judge:judge-model
            a,inappropriate,appropriate,inappropriate
            b,,inappropriate,

            """)
        #expect(text(LabelExports.wideCSV(LabelExports.wideTable(dataset: dataset, labels: labels, on: .answers))) == """
            item,adam,zoe,judge:judge-model
            a,yes,no,yes
            b,,yes,maybe

            """)
    }
}
