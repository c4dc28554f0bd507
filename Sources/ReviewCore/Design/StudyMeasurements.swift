// What a study's labels so far measure, for planning the rest of it.
import Foundation

/// The values a plan can take from a study's labels: the reference's rate of inappropriate responses, the judge's
/// sensitivity and specificity against it (as `agreement` measures them), the judged pool, the median seconds an
/// item, and the design effect and clusters of the study's estimates.
public struct StudyMeasurements: Sendable, Equatable {
    public var prevalence: Double?
    public var sensitivity: Double?
    public var specificity: Double?
    public var pool: Int?
    public var medianSeconds: Double?
    public var designEffect: Double?
    public var clusters: Int?

    /// Nothing measured.
    public init() {}

    /// The measurements over the items at `positions`.
    public static func measure(labels: StudyLabels, positions: [Int]) -> StudyMeasurements {
        // The judge against the reference as agreement measures it: one rule for both commands.
        let items = labels.dataset.items
        let report = JudgeAnalysis.analyze(
            items: items, positions: positions, answers: labels.answerColumns,
            references: labels.referenceColumn(adjudicated: true), options: JudgeAnalysisOptions(resamples: 0))
        var measured = StudyMeasurements()
        if let confusion = report?.againstReference.confusion {
            let positives = confusion.referencePositives, negatives = confusion.referenceNegatives
            if positives + negatives > 0 { measured.prevalence = Double(positives) / Double(positives + negatives) }
            if positives > 0 { measured.sensitivity = Double(confusion.truePositive) / Double(positives) }
            if negatives > 0 { measured.specificity = Double(confusion.trueNegative) / Double(negatives) }
        }
        if let pool = report?.rates.first?.reported.n, pool > 0 { measured.pool = pool }
        // The study's own design: the largest design effect any estimate of the scope measured, over its clusters.
        let estimates = report?.rates.first?.estimates ?? []
        measured.designEffect = estimates.compactMap(\.designEffect).max()
        measured.clusters = estimates.compactMap(\.clusters).first
        var seconds: [Double] = []
        for replay in labels.humanReplays {
            for position in positions {
                if let ms = replay.current(at: position)?.ms, ms > 0 { seconds.append(Double(ms) / 1000) }
            }
        }
        measured.medianSeconds = median(seconds)
        return measured
    }

    /// The median of `values` (the upper middle one of an even count: a time a rater actually took), nil when empty:
    /// the one rule of the plan's and the report's median seconds an item.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return values.sorted()[values.count / 2]
    }

    /// The human reference's rate of inappropriate responses per stratum of `fields`, from the labels so far (the
    /// pilot rates of a Neyman allocation).
    public static func pilotRates(labels: StudyLabels, fields: [ValidationSample.StratumField]) -> [String: (rate: Double, labels: Int)] {
        let references = labels.referenceColumn(adjudicated: true)
        var counts: [String: (inappropriate: Int, labelled: Int)] = [:]
        for (position, item) in labels.dataset.items.enumerated() {
            guard let reference = references[position], reference.source != .tie else { continue }
            let verdict = item.criterion.verdict(for: reference.answer)
            guard verdict != .noVerdict else { continue }
            let key = ValidationSample.stratumLabel(fields: fields, of: item)
            var count = counts[key] ?? (0, 0)
            count.labelled += 1
            if verdict == .inappropriate { count.inappropriate += 1 }
            counts[key] = count
        }
        return counts.mapValues { (rate: Double($0.inappropriate) / Double($0.labelled), labels: $0.labelled) }
    }
}
