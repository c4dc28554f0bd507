import Foundation
import ReviewStatistics

/// Another judge's answers on a study's items (from its judge log): what the analysis compares with the clinicians
/// and with the study's own judge.
public struct JudgeAnswers: Sendable, Equatable {
    /// The judge's name in the study (`judge:<name>` as a rater).
    public var name: String
    /// The model behind it.
    public var model: String
    /// Item id → the option the judge chose (items it was not asked about, or answered with no option, are absent).
    public var answers: [String: String]
    /// Every ask in the seeded order, by sample: `repeats[k][item]` (`--samples K`); `repeats[0] == answers`.
    public var repeats: [Int: [String: String]]
    /// The first ask with the options reversed (`--flip`), by item.
    public var flipped: [String: String]

    public init(name: String, model: String, answers: [String: String], repeats: [Int: [String: String]] = [:], flipped: [String: String] = [:]) {
        self.name = name
        self.model = model
        self.answers = answers
        self.repeats = repeats
        self.flipped = flipped
    }

    /// The judge against itself: one column per repeat (`sample 0`, `sample 1`, …) of the items asked more than
    /// once, verdicts as categories; nil with fewer than two repeats.
    public func selfConsistencyTable(_ items: [Item], clusterBy: ClusterKey?) -> RatingTable? {
        let samples = repeats.keys.sorted()
        guard samples.count >= 2 else { return nil }
        return verdictTable(items, columns: samples.map { ("sample \($0)", repeats[$0] ?? [:]) }, clusterBy: clusterBy)
    }

    /// The seeded order against the reversed one (position bias): the items asked both ways; nil when none was.
    public func positionTable(_ items: [Item], clusterBy: ClusterKey?) -> RatingTable? {
        guard !flipped.isEmpty else { return nil }
        return verdictTable(items, columns: [("seeded order", answers), ("reversed order", flipped)], clusterBy: clusterBy)
    }

    /// Verdicts of `columns` on the items at least two of them answered.
    private func verdictTable(_ items: [Item], columns: [(String, [String: String])], clusterBy: ClusterKey?) -> RatingTable? {
        let categories = [Verdict.appropriate.rawValue, Verdict.inappropriate.rawValue]
        var ids: [String] = [], codes: [Int32] = [], clusterNames: [String] = []
        for item in items {
            let row = columns.map { column -> Int32 in
                switch item.criterion.verdict(for: column.1[item.id]) {
                case .appropriate: return 0
                case .inappropriate: return 1
                case .noVerdict: return RatingTable.missing
                }
            }
            guard row.filter({ $0 != RatingTable.missing }).count >= 2 else { continue }
            ids.append(item.id)
            codes += row
            if let clusterBy { clusterNames.append(clusterBy.value(of: item)) }
        }
        guard !ids.isEmpty else { return nil }
        var numbering: [String: Int32] = [:]
        let clusters = clusterBy == nil ? nil : clusterNames.map { name -> Int32 in
            if let number = numbering[name] { return number }
            let number = Int32(numbering.count)
            numbering[name] = number
            return number
        }
        return RatingTable(items: ids, raters: columns.map(\.0), categories: categories, codes: codes, clusters: clusters)
    }

    /// The items with this judge's answers in place of the study's judge (no answer: no verdict).
    public func items(_ items: [Item]) -> [Item] {
        items.map { item in
            var judged = item
            judged.judge = JudgeAnswer(name: name, answer: answers[item.id])
            return judged
        }
    }
}

/// Two judges against the same reference on the same items: McNemar's test for sensitivity (the items the reference
/// calls inappropriate) and for specificity (appropriate) apart, each also adjusted for clustered items.
public struct PairedJudgeAccuracy: Sendable, Equatable {
    public var first: String
    public var second: String
    public var sensitivity: McNemar.Result
    public var specificity: McNemar.Result

    /// The test over `positions`: items with a reference and a verdict from both judges; clusters by `clusterBy`.
    public static func compare(first: (name: String, items: [Item]), second: (name: String, items: [Item]), positions: [Int],
                               references: [ReferenceLabel?], clusterBy: ClusterKey?) -> PairedJudgeAccuracy {
        var positives: [(cluster: String?, first: Bool, second: Bool)] = []
        var negatives: [(cluster: String?, first: Bool, second: Bool)] = []
        for position in positions {
            guard let answer = references[position]?.answer else { continue }
            let item = first.items[position]
            let truth = item.criterion.verdict(for: answer)
            let one = item.judgeVerdict, two = second.items[position].judgeVerdict
            guard truth != .noVerdict, one != .noVerdict, two != .noVerdict else { continue }
            let outcome = (cluster: clusterBy?.value(of: item), first: one == truth, second: two == truth)
            if truth == .inappropriate { positives.append(outcome) } else { negatives.append(outcome) }
        }
        return PairedJudgeAccuracy(first: first.name, second: second.name, sensitivity: McNemar.test(positives), specificity: McNemar.test(negatives))
    }
}
