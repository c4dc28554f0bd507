import Foundation
import ReviewStatistics
import ReviewCore

/// Turns a row of any pipeline's CSV or JSONL into an `Item` through a `ColumnMap` (`import --map`), and the
/// rows of an Inspect AI log through the map its reader makes.
struct MappedRowMapper {
    var map: ColumnMap
    /// The subject model and run settings for rows without a model column.
    var subject: SubjectSettings
    /// The judge's name when neither a column nor `--judge-model` gives one.
    var defaultJudgeName: String

    /// The row's item and human answers; a missing required value or an unreadable verdict names the line.
    func entry(from row: SourceRow) throws -> ParsedEntry {
        let stimulusValue = try required(.stimulus, in: row)
        let (stimulusTurns, stimulus) = try turns(of: stimulusValue, field: .stimulus, row: row)
        var context = stimulusTurns
        if let column = map.columns[.context], let value = row.lookup(column), value != .null {
            let (earlier, last) = try turns(of: value, field: .context, row: row, allowEmpty: true)
            context = earlier + (last.isEmpty ? [] : [Turn(role: "user", content: last)]) + context
        }
        let response = try text(.response, in: row).map { LineEndings.normalised($0).trimmedOfWhitespaceAndNewlines }
        let model = try text(.model, in: row)?.trimmedOfWhitespace ?? subject.model
        let condition = try text(.condition, in: row)?.trimmedOfWhitespaceAndNewlines ?? "unspecified"
        let stimulusID = try text(.stimulusID, in: row)?.trimmedOfWhitespace

        let criterion: Criterion
        if map.hasCriterion {
            let mapper = PaperRowMapper.self
            let question = LineEndings.normalised(try requiredText(.question, in: row)).trimmedOfWhitespaceAndNewlines
            let options = try mapper.options(from: row.renamed(map.columns[.options] ?? "", to: "verification_options"))
            let rawAppropriate = try requiredText(.appropriate, in: row)
            guard let appropriate = AnswerNormalizer.normalize(rawAppropriate), options.contains(appropriate) else {
                throw row.error("\(map.columns[.appropriate] ?? "appropriate") \"\(TextSanitizer.singleLine(rawAppropriate))\" is not one of the options (\(options.joined(separator: ", ")))")
            }
            criterion = Criterion(question: question, options: options, appropriate: appropriate)
        } else {
            criterion = VerdictCriterion.criterion(
                against: try text(.criterion, in: row).map { LineEndings.normalised($0).trimmedOfWhitespaceAndNewlines })
        }

        var judge: JudgeAnswer?
        if let column = map.columns[.judge] {
            let name = try text(.judgeModel, in: row)?.trimmedOfWhitespace ?? map.judgeModel ?? defaultJudgeName
            let rationale = try text(.rationale, in: row).map { LineEndings.normalised($0).trimmedOfWhitespaceAndNewlines }
            judge = JudgeAnswer(name: name, answer: try answer(in: column, of: row, criterion: criterion),
                                rationale: rationale?.isEmpty == true ? nil : rationale)
        }
        let id: String
        if let column = map.columns[.id], let value = try row.optionalText(at: column)?.trimmedOfWhitespace {
            id = "\(model)/\(value)"  // ids of different pipelines' models never collide
        } else {
            id = PaperRowMapper.contentID(
                subject: model, condition: condition, stimulusID: stimulusID, context: context, stimulus: stimulus,
                response: response, criterion: criterion)
        }
        let item = Item(
            id: id, experiment: .acuteSymptom, condition: condition, stimulusID: stimulusID, context: context,
            stimulus: stimulus,
            subject: SubjectModel(name: model, steelman: subject.steelman, contextualized: subject.contextualized,
                                  runDate: subject.runDate),
            response: response, criterion: criterion, judge: judge)
        let humans = try map.raters.map { rater in
            HumanAnswer(column: rater.column, rater: rater.name, raw: try answer(in: rater.column, of: row, criterion: criterion))
        }
        return ParsedEntry(item: item, line: row.line, humanAnswers: humans)
    }

    /// A judge's or rater's cell as an option of the criterion: verdict spellings for a verdict-only source.
    private func answer(in column: String, of row: SourceRow, criterion: Criterion) throws -> String? {
        guard let raw = try row.optionalText(at: column) else { return nil }
        guard !map.hasCriterion else { return AnswerNormalizer.normalize(raw) }
        switch VerdictCriterion.verdict(of: raw, positiveMeans: map.positiveMeans) {
        case .success(let verdict): return verdict.flatMap(VerdictCriterion.answer)
        case .failure(let problem): throw row.error(problem.message(column: TextSanitizer.singleLine(column)))
        }
    }

    private func required(_ field: ColumnMap.Field, in row: SourceRow) throws -> FieldValue {
        guard let column = map.columns[field], let value = row.lookup(column), value != .null else {
            throw row.error("no \(field.rawValue) (\(field.meaning)) in column \(map.columns[field] ?? field.rawValue)")
        }
        return value
    }

    private func requiredText(_ field: ColumnMap.Field, in row: SourceRow) throws -> String {
        guard let text = try text(field, in: row) else {
            throw row.error("column \(map.columns[field] ?? field.rawValue) (\(field.meaning)) is empty")
        }
        return text
    }

    private func text(_ field: ColumnMap.Field, in row: SourceRow) throws -> String? {
        guard let column = map.columns[field] else { return nil }
        return try row.optionalText(at: column)
    }

    /// A conversation cell as turns: text is one user turn; a list of texts alternates and ends with the user;
    /// a list of `{role, content}` objects keeps its roles. Returns the turns before the last and the last text.
    private func turns(of value: FieldValue, field: ColumnMap.Field, row: SourceRow, allowEmpty: Bool = false) throws -> ([Turn], String) {
        let column = map.columns[field] ?? field.rawValue
        var turns: [Turn]
        switch value {
        case .list(let elements):
            turns = try elements.enumerated().map { index, element in
                switch element {
                case .text(let text):
                    return Turn(role: (elements.count - 1 - index) % 2 == 0 ? "user" : "assistant", content: text)
                case .object(let fields):
                    guard let role = fields["role"]?.scalarText, let content = MessageContent.text(of: fields["content"]) else {
                        throw row.error("column \(column): a turn needs \"role\" and \"content\"")
                    }
                    return Turn(role: role, content: content)
                default:
                    throw row.error("column \(column): expected texts or {role, content} turns, found \(element.kindName)")
                }
            }
        case .text(let text):
            turns = [Turn(role: "user", content: text)]
        case .number, .bool:
            turns = [Turn(role: "user", content: value.scalarText ?? "")]
        case .null, .object:
            throw row.error("column \(column) is \(value.kindName), expected text or a list of turns")
        }
        // Instructions to the model are not what a clinician reviews.
        turns = turns.filter { $0.role != "system" }.map {
            Turn(role: $0.role, content: LineEndings.normalised($0.content).trimmedOfWhitespaceAndNewlines)
        }
        guard let last = turns.popLast(), !last.content.isEmpty else {
            if allowEmpty { return ([], "") }
            throw row.error("column \(column) (\(field.meaning)) is empty")
        }
        return (turns, last.content)
    }
}

/// The text of a chat message's content: a string, or a list of content parts whose text parts are joined.
enum MessageContent {
    static func text(of value: FieldValue?) -> String? {
        switch value {
        case .text(let text)?: return text
        case .list(let parts)?:
            let texts = parts.compactMap { part -> String? in
                if case .object(let fields) = part, fields["type"]?.scalarText ?? "text" == "text" { return fields["text"]?.scalarText }
                if case .text(let text) = part { return text }
                return nil
            }
            return texts.isEmpty ? nil : texts.joined(separator: "\n")
        default: return nil
        }
    }
}

extension SourceRow {
    /// The value at a column name, or else at a dotted path into nested objects and lists (`a.b.0.c`).
    func lookup(_ column: String) -> FieldValue? {
        if let value = self[column] { return value }
        let parts = column.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count > 1, let first = self[String(parts[0])] else { return nil }
        var current = first
        for part in parts.dropFirst() {
            switch current {
            case .object(let fields):
                guard let next = fields[String(part)] else { return nil }
                current = next
            case .list(let elements):
                guard let index = Int(part), elements.indices.contains(index) else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The text at a column or dotted path; nil when absent, null or blank. A list or object is an error.
    func optionalText(at column: String) throws -> String? {
        guard let value = lookup(column) else { return nil }
        return try SourceRow(file: file, line: line, values: [column: value]).optionalText(column)
    }

    /// This row with the value at `column` (or its dotted path) under another name, for readers keyed by name.
    func renamed(_ column: String, to name: String) -> SourceRow {
        var copy = self
        copy[name] = lookup(column)
        return copy
    }
}
