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
    /// How the verdicts were obtained, for the report ("asked through an OpenAI-compatible endpoint", "attached
    /// from results.csv", …).
    public var origin: String

    public init(name: String, model: String, answers: [String: String], repeats: [Int: [String: String]] = [:], flipped: [String: String] = [:],
                origin: String = "asked through an OpenAI-compatible endpoint") {
        self.origin = origin
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
/// calls inappropriate) and for specificity (appropriate) apart, each also adjusted for clustered items; and the
/// paired differences of their kappa with the reference, their reported rates and their corrected rates.
public struct PairedJudgeAccuracy: Sendable, Equatable {
    public var first: String
    public var second: String
    public var sensitivity: McNemar.Result
    public var specificity: McNemar.Result
    /// Kappa with the reference, reported rate and corrected rate: first − second, among the responded items both
    /// judged, with paired cluster-jackknife intervals.
    public var differences: [PairedJudgeDifferences.Difference] = []

    /// The comparison over `positions`: McNemar over items with a reference and a verdict from both judges
    /// (clusters by `pairBy`); the differences over every responded item both judged, clusters by `clusterBy`
    /// (nil: the responses are the units), labelled items weighted by `design`'s inverse inclusion probabilities.
    public static func compare(first: (name: String, items: [Item]), second: (name: String, items: [Item]), positions: [Int],
                               references: [ReferenceLabel?], pairBy: ClusterKey, clusterBy: ClusterKey?, design: SampleDesign?,
                               confidence: Double) -> PairedJudgeAccuracy {
        var positives: [(cluster: String?, first: Bool, second: Bool)] = []
        var negatives: [(cluster: String?, first: Bool, second: Bool)] = []
        var paired: [PairedJudgeDifferences.Item] = []
        var clusterNumbers: [String: Int] = [:]
        var missingResponses = 0
        for position in positions {
            let item = first.items[position]
            let one = item.judgeVerdict, two = second.items[position].judgeVerdict
            guard one != .noVerdict, two != .noVerdict else { continue }
            var truth = references[position].map { item.criterion.verdict(for: $0.answer) } ?? .noVerdict
            if truth != .noVerdict {
                let outcome = (cluster: Optional(pairBy.value(of: item)), first: one == truth, second: two == truth)
                if truth == .inappropriate { positives.append(outcome) } else { negatives.append(outcome) }
            }
            guard item.response != nil else { missingResponses += 1; continue }
            var weight = 1.0
            if let design {
                // A label outside the recorded sample has no inclusion probability: it does not enter the weighted cells.
                if let probability = design.probability[position], probability > 0 { weight = 1 / probability } else { truth = .noVerdict }
            }
            let clusterName = clusterBy?.value(of: item) ?? ""
            let cluster = clusterNumbers[clusterName] ?? clusterNumbers.count
            clusterNumbers[clusterName] = cluster
            paired.append(PairedJudgeDifferences.Item(
                cluster: cluster, truth: truth == .noVerdict ? nil : truth == .inappropriate,
                first: one == .inappropriate, second: two == .inappropriate, weight: weight))
        }
        var differences = PairedJudgeDifferences.compare(paired, clustered: clusterBy != nil, confidence: confidence)
        if missingResponses > 0 {
            for index in differences.indices {
                differences[index].note += "; among the responded items (\(missingResponses) without a response left out)"
            }
        }
        var result = PairedJudgeAccuracy(first: first.name, second: second.name, sensitivity: McNemar.test(positives),
                                         specificity: McNemar.test(negatives))
        result.differences = differences
        return result
    }
}
