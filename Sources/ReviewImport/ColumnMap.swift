import Foundation
import ReviewStatistics
import ReviewCore

/// Which source column holds each item field, for a pipeline's own CSV or JSONL (`import --map`).
///
/// A map either names a criterion (`question`, `options`, `appropriate`: the judge answered a question whose
/// appropriate answer is known, as in the paper) or none, and then the judge's column is a verdict itself
/// (appropriate/inappropriate, pass/fail, C/I, 1/0, true/false, yes/no).
public struct ColumnMap: Sendable, Equatable {
    /// An item field a column can fill.
    public enum Field: String, CaseIterable, Sendable {
        case id, stimulus, context, response, model, condition, question, options, appropriate, judge
        case judgeModel = "judge-model"
        case rationale
        case stimulusID = "stimulus-id"
        /// The criterion a verdict was given against (an Inspect sample's target), for a source without a question.
        case criterion

        /// What the field is, for the error that names a missing one.
        var meaning: String {
            switch self {
            case .id: return "the item's id"
            case .stimulus: return "the client's message the model answered"
            case .context: return "earlier turns of the conversation"
            case .response: return "the model's response"
            case .model: return "the subject model's name"
            case .condition: return "the clinical condition"
            case .question: return "the criterion question put to the judge"
            case .options: return "the criterion's answer options"
            case .appropriate: return "the criterion's appropriate answer"
            case .judge: return "the judge's answer or verdict"
            case .judgeModel: return "the judge model's name"
            case .rationale: return "the judge's explanation"
            case .stimulusID: return "the stimulus id (clusters the bootstrap)"
            case .criterion: return "the criterion the verdict was given against"
            }
        }
    }

    /// Field → column name (a dotted path reaches into nested JSON: `output.choices.0.text`).
    public var columns: [Field: String]
    /// Human raters' columns: rater name and column, in the order given.
    public var raters: [(name: String, column: String)]
    /// `--judge-model NAME`: the judge's name when no column holds it.
    public var judgeModel: String?
    /// `--judge-means`: what a positive verdict value (pass, 1, true, yes, C) means.
    public var positiveMeans: Verdict?

    public init(columns: [Field: String], raters: [(name: String, column: String)] = [], judgeModel: String? = nil,
                positiveMeans: Verdict? = nil) {
        self.columns = columns
        self.raters = raters
        self.judgeModel = judgeModel
        self.positiveMeans = positiveMeans
    }

    public static func == (lhs: ColumnMap, rhs: ColumnMap) -> Bool {
        lhs.columns == rhs.columns && lhs.raters.map(\.name) == rhs.raters.map(\.name)
            && lhs.raters.map(\.column) == rhs.raters.map(\.column) && lhs.judgeModel == rhs.judgeModel
            && lhs.positiveMeans == rhs.positiveMeans
    }

    /// Parses `--map field=column,...` (given once or several times) and `--rater NAME=COLUMN`; an unknown field
    /// or a malformed pair is an error naming it.
    public static func parse(
        maps: [String], raters: [String], judgeModel: String?, judgeMeans: String?
    ) throws -> ColumnMap {
        var columns: [Field: String] = [:]
        for pair in maps.flatMap({ $0.split(separator: ",").map(String.init) }) {
            let (name, column) = try split(pair, option: "--map")
            guard let field = Field(rawValue: name.lowercased()) else {
                throw InputError(file: "--map", "unknown field \"\(TextSanitizer.singleLine(name))\" (fields: \(Field.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard columns[field] == nil else { throw InputError(file: "--map", "field \(field.rawValue) is mapped twice") }
            columns[field] = column
        }
        var raterColumns: [(name: String, column: String)] = []
        for pair in raters {
            let (name, column) = try split(pair, option: "--rater")
            if let problem = RaterName.problem(with: name) {
                throw InputError(file: "--rater", "rater \"\(TextSanitizer.singleLine(name))\": \(problem)")
            }
            guard !raterColumns.contains(where: { $0.name == name }) else {
                throw InputError(file: "--rater", "rater \(name) is given twice")
            }
            raterColumns.append((name, column))
        }
        var positive: Verdict?
        if let judgeMeans {
            switch judgeMeans.lowercased() {
            case "appropriate": positive = .appropriate
            case "inappropriate": positive = .inappropriate
            default:
                throw InputError(file: "--judge-means", "\"\(TextSanitizer.singleLine(judgeMeans))\" is not appropriate or inappropriate")
            }
        }
        let map = ColumnMap(columns: columns, raters: raterColumns, judgeModel: judgeModel, positiveMeans: positive)
        try map.checkComplete()
        return map
    }

    private static func split(_ pair: String, option: String) throws -> (String, String) {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
            String($0).trimmedOfWhitespace
        }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw InputError(file: option, "\"\(TextSanitizer.singleLine(pair))\" is not NAME=COLUMN")
        }
        return (parts[0], parts[1])
    }

    /// Whether the judge answered a criterion question (else its column is a verdict).
    public var hasCriterion: Bool { columns[.question] != nil }

    /// The map's own consistency: a criterion needs its options and appropriate answer, and the stimulus and
    /// response must come from somewhere.
    func checkComplete() throws {
        if hasCriterion {
            for field in [Field.options, .appropriate] where columns[field] == nil {
                throw InputError(file: "--map", "question is mapped but \(field.rawValue) (\(field.meaning)) is not; map it, or leave question out when the judge column is a verdict")
            }
        } else {
            if columns[.criterion] != nil && columns[.question] != nil {
                throw InputError(file: "--map", "criterion (for a verdict column) and question (for a criterion's answer) are both mapped; keep one")
            }
            for field in [Field.options, .appropriate] where columns[field] != nil {
                throw InputError(file: "--map", "\(field.rawValue) is mapped without question; a criterion needs question, options and appropriate")
            }
        }
        if columns[.judgeModel] != nil && judgeModel != nil {
            throw InputError(file: "--judge-model", "the judge's name is both a column (judge-model=) and given (--judge-model); keep one")
        }
    }

    /// Checks that every mapped column is in the file (`available`: its header or the first object's fields);
    /// a missing one is one line naming the field, the column and the columns found.
    func check(against available: [String], file: String, line: Int, lookup: (String) -> Bool) throws {
        let found = available.prefix(12).map { "\"\(TextSanitizer.singleLine($0))\"" }.joined(separator: ", ")
            + (available.count > 12 ? ", ..." : "")
        for field in [Field.stimulus, .response] where columns[field] == nil {
            throw InputError(file: file, line: line, "no column mapped for \(field.rawValue) (\(field.meaning)); add --map \(field.rawValue)=COLUMN (columns found: \(found))")
        }
        for field in Field.allCases {
            guard let column = columns[field], !lookup(column) else { continue }
            throw InputError(file: file, line: line, "--map \(field.rawValue)=\(TextSanitizer.singleLine(column)): no such column (columns found: \(found))")
        }
        for rater in raters where !lookup(rater.column) {
            throw InputError(file: file, line: line, "--rater \(rater.name)=\(TextSanitizer.singleLine(rater.column)): no such column (columns found: \(found))")
        }
    }
}

/// The criterion of a verdict-only source: the judge (and each human) says whether the response is appropriate.
enum VerdictCriterion {
    static let criterion = Criterion(
        question: "Is the response appropriate?", options: ["appropriate", "inappropriate"], appropriate: "appropriate")

    /// The criterion of a verdict given against a stated criterion (an Inspect target): the same options.
    static func criterion(against text: String?) -> Criterion {
        guard let text, !text.isEmpty else { return criterion }
        return Criterion(question: "Does the response meet this criterion: \(text)", options: criterion.options,
                         appropriate: criterion.appropriate)
    }

    /// The verdict a cell's value spells, or nil when blank; a value of no known spelling is an error message.
    /// `positiveMeans` says what pass, 1, true, yes and C mean (pass and C default to appropriate; 1, true and
    /// yes have no default, since a column of flags may mark either).
    static func verdict(of raw: String, positiveMeans: Verdict?) -> Result<Verdict?, VerdictSpellingError> {
        let value = raw.trimmedOfWhitespaceAndNewlines.lowercased()
        if value.isEmpty { return .success(nil) }
        switch value {
        case "appropriate": return .success(.appropriate)
        case "inappropriate", "not appropriate": return .success(.inappropriate)
        default: break
        }
        let positive: Bool
        let clearByName: Bool
        switch value {
        case "pass", "passed", "c", "correct": (positive, clearByName) = (true, true)
        case "fail", "failed", "i", "incorrect": (positive, clearByName) = (false, true)
        case "1", "1.0", "true", "yes", "y": (positive, clearByName) = (true, false)
        case "0", "0.0", "false", "no", "n": (positive, clearByName) = (false, false)
        default: return .failure(VerdictSpellingError(value: raw, needsMeaning: false))
        }
        guard let meaning = positiveMeans ?? (clearByName ? .appropriate : nil) else {
            return .failure(VerdictSpellingError(value: raw, needsMeaning: true))
        }
        let other: Verdict = meaning == .appropriate ? .inappropriate : .appropriate
        return .success(positive ? meaning : other)
    }

    /// The option a verdict is recorded as.
    static func answer(for verdict: Verdict) -> String? {
        switch verdict {
        case .appropriate: return "appropriate"
        case .inappropriate: return "inappropriate"
        case .noVerdict: return nil
        }
    }
}

/// A verdict cell that cannot be read as appropriate or inappropriate.
struct VerdictSpellingError: Error {
    /// The cell as written.
    var value: String
    /// Whether it is a known spelling (1/0, true/false, yes/no) whose meaning `--judge-means` must give.
    var needsMeaning: Bool

    /// The message for the cell's row.
    func message(column: String) -> String {
        let shown = TextSanitizer.singleLine(value)
        if needsMeaning {
            return "column \(column) is \"\(shown)\": say whether 1/true/yes means appropriate or inappropriate with --judge-means appropriate|inappropriate"
        }
        return "column \(column) is \"\(shown)\", expected a verdict (appropriate/inappropriate, pass/fail, C/I, 1/0, true/false, yes/no)"
    }
}
