import Foundation

/// Reads dataset items the fast way (`JSONCursor`), with JSONDecoder for every line the cursor declines.
///
/// The cursor reads exactly the fields `Item.init(from:)` reads, with the same rules for required, optional and
/// null; a key it does not know, or one given twice, is declined, so that JSONDecoder and the duplicate-key check
/// see the line as before. Texts that repeat across items (conditions, stimuli, questions, options, names) are
/// shared through one interner per reader.
final class ItemReader {
    private let interner = StringInterner()
    private lazy var decoder = JSONDecoder()

    /// The item on this line, or nil when the cursor declines it (read it with `decodeSlowly`).
    func fastItem(_ line: UnsafeRawBufferPointer) -> Item? {
        guard var cursor = try? JSONCursor(line) else { return nil }
        return try? read(&cursor)
    }

    /// The straightforward path: the duplicate-key check and JSONDecoder, with their errors.
    func decodeSlowly(_ line: Data) throws -> Item {
        if let key = DuplicateKeyScanner.firstDuplicate(in: line) {
            throw DuplicateKey(key: key)
        }
        return try decoder.decode(Item.self, from: line)
    }

    /// A key given twice in one object of a line.
    struct DuplicateKey: Error {
        var key: String
    }

    private func read(_ cursor: inout JSONCursor) throws -> Item {
        var seen = FieldSet()
        var id: String?, experiment: Experiment?, condition: String?, stimulusID: String?, transcript: String?
        var context: [Turn]?, stimulus: String?, subject: SubjectModel?, response: String?
        var criterion: Criterion?, judge: JudgeAnswer?, sha256: String?
        let interner = self.interner
        try cursor.forEachMember { cursor, key in
            if key.spells("id") {
                try seen.insert(0); id = try cursor.string()
            } else if key.spells("experiment") {
                try seen.insert(1); experiment = try cursor.value(of: Experiment.self, interning: interner)
            } else if key.spells("condition") {
                try seen.insert(2); condition = try cursor.string(interning: interner)
            } else if key.spells("stimulus_id") {
                try seen.insert(3); stimulusID = try cursor.optionalString(interning: interner)
            } else if key.spells("transcript") {
                try seen.insert(4); transcript = try cursor.optionalString(interning: interner)
            } else if key.spells("context") {
                try seen.insert(5)
                if try !cursor.consumeNull() {
                    var turns: [Turn] = []
                    try cursor.forEachElement { cursor in turns.append(try Self.turn(&cursor, interner)) }
                    context = turns
                }
            } else if key.spells("stimulus") {
                try seen.insert(6); stimulus = try cursor.string(interning: interner)
            } else if key.spells("subject") {
                try seen.insert(7); subject = try Self.subject(&cursor, interner)
            } else if key.spells("response") {
                try seen.insert(8); response = try cursor.optionalString()
            } else if key.spells("criterion") {
                try seen.insert(9); criterion = try Self.criterion(&cursor, interner)
            } else if key.spells("judge") {
                try seen.insert(10)
                judge = try cursor.consumeNull() ? nil : try Self.judge(&cursor, interner)
            } else if key.spells("sha256") {
                try seen.insert(11); sha256 = try cursor.optionalString()
            } else {
                throw JSONCursor.Declined()
            }
        }
        try cursor.finish()
        guard let id, let experiment, let condition, let stimulus, let subject, let criterion else {
            throw JSONCursor.Declined()
        }
        var item = Item(
            id: id, experiment: experiment, condition: condition, stimulusID: stimulusID, transcript: transcript,
            context: context ?? [], stimulus: stimulus, subject: subject, response: response, criterion: criterion,
            judge: judge)
        item.storedHash = sha256
        return item
    }

    private static func turn(_ cursor: inout JSONCursor, _ interner: StringInterner) throws -> Turn {
        var seen = FieldSet()
        var role: String?, content: String?
        try cursor.forEachMember { cursor, key in
            if key.spells("role") {
                try seen.insert(0); role = try cursor.string(interning: interner)
            } else if key.spells("content") {
                try seen.insert(1); content = try cursor.string(interning: interner)
            } else {
                throw JSONCursor.Declined()
            }
        }
        guard let role, let content else { throw JSONCursor.Declined() }
        return Turn(role: role, content: content)
    }

    private static func subject(_ cursor: inout JSONCursor, _ interner: StringInterner) throws -> SubjectModel {
        var seen = FieldSet()
        var name: String?, steelman: Bool?, contextPosition: Int?, contextualized: Bool?, runDate: String?
        try cursor.forEachMember { cursor, key in
            if key.spells("name") {
                try seen.insert(0); name = try cursor.string(interning: interner)
            } else if key.spells("steelman") {
                try seen.insert(1); steelman = try cursor.optionalBool()
            } else if key.spells("context_position") {
                try seen.insert(2); contextPosition = try cursor.optionalInt()
            } else if key.spells("contextualized") {
                try seen.insert(3); contextualized = try cursor.optionalBool()
            } else if key.spells("run_date") {
                try seen.insert(4); runDate = try cursor.optionalString(interning: interner)
            } else {
                throw JSONCursor.Declined()
            }
        }
        guard let name else { throw JSONCursor.Declined() }
        return SubjectModel(name: name, steelman: steelman, contextPosition: contextPosition,
                            contextualized: contextualized, runDate: runDate)
    }

    private static func criterion(_ cursor: inout JSONCursor, _ interner: StringInterner) throws -> Criterion {
        var seen = FieldSet()
        var question: String?, options: [String]?, appropriate: String?
        try cursor.forEachMember { cursor, key in
            if key.spells("question") {
                try seen.insert(0); question = try cursor.string(interning: interner)
            } else if key.spells("options") {
                try seen.insert(1)
                var list: [String] = []
                try cursor.forEachElement { cursor in list.append(try cursor.string(interning: interner)) }
                options = list
            } else if key.spells("appropriate") {
                try seen.insert(2); appropriate = try cursor.string(interning: interner)
            } else {
                throw JSONCursor.Declined()
            }
        }
        guard let question, let options, let appropriate else { throw JSONCursor.Declined() }
        return Criterion(question: question, options: options, appropriate: appropriate)
    }

    private static func judge(_ cursor: inout JSONCursor, _ interner: StringInterner) throws -> JudgeAnswer {
        var seen = FieldSet()
        var name: String?, answer: String?, rationale: String?, prompt: String?
        try cursor.forEachMember { cursor, key in
            if key.spells("name") {
                try seen.insert(0); name = try cursor.string(interning: interner)
            } else if key.spells("answer") {
                try seen.insert(1); answer = try cursor.optionalString(interning: interner)
            } else if key.spells("rationale") {
                try seen.insert(2); rationale = try cursor.optionalString(interning: nil)
            } else if key.spells("prompt") {
                try seen.insert(3); prompt = try cursor.optionalString(interning: nil)
            } else {
                throw JSONCursor.Declined()
            }
        }
        guard let name else { throw JSONCursor.Declined() }
        return JudgeAnswer(name: name, answer: answer, rationale: rationale, prompt: prompt)
    }
}

/// Which of an object's known fields a fast reader has met: a second one is declined (the duplicate-key check
/// on the straightforward path then names it).
struct FieldSet {
    private var bits: UInt32 = 0

    mutating func insert(_ field: Int) throws {
        let bit: UInt32 = 1 << UInt32(field)
        guard bits & bit == 0 else { throw JSONCursor.Declined() }
        bits |= bit
    }
}

extension Item {
    /// The item's dataset line without its newline: the bytes `Dataset.jsonl()`'s JSONEncoder would write (sorted
    /// keys, `sha256` computed now), written directly.
    func jsonLine() -> [UInt8] {
        var writer = JSONWriter()
        writer.object { json in
            json.key("condition"); json.string(condition)
            json.key("context")
            json.array(context) { json, turn in
                json.object { json in
                    json.key("content"); json.string(turn.content)
                    json.key("role"); json.string(turn.role)
                }
            }
            json.key("criterion")
            json.object { json in
                json.key("appropriate"); json.string(criterion.appropriate)
                json.key("options"); json.array(criterion.options) { json, option in json.string(option) }
                json.key("question"); json.string(criterion.question)
                if let scale = criterion.scale {
                    json.key("scale")
                    json.object { json in
                        json.key("inappropriate"); json.array(scale.inappropriate) { json, point in json.string(point) }
                        json.key("ordered"); json.array(scale.ordered) { json, point in json.string(point) }
                    }
                }
            }
            json.key("experiment"); json.string(experiment.rawValue)
            json.key("id"); json.string(id)
            if let judge {
                json.key("judge")
                json.object { json in
                    json.field("answer", judge.answer)
                    json.key("name"); json.string(judge.name)
                    json.field("prompt", judge.prompt)
                    json.field("rationale", judge.rationale)
                }
            }
            json.field("response", response)
            json.key("sha256"); json.string(computedContentHash)
            json.key("stimulus"); json.string(stimulus)
            json.field("stimulus_id", stimulusID)
            json.key("subject")
            json.object { json in
                json.field("context_position", subject.contextPosition)
                json.field("contextualized", subject.contextualized)
                json.key("name"); json.string(subject.name)
                json.field("run_date", subject.runDate)
                json.field("steelman", subject.steelman)
            }
            json.field("transcript", transcript)
        }
        return writer.bytes
    }
}
