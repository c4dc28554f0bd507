import Foundation
import ReviewStatistics
import ReviewCore

/// This rater's agreement with the judge, as the agreement screen shows it.
///
/// Built once when the screen opens, from this rater's own labels only (never another rater's).
public struct AgreementReport: Sendable, Equatable {
    /// Agreement for one condition: a plain proportion of matching verdicts.
    public struct ConditionAgreement: Sendable, Equatable {
        /// The condition's name, as in the dataset.
        public var condition: String
        /// Items where this rater's verdict matches the judge's.
        public var agreeing: Int
        /// Items with a verdict from both.
        public var total: Int

        /// Creates one condition's counts.
        public init(condition: String, agreeing: Int, total: Int) {
            self.condition = condition
            self.agreeing = agreeing
            self.total = total
        }

        /// Share of matching verdicts, nil when there are none to compare.
        public var fraction: Double? { total == 0 ? nil : Double(agreeing) / Double(total) }
    }

    /// This rater's name.
    public var rater: String
    /// The judge's rater name(s), e.g. `judge:gpt-4o`.
    public var judge: String
    /// Items where both this rater and the judge gave a verdict.
    public var compared: Int
    /// Labelled items left out because the judge (or the rater) gave no verdict.
    public var excluded: Int
    /// Cohen's kappa from the agreement engine; nil when the engine returned none.
    public var kappa: CoefficientResult?
    /// Percent agreement from the agreement engine; nil when the engine returned none.
    public var percentAgreement: CoefficientResult?
    /// The judge against this rater as the reference, "inappropriate" as the positive class.
    public var confusion: ConfusionMatrix
    /// Per condition, sorted by name.
    public var conditions: [ConditionAgreement]

    /// Creates a report from its parts (tests and `build`).
    public init(
        rater: String, judge: String, compared: Int, excluded: Int, kappa: CoefficientResult?,
        percentAgreement: CoefficientResult?, confusion: ConfusionMatrix, conditions: [ConditionAgreement]
    ) {
        self.rater = rater
        self.judge = judge
        self.compared = compared
        self.excluded = excluded
        self.kappa = kappa
        self.percentAgreement = percentAgreement
        self.confusion = confusion
        self.conditions = conditions
    }

    /// Bootstrap resamples used for the intervals on the screen.
    public static let resamples = 200
    /// Fixed seed, so the screen shows the same intervals every time.
    public static let seed: UInt64 = 20_261_201

    /// Builds the report from the rater's current labels. O(labels); call it when the screen opens.
    public static func build(dataset: Dataset, rater: String, labels: [String: LabelEvent]) -> AgreementReport {
        var itemIDs: [String] = []
        var codes: [Int32] = []
        var clusters: [Int32] = []
        var clusterIDs: [String: Int32] = [:]
        var excluded = 0
        var tp = 0, fp = 0, fn = 0, tn = 0
        var perCondition: [String: (agree: Int, total: Int)] = [:]
        var judgeNames: Set<String> = []
        // Sorted, so the bootstrap sees the same table (and the same intervals) every time.
        for id in labels.keys.sorted() {
            guard let event = labels[id], event.kind == .label, let item = dataset[id: id] else { continue }
            let raterVerdict = item.criterion.verdict(for: event.answer)
            let judgeVerdict = item.judgeVerdict
            guard raterVerdict != .noVerdict, judgeVerdict != .noVerdict else {
                excluded += 1
                continue
            }
            if let judge = item.judge { judgeNames.insert(judge.raterName) }
            itemIDs.append(id)
            codes.append(raterVerdict == .appropriate ? 0 : 1)
            codes.append(judgeVerdict == .appropriate ? 0 : 1)
            let clusterKey = item.stimulusID ?? item.id
            if let existing = clusterIDs[clusterKey] {
                clusters.append(existing)
            } else {
                let next = Int32(clusterIDs.count)
                clusterIDs[clusterKey] = next
                clusters.append(next)
            }
            switch (raterVerdict == .inappropriate, judgeVerdict == .inappropriate) {
            case (true, true): tp += 1
            case (false, true): fp += 1
            case (true, false): fn += 1
            case (false, false): tn += 1
            }
            var entry = perCondition[item.condition] ?? (0, 0)
            entry.total += 1
            if raterVerdict == judgeVerdict { entry.agree += 1 }
            perCondition[item.condition] = entry
        }
        let judgeName = judgeNames.sorted().joined(separator: ", ")
        var kappa: CoefficientResult?
        var percent: CoefficientResult?
        if !itemIDs.isEmpty {
            let table = RatingTable(
                items: itemIDs, raters: [rater, judgeName.isEmpty ? "judge" : judgeName],
                categories: [Verdict.appropriate.rawValue, Verdict.inappropriate.rawValue],
                codes: codes, clusters: clusters)
            let summary = AgreementEngine.summarize(
                table, options: AgreementOptions(level: .nominal, resamples: resamples, seed: seed, clustered: true))
            let coefficients = summary.pairs.first?.coefficients ?? summary.overall
            kappa = coefficients[.cohenKappa]
            percent = coefficients[.percentAgreement]
        }
        return AgreementReport(
            rater: rater, judge: judgeName.isEmpty ? "judge" : judgeName, compared: itemIDs.count, excluded: excluded,
            kappa: kappa, percentAgreement: percent,
            confusion: ConfusionMatrix(truePositive: tp, falsePositive: fp, falseNegative: fn, trueNegative: tn),
            conditions: perCondition.keys.sorted().map { key in
                let entry = perCondition[key] ?? (0, 0)
                return ConditionAgreement(condition: key, agreeing: entry.agree, total: entry.total)
            })
    }
}
