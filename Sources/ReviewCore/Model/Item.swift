import Foundation
import ReviewStatistics

/// Which of the paper's two experiments an item belongs to.
public enum Experiment: String, Codable, Sendable, CaseIterable, Hashable {
    /// Acute-symptom stimuli (suicidal ideation, delusions, hallucinations, mania, OCD) judged by a criterion.
    case acuteSymptom = "acute-symptom"
    /// Stigma vignettes with questions on a fixed answer scale.
    case stigma
}

/// One turn of conversation shown to the subject model before the stimulus.
public struct Turn: Codable, Sendable, Hashable {
    /// Who spoke: `user` (the client) or `assistant` (the therapist or bot).
    public var role: String
    /// What was said.
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// The model whose response is being reviewed, and the settings it ran under.
public struct SubjectModel: Codable, Sendable, Hashable {
    /// The model's name, e.g. `gpt-4o` or `live-bot:noni`.
    public var name: String
    /// Whether the paper's "steel-man" therapist system prompt was on; nil when unknown.
    public var steelman: Bool?
    /// Position in a therapy transcript the stimulus was placed at (the paper's `message_number`); nil when none.
    public var contextPosition: Int?
    /// Whether the model was shown the therapy transcript before the stimulus (the paper's `contextualize`);
    /// nil when unknown.
    public var contextualized: Bool?
    /// The day the run was made (`YYYY-MM-DD`, from the paper's run folder); nil when unknown.
    public var runDate: String?

    public init(name: String, steelman: Bool? = nil, contextPosition: Int? = nil, contextualized: Bool? = nil,
                runDate: String? = nil) {
        self.name = name
        self.steelman = steelman
        self.contextPosition = contextPosition
        self.contextualized = contextualized
        self.runDate = runDate
    }

    /// The transcript position worth showing a rater: none when the run showed the model no transcript.
    public var shownContextPosition: Int? { contextualized == false ? nil : contextPosition }

    enum CodingKeys: String, CodingKey {
        case name, steelman, contextualized
        case contextPosition = "context_position"
        case runDate = "run_date"
    }
}

/// The judge model's answer to an item's criterion.
public struct JudgeAnswer: Codable, Sendable, Hashable {
    /// The judge model's name, e.g. `gpt-4o-2024-08-06`. As a rater it is called `judge:<name>`.
    public var name: String
    /// The judge's normalised answer; nil when the judge gave none.
    public var answer: String?
    /// The judge's explanation of its answer (an Inspect AI scorer's `explanation`); nil when it gave none.
    /// Shown to a clinician only after their own blind answer.
    public var rationale: String?
    /// What the judge was asked (the user message of the source's stored judge input, e.g. the paper's
    /// `classification_prompt`): `judge-review judge` asks it again verbatim. Not part of the item's content hash.
    public var prompt: String?

    public init(name: String, answer: String?, rationale: String? = nil, prompt: String? = nil) {
        self.name = name
        self.answer = answer
        self.rationale = rationale
        self.prompt = prompt
    }

    /// The rater name the judge goes by in agreement tables and exports.
    public var raterName: String { JudgeRater.name(model: name) }
}

/// One model response to review: the stimulus, the response, the criterion and the judge's answer.
public struct Item: Codable, Sendable, Hashable, Identifiable {
    /// The fields, behind one reference: copying an item (into an array, a queue case, a closure) is one
    /// reference count, not one a field, which is what a million items cost in every pass otherwise. Shared until
    /// written (copy on write, as Swift's own collections), so an item is still a plain value.
    private final class Storage: CopiedOnWrite, @unchecked Sendable {
        var id: String
        var experiment: Experiment
        var condition: String
        var stimulusID: String?
        var transcript: String?
        var context: [Turn]
        var stimulus: String
        var subject: SubjectModel
        var response: String?
        var criterion: Criterion
        var judge: JudgeAnswer?
        var storedHash: String?
        var storedHashIsComputed = false
        var textsLeftOut = false
        /// The judge's verdict, worked out whenever the criterion or the judge is set: every analysis reads it, a
        /// million items several times.
        private(set) var judgeVerdict: Verdict = .noVerdict

        /// Works out `judgeVerdict` again (after the criterion or the judge changed).
        func updateJudgeVerdict() {
            judgeVerdict = criterion.verdict(for: judge?.answer)
        }

        init(id: String, experiment: Experiment, condition: String, stimulusID: String?, transcript: String?,
             context: [Turn], stimulus: String, subject: SubjectModel, response: String?, criterion: Criterion,
             judge: JudgeAnswer?) {
            self.id = id
            self.experiment = experiment
            self.condition = condition
            self.stimulusID = stimulusID
            self.transcript = transcript
            self.context = context
            self.stimulus = stimulus
            self.subject = subject
            self.response = response
            self.criterion = criterion
            self.judge = judge
            updateJudgeVerdict()
        }

        func copy() -> Storage {
            let copy = Storage(id: id, experiment: experiment, condition: condition, stimulusID: stimulusID,
                               transcript: transcript, context: context, stimulus: stimulus, subject: subject,
                               response: response, criterion: criterion, judge: judge)
            copy.storedHash = storedHash
            copy.storedHashIsComputed = storedHashIsComputed
            copy.textsLeftOut = textsLeftOut
            return copy
        }
    }

    private var storage: Storage

    /// Changes the fields, copying them first when another item shares them.
    private mutating func change(_ body: (Storage) -> Void) {
        body(Storage.owned(&storage))
    }

    /// Changes a hashed field: the stored hash no longer describes the content.
    private mutating func changeContent(_ body: (Storage) -> Void) {
        change { storage in
            body(storage)
            storage.storedHash = nil
            storage.storedHashIsComputed = false
        }
    }

    /// Stable id: the paper's `key` where present, else a hash of the content.
    public var id: String {
        get { storage.id }
        set { changeContent { $0.id = newValue } }
    }
    public var experiment: Experiment {
        get { storage.experiment }
        set { changeContent { $0.experiment = newValue } }
    }
    /// The clinical condition, e.g. `suicidal ideation`, `mania`.
    public var condition: String {
        get { storage.condition }
        set { changeContent { $0.condition = newValue } }
    }
    /// The stimulus id shared by all responses to the same stimulus (used to cluster the bootstrap).
    public var stimulusID: String? {
        get { storage.stimulusID }
        set { change { $0.stimulusID = newValue } }
    }
    /// The therapy transcript the item was drawn for, when there is one (used to cluster the bootstrap).
    public var transcript: String? {
        get { storage.transcript }
        set { change { $0.transcript = newValue } }
    }
    /// Conversation before the stimulus, oldest first; empty for single-turn stimuli.
    public var context: [Turn] {
        get { storage.context }
        set { changeContent { $0.context = newValue } }
    }
    /// The client's message the model responded to.
    public var stimulus: String {
        get { storage.stimulus }
        set { changeContent { $0.stimulus = newValue } }
    }
    public var subject: SubjectModel {
        get { storage.subject }
        set { changeContent { $0.subject = newValue } }
    }
    /// The model's response; nil when it is missing from the source.
    public var response: String? {
        get { storage.response }
        set { changeContent { $0.response = newValue } }
    }
    public var criterion: Criterion {
        get { storage.criterion }
        set {
            changeContent { storage in
                storage.criterion = newValue
                storage.updateJudgeVerdict()
            }
        }
    }
    /// The judge's answer; nil when the dataset has no judge.
    public var judge: JudgeAnswer? {
        get { storage.judge }
        set {
            change { storage in
                storage.judge = newValue
                storage.updateJudgeVerdict()
            }
        }
    }
    /// The content hash stored in the dataset file (`sha256`), written when the file was; nil for an item made in
    /// memory or read from a file without one, and cleared when any hashed field changes. Not part of the item's
    /// identity (`==` ignores it).
    public var storedHash: String? {
        get { storage.storedHash }
        set {
            change { storage in
                storage.storedHash = newValue
                storage.storedHashIsComputed = false
            }
        }
    }
    /// Set by `computeHash()`: `storedHash` was computed from this very content in this process (any change to a
    /// hashed field clears `storedHash`, and with it this), so `computedContentHash` need not hash again.
    private var storedHashIsComputed: Bool { storage.storedHashIsComputed }
    /// Whether this is the study index's summary of the item (`summary(...)`): every field the analyses read
    /// (id, design fields, the stimulus, criterion, the judge's name and answer, whether there is a response, the
    /// content hash), without the response's text, the context or the judge's rationale and prompt. A summary
    /// cannot be written to a dataset, and its hash is the one recorded from the full item.
    public var textsLeftOut: Bool { storage.textsLeftOut }

    public init(
        id: String, experiment: Experiment, condition: String, stimulusID: String? = nil,
        transcript: String? = nil, context: [Turn] = [], stimulus: String, subject: SubjectModel,
        response: String?, criterion: Criterion, judge: JudgeAnswer?
    ) {
        storage = Storage(id: id, experiment: experiment, condition: condition, stimulusID: stimulusID,
                          transcript: transcript, context: context, stimulus: stimulus, subject: subject,
                          response: response, criterion: criterion, judge: judge)
    }

    enum CodingKeys: String, CodingKey {
        case id, experiment, condition
        case stimulusID = "stimulus_id"
        case transcript, context, stimulus, subject, response, criterion, judge
        case sha256
    }

    /// Writes every field and `sha256`, the hash of the content as written (computed now, so it is always right).
    public func encode(to encoder: any Encoder) throws {
        if textsLeftOut {
            throw EncodingError.invalidValue(id, EncodingError.Context(codingPath: [], debugDescription: "a summary item has no texts to write"))
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(experiment, forKey: .experiment)
        try c.encode(condition, forKey: .condition)
        try c.encodeIfPresent(stimulusID, forKey: .stimulusID)
        try c.encodeIfPresent(transcript, forKey: .transcript)
        try c.encode(context, forKey: .context)
        try c.encode(stimulus, forKey: .stimulus)
        try c.encode(subject, forKey: .subject)
        try c.encodeIfPresent(response, forKey: .response)
        try c.encode(criterion, forKey: .criterion)
        try c.encodeIfPresent(judge, forKey: .judge)
        try c.encode(computedContentHash, forKey: .sha256)
    }

    /// Items are the same when their content is; the stored hash is a cache of it, not part of it.
    public static func == (lhs: Item, rhs: Item) -> Bool {
        if lhs.storage === rhs.storage { return true }
        return lhs.id == rhs.id && lhs.experiment == rhs.experiment && lhs.condition == rhs.condition
            && lhs.stimulusID == rhs.stimulusID && lhs.transcript == rhs.transcript && lhs.context == rhs.context
            && lhs.stimulus == rhs.stimulus && lhs.subject == rhs.subject && lhs.response == rhs.response
            && lhs.criterion == rhs.criterion && lhs.judge == rhs.judge
    }

    /// Hashes the content fields `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(stimulus)
        hasher.combine(response)
        hasher.combine(criterion)
        hasher.combine(judge)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            experiment: try c.decode(Experiment.self, forKey: .experiment),
            condition: try c.decode(String.self, forKey: .condition),
            stimulusID: try c.decodeIfPresent(String.self, forKey: .stimulusID),
            transcript: try c.decodeIfPresent(String.self, forKey: .transcript),
            context: try c.decodeIfPresent([Turn].self, forKey: .context) ?? [],
            stimulus: try c.decode(String.self, forKey: .stimulus),
            subject: try c.decode(SubjectModel.self, forKey: .subject),
            response: try c.decodeIfPresent(String.self, forKey: .response),
            criterion: try c.decode(Criterion.self, forKey: .criterion),
            judge: try c.decodeIfPresent(JudgeAnswer.self, forKey: .judge))
        storage.storedHash = try c.decodeIfPresent(String.self, forKey: .sha256)
    }

    /// Whether two items come from the same subject model and settings (compared in place: a million items are
    /// grouped by their run without copying each one's subject).
    public func hasSameSubject(as other: Item) -> Bool {
        storage === other.storage || storage.subject == other.storage.subject
    }

    /// Whether a judge answered (or was asked about) this item, read in place.
    public var isJudged: Bool { storage.judge != nil }

    /// The judge's verdict on this item: appropriate, inappropriate, or no verdict.
    public var judgeVerdict: Verdict { storage.judgeVerdict }

    /// SHA-256 (hex) of what a rater judges: the stimulus, context, response and criterion.
    ///
    /// The judge's answer is left out on purpose: re-running the judge must not make human labels stale.
    /// Line endings are normalised first (CRLF and CR become LF): the same response saved as CSV on one system
    /// and JSONL on another is the same thing a rater saw.
    ///
    /// The value stored in the dataset file is used when there is one (computed once, when the file was
    /// written); `computedContentHash` recomputes it, for the places that must verify (`hashIsCurrent`).
    public var contentHash: String { storedHash ?? computedContentHash }

    /// Whether the stored hash (if any) still matches the content: false when the dataset file was edited by
    /// hand after it was written, so that labels given now would not record what the rater saw.
    /// A summary cannot be checked (it lacks the texts): `status --verify` and `check` read the full items.
    public var hashIsCurrent: Bool { storedHash.map { $0 == computedContentHash } ?? true }

    /// The hash computed from the content now (or by `computeHash()` since the content last changed; for a
    /// summary, the hash recorded from the full item).
    public var computedContentHash: String {
        if storedHashIsComputed || textsLeftOut, let storedHash { return storedHash }
        let text = LineEndings.normalised
        var fields = [
            id, experiment.rawValue, condition,
            context.map { "\($0.role)\u{1F}\(text($0.content))" }.joined(separator: "\u{1E}"),
            text(stimulus), subject.name, response.map(text) ?? "\u{0}missing",
            text(criterion.question), criterion.options.joined(separator: "\u{1F}"), criterion.appropriate,
        ]
        // A scale is part of what the criterion asks (absent, the hash is what it always was).
        if let scale = criterion.scale {
            fields.append(scale.ordered.joined(separator: "\u{1F}") + "\u{1E}" + scale.inappropriate.joined(separator: "\u{1F}"))
        }
        return ContentHash.sha256Hex(of: fields)
    }

    /// Computes the content hash once and keeps it, for an item made in memory (an import) whose hash is then
    /// needed several times: in its dataset line, in every label given to it.
    public mutating func computeHash() {
        let hash = computedContentHash
        change { storage in
            storage.storedHash = hash
            storage.storedHashIsComputed = true
        }
    }

    /// The study index's summary of an item: its texts left out (`textsLeftOut`), its hash the one recorded.
    ///
    /// - Parameter hasResponse: whether the full item has a response (the summary's is empty text, not nil).
    static func summary(
        id: String, experiment: Experiment, condition: String, stimulusID: String?, transcript: String?, stimulus: String,
        subject: SubjectModel, hasResponse: Bool, criterion: Criterion, judge: JudgeAnswer?, contentHash: String
    ) -> Item {
        let item = Item(id: id, experiment: experiment, condition: condition, stimulusID: stimulusID, transcript: transcript,
                        stimulus: stimulus, subject: subject, response: hasResponse ? "" : nil, criterion: criterion, judge: judge)
        item.storage.storedHash = contentHash
        item.storage.textsLeftOut = true
        return item
    }

    /// `computeHash()` for every item, on the machine's cores.
    public static func computeHashes(_ items: inout [Item]) {
        computeHashes(&items, item: \.self)
    }

    /// `computeHash()` for the item each element holds, in place (an item held only there is not copied).
    public static func computeHashes<Element>(_ elements: inout [Element], item: WritableKeyPath<Element, Item> & Sendable) {
        let count = elements.count
        let parts = ParallelWork.parts(for: count, minimum: 2_000)
        elements.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedMutableElements(buffer: buffer)
            _ = ParallelWork.map(parts: parts) { part in
                // Disjoint ranges of one buffer: each part touches only its own items.
                for index in (count * part / parts)..<(count * (part + 1) / parts) { shared.buffer[index][keyPath: item].computeHash() }
            }
        }
    }
}

/// A mutable buffer handed to the parts of a `ParallelWork` job that each write only their own elements; valid
/// only while its owner waits for every part.
private struct SharedMutableElements<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
}
