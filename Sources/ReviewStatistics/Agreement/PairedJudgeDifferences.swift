// Two judges on the same items: how much better one agrees with the reference, and how their rates differ, with
// intervals that respect the pairing and the clusters.
import Foundation

/// The paired differences of two judges measured on the same items against the same reference: Cohen's kappa with
/// the reference, the judge-reported rate of inappropriate verdicts and the Rogan–Gladen corrected rate, each first
/// minus second, with a delete-one-cluster jackknife interval (t with G − 1 df).
///
/// Every item enters with both judges' verdicts, so item-to-item variation cancels in the differences (pairing);
/// whole clusters (the stimuli the responses came from) are left out in turn, so the interval generalises over
/// clusters as the single-judge intervals do. Without clusters each item is its own unit. Design weights (inverse
/// inclusion probabilities of a recorded sample) weight the labelled items; the jackknife then ignores the strata,
/// which errs on the wide side.
public enum PairedJudgeDifferences {
    /// One item of the comparison.
    public struct Item: Sendable {
        /// The item's cluster (any integer; items of one cluster are left out together).
        public var cluster: Int
        /// The reference's verdict (true: inappropriate); nil when unlabelled.
        public var truth: Bool?
        /// The two judges' verdicts (true: inappropriate).
        public var first: Bool
        public var second: Bool
        /// The labelled item's design weight (1 without a recorded sample).
        public var weight: Double

        public init(cluster: Int, truth: Bool?, first: Bool, second: Bool, weight: Double = 1) {
            self.cluster = cluster
            self.truth = truth
            self.first = first
            self.second = second
            self.weight = weight
        }
    }

    /// One difference (first − second), its interval and what it rests on.
    public struct Difference: Sendable, Equatable {
        /// `kappa`, `reported_rate` or `corrected_rate`.
        public var measure: String
        public var first: Double?
        public var second: Double?
        public var value: Double?
        public var low: Double?
        public var high: Double?
        public var standardError: Double?
        /// Units left out in turn (clusters, or items without clusters).
        public var units: Int
        /// Warnings first (`IntervalTrust`), then what the interval assumes.
        public var note: String
    }

    /// What the differences are computed from: weighted labelled cells `[truth][first][second]` and the
    /// unweighted counts of the judged items.
    struct Totals {
        var cells = [Double](repeating: 0, count: 8)
        var labelled = 0
        var judged = 0.0
        var firstPositive = 0.0
        var secondPositive = 0.0

        mutating func add(_ item: Item) {
            judged += 1
            if item.first { firstPositive += 1 }
            if item.second { secondPositive += 1 }
            if let truth = item.truth {
                cells[(truth ? 4 : 0) + (item.first ? 2 : 0) + (item.second ? 1 : 0)] += item.weight
                labelled += 1
            }
        }

        static func - (lhs: Totals, rhs: Totals) -> Totals {
            var result = lhs
            for index in 0..<8 { result.cells[index] -= rhs.cells[index] }
            result.labelled -= rhs.labelled
            result.judged -= rhs.judged
            result.firstPositive -= rhs.firstPositive
            result.secondPositive -= rhs.secondPositive
            return result
        }

        /// Weighted 2×2 of the reference against judge `which` (0 first, 1 second): (tp, fn, fp, tn).
        func confusion(_ which: Int) -> (tp: Double, fn: Double, fp: Double, tn: Double) {
            var result = (tp: 0.0, fn: 0.0, fp: 0.0, tn: 0.0)
            for index in 0..<8 {
                let truth = index & 4 != 0, says = which == 0 ? index & 2 != 0 : index & 1 != 0
                switch (truth, says) {
                case (true, true): result.tp += cells[index]
                case (true, false): result.fn += cells[index]
                case (false, true): result.fp += cells[index]
                case (false, false): result.tn += cells[index]
                }
            }
            return result
        }

        func kappa(_ which: Int) -> Double? {
            let c = confusion(which)
            let total = c.tp + c.fn + c.fp + c.tn
            guard total > 0 else { return nil }
            let observed = (c.tp + c.tn) / total
            let truth = (c.tp + c.fn) / total, says = (c.tp + c.fp) / total
            let chance = truth * says + (1 - truth) * (1 - says)
            guard chance < 1 - 1e-12 else { return nil }
            return (observed - chance) / (1 - chance)
        }

        func reported(_ which: Int) -> Double? {
            judged > 0 ? (which == 0 ? firstPositive : secondPositive) / judged : nil
        }

        /// Rogan–Gladen, unclipped (a smooth function of the totals, as the jackknife needs).
        func corrected(_ which: Int) -> Double? {
            let c = confusion(which)
            guard let apparent = reported(which), c.tp + c.fn > 0, c.tn + c.fp > 0 else { return nil }
            let sensitivity = c.tp / (c.tp + c.fn), specificity = c.tn / (c.tn + c.fp)
            let youden = sensitivity + specificity - 1
            guard youden > 1e-9 else { return nil }
            return (apparent + specificity - 1) / youden
        }
    }

    /// The three differences over `items`; `clustered` says whether `cluster` names real clusters (else items are
    /// the units and the note says the interval is over these responses).
    public static func compare(_ items: [Item], clustered: Bool, confidence: Double) -> [Difference] {
        var byCluster: [Int: Totals] = [:]
        var total = Totals()
        for item in items {
            total.add(item)
            if clustered { byCluster[item.cluster, default: Totals()].add(item) }
        }
        // Without clusters every item is a unit; items alike leave the same total behind, so each pattern is
        // worked out once and counted as often as it occurs.
        var units: [(totals: Totals, count: Int)] = []
        if clustered {
            units = byCluster.keys.sorted().compactMap { key in byCluster[key].map { ($0, 1) } }
        } else {
            var patterns: [String: (Totals, Int)] = [:]
            for item in items {
                let key = "\(item.truth.map { $0 ? 1 : 0 } ?? 2)\(item.first ? 1 : 0)\(item.second ? 1 : 0)\(item.weight)"
                if let existing = patterns[key] {
                    patterns[key] = (existing.0, existing.1 + 1)
                } else {
                    var one = Totals()
                    one.add(item)
                    patterns[key] = (one, 1)
                }
            }
            units = patterns.keys.sorted().compactMap { patterns[$0] }
        }
        let unitCount = units.reduce(0) { $0 + $1.count }
        let statistics: [(String, (Totals) -> Double?, (Totals) -> Double?)] = [
            ("kappa", { $0.kappa(0) }, { $0.kappa(1) }),
            ("reported_rate", { $0.reported(0) }, { $0.reported(1) }),
            ("corrected_rate", { $0.corrected(0) }, { $0.corrected(1) }),
        ]
        return statistics.map { measure, first, second in
            difference(measure: measure, total: total, units: units, unitCount: unitCount, clustered: clustered,
                       confidence: confidence, first: first, second: second)
        }
    }

    static func difference(
        measure: String, total: Totals, units: [(totals: Totals, count: Int)], unitCount: Int, clustered: Bool, confidence: Double,
        first: (Totals) -> Double?, second: (Totals) -> Double?
    ) -> Difference {
        let one = first(total), two = second(total)
        var result = Difference(measure: measure, first: one, second: two, value: nil, low: nil, high: nil, standardError: nil,
                                units: unitCount, note: "")
        var notes: [String] = []
        guard let one, let two else {
            result.note = "undefined: " + (measure == "kappa" ? "a judge's kappa with the reference is undefined (no labelled item, or one verdict only)"
                : measure == "reported_rate" ? "no item judged by both" : "a judge's corrected rate is undefined (no labelled item of one kind, or a judge no better than chance)")
            return result
        }
        result.value = one - two
        // Delete-one-unit jackknife: Var = (G − 1)/G · Σ (θ₍g₎ − θ̄)².
        var leftOut: [(value: Double, count: Int)] = []
        for unit in units {
            let rest = total - unit.totals
            guard let a = first(rest), let b = second(rest) else {
                result.note = IntervalTrust.noInterval("the difference is undefined with one \(clustered ? "cluster" : "item") left out (too few labelled items of one kind)")
                return result
            }
            leftOut.append((a - b, unit.count))
        }
        let g = Double(unitCount)
        guard unitCount >= 2 else {
            result.note = IntervalTrust.noInterval("fewer than two \(clustered ? "clusters" : "items")")
            return result
        }
        let mean = leftOut.reduce(0) { $0 + $1.value * Double($1.count) } / g
        let variance = (g - 1) / g * leftOut.reduce(0) { $0 + Double($1.count) * ($1.value - mean) * ($1.value - mean) }
        let se = variance.squareRoot()
        let quantile = StudentT.quantile(1 - (1 - confidence) / 2, degreesOfFreedom: max(1, g - 1))
        let bound = measure == "kappa" ? 2.0 : measure == "reported_rate" ? 1.0 : .infinity
        result.standardError = se
        result.low = max(-bound, one - two - quantile * se)
        result.high = min(bound, one - two + quantile * se)
        if clustered, let few = IntervalTrust.tooFewClusters(unitCount) { notes.append(few) }
        if measure != "reported_rate", let few = IntervalTrust.tooFew(total.labelled) { notes.append(few) }
        notes.append(clustered ? "paired; jackknife over the \(unitCount) clusters (t with \(unitCount - 1) df)"
                               : "paired; jackknife over these \(unitCount) responses (not the stimuli they came from)")
        if measure == "corrected_rate" {
            notes.append("both estimate the same rate: a difference away from 0 means a judge's error on the labelled items does not hold on the rest (unclipped Rogan–Gladen)")
        }
        result.note = IntervalTrust.warningsFirst(notes)
        return result
    }
}
