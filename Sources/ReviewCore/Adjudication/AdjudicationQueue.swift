import Foundation
import ReviewStatistics

/// The acute-risk conditions, in the order their costly misses are adjudicated.
///
/// A miss on these can cost a life or a hospital stay: a response that helps someone plan suicide, feeds a
/// manic plan, confirms a delusion or treats a hallucination as real. Suicidal ideation comes first, then
/// mania, delusions, hallucinations. Obsessive-compulsive behaviour and the stigma conditions are not acute
/// risk: their misses are "other misses".
public enum AcuteRisk {
    /// One acute-risk condition and the spellings (lowercased substrings) that identify it in a dataset.
    public struct Condition: Sendable, Hashable {
        /// The condition's name as documented.
        public var name: String
        /// Lowercased substrings that identify it in a dataset's condition text.
        public var spellings: [String]
    }

    /// Highest priority first.
    public static let conditions: [Condition] = [
        Condition(name: "suicidal ideation", spellings: ["suicid"]),
        Condition(name: "mania", spellings: ["mania", "manic"]),
        Condition(name: "delusions", spellings: ["delusion"]),
        Condition(name: "hallucinations", spellings: ["hallucinat"]),
    ]

    /// The priority of a condition (0 = suicidal ideation), or nil when it is not acute risk.
    public static func rank(of condition: String) -> Int? {
        let text = condition.lowercased()
        return conditions.firstIndex { $0.spellings.contains { text.contains($0) } }
    }
}

/// Why an item is in the adjudication queue, in queue order.
public enum AdjudicationKind: String, CaseIterable, Sendable, Codable, Hashable, Comparable {
    /// The judge said appropriate, a clinician said inappropriate, on an acute-risk condition.
    case acuteMiss = "acute-miss"
    /// The judge said appropriate, a clinician said inappropriate, on another condition.
    case miss
    /// The clinicians gave different answers (and it is not a miss).
    case disagreement
    /// The judge said inappropriate, the human reference says appropriate.
    case falseAlarm = "false-alarm"

    /// A short label for screens and status lines.
    public var title: String {
        switch self {
        case .acuteMiss: "acute-risk miss"
        case .miss: "other miss"
        case .disagreement: "human disagreement"
        case .falseAlarm: "false alarm"
        }
    }

    /// Queue order: acute-risk misses, other misses, disagreements, false alarms.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.order < rhs.order
    }

    /// Position in the queue order.
    var order: Int {
        switch self {
        case .acuteMiss: 0
        case .miss: 1
        case .disagreement: 2
        case .falseAlarm: 3
        }
    }
}

/// Aliases R1, R2, ... for the raters of one item, in an order that does not reveal who is who.
public enum AdjudicationAliases {
    /// Rater names in alias order (R1 first): sorted by SHA-256 of item id, adjudicator and rater,
    /// so the order differs from item to item, is never alphabetical by design, and can be reproduced.
    public static func order(raters: [String], itemID: String, adjudicator: String) -> [String] {
        let keyed: [(rater: String, key: String)] = raters.map { rater in
            (rater: rater, key: ContentHash.sha256Hex(of: [itemID, adjudicator, rater]))
        }
        let sorted = keyed.sorted { (a: (rater: String, key: String), b: (rater: String, key: String)) -> Bool in
            if a.key != b.key { return a.key < b.key }
            return a.rater < b.rater
        }
        return sorted.map { $0.rater }
    }
}

/// One rater's current label under its alias.
public struct AnonymisedLabel: Sendable, Hashable {
    /// `R1`, `R2`, ...
    public var alias: String
    /// The rater's real name: shown only after a recorded reveal.
    public var rater: String
    /// The rater's current label (answer, note, flag, time spent).
    public var event: LabelEvent
}

/// One item waiting for (or having had) an adjudicator's decision.
public struct AdjudicationCase: Sendable, Hashable {
    /// The item to settle.
    public var item: Item
    /// The item's position in the dataset file.
    public var position: Int
    /// Why it is queued.
    public var kind: AdjudicationKind
    /// The acute-risk priority of the item's condition, nil when not acute risk.
    public var acuteRank: Int?
    /// The humans' current labels, in alias order.
    public var labels: [AnonymisedLabel]
    /// The latest decision on the item by any adjudicator; nil while open.
    public var decision: AdjudicationEvent?

    /// Whether some adjudicator has decided the item.
    public var isDone: Bool { decision != nil }
}

/// Which queue entries to show: empty sets mean "all".
public struct AdjudicationFilter: Sendable, Hashable {
    /// Kinds to show.
    public var kinds: Set<AdjudicationKind>
    /// Conditions, compared lowercased and trimmed.
    public var conditions: Set<String>

    /// A filter on kinds and conditions (empty: all).
    public init(kinds: Set<AdjudicationKind> = [], conditions: Set<String> = []) {
        self.kinds = kinds
        self.conditions = Set(conditions.map { $0.trimmedOfWhitespace.lowercased() })
    }

    /// Whether a case passes the filter.
    public func matches(_ entry: AdjudicationCase) -> Bool {
        (kinds.isEmpty || kinds.contains(entry.kind))
            && (conditions.isEmpty || conditions.contains(entry.item.condition.trimmedOfWhitespace.lowercased()))
    }
}

/// Queue length and progress, for `judge-review status` and the adjudication header.
public struct AdjudicationProgress: Sendable, Equatable {
    /// Items in the queue.
    public var total: Int
    /// Items some adjudicator has decided.
    public var decided: Int
    /// Open items per kind (kinds with none left out).
    public var remaining: [AdjudicationKind: Int] = [:]
    /// Items that disagree so far but wait for an assigned rater's answer (not in the queue yet).
    public var waiting = 0

    /// Adds one queued item.
    mutating func count(kind: AdjudicationKind, decided isDecided: Bool) {
        total += 1
        if isDecided { decided += 1 } else { remaining[kind, default: 0] += 1 }
    }

    /// The status lines, e.g. `adjudication: 5 in queue, 2 decided, 3 remaining (acute-risk miss 1, false alarm 2)`.
    public var lines: [String] {
        if total == 0 {
            return ["adjudication: queue empty (no disagreements)" + (waiting > 0 ? "; \(waiting) items wait for an assigned rater's answer" : "")]
        }
        let open = total - decided
        var line = "adjudication: \(total) in queue, \(decided) decided, \(open) remaining"
        let parts = AdjudicationKind.allCases.compactMap { kind in remaining[kind].map { "\(kind.title) \($0)" } }
        if !parts.isEmpty { line += " (\(parts.joined(separator: ", ")))" }
        if waiting > 0 { line += "; \(waiting) more wait for an assigned rater's answer" }
        return [line]
    }
}

/// The items an adjudicator must settle, in order: acute-risk misses (suicidal ideation first), other misses,
/// human disagreements, false alarms; dataset order within each kind.
public struct AdjudicationQueue: Sendable, Hashable {
    /// The queued items in order.
    public var cases: [AdjudicationCase]

    /// A queue of already ordered cases.
    public init(cases: [AdjudicationCase]) {
        self.cases = cases
    }

    /// Builds the queue from in-memory inputs.
    ///
    /// - Parameters:
    ///   - humanLabels: rater → item id → current label (raters named `judge:...` are ignored).
    ///   - reference: the human reference per item (`ReferenceLabels.build` over the humans, without adjudication);
    ///     where it has no entry, unanimous humans stand in for it.
    ///   - decisions: the latest decision per item (`AdjudicationLogs.latestDecisions`).
    ///   - adjudicator: whose aliases to draw.
    ///   - assigned: the raters the study's assignment gives each item, by position; an item is queued only once
    ///     all of them have answered (empty: every labelled item is ready).
    public static func build(
        dataset: Dataset, humanLabels: [String: [String: LabelEvent]], reference: [String: ReferenceLabel],
        decisions: [String: AdjudicationEvent], adjudicator: String, assigned: [Int: [String]] = [:]
    ) -> AdjudicationQueue {
        let columns = humanLabels.filter { !JudgeRater.isJudge($0.key) }.sorted { $0.key < $1.key }.map { rater, table in
            LabelColumn(rater: rater) { table[dataset.items[$0].id] }
        }
        return build(dataset: dataset, columns: columns, reference: { reference[dataset.items[$0].id] },
                     decisions: decisions, adjudicator: adjudicator, assigned: assigned)
    }

    /// One human rater's current labels, read by item position.
    struct LabelColumn: Sendable {
        var rater: String
        var label: @Sendable (Int) -> LabelEvent?
    }

    /// The queue from label columns and references by position.
    static func build(
        dataset: Dataset, columns: [LabelColumn], reference: @Sendable (Int) -> ReferenceLabel?,
        decisions: [String: AdjudicationEvent], adjudicator: String, assigned: [Int: [String]]
    ) -> AdjudicationQueue {
        var cases: [AdjudicationCase] = []
        forEachQueued(dataset: dataset, columns: columns, reference: reference, assigned: assigned) { position, item, kind, labels in
            let aliases = AdjudicationAliases.order(raters: labels.map(\.rater), itemID: item.id, adjudicator: adjudicator)
            let anonymised = aliases.enumerated().compactMap { index, rater in
                labels.first { $0.rater == rater }.map { AnonymisedLabel(alias: "R\(index + 1)", rater: rater, event: $0.event) }
            }
            cases.append(AdjudicationCase(
                item: item, position: position, kind: kind, acuteRank: AcuteRisk.rank(of: item.condition),
                labels: anonymised, decision: decisions[item.id]))
        }
        cases.sort { a, b in
            if a.kind != b.kind { return a.kind < b.kind }
            if a.kind == .acuteMiss, a.acuteRank != b.acuteRank { return (a.acuteRank ?? .max) < (b.acuteRank ?? .max) }
            return a.position < b.position
        }
        return AdjudicationQueue(cases: cases)
    }

    /// Calls `body` for each item in dataset order that needs adjudication, with its kind and the humans'
    /// current labels (rater order); the one walk behind the queue and its progress line.
    /// Returns how many items would be queued but wait for an assigned rater (the one readiness rule).
    ///
    /// The items are classified a part at a time on the machine's cores (a million items, a few raters); `body`
    /// is then called in dataset order for the queued ones.
    @discardableResult
    private static func forEachQueued(
        dataset: Dataset, columns: [LabelColumn], reference: @Sendable (Int) -> ReferenceLabel?, assigned: [Int: [String]],
        _ body: (Int, Item, AdjudicationKind, [(rater: String, event: LabelEvent)]) -> Void
    ) -> Int {
        let count = dataset.items.count
        let parts = ParallelWork.parts(for: count, minimum: 20_000)
        let classified = ParallelWork.map(parts: parts) { part -> (queued: [(Int, AdjudicationKind)], waiting: Int) in
            var labels: [(rater: String, event: LabelEvent)] = []
            var queued: [(Int, AdjudicationKind)] = []
            var waiting = 0
            for position in (count * part / parts)..<(count * (part + 1) / parts) {
                labels.removeAll(keepingCapacity: true)
                for column in columns {
                    if let event = column.label(position), event.kind == .label { labels.append((column.rater, event)) }
                }
                guard !labels.isEmpty,
                      let kind = kind(of: dataset.items[position], labels: labels.lazy.map(\.event), reference: reference(position)) else {
                    continue
                }
                // The assignment says who must see the item first: an adjudicator never settles an item before one
                // of its clinicians has answered it.
                if let required = assigned[position], !required.allSatisfy({ rater in labels.contains { $0.rater == rater } }) {
                    waiting += 1
                    continue
                }
                queued.append((position, kind))
            }
            return (queued, waiting)
        }
        var labels: [(rater: String, event: LabelEvent)] = []
        for part in classified {
            for (position, kind) in part.queued {
                labels.removeAll(keepingCapacity: true)
                for column in columns {
                    if let event = column.label(position), event.kind == .label { labels.append((column.rater, event)) }
                }
                body(position, dataset.items[position], kind, labels)
            }
        }
        return classified.reduce(0) { $0 + $1.waiting }
    }

    /// Why an item needs adjudication, or nil when humans and judge agree.
    static func kind(
        of item: Item, labels: some Collection<LabelEvent>, reference: ReferenceLabel?
    ) -> AdjudicationKind? {
        let judge = item.judgeVerdict
        let criterion = item.criterion  // one copy an item, not one a label and use
        var firstVerdict: Verdict?
        var anyInappropriate = false
        var firstAnswer: String?
        var answersDiffer = false
        for label in labels {
            let verdict = label.verdict ?? criterion.verdict(for: label.answer)
            if firstVerdict == nil { firstVerdict = verdict }
            if verdict == .inappropriate { anyInappropriate = true }
            let answer = criterion.option(matching: label.answer) ?? AnswerNormalizer.normalize(label.answer) ?? ""
            if let firstAnswer { answersDiffer = answersDiffer || answer != firstAnswer } else { firstAnswer = answer }
        }
        if judge == .appropriate && anyInappropriate {
            return AcuteRisk.rank(of: item.condition) == nil ? .miss : .acuteMiss
        }
        if answersDiffer { return .disagreement }
        let referenceVerdict: Verdict
        if let reference, reference.source != .tie {
            referenceVerdict = criterion.verdict(for: reference.answer)
        } else {
            referenceVerdict = firstVerdict ?? .noVerdict
        }
        if judge == .inappropriate && referenceVerdict == .appropriate { return .falseAlarm }
        return nil
    }

    /// Queue length, decided count and open items per kind, without drawing aliases (for `status`).
    static func progress(labels: StudyLabels) -> AdjudicationProgress {
        let references = labels.referenceColumn(adjudicated: false)
        let decisions = labels.decisions
        var progress = AdjudicationProgress(total: 0, decided: 0, remaining: [:])
        progress.waiting = forEachQueued(
            dataset: labels.dataset, columns: columns(of: labels), reference: { references[$0] }, assigned: labels.assignedRaters
        ) { _, item, kind, _ in
            progress.count(kind: kind, decided: decisions[item.id] != nil)
        }
        return progress
    }

    /// The humans' label columns of a study's labels: each replay read by position.
    private static func columns(of labels: StudyLabels) -> [LabelColumn] {
        labels.humanReplays.map { replay in LabelColumn(rater: replay.rater) { replay.current(at: $0) } }
    }

    /// The cases passing `filter`, in queue order.
    public func filtered(_ filter: AdjudicationFilter) -> [AdjudicationCase] {
        cases.filter(filter.matches)
    }

    /// The distinct conditions in the queue, in queue order (for the condition filter).
    public var conditions: [String] {
        var seen: Set<String> = []
        return cases.map(\.item.condition).filter { seen.insert($0.lowercased()).inserted }
    }

    /// Queue length, decided count and open items per kind.
    public var progress: AdjudicationProgress {
        var progress = AdjudicationProgress(total: 0, decided: 0, remaining: [:])
        for entry in cases { progress.count(kind: entry.kind, decided: entry.isDone) }
        return progress
    }

    /// Everything the adjudicate command and the status line need, loaded from a dataset's annotation folder.
    public struct Loaded: Sendable {
        /// The ordered queue.
        public var queue: AdjudicationQueue
        /// Items this adjudicator has revealed names on (from their own log).
        public var revealed: Set<String>
        /// Problems that did not stop loading (torn last lines).
        public var warnings: [String]
    }

    /// Loads the queue: human labels (`CurrentLabels.load`), their reference (`ReferenceLabels.build`,
    /// without adjudication), and every adjudicator's decisions.
    public static func load(annotationFolder: URL, dataset: Dataset, adjudicator: String) throws -> Loaded {
        load(labels: try StudyLabels.load(folder: annotationFolder, dataset: dataset), adjudicator: adjudicator)
    }

    /// The queue from a study's labels: the humans' reference without adjudication, and every decision.
    public static func load(labels: StudyLabels, adjudicator: String) -> Loaded {
        let reading = labels.adjudication
        let revealed = Set(reading.events.filter { $0.kind == .reveal && $0.adjudicator == adjudicator }.map(\.item))
        let references = labels.referenceColumn(adjudicated: false)
        let queue = build(dataset: labels.dataset, columns: columns(of: labels), reference: { references[$0] },
                          decisions: labels.decisions, adjudicator: adjudicator, assigned: labels.assignedRaters)
        return Loaded(queue: queue, revealed: revealed, warnings: reading.warnings)
    }
}

/// The adjudication lines `judge-review status` prints.
public enum AdjudicationStatus {
    /// Queue length, decided and remaining by kind for a dataset, plus any log warnings; never throwing: a log
    /// that cannot be read becomes a line saying so.
    public static func statusLines(folder: URL, dataset: Dataset) -> [String] {
        do {
            return statusLines(labels: try StudyLabels.load(folder: folder, dataset: dataset, strict: false))
        } catch {
            return ["adjudication: cannot read the logs: \(error)"]
        }
    }

    /// The lines from labels read for `status` (unreadable logs kept apart): the queue over the readable ones.
    public static func statusLines(labels: StudyLabels) -> [String] {
        if let error = labels.adjudicationError { return ["adjudication: cannot read the logs: \(error)"] }
        let progress = AdjudicationQueue.progress(labels: labels)
        return progress.lines + labels.adjudication.warnings.map { "warning: \($0)" }
    }
}
