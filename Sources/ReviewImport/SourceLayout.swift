import Foundation
import ReviewCore

/// The shape of an input file, recognised from its CSV header or the keys of its first JSON object.
public enum SourceLayout: Equatable, Sendable {
    /// The project's own dataset JSONL (`Dataset.read`).
    case canonicalDataset
    /// The paper's result rows, as JSONL or CSV, with the columns found.
    case paperRows(PaperColumns)
    /// Any pipeline's rows read through `--map`.
    case mapped(PaperColumns.Format)
    /// An Inspect AI eval log (JSON), one item a sample.
    case inspectLog
    /// The paper's stigma experiment: one row per vignette and question with the model's raw output and the
    /// letter parser's answer.
    case stigmaRows

    /// How the summary names the layout.
    public var displayName: String {
        switch self {
        case .canonicalDataset:
            return "canonical dataset JSONL"
        case .paperRows(let columns):
            let format = columns.format == .jsonLines ? "JSONL" : "CSV"
            return columns.idColumn == "key" ? "paper results \(format)" : "live-bot/therapist \(format) (stimulus id, no key)"
        case .mapped(let format):
            return "\(format == .jsonLines ? "JSONL" : "CSV") read through --map"
        case .inspectLog:
            return "Inspect AI eval log"
        case .stigmaRows:
            return "stigma run (vignette × question; the letter parser's answer as the verdict)"
        }
    }

    /// Fields every paper row must have (besides `key` or `id`).
    static let requiredPaperFields = [
        "condition", "interjection", "verification_prompt", "verification_options", "verification_correct",
        "model_response",
    ]

    /// Fields that mark a JSON object as a canonical dataset item.
    static let canonicalFields = ["id", "experiment", "condition", "stimulus", "subject", "criterion"]

    /// What the error for an unrecognised file says was expected.
    static let expectedDescription =
        "expected the paper's results (columns key or id, condition, interjection, verification_prompt, "
        + "verification_options, verification_correct, model_response) or a canonical dataset "
        + "(fields id, experiment, condition, stimulus, subject, criterion)"

    /// Recognises a layout from column names; `line` is where the header or first object is.
    /// `judgeColumn` (`import --judge-column`) names which `*_classification` column is the judge in a file with
    /// several; the others are then not read.
    static func detect(columns: [String], format: PaperColumns.Format, file: String, line: Int, judgeColumn: String? = nil) throws -> SourceLayout {
        let names = Set(columns)
        if format == .jsonLines, canonicalFields.allSatisfy(names.contains) {
            return .canonicalDataset
        }
        if StigmaRows.requiredFields.allSatisfy(names.contains) { return .stigmaRows }
        guard names.contains("interjection") || names.contains("verification_prompt") else {
            let shown = columns.prefix(6).map { "\"\($0)\"" }.joined(separator: ", ")
            throw UnknownLayout(error: InputError(file: file, line: line, "unknown layout (found \(shown)\(columns.count > 6 ? ", ..." : "")): \(expectedDescription)"))
        }
        let idColumn: String
        if names.contains("key") {
            idColumn = "key"
        } else if names.contains("id") {
            idColumn = "id"
        } else {
            throw InputError(file: file, line: line, "missing required column \"key\" (or \"id\") in the paper's layout")
        }
        for field in requiredPaperFields where !names.contains(field) {
            throw InputError(file: file, line: line, "missing required column \"\(field)\" in the paper's layout")
        }
        var judges: [String] = []
        var humans: [String] = []
        for column in columns where column.hasSuffix(PaperColumns.answerSuffix) {
            if PaperColumns.isHumanColumn(column) { humans.append(column) } else { judges.append(column) }
        }
        if let judgeColumn {
            guard judges.contains(judgeColumn) else {
                throw InputError(file: file, line: line, "--judge-column \"\(TextSanitizer.singleLine(judgeColumn))\" is not a judge column here (found \(judges.isEmpty ? "none" : judges.joined(separator: ", ")))")
            }
            judges = [judgeColumn]
        }
        guard judges.count <= 1 else {
            throw InputError(
                file: file, line: line,
                "several judge columns (\(judges.joined(separator: ", "))): name the study's judge with --judge-column COLUMN, then attach each other one with import --as-judge NAME --judge-column COLUMN")
        }
        return .paperRows(PaperColumns(format: format, idColumn: idColumn, judgeColumn: judges.first, humanColumns: humans,
                                       participantColumn: names.contains(PaperColumns.participantColumnName) ? PaperColumns.participantColumnName : nil))
    }
}

/// Which columns of a paper file hold the id, the judge's answer and human answers.
public struct PaperColumns: Equatable, Sendable {
    /// JSON lines or CSV.
    public enum Format: Equatable, Sendable {
        /// One JSON object per line.
        case jsonLines
        /// RFC 4180 CSV with a header row.
        case csv
    }

    /// Suffix of every answer column: `<judge model>_classification`, `annotator_1_classification`, ...
    static let answerSuffix = "_classification"

    /// Whether the rows came from JSON lines or CSV.
    public var format: Format
    /// `key` (the paper's item key) or `id` (a stimulus id, in the live-bot and therapist files).
    public var idColumn: String
    /// The judge's answer column, e.g. `gpt-4o-2024-08-06_classification`; nil when there is no judge.
    public var judgeColumn: String?
    /// Human answer columns, e.g. `annotator_1_classification`, `human_classification`.
    public var humanColumns: [String]
    /// `participant_type` in a combined file (the paper notebook's concatenation of runs): each row's subject
    /// model in the notebook's spelling; nil in a run's own file. Its rows are matched to the runs they repeat.
    public var participantColumn: String? = nil

    /// The column that marks a combined file.
    static let participantColumnName = "participant_type"

    /// Whether the rows come from a combined file (subject per row, matched to the runs).
    public var isCombined: Bool { participantColumn != nil }

    /// The judge model's name, from its column.
    public var judgeName: String? { judgeColumn.map(Self.stripSuffix) }

    /// A human column's rater name: the column without `_classification` (`annotator_1`, `human`).
    public static func raterName(forColumn column: String) -> String { stripSuffix(column) }

    /// Human columns are `human_classification`, `human_*` and `annotator*`; any other `*_classification` is a judge.
    static func isHumanColumn(_ column: String) -> Bool {
        let rater = stripSuffix(column).lowercased()
        return rater == "human" || rater.hasPrefix("human_") || rater.hasPrefix("annotator")
    }

    private static func stripSuffix(_ column: String) -> String {
        column.hasSuffix(answerSuffix) ? String(column.dropLast(answerSuffix.count)) : column
    }
}
