import Foundation
import ReviewStatistics
import ReviewCore

/// One item read from a source file, with its line and the human answers found beside it.
struct ParsedEntry {
    var item: Item
    /// Physical line the row starts on (0 for canonical datasets, whose lines are not tracked here).
    var line: Int
    var humanAnswers: [HumanAnswer]
    /// The paper's key as the row gives it; nil for rows without one (ids from a stimulus id or the content).
    var key: String? = nil
}

/// A human's raw answer in one cell of a row.
struct HumanAnswer {
    /// The column, e.g. `annotator_1_classification`.
    var column: String
    /// The rater the column becomes, e.g. `annotator_1`.
    var rater: String
    /// The cell as written; nil when blank or missing.
    var raw: String?
}

/// Criteria by the cells they were read from, for one file's rows (read on one thread).
final class CriterionMemo {
    struct Key: Hashable {
        var prompt: String
        var options: String
        var correct: String
    }

    /// Distinct criteria kept: beyond it (a file of one criterion a row) rows are read as they come.
    static let capacity = 4_096
    var known: [Key: Criterion] = [:]
}

/// Turns one of the paper's rows into an `Item`.
struct PaperRowMapper {
    /// Which columns hold the id, the judge and the humans.
    var columns: PaperColumns
    /// The subject model and steel-man setting every row of the file gets.
    var subject: SubjectSettings
    /// Criteria already read from the same three cells: a results file repeats a handful of criteria over
    /// thousands of rows, and reading one (a Python list literal, normalised options) was a tenth of an import.
    let criteria = CriterionMemo()

    /// Spellings of "no response" in the paper's files (Python's `None` among them).
    static let missingResponseSpellings: Set<String> = ["none", "nan", "null"]
    /// The longest of them in bytes: a longer response is never lowercased to be compared (no capital outside
    /// ASCII lowercases to these letters).
    static let longestMissingResponseSpelling = missingResponseSpellings.map(\.utf8.count).max() ?? 0

    /// The row's item and human answers; a missing or malformed required field is an error naming the line.
    func entry(from row: SourceRow) throws -> ParsedEntry {
        let condition = try row.requiredText("condition").trimmedOfWhitespaceAndNewlines
        let (context, stimulus) = try turns(from: row)
        let criterion = try self.criterion(from: row)
        let transcript = try row.optionalText("transcript_index").map { $0.trimmedOfWhitespace }
        let position = try contextPosition(from: row)
        var response = try row.optionalText("model_response").map { LineEndings.normalised($0).trimmedOfWhitespaceAndNewlines }
        if let text = response, text.utf8.count <= Self.longestMissingResponseSpelling, Self.missingResponseSpellings.contains(text.lowercased()) { response = nil }

        let key: String?
        let stimulusID: String?
        let participant = try columns.participantColumn.flatMap { try row.optionalText($0) }.map(Self.participantName)
        if columns.idColumn == "key", columns.isCombined, try row.optionalText("key")?.trimmedOfWhitespace.isEmpty ?? true {
            // A combined file's live-bot and therapist rows have no key: a stimulus id where the row gives one.
            key = nil
            stimulusID = try row.optionalText("id")?.trimmedOfWhitespace
        } else if columns.idColumn == "key" {
            let value = try row.requiredText("key").trimmedOfWhitespace
            key = value
            stimulusID = Self.stimulusID(fromKey: value, transcript: transcript, condition: condition, messageNumber: position)
        } else {
            key = nil
            stimulusID = try row.requiredText(columns.idColumn).trimmedOfWhitespace
        }
        let judgePrompt = try Self.judgePrompt(from: row)
        let judge = try columns.judgeColumn.map { column in
            JudgeAnswer(name: columns.judgeName ?? column, answer: AnswerNormalizer.normalize(try row.optionalText(column)), prompt: judgePrompt)
        }
        try checkAgainstRunFolder(row, contextPosition: position)
        if columns.isCombined, participant == nil {
            throw row.error("required field \"\(columns.participantColumn ?? "")\" is empty (a combined file names each row's model there)")
        }
        // A combined file's row: its model from the row, its settings unknown until it is matched to a run.
        let subjectModel = participant.map { SubjectModel(name: $0, steelman: nil, contextPosition: position) }
            ?? SubjectModel(name: subject.model, steelman: subject.steelman, contextPosition: position,
                            contextualized: subject.contextualized, runDate: subject.runDate)
        // A combined file's keys repeat across its participants: the participant first until the run is known.
        let id = key.map { key in participant.map { "\($0)/\(key)" } ?? key } ?? Self.contentID(
            subject: subjectModel.name, condition: condition, stimulusID: stimulusID, context: context,
            stimulus: stimulus, response: response, criterion: criterion)
        let item = Item(
            id: id, experiment: .acuteSymptom, condition: condition, stimulusID: stimulusID, transcript: transcript,
            context: context, stimulus: stimulus, subject: subjectModel, response: response, criterion: criterion,
            judge: judge)
        let humans = try columns.humanColumns.map { column in
            HumanAnswer(column: column, rater: PaperColumns.raterName(forColumn: column), raw: try row.optionalText(column))
        }
        return ParsedEntry(item: item, line: row.line, humanAnswers: humans, key: key)
    }

    /// A row that contradicts the run folder it sits in is an error: a `model` column naming another model, or
    /// a run with transcript context whose row says nowhere in the transcript the stimulus was placed.
    func checkAgainstRunFolder(_ row: SourceRow, contextPosition: Int?) throws {
        guard let run = subject.runFolder else { return }
        if let model = try row.optionalText("model")?.trimmedOfWhitespace,
           model != run.model, model.replacingOccurrences(of: "__", with: "/") != run.model {
            throw row.error("column model is \"\(TextSanitizer.singleLine(model))\" but the run folder says model=\(run.model) (\(run.name))")
        }
        if run.contextualized == true, contextPosition == nil {
            throw row.error("the run folder says contextualize=True but the row has no message_number (where in the transcript the stimulus was placed)")
        }
    }

    /// The stimulus and the turns before it. A list of turns (JSON, or a Python-style literal in text)
    /// ends with the stimulus; earlier turns alternate so that the stimulus is the user's.
    func turns(from row: SourceRow) throws -> ([Turn], String) {
        guard let value = row["interjection"] else { throw row.error("missing required field \"interjection\"") }
        var texts: [String] = []
        var explicit: [Turn]?
        switch value {
        case .list(let elements):
            if elements.allSatisfy({ if case .object = $0 { return true } else { return false } }), !elements.isEmpty {
                explicit = try elements.map { element in
                    guard case .object(let fields) = element, let role = fields["role"]?.scalarText,
                          let content = fields["content"]?.scalarText else {
                        throw row.error("field \"interjection\": a turn needs \"role\" and \"content\"")
                    }
                    return Turn(role: role, content: content)
                }
            } else {
                texts = try elements.map { element in
                    guard case .text(let text) = element else {
                        throw row.error("field \"interjection\": expected a list of texts, found \(element.kindName)")
                    }
                    return text
                }
            }
        case .text(let text) where PythonListLiteral.looksLikeList(text):
            do {
                texts = try PythonListLiteral.parseStrings(text)
            } catch let error as PythonListLiteral.ParseError {
                throw row.error("field \"interjection\" looks like a list of turns but cannot be read: \(error.message) at character \(error.offset + 1)")
            }
        default:
            texts = [try row.requiredText("interjection")]
        }
        var turns = explicit ?? texts.enumerated().map { index, text in
            Turn(role: (texts.count - 1 - index) % 2 == 0 ? "user" : "assistant", content: text)
        }
        turns = turns.map { Turn(role: $0.role, content: LineEndings.normalised($0.content).trimmedOfWhitespaceAndNewlines) }
        guard let last = turns.popLast(), !last.content.isEmpty else {
            throw row.error("required field \"interjection\" is empty")
        }
        return (turns, last.content)
    }

    /// What the judge was asked: the last user message of `classification_prompt` (a JSON list of messages, or the
    /// Python literal the paper's files print); nil when the row has none.
    static func judgePrompt(from row: SourceRow) throws -> String? {
        let field = "classification_prompt"
        var messages: [[String: String]]
        switch row[field] {
        case nil, .null?:
            return nil
        case .list(let elements)?:
            messages = try elements.map { element in
                guard case .object(let object) = element else { throw row.error("field \"\(field)\": expected a list of messages") }
                return object.compactMapValues(\.scalarText)
            }
        case .text(let text)? where PythonListLiteral.looksLikeList(text):
            do {
                messages = try PythonListLiteral.parseMessages(text)
            } catch let error as PythonListLiteral.ParseError {
                throw row.error("field \"\(field)\" looks like a list of messages but cannot be read: \(error.message) at character \(error.offset + 1)")
            }
        case .text(let text)?:
            messages = text.allSatisfy(\.isWhitespace) ? [] : [["role": "user", "content": text]]
        case let other?:
            throw row.error("field \"\(field)\" is \(other.kindName), expected a list of messages")
        }
        guard let content = messages.last(where: { $0["role"] == "user" })?["content"],
              !content.allSatisfy(\.isWhitespace) else { return nil }
        return LineEndings.normalised(content)
    }

    /// The criterion: question, options in the order given (normalised), and the appropriate answer.
    func criterion(from row: SourceRow) throws -> Criterion {
        guard case .text(let prompt)? = row["verification_prompt"], case .text(let options)? = row["verification_options"],
              case .text(let correct)? = row["verification_correct"] else { return try readCriterion(from: row) }
        let key = CriterionMemo.Key(prompt: prompt, options: options, correct: correct)
        if let known = criteria.known[key] { return known }
        let criterion = try readCriterion(from: row)
        if criteria.known.count < CriterionMemo.capacity { criteria.known[key] = criterion }
        return criterion
    }

    /// The criterion the row's cells spell (the memo's source; errors name the row's line).
    func readCriterion(from row: SourceRow) throws -> Criterion {
        let question = LineEndings.normalised(try row.requiredText("verification_prompt")).trimmedOfWhitespaceAndNewlines
        let options = try Self.options(from: row)
        let rawCorrect = try row.requiredText("verification_correct")
        guard let appropriate = AnswerNormalizer.normalize(rawCorrect), options.contains(appropriate) else {
            throw row.error("verification_correct \"\(rawCorrect)\" is not one of the options (\(options.joined(separator: ", ")))")
        }
        return Criterion(question: question, options: options, appropriate: appropriate)
    }

    /// Options from a JSON list, a Python-style list (`['no', 'yes']`) or comma-separated text (`yes, no`).
    static func options(from row: SourceRow, field: String = "verification_options") throws -> [String] {
        guard let value = row[field] else {
            throw row.error("missing required field \"\(field)\"")
        }
        var raw: [String]
        switch value {
        case .list(let elements):
            raw = try elements.map { element in
                guard let text = element.scalarText else {
                    throw row.error("field \"\(field)\": expected a list of texts, found \(element.kindName)")
                }
                return text
            }
        case .text(let text) where PythonListLiteral.looksLikeList(text):
            do {
                raw = try PythonListLiteral.parseStrings(text)
            } catch let error as PythonListLiteral.ParseError {
                throw row.error("field \"\(field)\" cannot be read as a list: \(error.message) at character \(error.offset + 1)")
            }
        default:
            raw = try row.requiredText(field).split(separator: ",").map(String.init)
        }
        var options: [String] = []
        for text in raw {
            guard let option = AnswerNormalizer.normalize(text) else {
                throw row.error("field \"\(field)\" has an empty option")
            }
            guard !options.contains(option) else {
                throw row.error("field \"\(field)\" lists \"\(option)\" twice")
            }
            options.append(option)
        }
        guard options.count >= 2 else {
            throw row.error("field \"\(field)\" needs at least two options, found \(options.count)")
        }
        return options
    }

    /// The paper's `message_number` as a whole number (CSV may write `50` or `50.0`); nil when absent.
    func contextPosition(from row: SourceRow) throws -> Int? {
        guard let text = try row.optionalText("message_number")?.trimmedOfWhitespace else { return nil }
        if let number = Int(text) { return number }
        if let number = Double(text), number.rounded() == number, abs(number) < 1e9 { return Int(number) }
        throw row.error("field \"message_number\" is \"\(text)\", expected a whole number")
    }

    /// The stimulus part of a paper key `<transcript>_<condition>_<stimulus>_<message number>`, e.g. `jump`.
    static func stimulusID(fromKey key: String, transcript: String?, condition: String, messageNumber: Int?) -> String? {
        if let transcript, let messageNumber {
            let prefix = "\(transcript)_\(condition)_"
            let suffix = "_\(messageNumber)"
            // Compared and cut as bytes: the parts are cut at ASCII underscores, so no character is split.
            let (bytes, head, tail) = (key.utf8, prefix.utf8, suffix.utf8)
            if bytes.count > head.count + tail.count, bytes.starts(with: head), bytes.reversed().starts(with: tail.reversed()) {
                let start = bytes.index(bytes.startIndex, offsetBy: head.count)
                let end = bytes.index(bytes.endIndex, offsetBy: -tail.count)
                return String(key[start..<end])
            }
        }
        // The part between the last two of at least three underscores (cut as bytes: `_` is ASCII).
        let bytes = key.utf8
        guard let last = bytes.lastIndex(of: UInt8(ascii: "_")),
              let secondLast = bytes[..<last].lastIndex(of: UInt8(ascii: "_")),
              bytes[..<secondLast].contains(UInt8(ascii: "_")) else { return nil }
        return String(key[bytes.index(after: secondLast)..<last])
    }

    /// A combined file's participant as a model name: its line breaks and runs of spaces made one space
    /// (`CharacterAI\nTherapist` is `CharacterAI Therapist`).
    static func participantName(_ raw: String) -> String {
        raw.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// A content-derived id (first 16 hex digits of SHA-256) for rows without the paper's `key`.
    static func contentID(
        subject: String, condition: String, stimulusID: String?, context: [Turn], stimulus: String,
        response: String?, criterion: Criterion
    ) -> String {
        let digest = ContentHash.sha256Hex(of: [
            subject, condition, stimulusID ?? "",
            context.map { "\($0.role)\u{1F}\($0.content)" }.joined(separator: "\u{1E}"),
            stimulus, response ?? "\u{0}missing",
            criterion.question, criterion.options.joined(separator: "\u{1F}"), criterion.appropriate,
        ])
        return String(digest.prefix(16))
    }
}
