import Foundation
import ReviewCore
import ReviewStatistics

/// One clinician's consistency: practice answers against the gold answers, and hidden repeats against the
/// clinician's own first answer (intra-rater agreement).
///
/// Both use `Criterion.answersAgree` (same verdict), the rule the console's practice feedback uses. Every interval
/// is the agreement engine's, so it behaves as every agreement interval does: the share of gold answers agreed is
/// the percent agreement of the clinician with the gold key, the repeats have percent agreement and Cohen's kappa
/// between the first and the second showing; with `clusterBy` the items' clusters (stimuli) are resampled, and
/// the notes say when there are too few clusters or items (`AgreementAnalysis.flagged`).
public struct RaterConsistency: Sendable, Equatable {
    /// The clinician.
    public var rater: String
    /// Gold items answered in the practice round, and of those, agreeing with the gold answer.
    public var goldAnswered: Int
    public var goldAgreeing: Int
    /// The share agreeing, with its Wilson interval.
    public var goldShare: StudyReport.Interval
    /// Items labelled live and again as a hidden repeat, and of those, the same answer both times.
    public var repeatPairs: Int
    public var repeatAgreeing: Int
    /// Percent agreement between the two showings (Wilson).
    public var repeatShare: StudyReport.Interval
    /// Cohen's kappa between the two showings (bootstrap interval when resamples are asked for).
    public var repeatKappa: StudyReport.Interval
    /// Why a figure is undefined or what to keep in mind.
    public var notes: [String]

    /// A row for every clinician with practice or repeat labels.
    ///
    /// - Parameter gold: the assignment's gold answers by item id (practice answers without one are not scored).
    public static func rows(labels: StudyLabels, gold: [String: String], resamples: Int, seed: UInt64, confidence: Double,
                            clusterBy: ClusterKey? = nil) -> [RaterConsistency] {
        let dataset = labels.dataset
        return labels.humanReplays.compactMap { replay in
            let extra = replay.practiceAndRepeats
            guard !extra.isEmpty else { return nil }
            var goldAnswered = 0, goldAgreeing = 0
            let firstLabels = replay.firstLabels
            var firsts: [String?] = [], seconds: [String?] = [], criteria: [Criterion] = [], repeatItems: [Item] = []
            var goldPairs: [(Verdict, Verdict, Item)] = []
            for (key, event) in extra.sorted(by: { ($0.key.item, $0.key.purpose?.rawValue ?? "") < ($1.key.item, $1.key.purpose?.rawValue ?? "") }) {
                guard let position = dataset.indexByID[key.item] else { continue }
                let item = dataset.items[position]
                // A label given on other content than the item now has does not count (as for live labels).
                guard item.contentHash == event.itemSHA256 else { continue }
                switch key.purpose {
                case .practice?:
                    guard let expected = gold[key.item] else { continue }
                    goldAnswered += 1
                    if item.criterion.answersAgree(event.answer, expected) { goldAgreeing += 1 }
                    goldPairs.append((item.criterion.verdict(for: event.answer), item.criterion.verdict(for: expected), item))
                case .repeat?:
                    // The first answer the rater gave the item, before the judge was revealed and any revision.
                    guard let first = firstLabels[item.id], event.kind == .label else { continue }
                    firsts.append(first.answer)
                    seconds.append(event.answer)
                    criteria.append(item.criterion)
                    repeatItems.append(item)
                case nil:
                    continue
                }
            }
            let agreeing = zip(criteria.indices, criteria).filter { $1.answersAgree(firsts[$0], seconds[$0]) }.count
            let engine = Engine(resamples: resamples, seed: seed, confidence: confidence, clusterBy: clusterBy)
            let goldResults = engine.agreement(goldPairs, raters: ["clinician", "gold"], only: [.percentAgreement])
            let repeatPairs = criteria.indices.map { (criteria[$0].verdict(for: firsts[$0]), criteria[$0].verdict(for: seconds[$0]), repeatItems[$0]) }
            let repeatResults = engine.agreement(repeatPairs, raters: ["first showing", "repeat"], only: [.percentAgreement, .cohenKappa])
            var notes: [String] = []
            if goldAnswered > 0, let note = goldResults[.percentAgreement]?.reason { notes.append("gold: " + note) }
            if !criteria.isEmpty, let note = repeatResults[.percentAgreement]?.reason { notes.append("repeats: " + note) }
            if let kappa = repeatResults[.cohenKappa], kappa.value == nil, let reason = kappa.reason { notes.append("repeat kappa undefined: \(reason)") }
            func interval(_ result: CoefficientResult?, value: Double?) -> StudyReport.Interval {
                StudyReport.Interval(value: value, low: result?.ciLow, high: result?.ciHigh)
            }
            return RaterConsistency(
                rater: replay.rater, goldAnswered: goldAnswered, goldAgreeing: goldAgreeing,
                goldShare: interval(goldResults[.percentAgreement], value: goldAnswered > 0 ? Double(goldAgreeing) / Double(goldAnswered) : nil),
                repeatPairs: criteria.count, repeatAgreeing: agreeing,
                repeatShare: interval(repeatResults[.percentAgreement], value: criteria.isEmpty ? nil : Double(agreeing) / Double(criteria.count)),
                repeatKappa: interval(repeatResults[.cohenKappa], value: repeatResults[.cohenKappa]?.value), notes: notes)
        }
    }

    /// The agreement engine as the consistency figures use it: two columns of verdicts, clustered as the study is.
    struct Engine {
        var resamples: Int, seed: UInt64, confidence: Double, clusterBy: ClusterKey?

        /// The coefficients of two columns of verdicts (one pair an item), flagged as every agreement figure is.
        func agreement(_ pairs: [(Verdict, Verdict, Item)], raters: [String], only: Set<CoefficientKind>) -> [CoefficientKind: CoefficientResult] {
            guard !pairs.isEmpty else { return [:] }
            func code(_ verdict: Verdict) -> Int32 {
                switch verdict {
                case .appropriate: return 0
                case .inappropriate: return 1
                case .noVerdict: return RatingTable.missing
                }
            }
            var clusterIDs: [ClusterIdentity: Int32] = [:]
            let clusters = clusterBy.map { key in
                pairs.map { pair in
                    let identity = key.identity(of: pair.2)
                    if let known = clusterIDs[identity] { return known }
                    let next = Int32(clusterIDs.count)
                    clusterIDs[identity] = next
                    return next
                }
            }
            let table = RatingTable(items: pairs.indices.map { "\($0)" }, raters: raters,
                                    categories: [Verdict.appropriate.rawValue, Verdict.inappropriate.rawValue],
                                    codes: pairs.flatMap { [code($0.0), code($0.1)] }, clusters: clusters)
            let options = AgreementOptions(resamples: resamples, seed: seed, confidence: confidence, clustered: clusters != nil)
            return AgreementEngine.summarize(table, options: options, only: only, includePairs: false).overall.mapValues(AgreementAnalysis.flagged)
        }
    }
}
