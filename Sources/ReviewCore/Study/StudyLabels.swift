import Foundation
import ReviewStatistics

/// A study's labels now: the one seam between the files on disk and what every report, export and console uses.
///
/// Every rater log in the annotation folder is replayed once against the dataset (latest event wins, a retraction
/// removes, labels on changed items are set apart as stale), the adjudicators' decisions are read once, and from
/// them come the humans' answers, the reference each item is judged against, and the judge's place among the
/// raters. Status, agreement, export, the adjudication queue and the consoles all read labels through it.
public struct StudyLabels: Sendable {
    /// One rater log as read: its replay, or why it could not be read.
    public struct Log: Sendable {
        /// The rater (the file's name without `.jsonl`).
        public var rater: String
        /// The log file.
        public var file: URL
        /// The replay against the dataset; nil when the log could not be read (`error`).
        public var replay: RaterReplay?
        /// A torn last line not yet set aside (the rater's next session sets it aside); nil when none.
        public var tornLine: Int?
        /// Lines earlier recoveries set aside in `<rater>.jsonl.corrupt`.
        public var setAside: Int
        /// Why the log could not be read, one line; nil when it was.
        public var error: String?
        /// Set when the log's replay cache could not serve (the log shrank or changed): it was read whole.
        public var note: String?
    }

    /// The dataset the labels were replayed against.
    public let dataset: Dataset
    /// The folder the logs were read from.
    public let folder: URL
    /// Every rater log, sorted by rater.
    public let logs: [Log]
    /// Every adjudicator's events, and warnings about torn last lines.
    public let adjudication: AdjudicationLogs.Reading
    /// Why the adjudication logs could not be read; nil when they were.
    public let adjudicationError: String?
    /// Each human rater's current answer by item position, derived once from the logs.
    public let answerColumns: AnswerColumns
    /// The raters the study's assignment gives each item, by dataset position (empty without an assignment):
    /// an item is ready for adjudication only once all of them have answered.
    public let assignedRaters: [Int: [String]]
    /// The study's rater assignment, read once with the logs (nil outside a study or without one).
    public let assignment: RaterAssignment?

    private init(dataset: Dataset, folder: URL, logs: [Log], adjudication: AdjudicationLogs.Reading, adjudicationError: String?,
                 assignment: RaterAssignment?, firstAnswers: Bool = false) {
        self.dataset = dataset
        self.folder = folder
        self.logs = logs
        self.adjudication = adjudication
        self.adjudicationError = adjudicationError
        self.assignment = assignment
        self.assignedRaters = Self.assignedRaters(assignment, dataset: dataset)
        self.firstAnswersOnly = firstAnswers
        let replays = logs.compactMap { log in JudgeRater.isJudge(log.rater) ? nil : log.replay }
        answerColumns = AnswerColumns(replays: replays, count: dataset.items.count, firstOf: firstAnswers ? dataset.items.map(\.id) : nil)
    }

    /// Whether the answer columns hold each rater's first answer instead of the current one (`firstAnswers()`).
    public let firstAnswersOnly: Bool

    /// The same labels with each rater's first live answer on an item in place of its current one (on the items
    /// the rater currently has labelled): the answers given before the judge was revealed and before any revision,
    /// for coefficients and references free of the judge's influence (`--answers first`).
    public func firstAnswers() -> StudyLabels {
        StudyLabels(dataset: dataset, folder: folder, logs: logs, adjudication: adjudication, adjudicationError: adjudicationError,
                    assignment: assignment, firstAnswers: true)
    }

    /// Reads every log in `folder` against `dataset`, without locks or repairs (safe while raters label).
    ///
    /// - Parameter strict: true (reports, exports, queues): an unreadable log is an error naming file and line;
    ///   false (`status`): it is kept as a `Log` with its error, so every other log is still shown.
    ///   - study: the study whose derived files may hold the logs' replay caches (nil: every log read whole).
    public static func load(folder: URL, dataset: Dataset, strict: Bool = true, study: Study? = nil) throws -> StudyLabels {
        let files = try CurrentLabels.raterLogFiles(folder: folder)
        // The logs are independent: read and replayed a core's worth at a time.
        var logs: [Log] = []
        var batchStart = 0
        while batchStart < files.count {
            WorkProgress.current?.update("replaying label logs", done: batchStart, total: files.count)
            let batch = Array(files[batchStart..<min(files.count, batchStart + ParallelWork.cores)])
            for (log, failure) in ParallelWork.map(parts: batch.count, { readLog(file: batch[$0], dataset: dataset, study: study) }) {
                if strict, let failure { throw failure }
                logs.append(log)
            }
            batchStart += batch.count
        }
        var adjudication = AdjudicationLogs.Reading(events: [], warnings: [])
        var adjudicationError: String?
        do {
            adjudication = try AdjudicationLogs.readAll(annotationFolder: folder)
        } catch {
            if strict { throw error }
            adjudicationError = "\(error)"
        }
        return StudyLabels(dataset: dataset, folder: folder, logs: logs, adjudication: adjudication, adjudicationError: adjudicationError,
                           assignment: try studyAssignment(folder: folder))
    }

    /// The study's assignment, when `folder` is a study's annotation folder and the study has one.
    static func studyAssignment(folder: URL) throws -> RaterAssignment? {
        let study = Study(folder: folder.deletingLastPathComponent())
        guard study.annotationFolder.standardizedFileURL.path == folder.standardizedFileURL.path,
              FileKind.ofPath(study.settingsFile.path) == .regular else { return nil }
        return try RaterAssignment.load(from: study)
    }

    /// Who `assignment` gives each item to, by dataset position.
    static func assignedRaters(_ assignment: RaterAssignment?, dataset: Dataset) -> [Int: [String]] {
        guard let assignment else { return [:] }
        var raters: [Int: [String]] = [:]
        for queue in assignment.queues {
            for item in queue.items {
                if let position = dataset.indexByID[item] { raters[position, default: []].append(queue.rater) }
            }
        }
        return raters
    }

    /// One rater's log read and replayed against the dataset; a log that cannot be read keeps its error, and
    /// the error is returned too (a strict caller throws it).
    private static func readLog(file: URL, dataset: Dataset, study: Study?) -> (Log, (any Error)?) {
        let rater = file.deletingPathExtension().lastPathComponent
        let sideFile = AppendOnlyLog<LabelEvent>.corruptFile(for: file)
        var log = Log(rater: rater, file: file, replay: nil, tornLine: nil,
                      setAside: (try? SafeFile.read(sideFile.path)).map(LogScanner.countLines) ?? 0, error: nil)
        do {
            let reading = try LogReplayCache.readEvents(file: file, study: study, dataset: dataset)
            log.replay = RaterReplay(rater: rater, events: reading.events, dataset: dataset, knownPositions: reading.positions)
            log.tornLine = reading.tornLine
            log.note = reading.note
        } catch {
            log.error = "\(error)"
            return (log, error)
        }
        return (log, nil)
    }

    /// The same labels with only these human raters' logs (a report limited by `--raters`); the judge stays.
    public func restricted(to raters: Set<String>) -> StudyLabels {
        StudyLabels(dataset: dataset, folder: folder, logs: logs.filter { raters.contains($0.rater) },
                    adjudication: adjudication, adjudicationError: adjudicationError, assignment: assignment,
                    firstAnswers: firstAnswersOnly)
    }

    /// The human raters whose logs were read (the judge is never a log).
    public var raters: [String] { logs.filter { $0.replay != nil && !JudgeRater.isJudge($0.rater) }.map(\.rater) }

    /// Human rater → item id → current label event (retracted and stale labels left out).
    public var current: [String: [String: LabelEvent]] {
        var result: [String: [String: LabelEvent]] = [:]
        for log in logs where !JudgeRater.isJudge(log.rater) {
            if let replay = log.replay { result[log.rater] = replay.current }
        }
        return result
    }

    /// The human raters' replays (the judge is never a log), sorted by rater: each reads its labels by position.
    public var humanReplays: [RaterReplay] {
        logs.compactMap { log in JudgeRater.isJudge(log.rater) ? nil : log.replay }
    }

    /// Human rater → item id → normalised answer of the current label.
    public var humanAnswers: [String: [String: String]] { answerColumns.dictionary(items: dataset.items) }

    /// The one derivation of the humans' answers from current label events: labels only, answers normalised,
    /// the judge left out, raters without any answer left out.
    public static func humanAnswers(_ labels: [String: [String: LabelEvent]]) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for (rater, events) in labels where !JudgeRater.isJudge(rater) {
            var answers: [String: String] = [:]
            for (item, event) in events {
                if let answer = AnswerColumns.answer(of: event) { answers[item] = answer }
            }
            if !answers.isEmpty { result[rater] = answers }
        }
        return result
    }

    /// The judges among the raters: `judge:<model>` for every judge model that answered an item.
    public var judgeRaters: [String] {
        JudgeRater.judges(dataset.items.lazy.map(\.judge)).map(\.rater)
    }

    /// The latest decision per item across all adjudicators (stale and unknown items left out).
    public var decisions: [String: AdjudicationEvent] {
        AdjudicationLogs.latestDecisions(adjudication.events, dataset: dataset)
    }

    /// Item id → the adjudicated answer.
    public var adjudicatedAnswers: [String: String] { decisions.compactMapValues(\.answer) }

    /// The reference label of every item some human labelled (or an adjudicator settled).
    ///
    /// - Parameters:
    ///   - adjudicated: use adjudicators' decisions where they exist (`--reference adjudicated`).
    ///   - minRaters: the fewest human labels an item needs for a reference of its own (an adjudicated answer
    ///     always counts); 1 lets a single clinician's label serve, as `single`.
    public func references(adjudicated: Bool = true, minRaters: Int = 1) -> [String: ReferenceLabel] {
        var result: [String: ReferenceLabel] = [:]
        for (position, reference) in referenceColumn(adjudicated: adjudicated, minRaters: minRaters).enumerated() {
            if let reference { result[dataset.items[position].id] = reference }
        }
        return result
    }

    /// The same references by item position (nil where an item has none): what the hot paths read.
    public func referenceColumn(adjudicated: Bool = true, minRaters: Int = 1) -> [ReferenceLabel?] {
        var settled: [Int: String] = [:]
        if adjudicated {
            for (item, answer) in adjudicatedAnswers {
                if let position = dataset.indexByID[item] { settled[position] = answer }
            }
        }
        return ReferenceLabels.build(columns: answerColumns, adjudicated: settled, minRaters: minRaters)
    }
}

/// Each human rater's current normalised answer, by item position: what references, the queue, agreement tables
/// and exports read (a million items, a few raters: one array a rater instead of a table keyed by item id).
public struct AnswerColumns: Sendable {
    /// Human raters with at least one answer, sorted.
    public let raters: [String]
    /// `answers[r][position]`: rater `raters[r]`'s answer on the item at `position`, or nil.
    public let answers: [[String?]]
    /// How many positions (items) each column has.
    public let count: Int

    /// What a current label event contributes: its normalised answer, for labels only.
    public static func answer(of event: LabelEvent) -> String? {
        event.kind == .label ? AnswerNormalizer.normalize(event.answer) : nil
    }

    /// The columns of replays against a dataset of `count` items (judge replays already left out); with
    /// `firstOf` (the items' ids by position), each currently labelled item's first live answer instead.
    init(replays: [RaterReplay], count: Int, firstOf ids: [String]? = nil) {
        var raters: [String] = []
        var answers: [[String?]] = []
        let sorted = replays.sorted(by: { $0.rater < $1.rater })
        // One column a rater, the raters' columns on the cores at once.
        let columns = ParallelWork.map(parts: sorted.count) { part -> (column: [String?], any: Bool) in
            let replay = sorted[part]
            var column = [String?](repeating: nil, count: count)
            var any = false
            let firsts = ids == nil ? [:] : replay.firstLabels
            for position in 0..<count {
                guard var event = replay.current(at: position), event.kind == .label else { continue }
                if let ids, position < ids.count, let first = firsts[ids[position]] { event = first }
                if let answer = Self.answer(of: event) {
                    column[position] = answer
                    any = true
                }
            }
            return (column, any)
        }
        for (replay, built) in zip(sorted, columns) where built.any {
            raters.append(replay.rater)
            answers.append(built.column)
        }
        self.raters = raters
        self.answers = answers
        self.count = count
    }

    /// The columns of a label table keyed by item id, over `items` (position = index in `items`).
    public init(items: [Item], labels: [String: [String: LabelEvent]]) {
        var raters: [String] = []
        var answers: [[String?]] = []
        for (rater, table) in labels.sorted(by: { $0.key < $1.key }) where !JudgeRater.isJudge(rater) {
            let column = items.map { item in table[item.id].flatMap(Self.answer(of:)) }
            if column.contains(where: { $0 != nil }) {
                raters.append(rater)
                answers.append(column)
            }
        }
        self.raters = raters
        self.answers = answers
        self.count = items.count
    }

    /// Columns of answers keyed by item id, over `ids` (position = index in `ids`).
    init(ids: [String], humanAnswers: [String: [String: String]]) {
        let sorted = humanAnswers.sorted { $0.key < $1.key }
        raters = sorted.map(\.key)
        answers = sorted.map { _, table in ids.map { table[$0] } }
        count = ids.count
    }

    /// Whether some rater answered the item at `position`.
    public func anyAnswer(at position: Int) -> Bool {
        answers.contains { $0[position] != nil }
    }

    /// The dictionary form, rater → item id → answer, with ids from `items`.
    public func dictionary(items: [Item]) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for (rater, column) in zip(raters, answers) {
            var table: [String: String] = [:]
            for (position, answer) in column.enumerated() {
                if let answer { table[items[position].id] = answer }
            }
            result[rater] = table
        }
        return result
    }
}
