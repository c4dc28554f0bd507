// The human reference label per item (issue 4); adjudication (issue 6) feeds `adjudicated`.
import Foundation

/// Where an item's reference answer came from.
public enum ReferenceSource: String, Sendable, Codable, Hashable, CaseIterable {
    case adjudicated
    /// Two or more humans gave the same answer.
    case unanimous
    /// The strictly most frequent answer of three or more humans.
    case majority
    /// One human's answer alone: reported apart, since no second clinician checked it.
    case single
    /// The humans split evenly and no adjudication exists: reported, never broken silently.
    case tie
}

/// The reference answer for one item, against which the judge is measured.
public struct ReferenceLabel: Sendable, Equatable, Hashable {
    /// The settled answer; nil for a tie.
    public var answer: String?
    /// How the answer was settled.
    public var source: ReferenceSource
    /// How many humans labelled the item.
    public var raters: Int

    /// A reference label; `answer` is nil exactly when `source` is `.tie`.
    public init(answer: String?, source: ReferenceSource, raters: Int) {
        self.answer = answer
        self.source = source
        self.raters = raters
    }
}

/// Builds reference labels from human answers and adjudicated decisions.
public enum ReferenceLabels {
    /// The reference for every item some human labelled (and every adjudicated item).
    ///
    /// An adjudicated answer wins where present; otherwise one human's answer is `single`, two or more humans'
    /// common answer `unanimous`, the strictly most frequent answer `majority`, and an even split a `tie` with
    /// no answer: reported, never broken silently.
    ///
    /// - Parameters:
    ///   - humanAnswers: rater → item id → normalised answer (judge excluded).
    ///   - adjudicated: item id → adjudicated answer; it wins where present.
    ///   - minRaters: items labelled by fewer humans get no reference (unless adjudicated).
    public static func build(humanAnswers: [String: [String: String]], adjudicated: [String: String] = [:],
                             minRaters: Int = 1) -> [String: ReferenceLabel] {
        let ids = Array(Set(humanAnswers.values.flatMap(\.keys)).union(adjudicated.keys)).sorted()
        var positionOf: [String: Int] = [:]
        for (position, id) in ids.enumerated() { positionOf[id] = position }
        var settled: [Int: String] = [:]
        for (item, answer) in adjudicated { if let position = positionOf[item] { settled[position] = answer } }
        let column = build(columns: AnswerColumns(ids: ids, humanAnswers: humanAnswers), adjudicated: settled, minRaters: minRaters)
        var result: [String: ReferenceLabel] = [:]
        for (position, reference) in column.enumerated() { if let reference { result[ids[position]] = reference } }
        return result
    }

    /// The reference of every item position, from the humans' answer columns and adjudicated answers by
    /// position: the one place the rule is written.
    public static func build(columns: AnswerColumns, adjudicated: [Int: String] = [:], minRaters: Int = 1) -> [ReferenceLabel?] {
        var result = [ReferenceLabel?](repeating: nil, count: columns.count)
        for position in 0..<columns.count {
            var tally = AnswerTally()
            for column in columns.answers { if let answer = column[position] { tally.add(answer) } }
            let raters = tally.raters
            if let answer = adjudicated[position] {
                result[position] = ReferenceLabel(answer: answer, source: .adjudicated, raters: raters)
                continue
            }
            guard raters > 0, raters >= minRaters else { continue }
            if let only = tally.onlyAnswer {
                result[position] = ReferenceLabel(answer: only, source: raters == 1 ? .single : .unanimous, raters: raters)
                continue
            }
            let counts = tally.counts
            let top = counts.values.max() ?? 0
            let leaders = counts.filter { $0.value == top }.map(\.key)
            if leaders.count == 1, let leader = leaders.first {
                result[position] = ReferenceLabel(answer: leader, source: .majority, raters: raters)
            } else {
                result[position] = ReferenceLabel(answer: nil, source: .tie, raters: raters)
            }
        }
        return result
    }

    /// How many references came from each source (every source present, zero where none).
    public static func counts(_ references: [String: ReferenceLabel]) -> [ReferenceSource: Int] {
        var counts = Dictionary(uniqueKeysWithValues: ReferenceSource.allCases.map { ($0, 0) })
        for reference in references.values { counts[reference.source, default: 0] += 1 }
        return counts
    }
}

/// The answers the humans gave one item: a table only once they differ (most items have one answer, and a
/// million small tables would cost more than the counting).
private struct AnswerTally {
    /// How many humans answered.
    private(set) var raters = 0
    private var first: String?
    private var firstCount = 0
    /// Answers other than `first` and how many gave each; nil while all agree.
    private var others: [String: Int]?

    mutating func add(_ answer: String) {
        raters += 1
        if first == nil || answer == first {
            first = answer
            firstCount += 1
        } else {
            others = others ?? [:]
            others?[answer, default: 0] += 1
        }
    }

    /// The one answer all gave, or nil when they differ.
    var onlyAnswer: String? { others == nil ? first : nil }

    /// Answer → how many gave it.
    var counts: [String: Int] {
        var counts = others ?? [:]
        if let first { counts[first] = firstCount }
        return counts
    }
}
