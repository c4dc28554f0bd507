// Turns a dataset and its raters' current labels into a rating table for the agreement engine.
import Foundation

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

    /// The cluster an item belongs to; an item without the attribute is a cluster of its own.
    public func value(of item: Item) -> String {
        switch self {
        case .stimulus: return item.stimulusID.map { "s:" + $0 } ?? "item:" + item.id
        case .transcript: return item.transcript.map { "t:" + $0 } ?? "item:" + item.id
        case .condition: return "c:" + item.condition
        }
    }
}

/// Which attribute splits a dataset report into groups (`--by`).
public enum BreakdownKey: String, Sendable, CaseIterable {
    case condition, model, criterion

    /// The group an item belongs to.
    public func value(of item: Item) -> String {
        switch self {
        case .condition: return item.condition
        case .model: return item.subject.name
        case .criterion: return item.criterion.question
        }
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
    /// - Throws: `InputError` when an answer is not one of `fixedCategories`.
    public static func table(
        items: [Item], labels: [String: [String: LabelEvent]], on: RatingCategories = .verdicts,
        fixedCategories: [String]? = nil, clusterBy: ClusterKey? = nil, completeOnly: Bool = false
    ) throws -> RatingTable {
        try table(items: items, positions: Array(items.indices), answers: AnswerColumns(items: items, labels: labels),
                  on: on, fixedCategories: fixedCategories, clusterBy: clusterBy, completeOnly: completeOnly)
    }

    /// The same table from the humans' answer columns: `positions[i]` is the column position of `items[i]`
    /// (its place in the dataset the columns were built on).
    public static func table(
        items: [Item], positions: [Int], answers: AnswerColumns, on: RatingCategories = .verdicts,
        fixedCategories: [String]? = nil, clusterBy: ClusterKey? = nil, completeOnly: Bool = false
    ) throws -> RatingTable {
        let humanNames = answers.raters
        let inScope = zip(items, positions).filter { answers.anyAnswer(at: $0.1) }
        let labelled = inScope.map(\.0)
        let judgeNames = Array(Set(labelled.compactMap { $0.judge?.raterName })).sorted()
        let raters = humanNames + judgeNames

        func category(_ answer: String?, of item: Item) -> String? {
            switch on {
            case .verdicts:
                switch item.criterion.verdict(for: answer) {
                case .appropriate: return Verdict.appropriate.rawValue
                case .inappropriate: return Verdict.inappropriate.rawValue
                case .noVerdict: return nil
                }
            case .answers:
                return item.criterion.option(matching: answer) ?? AnswerNormalizer.normalize(answer)
            }
        }

        var cells: [[String?]] = []
        cells.reserveCapacity(labelled.count)
        for (item, position) in inScope {
            var row: [String?] = answers.answers.map { category($0[position], of: item) }
            for judge in judgeNames {
                row.append(item.judge?.raterName == judge ? category(item.judge?.answer, of: item) : nil)
            }
            cells.append(row)
        }
        var kept = Array(zip(labelled, cells))
        if completeOnly { kept = kept.filter { $0.1.allSatisfy { $0 != nil } } }

        let categories: [String]
        switch on {
        case .verdicts: categories = [Verdict.appropriate.rawValue, Verdict.inappropriate.rawValue]
        case .answers: categories = fixedCategories ?? Array(Set(kept.flatMap { $0.1.compactMap { $0 } })).sorted()
        }
        let codeOf = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, Int32($0)) })
        var codes: [Int32] = []
        codes.reserveCapacity(kept.count * raters.count)
        for (item, row) in kept {
            for (column, cell) in row.enumerated() {
                guard let cell else { codes.append(RatingTable.missing); continue }
                guard let code = codeOf[cell] else {
                    throw InputError(file: "--categories", "answer \"\(cell)\" of \(raters[column]) on item \(item.id) is not one of \(categories.joined(separator: ","))")
                }
                codes.append(code)
            }
        }
        var clusters: [Int32]?
        if let clusterBy {
            var ids: [String: Int32] = [:]
            clusters = kept.map { item, _ in
                let key = clusterBy.value(of: item)
                if let id = ids[key] { return id }
                let id = Int32(ids.count)
                ids[key] = id
                return id
            }
        }
        return RatingTable(items: kept.map { $0.0.id }, raters: raters, categories: categories, codes: codes, clusters: clusters)
    }
}
