// CONTRACT STUB: the human reference label per item (issue 4 builds it, issue 6 adds adjudication).
import Foundation

/// Where an item's reference answer came from.
public enum ReferenceSource: String, Sendable, Codable, Hashable {
    case adjudicated, unanimous, majority
    /// The humans split evenly and no adjudication exists: reported, never broken silently.
    case tie
}

/// The reference answer for one item, against which the judge is measured.
public struct ReferenceLabel: Sendable, Equatable, Hashable {
    /// The settled answer; nil for a tie.
    public var answer: String?
    public var source: ReferenceSource
    /// How many humans labelled the item.
    public var raters: Int

    public init(answer: String?, source: ReferenceSource, raters: Int) {
        self.answer = answer
        self.source = source
        self.raters = raters
    }
}

/// Builds reference labels from human answers and adjudicated decisions.
public enum ReferenceLabels {
    /// The reference for every item some human labelled.
    ///
    /// - Parameters:
    ///   - humanAnswers: rater → item id → normalised answer (judge excluded).
    ///   - adjudicated: item id → adjudicated answer; it wins where present.
    public static func build(humanAnswers: [String: [String: String]], adjudicated: [String: String] = [:]) -> [String: ReferenceLabel] {
        [:]
    }
}
