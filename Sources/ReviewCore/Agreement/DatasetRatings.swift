// Turns a dataset and its raters' current labels into a rating table for the agreement engine.
import Foundation
import ReviewStatistics

/// What the table's categories are: the verdict each answer implies, or the raw answers.
public enum RatingCategories: String, Sendable, CaseIterable {
    /// appropriate / inappropriate; no verdict is a missing rating.
    case verdicts
    /// The normalised answers themselves (e.g. yes / no), sorted unless fixed.
    case answers
}

/// Which shared attribute groups items into clusters for the clustered bootstrap.
public enum ClusterKey: String, Sendable, CaseIterable {
    case stimulus, transcript, condition

    /// The cluster an item belongs to, as `value(of:)` says, without making a string (a million items are grouped
    /// without a million allocations).
    public func identity(of item: Item) -> ClusterIdentity {
        switch self {
        case .stimulus:
            return item.stimulusID.map { ClusterIdentity(tag: 0, first: $0, second: "") }
                ?? ClusterIdentity(tag: 1, first: item.condition, second: item.stimulus)
        case .transcript:
            return item.transcript.map { ClusterIdentity(tag: 2, first: $0, second: "") } ?? ClusterIdentity(tag: 3, first: item.id, second: "")
        case .condition:
            return ClusterIdentity(tag: 4, first: item.condition, second: "")
        }
    }

    /// The key's plural, for notes: "10 stimuli".
    public var plural: String {
        switch self {
        case .stimulus: "stimuli"
        case .transcript: "transcripts"
        case .condition: "conditions"
        }
    }

    /// The cluster an item belongs to: a stimulus by its id, else by its text; an item without a transcript is a
    /// cluster of its own.
    public func value(of item: Item) -> String {
        switch self {
        // Without a stimulus id, responses to the same stimulus text (the same question to the model) are one cluster.
        case .stimulus: return item.stimulusID.map { "s:" + $0 } ?? "text:" + item.condition + "\u{1F}" + item.stimulus
        case .transcript: return item.transcript.map { "t:" + $0 } ?? "item:" + item.id
        case .condition: return "c:" + item.condition
        }
    }
}

/// Which cluster an item is in: the attribute's kind and its values, compared and hashed as they are.
public struct ClusterIdentity: Hashable, Comparable, Sendable {
    let tag: Int
    let first: String
    let second: String

    /// Orders by kind, then the values (a stable order for the seeded bootstrap).
    public static func < (lhs: ClusterIdentity, rhs: ClusterIdentity) -> Bool {
        (lhs.tag, lhs.first, lhs.second) < (rhs.tag, rhs.first, rhs.second)
    }
}

/// Which attribute splits a dataset report into groups (`--by`).
public enum BreakdownKey: String, Sendable, CaseIterable {
    case condition, model, criterion
    /// The subject model with the settings it was run under (steel-man prompt, conversation context).
    case setting

    /// The group an item belongs to.
    public func value(of item: Item) -> String {
        switch self {
        case .condition: return item.condition
        case .model: return item.subject.name
        case .criterion: return item.criterion.question
        case .setting: return item.subject.name + " · " + item.subject.settingsCaption
        }
    }
}

extension SubjectModel {
    /// The run's settings in words: `steel-man prompt, context` and their negations; `settings not recorded`
    /// when the source said nothing of either.
    public var settingsCaption: String {
        var parts: [String] = []
        if let steelman { parts.append(steelman ? "steel-man prompt" : "no steel-man prompt") }
        if let contextualized { parts.append(contextualized ? "context" : "no context") }
        return parts.isEmpty ? "settings not recorded" : parts.joined(separator: ", ")
    }
}

/// Builds rating tables from a dataset and its current labels.
public enum DatasetRatings {
    /// The table of every item some human labelled, with one column per human (sorted) and one per judge.
    ///
    /// - Parameters:
    ///   - items: the items in scope (a whole dataset or one group of it), in order.
    ///   - labels: rater → item id → current label event (`CurrentLabels.load`).
    ///   - on: verdicts (default) or raw answers.
    ///   - fixedCategories: the category set and order for `answers`; nil for the sorted observed answers.
    ///   - clusterBy: fills `clusters` for the clustered bootstrap.
    ///   - completeOnly: keep only items every column rated.
    ///   - level: on `answers` of items that share one scale (`Criterion.scale`) and no `fixedCategories`: the
    ///     categories are the scale's points in order, and at an ordinal, interval or ratio level an answer off the
    ///     scale ("Do not know") is set aside as missing, never placed on the scale (counted in the table's notes);
    ///     nominal keeps it as a category of its own.
    /// - Throws: `InputError` when an answer is not one of `fixedCategories`.
    public static func table(
        items: [Item], labels: [String: [String: LabelEvent]], on: RatingCategories = .verdicts,
        fixedCategories: [String]? = nil, clusterBy: ClusterKey? = nil, completeOnly: Bool = false, level: MeasurementLevel = .nominal
    ) throws -> RatingTable {
        try table(items: items, positions: Array(items.indices), answers: AnswerColumns(items: items, labels: labels),
                  on: on, fixedCategories: fixedCategories, clusterBy: clusterBy, completeOnly: completeOnly, level: level)
    }

    /// The same table from the humans' answer columns over the items at `positions` (places in `items`, the
    /// dataset the columns were built on): a million items are read in place, never copied.
    public static func table(
        items: [Item], positions: [Int], answers: AnswerColumns, on: RatingCategories = .verdicts,
        fixedCategories: [String]? = nil, clusterBy: ClusterKey? = nil, completeOnly: Bool = false, level: MeasurementLevel = .nominal
    ) throws -> RatingTable {
        let humanNames = answers.raters
        let inScope = positions.filter { answers.anyAnswer(at: $0) }
        let judges = JudgeRater.judges(inScope.lazy.map { items[$0].judge })
        let judgeNames = judges.map(\.rater)
        let raters = humanNames + judgeNames
        let width = raters.count
        // One scale shared by every item in scope orders the answers; off it, an answer is no point of the scale.
        let sharedScale: CriterionScale? = on == .answers && fixedCategories == nil
            ? inScope.first.flatMap { items[$0].criterion.scale }.flatMap { scale in
                inScope.allSatisfy { items[$0].criterion.scale?.ordered == scale.ordered } ? scale : nil
            } : nil
        let scaleOnly = sharedScale != nil && level != .nominal
        var offScale = 0

        func category(_ answer: String?, of criterion: borrowing Criterion) -> String? {
            switch on {
            case .verdicts:
                switch criterion.verdict(for: answer) {
                case .appropriate: return Verdict.appropriate.rawValue
                case .inappropriate: return Verdict.inappropriate.rawValue
                case .noVerdict: return nil
                }
            case .answers:
                let option = criterion.option(matching: answer) ?? AnswerNormalizer.normalize(answer)
                if scaleOnly, let option, sharedScale?.ordered.contains(option) == false {
                    offScale += 1
                    return nil
                }
                return option
            }
        }

        // One flat row-major grid of cells, a row per item in scope.
        var cells: [String?] = []
        cells.reserveCapacity(inScope.count * width)
        for position in inScope {
            let criterion = items[position].criterion  // one copy a row
            for column in answers.answers { cells.append(category(column[position], of: criterion)) }
            for judge in judges {
                let judgeAnswer = items[position].judge
                cells.append(judgeAnswer?.name == judge.model ? category(judgeAnswer?.answer, of: criterion) : nil)
            }
        }
        var rows = Array(inScope.indices)
        if completeOnly { rows = rows.filter { row in (0..<width).allSatisfy { cells[row * width + $0] != nil } } }

        let categories: [String]
        switch on {
        case .verdicts: categories = [Verdict.appropriate.rawValue, Verdict.inappropriate.rawValue]
        case .answers:
            let observed = Set(rows.flatMap { row in (0..<width).compactMap { cells[row * width + $0] } })
            if let fixedCategories {
                categories = fixedCategories
            } else if let sharedScale {
                // The scale's points in order, then (nominal) the other answers given.
                categories = sharedScale.ordered + observed.subtracting(sharedScale.ordered).sorted()
            } else {
                categories = observed.sorted()
            }
        }
        let codeOf = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, Int32($0)) })
        // A few categories (the verdicts, a yes/no criterion) are found by comparing: no hashing of millions of cells.
        let code: (String) -> Int32? = categories.count <= 8
            ? { cell in categories.firstIndex(of: cell).map { Int32($0) } } : { codeOf[$0] }
        var codes: [Int32] = []
        codes.reserveCapacity(rows.count * width)
        for row in rows {
            for column in 0..<width {
                guard let cell = cells[row * width + column] else { codes.append(RatingTable.missing); continue }
                guard let code = code(cell) else {
                    throw InputError(file: "--categories", "answer \"\(cell)\" of \(raters[column]) on item \(items[inScope[row]].id) is not one of \(categories.joined(separator: ","))")
                }
                codes.append(code)
            }
        }
        var clusters: [Int32]?
        if let clusterBy {
            var ids: [ClusterIdentity: Int32] = [:]
            clusters = rows.map { row in
                let key = clusterBy.identity(of: items[inScope[row]])
                if let id = ids[key] { return id }
                let id = Int32(ids.count)
                ids[key] = id
                return id
            }
        }
        var table = RatingTable(items: rows.map { items[inScope[$0]].id }, raters: raters, categories: categories, codes: codes, clusters: clusters)
        if offScale > 0 {
            table.notes.append("\(offScale) answer\(offScale == 1 ? "" : "s") off the scale (e.g. \"do not know\") set aside as missing at the \(level.rawValue) level: never a point of the scale")
        }
        return table
    }
}
