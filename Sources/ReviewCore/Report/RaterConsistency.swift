import Foundation

/// One clinician's consistency: practice answers against the gold answers, and hidden repeats against the
/// clinician's own first answer (intra-rater agreement).
///
/// Both use `Criterion.answersAgree` (same verdict), the rule the console's practice feedback uses. The share of
/// gold answers agreed has a Wilson interval; the repeats have percent agreement (Wilson) and Cohen's kappa
/// between the first and the second showing (percentile bootstrap over pairs). Fewer than
/// `IntervalTrust.minimumItems` pairs or gold items carry a note that the interval cannot mean much.
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
    public static func rows(labels: StudyLabels, gold: [String: String], resamples: Int, seed: UInt64, confidence: Double) -> [RaterConsistency] {
        let dataset = labels.dataset
        return labels.humanReplays.compactMap { replay in
            let extra = replay.practiceAndRepeats
            guard !extra.isEmpty else { return nil }
            var goldAnswered = 0, goldAgreeing = 0
            var firsts: [String?] = [], seconds: [String?] = [], criteria: [Criterion] = []
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
                case .repeat?:
                    // The first answer the rater gave the item, before the judge was revealed and any revision.
                    guard let first = replay.firstLabel(of: item.id), event.kind == .label else { continue }
                    firsts.append(first.answer)
                    seconds.append(event.answer)
                    criteria.append(item.criterion)
                case nil:
                    continue
                }
            }
            let agreeing = zip(criteria.indices, criteria).filter { $1.answersAgree(firsts[$0], seconds[$0]) }.count
            var notes: [String] = []
            if goldAnswered > 0, let few = IntervalTrust.tooFew(goldAnswered, "gold item") { notes.append(few) }
            if !criteria.isEmpty, let few = IntervalTrust.tooFew(criteria.count, "repeat") { notes.append(few) }
            let kappa = repeatKappa(firsts: firsts, seconds: seconds, criteria: criteria, resamples: resamples, seed: seed, confidence: confidence)
            if let reason = kappa.reason { notes.append("repeat kappa undefined: \(reason)") }
            return RaterConsistency(
                rater: replay.rater, goldAnswered: goldAnswered, goldAgreeing: goldAgreeing,
                goldShare: share(goldAgreeing, goldAnswered, confidence: confidence),
                repeatPairs: criteria.count, repeatAgreeing: agreeing, repeatShare: share(agreeing, criteria.count, confidence: confidence),
                repeatKappa: kappa.interval, notes: notes)
        }
    }

    static func share(_ successes: Int, _ n: Int, confidence: Double) -> StudyReport.Interval {
        guard n > 0 else { return StudyReport.Interval(value: nil, low: nil, high: nil) }
        let bounds = Proportions.wilson(successes: successes, n: n, confidence: confidence)
        return StudyReport.Interval(value: Double(successes) / Double(n), low: bounds?.low, high: bounds?.high)
    }

    /// Cohen's kappa of the verdicts at the two showings, by the agreement engine.
    static func repeatKappa(firsts: [String?], seconds: [String?], criteria: [Criterion], resamples: Int, seed: UInt64,
                            confidence: Double) -> (interval: StudyReport.Interval, reason: String?) {
        guard !criteria.isEmpty else { return (StudyReport.Interval(value: nil, low: nil, high: nil), nil) }
        let categories = [Verdict.appropriate.rawValue, Verdict.inappropriate.rawValue]
        var codes: [Int32] = []
        codes.reserveCapacity(criteria.count * 2)
        for (index, criterion) in criteria.enumerated() {
            for answer in [firsts[index], seconds[index]] {
                switch criterion.verdict(for: answer) {
                case .appropriate: codes.append(0)
                case .inappropriate: codes.append(1)
                case .noVerdict: codes.append(RatingTable.missing)
                }
            }
        }
        let table = RatingTable(items: criteria.indices.map { "\($0)" }, raters: ["first showing", "repeat"], categories: categories, codes: codes)
        let summary = AgreementEngine.summarize(table, options: AgreementOptions(resamples: resamples, seed: seed, confidence: confidence),
                                                only: [.cohenKappa], includePairs: false)
        guard let result = summary.overall[.cohenKappa] else { return (StudyReport.Interval(value: nil, low: nil, high: nil), "not computed") }
        return (StudyReport.Interval(value: result.value, low: result.ciLow, high: result.ciHigh), result.value == nil ? result.reason : nil)
    }
}
