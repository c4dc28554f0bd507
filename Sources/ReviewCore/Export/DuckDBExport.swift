import Foundation

/// `export --duckdb DIR`: a study as flat CSV tables plus a SQL script that loads them into DuckDB and writes
/// Parquet, for analyses beyond one machine (tens of millions of judged items, many studies together).
///
/// The tables hold the texts exactly (no spreadsheet neutralising: the script, not a spreadsheet, is their reader)
/// and the script names every column's type, so nothing is guessed. Its views give the label counts and the
/// percent agreement of `judge-review agreement` (clinicians' and the study's judge's verdicts), as a check that
/// the load is whole and as a start for one's own SQL.
public enum DuckDBExport {
    /// One file of the export: its name in the folder and its bytes.
    public struct File: Sendable {
        public var name: String
        public var data: Data
    }

    /// A table of the export: its name, its columns with their DuckDB types, and its rows.
    struct Table {
        var name: String
        var columns: [(name: String, type: String)]
        var rows: [[String?]]
    }

    /// The script's file name.
    public static let scriptName = "load.sql"

    /// The export of `labels` (the study's items, current labels and decisions) and `furtherJudges` (each further
    /// judge's first seeded answer per item), with `design` the recorded sample's strata and probabilities.
    public static func files(
        labels: StudyLabels, furtherJudges: [JudgeAnswers], design: SampleDesign?, now: Date = Date()
    ) -> (files: [File], summary: String) {
        let tables = [
            itemsTable(labels.dataset, design: design), labelsTable(labels), decisionsTable(labels),
            judgeAnswersTable(labels.dataset, furtherJudges),
        ]
        var files = tables.map { File(name: $0.name + ".csv", data: csv($0)) }
        files.append(File(name: scriptName, data: Data(script(tables, study: labels.dataset.name, now: now).utf8)))
        let summary = tables.map { "\($0.name) \($0.rows.count)" }.joined(separator: ", ")
        return (files, summary)
    }

    /// Makes the export's folder (and any missing above it) owner-only, as the labels are research data; an
    /// existing folder is used as it is.
    public static func makeFolder(_ folder: URL) throws {
        do {
            try StoreFolders.create(folder, permissions: FileModes.folder(groupReadable: false), fileSystem: POSIXFileSystem())
        } catch let error as SystemCallError {
            throw InputError(file: folder.path, "cannot make the export folder: \(error.reason)")
        }
        guard FileKind.ofPath(folder.path) == .folder else { throw InputError(file: folder.path, "is not a folder; give a folder for --duckdb") }
    }

    private static func flag(_ value: Bool?) -> String? { value.map { $0 ? "true" : "false" } }

    static func itemsTable(_ dataset: Dataset, design: SampleDesign?) -> Table {
        var rows: [[String?]] = []
        rows.reserveCapacity(dataset.items.count)
        for (position, item) in dataset.items.enumerated() {
            let stratum = design?.stratum[position].flatMap { index in
                index < (design?.strataLabels.count ?? 0) ? design?.strataLabels[index] : nil
            }
            rows.append([
                item.id, item.contentHash, item.experiment.rawValue, item.condition, item.subject.name,
                flag(item.subject.steelman), flag(item.subject.contextualized), item.subject.runDate, item.stimulusID,
                item.criterion.question, item.criterion.options.joined(separator: " | "),
                item.criterion.options.filter { item.criterion.verdict(for: $0) == .appropriate }.joined(separator: " | "),
                item.judge?.raterName, item.judge?.answer, item.judge == nil ? nil : item.judgeVerdict.rawValue,
                flag(item.response != nil), stratum, design?.probability[position].map { "\($0)" },
                item.stimulus, item.response,
            ])
        }
        return Table(name: "items", columns: [
            ("item", "VARCHAR"), ("sha256", "VARCHAR"), ("experiment", "VARCHAR"), ("condition", "VARCHAR"), ("model", "VARCHAR"),
            ("steelman", "BOOLEAN"), ("context", "BOOLEAN"), ("run_date", "VARCHAR"), ("stimulus_id", "VARCHAR"),
            ("criterion", "VARCHAR"), ("options", "VARCHAR"), ("appropriate_options", "VARCHAR"),
            ("judge", "VARCHAR"), ("judge_answer", "VARCHAR"), ("judge_verdict", "VARCHAR"), ("has_response", "BOOLEAN"),
            ("stratum", "VARCHAR"), ("inclusion_probability", "DOUBLE"), ("stimulus", "VARCHAR"), ("response", "VARCHAR"),
        ], rows: rows)
    }

    /// Every clinician's current live label or abstention per item (what agreement reads), with who wrote it where.
    static func labelsTable(_ labels: StudyLabels) -> Table {
        var rows: [[String?]] = []
        let current = labels.current
        for rater in current.keys.sorted() where !JudgeRater.isJudge(rater) {
            guard let events = current[rater] else { continue }
            for item in labels.dataset.items {
                guard let event = events[item.id], event.kind != .retract else { continue }
                let verdict = event.kind == .label ? (event.verdict ?? item.criterion.verdict(for: event.answer)).rawValue : nil
                rows.append([
                    item.id, rater, event.kind.rawValue, event.answer, verdict, event.mode.rawValue, flag(event.judgeSeenFirst),
                    event.flag?.rawValue, event.note, Timestamp.format(event.at), event.ms.map(String.init),
                    event.writer?.site, event.writer?.installation,
                ])
            }
        }
        return Table(name: "labels", columns: [
            ("item", "VARCHAR"), ("rater", "VARCHAR"), ("kind", "VARCHAR"), ("answer", "VARCHAR"), ("verdict", "VARCHAR"),
            ("mode", "VARCHAR"), ("judge_seen_first", "BOOLEAN"), ("flag", "VARCHAR"), ("note", "VARCHAR"),
            ("at", "TIMESTAMP"), ("ms", "BIGINT"), ("site", "VARCHAR"), ("installation", "VARCHAR"),
        ], rows: rows)
    }

    /// The settled decision per item (the one the reference uses).
    static func decisionsTable(_ labels: StudyLabels) -> Table {
        let decisions = labels.decisions
        let rows: [[String?]] = labels.dataset.items.compactMap { item in
            guard let event = decisions[item.id] else { return nil }
            return [item.id, event.adjudicator, event.answer, event.verdict?.rawValue, event.rationale, flag(event.namesRevealed),
                    Timestamp.format(event.at), event.writer?.site, event.writer?.installation]
        }
        return Table(name: "decisions", columns: [
            ("item", "VARCHAR"), ("adjudicator", "VARCHAR"), ("answer", "VARCHAR"), ("verdict", "VARCHAR"), ("rationale", "VARCHAR"),
            ("names_revealed", "BOOLEAN"), ("at", "TIMESTAMP"), ("site", "VARCHAR"), ("installation", "VARCHAR"),
        ], rows: rows)
    }

    /// Each further judge's verdict per item (its first ask in the seeded order).
    static func judgeAnswersTable(_ dataset: Dataset, _ judges: [JudgeAnswers]) -> Table {
        var rows: [[String?]] = []
        for judge in judges {
            let rater = JudgeRater.name(model: judge.name)
            for item in dataset.items {
                guard let answer = judge.answers[item.id] else { continue }
                rows.append([item.id, rater, judge.model, answer, item.criterion.verdict(for: answer).rawValue])
            }
        }
        return Table(name: "judge_answers", columns: [
            ("item", "VARCHAR"), ("judge", "VARCHAR"), ("model", "VARCHAR"), ("answer", "VARCHAR"), ("verdict", "VARCHAR"),
        ], rows: rows)
    }

    /// RFC 4180 with LF records, every value exact (`CSVText.exactField`): a missing value is NULL to DuckDB.
    static func csv(_ table: Table) -> Data {
        var text = table.columns.map(\.name).joined(separator: ",") + "\n"
        for row in table.rows { text += row.map(CSVText.exactField).joined(separator: ",") + "\n" }
        return Data(text.utf8)
    }

    /// A SQL string literal.
    private static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    static func script(_ tables: [Table], study: String, now: Date) -> String {
        let verdicts = "('\(Verdict.appropriate.rawValue)', '\(Verdict.inappropriate.rawValue)')"
        var lines = [
            "-- judge-review \(ToolVersion.current): study \(TextSanitizer.singleLine(study)), exported \(Timestamp.format(now)).",
            "-- Run in this folder: duckdb study.duckdb < \(scriptName)   (or in Python: duckdb.connect('study.duckdb').execute(open('\(scriptName)').read()))",
            "-- Loads the CSV tables with their types, writes each as Parquet beside it, and makes the views below.",
            "",
        ]
        for table in tables {
            let columns = table.columns.map { "\(literal($0.name)): \(literal($0.type))" }.joined(separator: ", ")
            lines.append("CREATE OR REPLACE TABLE \(table.name) AS SELECT * FROM read_csv(\(literal(table.name + ".csv")), header = true, "
                + "delim = ',', quote = '\"', escape = '\"', auto_detect = false, allow_quoted_nulls = false, timestampformat = '%Y-%m-%dT%H:%M:%S.%gZ', columns = {\(columns)});")
        }
        lines.append("")
        for table in tables {
            lines.append("COPY \(table.name) TO \(literal(table.name + ".parquet")) (FORMAT parquet);")
        }
        lines += [
            "",
            "-- The ratings agreement reads: each clinician's current verdict and the study's judge's, per item.",
            "CREATE OR REPLACE VIEW ratings AS",
            "  SELECT item, rater, verdict FROM labels WHERE kind = 'label' AND verdict IN \(verdicts)",
            "  UNION ALL",
            "  SELECT item, judge AS rater, judge_verdict AS verdict FROM items",
            "  WHERE judge IS NOT NULL AND judge_verdict IN \(verdicts) AND item IN (SELECT item FROM labels WHERE kind = 'label');",
            "",
            "-- Labels per clinician: live labels and abstentions (as status counts them).",
            "CREATE OR REPLACE VIEW label_counts AS",
            "  SELECT rater, count(*) FILTER (WHERE kind = 'label') AS labels, count(*) FILTER (WHERE kind = 'abstain') AS abstentions",
            "  FROM labels GROUP BY rater ORDER BY rater;",
            "",
            "-- Percent agreement over the items with two or more ratings: the mean over items of the share of agreeing",
            "-- ordered pairs of ratings, sum n_k (n_k - 1) / (r (r - 1)); agreement's overall percent_agreement.",
            "CREATE OR REPLACE VIEW percent_agreement AS",
            "  WITH per_category AS (SELECT item, verdict, count(*) AS n FROM ratings GROUP BY item, verdict),",
            "       per_item AS (SELECT item, sum(n) AS r, sum(n * (n - 1)) AS agreeing FROM per_category GROUP BY item)",
            "  SELECT avg(agreeing / (r * (r - 1))) AS percent_agreement, count(*) AS items FROM per_item WHERE r >= 2;",
            "",
        ]
        return lines.joined(separator: "\n")
    }
}
