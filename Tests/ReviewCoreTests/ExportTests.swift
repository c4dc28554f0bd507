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
        #expect(text(LabelExports.goldCSV(dataset: dataset, reference: reference)) == """
            item,answer,verdict,source
            i1,no,appropriate,adjudicated
            "i,2",,,tie
            i3,yes,inappropriate,majority

            """)
    }

    @Test("long: one row per current label, humans sorted, then the judge as judge:<model> with mode judge")
    func long() {
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
        let rows = LabelExports.longRows(dataset: dataset, labels: labels)
        let at = "2027-01-15T08:00:00.000Z"
        #expect(rows == [
            ["a", "adam", "yes", "inappropriate", "blind", "false", at],
            ["a", "zoe", "no", "appropriate", "verdict-shown", "true", at],
            ["a", "judge:judge-model", "yes", "inappropriate", "judge", "", ""],
            ["b", "zoe", "yes", "inappropriate", "blind", "false", at],
            ["c", "judge:judge-model", "", "no-verdict", "judge", "", ""],
        ])
        #expect(text(LabelExports.longCSV(dataset: dataset, labels: labels)).hasPrefix("item,rater,answer,verdict,mode,judge_seen_first,at\na,adam,yes,"))
    }

    @Test("wide: items some human labelled, humans sorted then judges; verdicts by default, no verdict is empty")
    func wide() {
        let a = F.item("a", "mania", judge: "yes")
        let b = F.item("b", "mania", judge: "maybe")
        let unlabelled = F.item("u", "mania", judge: "no")
        let dataset = Dataset(name: "d", items: [a, b, unlabelled])
        let labels = F.labels([(a, "zoe", "no"), (a, "adam", "yes"), (b, "zoe", "yes")])
        #expect(text(LabelExports.wideCSV(dataset: dataset, labels: labels)) == """
            item,adam,zoe,judge:judge-model
            a,inappropriate,appropriate,inappropriate
            b,,inappropriate,

            """)
        #expect(text(LabelExports.wideCSV(dataset: dataset, labels: labels, on: .answers)) == """
            item,adam,zoe,judge:judge-model
            a,yes,no,yes
            b,,yes,maybe

            """)
    }
}
