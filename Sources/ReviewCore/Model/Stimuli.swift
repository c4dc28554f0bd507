import Foundation

/// The acute-symptom conditions the project's stimulus set must cover.
public enum AcuteCondition: String, CaseIterable, Sendable, Hashable {
    /// Thoughts of ending one's life, including indirect requests for means.
    case suicidalIdeation = "suicidal ideation"
    /// Fixed false beliefs (persecutory, grandiose, misidentification, reference).
    case delusions
    /// Perceptions without a source: voices, visions.
    case hallucinations
    /// Elevated mood with little sleep, racing ideas and risky plans.
    case mania
    /// Obsessions with checking, washing or reassurance-seeking compulsions.
    case obsessiveCompulsive = "obsessive-compulsive behaviour"
}

/// The conditions of the stigma vignettes; `daily troubles` is the control.
public enum StigmaCondition: String, CaseIterable, Sendable, Hashable {
    /// Ordinary stress, no disorder: the control vignettes.
    case dailyTroubles = "daily troubles"
    /// Major depression.
    case depression
    /// Alcohol dependence.
    case alcoholDependence = "alcohol dependence"
    /// Schizophrenia.
    case schizophrenia
}

/// The six stigma questions every set must ask, by id.
public enum StigmaTopic: String, CaseIterable, Sendable, Hashable {
    /// Willingness to work closely with the person.
    case workClosely = "work-closely"
    /// Willingness to socialise with the person.
    case socialize
    /// Willingness to be friends with the person.
    case friends
    /// Willingness to have the person as a neighbour.
    case neighbours
    /// Willingness to have the person marry into one's family.
    case marryIntoFamily = "marry-into-family"
    /// How likely the person is thought to be violent toward others.
    case violence
}

/// One acute-symptom stimulus: what the client says (after optional context) and how a response is judged.
public struct AcuteStimulus: Decodable, Sendable, Hashable {
    /// Stable id, e.g. `si-01`; demo items are named after it.
    public var id: String
    /// The condition the stimulus presents.
    public var condition: AcuteCondition
    /// Turns before the stimulus, oldest first; empty for a single-turn stimulus.
    public var context: [Turn]
    /// The client's message the model responds to.
    public var stimulus: String
    /// The question asked of each response, its options in order and the appropriate answer.
    public var criterion: Criterion
    /// Why the appropriate answer is appropriate, in a sentence or two.
    public var rationale: String

    /// Whether the stimulus comes after conversation context.
    public var isMultiTurn: Bool { !context.isEmpty }

    enum CodingKeys: String, CodingKey {
        case id, condition, context, stimulus, criterion, rationale
    }

    /// Decodes one line; an unknown condition or id is a `StimulusFieldError` naming the allowed values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        let conditionName = try c.decode(String.self, forKey: .condition)
        condition = try StimulusFieldError.decode(AcuteCondition.self, conditionName, field: "condition")
        context = try c.decodeIfPresent([Turn].self, forKey: .context) ?? []
        stimulus = try c.decode(String.self, forKey: .stimulus)
        criterion = try c.decode(Criterion.self, forKey: .criterion)
        rationale = try c.decode(String.self, forKey: .rationale)
    }
}

/// A short story about a person, read before the stigma questions.
public struct StigmaVignette: Decodable, Sendable, Hashable {
    /// Stable id, e.g. `sv-de-01`.
    public var id: String
    /// The condition the vignette describes.
    public var condition: StigmaCondition
    /// The person's first name, put into the questions' `{name}` placeholder.
    public var name: String
    /// How the vignette describes the person, e.g. `woman`, `man`.
    public var gender: String
    /// The story itself.
    public var vignette: String

    enum CodingKeys: String, CodingKey {
        case id, condition, name, gender, vignette
    }

    /// Decodes one line; an unknown condition or id is a `StimulusFieldError` naming the allowed values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        let conditionName = try c.decode(String.self, forKey: .condition)
        condition = try StimulusFieldError.decode(StigmaCondition.self, conditionName, field: "condition")
        name = try c.decode(String.self, forKey: .name)
        gender = try c.decode(String.self, forKey: .gender)
        vignette = try c.decode(String.self, forKey: .vignette)
    }
}

/// One stigma question with its ordered answer scale and the answers that indicate stigma.
public struct StigmaQuestion: Decodable, Sendable, Hashable {
    /// Which of the six required questions this is.
    public var topic: StigmaTopic
    /// The question, with `{name}` where the vignette's person is named.
    public var question: String
    /// The answer scale in the order shown, normalised (lowercase, trimmed).
    public var options: [String]
    /// The options that indicate a stigmatising attitude.
    public var stigmaAnswers: [String]

    enum CodingKeys: String, CodingKey {
        case id, question, options
        case stigmaAnswers = "stigma_answers"
    }

    /// Decodes one line; an unknown condition or id is a `StimulusFieldError` naming the allowed values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let id = try c.decode(String.self, forKey: .id)
        topic = try StimulusFieldError.decode(StigmaTopic.self, id, field: "stigma question id")
        question = try c.decode(String.self, forKey: .question)
        options = try c.decode([String].self, forKey: .options)
        stigmaAnswers = try c.decode([String].self, forKey: .stigmaAnswers)
    }

    /// The question with the vignette person's name filled in.
    public func text(for vignette: StigmaVignette) -> String {
        question.replacingOccurrences(of: StimulusSet.namePlaceholder, with: vignette.name)
    }
}

/// A field value a decoder accepted but the stimulus schema does not (e.g. an unknown condition).
struct StimulusFieldError: Error {
    var message: String

    /// The case of `Value` spelled `raw`, or an error naming `field` and listing every allowed spelling.
    static func decode<Value: RawRepresentable & CaseIterable>(_ type: Value.Type, _ raw: String, field: String) throws -> Value
    where Value.RawValue == String {
        guard let value = Value(rawValue: raw) else {
            throw StimulusFieldError(
                message: "unknown \(field) \"\(raw)\", expected one of: "
                    + Value.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
        }
        return value
    }
}

/// The project's stimulus set: acute-symptom stimuli, stigma vignettes and stigma questions, validated.
public struct StimulusSet: Sendable {
    /// File of acute-symptom stimuli, one JSON object per line.
    public static let acuteFileName = "acute-symptoms.jsonl"
    /// File of stigma vignettes, one JSON object per line.
    public static let vignettesFileName = "stigma-vignettes.jsonl"
    /// File of stigma questions, one JSON object per line.
    public static let questionsFileName = "stigma-questions.jsonl"
    /// Where a stigma question names the vignette's person.
    public static let namePlaceholder = "{name}"
    /// Fewest stimuli each acute condition must have.
    public static let minimumStimuliPerCondition = 2
    /// Roles a context turn may have.
    public static let allowedRoles: Set<String> = ["user", "assistant"]

    /// Acute-symptom stimuli in file order.
    public var acute: [AcuteStimulus]
    /// Stigma vignettes in file order.
    public var vignettes: [StigmaVignette]
    /// Stigma questions in file order.
    public var questions: [StigmaQuestion]

    /// A set from already-validated parts (use `load(folder:)` to read and check files).
    public init(acute: [AcuteStimulus], vignettes: [StigmaVignette], questions: [StigmaQuestion]) {
        self.acute = acute
        self.vignettes = vignettes
        self.questions = questions
    }

    /// The acute stimulus with this id, if any.
    public func stimulus(id: String) -> AcuteStimulus? {
        acute.first { $0.id == id }
    }

    /// Reads and validates the three stimulus files in `folder`. Errors name the file and, where known, the line.
    ///
    /// Checks: every line is a JSON object of the file's schema; ids unique across the set; text fields
    /// non-empty; context roles `user` or `assistant`; options distinct and normalised, with the appropriate
    /// answer (or stigma answers) among them; each acute condition has at least two stimuli, one multi-turn;
    /// each stigma condition has a vignette; all six stigma questions are present once.
    public static func load(folder: URL) throws -> StimulusSet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError(file: folder.relativePath, "no such folder, expected a Stimuli folder")
        }
        var ids: [String: String] = [:]
        let acuteFile = folder.appendingPathComponent(acuteFileName)
        let acute: [AcuteStimulus] = try readRecords(acuteFile, kind: "acute-symptom stimulus") { stimulus, path, line in
            try claim(stimulus.id, path: path, line: line, ids: &ids)
            try validate(stimulus, path: path, line: line)
        }
        let vignettesFile = folder.appendingPathComponent(vignettesFileName)
        let vignettes: [StigmaVignette] = try readRecords(vignettesFile, kind: "stigma vignette") { vignette, path, line in
            try claim(vignette.id, path: path, line: line, ids: &ids)
            for (field, value) in [("name", vignette.name), ("gender", vignette.gender), ("vignette", vignette.vignette)] {
                try requireText(value, field: field, path: path, line: line)
            }
        }
        let questionsFile = folder.appendingPathComponent(questionsFileName)
        let questions: [StigmaQuestion] = try readRecords(questionsFile, kind: "stigma question") { question, path, line in
            try claim(question.topic.rawValue, path: path, line: line, ids: &ids)
            try validate(question, path: path, line: line)
        }
        try checkCoverage(acute: acute, path: acuteFile.relativePath)
        let vignetteConditions = Set(vignettes.map(\.condition))
        for condition in StigmaCondition.allCases where !vignetteConditions.contains(condition) {
            throw InputError(file: vignettesFile.relativePath, "no vignette for condition \"\(condition.rawValue)\"")
        }
        let topics = Set(questions.map(\.topic))
        let missing = StigmaTopic.allCases.filter { !topics.contains($0) }.map(\.rawValue)
        if !missing.isEmpty {
            throw InputError(file: questionsFile.relativePath, "missing stigma questions: \(missing.joined(separator: ", "))")
        }
        return StimulusSet(acute: acute, vignettes: vignettes, questions: questions)
    }

    /// Reads one JSONL file of records, calling `check` on each with its path and line.
    static func readRecords<Record: Decodable>(
        _ url: URL, kind: String, check: (Record, String, Int) throws -> Void
    ) throws -> [Record] {
        try readNumberedRecords(url, kind: kind, check: check).map(\.record)
    }

    /// Reads one JSONL file of records with their line numbers, calling `check` on each with its path and line.
    static func readNumberedRecords<Record: Decodable>(
        _ url: URL, kind: String, check: (Record, String, Int) throws -> Void
    ) throws -> [(record: Record, line: Int)] {
        let path = url.relativePath
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw InputError(file: path, "missing file, expected one \(kind) per line")
        }
        let data = try SafeFile.read(url.path, followLinks: true)
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, line: JSONLines.firstInvalidUTF8Line(in: data), "not UTF-8 text")
        }
        let decoder = JSONDecoder()
        var records: [(record: Record, line: Int)] = []
        for (number, line) in JSONLines.lines(of: text) {
            let record: Record
            do {
                record = try decoder.decode(Record.self, from: Data(line.utf8))
            } catch let error as StimulusFieldError {
                throw InputError(file: path, line: number, error.message)
            } catch {
                throw InputError(file: path, line: number, "not a valid \(kind): \(JSONLines.describe(error))")
            }
            try check(record, path, number)
            records.append((record, number))
        }
        if records.isEmpty { throw InputError(file: path, "empty file, expected one \(kind) per line") }
        return records
    }

    /// Records an id, failing when it was already used anywhere in the set.
    static func claim(_ id: String, path: String, line: Int, ids: inout [String: String]) throws {
        try requireText(id, field: "id", path: path, line: line)
        if let first = ids[id] {
            throw InputError(file: path, line: line, "duplicate id \"\(id)\" (first at \(first))")
        }
        ids[id] = "\(path):\(line)"
    }

    static func requireText(_ value: String, field: String, path: String, line: Int) throws {
        if value.trimmedOfWhitespaceAndNewlines.isEmpty {
            throw InputError(file: path, line: line, "field \"\(field)\" is empty")
        }
    }

    /// Checks options are non-empty, distinct and normalised (as answers are compared after normalising).
    static func validateOptions(_ options: [String], field: String, path: String, line: Int) throws {
        if options.count < 2 {
            throw InputError(file: path, line: line, "field \"\(field)\" needs at least two options")
        }
        for option in options {
            guard let normalized = AnswerNormalizer.normalize(option), normalized == option else {
                throw InputError(
                    file: path, line: line,
                    "option \"\(option)\" in \"\(field)\" must be non-empty, lowercase and trimmed (and not a spelling of missing)")
            }
        }
        if Set(options).count != options.count {
            throw InputError(file: path, line: line, "field \"\(field)\" repeats an option")
        }
    }

    static func validate(_ stimulus: AcuteStimulus, path: String, line: Int) throws {
        try requireText(stimulus.stimulus, field: "stimulus", path: path, line: line)
        try requireText(stimulus.rationale, field: "rationale", path: path, line: line)
        try requireText(stimulus.criterion.question, field: "criterion.question", path: path, line: line)
        for (index, turn) in stimulus.context.enumerated() {
            guard allowedRoles.contains(turn.role) else {
                throw InputError(
                    file: path, line: line, "context[\(index)].role is \"\(turn.role)\", expected \"user\" or \"assistant\"")
            }
            try requireText(turn.content, field: "context[\(index)].content", path: path, line: line)
        }
        let criterion = stimulus.criterion
        try validateOptions(criterion.options, field: "criterion.options", path: path, line: line)
        if !criterion.options.contains(criterion.appropriate) {
            throw InputError(
                file: path, line: line,
                "appropriate answer \"\(criterion.appropriate)\" is not one of the options \(criterion.options)")
        }
    }

    static func validate(_ question: StigmaQuestion, path: String, line: Int) throws {
        try requireText(question.question, field: "question", path: path, line: line)
        if !question.question.contains(namePlaceholder) {
            throw InputError(file: path, line: line, "question does not name the person: expected \(namePlaceholder)")
        }
        try validateOptions(question.options, field: "options", path: path, line: line)
        if question.stigmaAnswers.isEmpty || question.stigmaAnswers.count >= question.options.count {
            throw InputError(file: path, line: line, "stigma_answers must name some, but not all, of the options")
        }
        for answer in question.stigmaAnswers where !question.options.contains(answer) {
            throw InputError(file: path, line: line, "stigma answer \"\(answer)\" is not one of the options \(question.options)")
        }
    }

    /// Each acute condition needs enough stimuli, at least one of them multi-turn.
    static func checkCoverage(acute: [AcuteStimulus], path: String) throws {
        for condition in AcuteCondition.allCases {
            let stimuli = acute.filter { $0.condition == condition }
            if stimuli.count < minimumStimuliPerCondition {
                throw InputError(
                    file: path,
                    "condition \"\(condition.rawValue)\" has \(stimuli.count) stimuli, expected at least \(minimumStimuliPerCondition)")
            }
            if !stimuli.contains(where: \.isMultiTurn) {
                throw InputError(file: path, "condition \"\(condition.rawValue)\" has no multi-turn stimulus (one with context)")
            }
        }
    }

    /// One line for `stimuli --check`: what the folder holds.
    public var summary: String {
        let multiTurn = acute.filter(\.isMultiTurn).count
        return "\(acute.count) acute-symptom stimuli (\(AcuteCondition.allCases.count) conditions, \(multiTurn) multi-turn), "
            + "\(vignettes.count) stigma vignettes (\(StigmaCondition.allCases.count) conditions), \(questions.count) stigma questions"
    }

    /// A plain-text listing: aligned tables of the acute stimuli, the vignettes and the questions.
    ///
    /// - Parameter width: the longest line wanted; the last column is cut with "…" to fit.
    public func listing(width: Int = 100) -> String {
        var out = "Acute-symptom stimuli (\(acute.count))\n"
        out += TextTable.text(
            header: ["id", "condition", "turns", "appropriate", "criterion"],
            rows: acute.map {
                [$0.id, $0.condition.rawValue, "\($0.context.count + 1)", $0.criterion.appropriate, $0.criterion.question]
            }, width: width)
        out += "\nStigma vignettes (\(vignettes.count))\n"
        out += TextTable.text(
            header: ["id", "condition", "name", "gender", "vignette"],
            rows: vignettes.map { [$0.id, $0.condition.rawValue, $0.name, $0.gender, $0.vignette] }, width: width)
        out += "\nStigma questions (\(questions.count))\n"
        out += TextTable.text(
            header: ["id", "question"], rows: questions.map { [$0.topic.rawValue, $0.question] }, width: width)
        out += "\nAnswer scales (* marks an answer that indicates stigma)\n"
        // One column per distinct scale, headed by the questions that use it; one row per scale step.
        var scales: [(options: [String], topics: [String])] = []
        for question in questions {
            let marked = question.options.map { question.stigmaAnswers.contains($0) ? "\($0)*" : $0 }
            if let index = scales.firstIndex(where: { $0.options == marked }) {
                scales[index].topics.append(question.topic.rawValue)
            } else {
                scales.append((marked, [question.topic.rawValue]))
            }
        }
        let headers = scales.map { scale in
            scale.topics.count > 1 ? "\(scale.topics[0]) … \(scale.topics[scale.topics.count - 1])" : scale.topics[0]
        }
        let steps = scales.map(\.options.count).max() ?? 0
        out += TextTable.text(
            header: ["step"] + headers,
            rows: (0..<steps).map { step in
                ["\(step + 1)"] + scales.map { step < $0.options.count ? $0.options[step] : "" }
            }, width: width)
        return out
    }
}
