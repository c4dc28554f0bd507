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

    public init(name: String, model: String, answers: [String: String]) {
        self.name = name
        self.model = model
        self.answers = answers
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
