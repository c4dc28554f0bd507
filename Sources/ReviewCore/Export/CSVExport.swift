import Foundation

/// Writes CSV text with RFC 4180 quoting.
public enum CSVText {
    /// One field: neutralised against formula injection, then quoted (with inner quotes doubled) when it holds a
    /// comma, a quote, CR or LF.
    public static func field(_ text: String) -> String {
        let text = neutralised(text)
        let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        return needsQuotes ? quoted(text) : text
    }

    /// One field for a program, not a spreadsheet: the text exactly (never neutralised), always quoted, so an empty
    /// text stays a text; nil is the empty unquoted field a loader reads as NULL.
    public static func exactField(_ text: String?) -> String {
        text.map(quoted) ?? ""
    }

    /// The text in double quotes, inner quotes doubled.
    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A cell a spreadsheet would read as a formula, neutralised as OWASP recommends for CSV injection: a text
    /// starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel, LibreOffice and
    /// Google Sheets show it as text. A number (`-0.034`, `+1e-3`) is left as it is: it is not a formula.
    public static func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return text }
        if Double(text) != nil, text.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }) { return text }
        return "'" + text
    }

    /// A whole document: the header row, then the rows; records end with LF (readers of RFC 4180 accept it).
    public static func document(header: [String], rows: [[String]]) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity((rows.first.map { $0.reduce(0) { $0 + $1.utf8.count + 1 } } ?? 16) * (rows.count + 1))
        for row in [header] + rows {
            for (index, text) in row.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendField(text, to: &out)
            }
            out.append(0x0A)
        }
        return Data(out)
    }

    /// Appends `field(text)`; a text that needs neither neutralising nor quotes (most of a million cells) is
    /// copied as it is, decided on its bytes (the characters both rules look for are ASCII).
    private static func appendField(_ text: String, to out: inout [UInt8]) {
        let utf8 = text.utf8
        var plain = true
        if let first = utf8.first, first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
            || first == UInt8(ascii: "@") || first == 0x09 || first == 0x0D {
            plain = false
        } else {
            for byte in utf8 where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0D || byte == 0x0A {
                plain = false
                break
            }
        }
        out.append(contentsOf: plain ? utf8 : field(text).utf8)
    }
}

/// What the wide export puts in its cells.
public enum WideExportValues: String, Sendable, CaseIterable {
    /// `appropriate` / `inappropriate`; an answer with no verdict is an empty (missing) cell. The default,
    /// matching what `judge-review agreement` computes on a dataset.
    case verdicts
    /// The raters' normalised answers (e.g. `yes` / `no`).
    case answers
}

/// The gold, long and wide CSV exports of a dataset's labels.
public enum LabelExports {
    /// Column names of the gold export.
    public static let goldHeader = ["item", "answer", "verdict", "source"]
    /// Column names of the long export: the label, how it was given (mode, whether the judge was seen first, the
    /// seconds on the item, the rater's first answer and whether the current one differs from it, flag, note), and the
    /// item's design (condition, model, settings, stimulus, the sample's stratum and inclusion probability).
    public static let longHeader = ["item", "rater", "answer", "verdict", "mode", "judge_seen_first", "at", "seconds", "first_answer",
                                    "changed_from_first", "flag", "note", "condition", "model", "steelman", "context", "stimulus_id", "stratum",
                                    "inclusion_probability"]
    /// The `mode` written for the judge's rows in the long export.
    public static let judgeMode = "judge"

    /// One reference label per item that has one, in dataset order.
    ///
    /// A tie (humans split evenly, no adjudication) is listed with an empty answer and verdict and source
    /// `tie`, so it is visible rather than silently dropped or broken.
    public static func goldRows(dataset: Dataset, reference: [String: ReferenceLabel]) -> [[String]] {
        dataset.items.compactMap { item in
            guard let label = reference[item.id] else { return nil }
            guard let answer = label.answer, label.source != .tie else {
                return [item.id, "", "", ReferenceSource.tie.rawValue]
            }
            return [item.id, answer, item.criterion.verdict(for: answer).rawValue, label.source.rawValue]
        }
    }

    /// One row per current human label and one per judge answer, item by item in dataset order,
    /// humans sorted by name and the judge (`judge:<model>`, mode `judge`) last.
    ///
    /// - Parameters:
    ///   - firstLabels: rater → item → the rater's first live label (for `first_answer` and `revised`).
    ///   - design: the study's sample, for each item's stratum and inclusion probability.
    public static func longRows(dataset: Dataset, labels: [String: [String: LabelEvent]],
                                firstLabels: [String: [String: LabelEvent]] = [:], design: SampleDesign? = nil) -> [[String]] {
        let humans = labels.keys.filter { !JudgeRater.isJudge($0) }.sorted()
        var rows: [[String]] = []
        for (position, item) in dataset.items.enumerated() {
            let subject = item.subject
            let stratum = design?.stratum[position].map { $0 < (design?.strataLabels.count ?? 0) ? design?.strataLabels[$0] ?? "" : "" } ?? ""
            let probability = design?.probability[position].map { "\($0)" } ?? ""
            let itemColumns = [item.condition, subject.name, subject.steelman.map { $0 ? "true" : "false" } ?? "",
                               subject.contextualized.map { $0 ? "true" : "false" } ?? "", item.stimulusID ?? "", stratum, probability]
            for rater in humans {
                guard let event = labels[rater]?[item.id], event.kind == .label else { continue }
                let verdict = event.verdict ?? item.criterion.verdict(for: event.answer)
                let first = firstLabels[rater]?[item.id]
                rows.append([
                    item.id, rater, event.answer ?? "", verdict.rawValue, event.mode.rawValue,
                    event.judgeSeenFirst ? "true" : "false", Timestamp.format(event.at),
                    event.ms.map { String(format: "%.3f", Double($0) / 1000) } ?? "", first?.answer ?? "",
                    first.map { $0.answer != event.answer ? "true" : "false" } ?? "",
                    event.flag?.rawValue ?? "", event.note ?? "",
                ] + itemColumns)
            }
            if let judge = item.judge {
                rows.append([item.id, judge.raterName, judge.answer ?? "", item.judgeVerdict.rawValue, judgeMode, "", "", "", "", "", "", ""]
                            + itemColumns)
            }
        }
        return rows
    }

    /// The ratings table `judge-review agreement` builds for a dataset: every item some human labelled
    /// (dataset order), one column per human (sorted), then one per judge (`judge:<model>`, sorted).
    ///
    /// It follows the agreement report's dataset table rule by rule, so that a wide export read back with
    /// `agreement --ratings` gives the same coefficients as `agreement` on the dataset.
    public static func wideTable(dataset: Dataset, labels: [String: [String: LabelEvent]], on values: WideExportValues = .verdicts) -> (raters: [String], rows: [(item: String, cells: [String?])]) {
        wideTable(dataset: dataset, answers: AnswerColumns(items: dataset.items, labels: labels), on: values)
    }

    /// The same table from the humans' answer columns over the dataset's positions.
    public static func wideTable(dataset: Dataset, answers: AnswerColumns, on values: WideExportValues = .verdicts) -> (raters: [String], rows: [(item: String, cells: [String?])]) {
        let humans = answers.raters
        let labelled = dataset.items.indices.filter(answers.anyAnswer(at:))
        let judgeModels = JudgeRater.judges(labelled.lazy.map { dataset.items[$0].judge })
        let judges = judgeModels.map(\.rater)

        func cell(_ answer: String?, _ item: Item) -> String? {
            switch values {
            case .verdicts:
                let verdict = item.criterion.verdict(for: answer)
                return verdict == .noVerdict ? nil : verdict.rawValue
            case .answers:
                return item.criterion.option(matching: answer) ?? AnswerNormalizer.normalize(answer)
            }
        }
        let rows = labelled.map { position in
            let item = dataset.items[position]
            return (item: item.id, cells: answers.answers.map { cell($0[position], item) }
                + judgeModels.map { item.judge?.name == $0.model ? cell(item.judge?.answer, item) : nil })
        }
        return (humans + judges, rows)
    }

    /// A wide table as CSV: header `item,<rater>,...`, an empty cell for a missing rating.
    public static func wideCSV(_ table: (raters: [String], rows: [(item: String, cells: [String?])])) -> Data {
        CSVText.document(header: ["item"] + table.raters, rows: table.rows.map { [$0.item] + $0.cells.map { $0 ?? "" } })
    }

    /// Gold rows (`goldRows`) as CSV under `goldHeader`.
    public static func goldCSV(_ rows: [[String]]) -> Data {
        CSVText.document(header: goldHeader, rows: rows)
    }

    /// Long rows (`longRows`) as CSV under `longHeader`.
    public static func longCSV(_ rows: [[String]]) -> Data {
        CSVText.document(header: longHeader, rows: rows)
    }
}
