// The paper's own comparisons: model against model and setting against setting on the same stimuli.
import Foundation
import ReviewStatistics

/// How p-values (and, where a matching rule exists, intervals) are adjusted for the number of comparisons.
public enum MultiplicityAdjustment: String, Sendable, CaseIterable, Equatable {
    /// Unadjusted: each comparison read alone (the default; every rendering says so).
    case none
    /// Holm's step-down (family-wise error); intervals at the Bonferroni level, the only ones that match it.
    case holm
    /// Bonferroni (family-wise error); intervals at confidence 1 − α/m.
    case bonferroni
    /// Benjamini–Hochberg (false discovery rate); p-values only, intervals unadjusted.
    case bh

    /// What every rendering says about the p-values and intervals.
    public var statement: String {
        switch self {
        case .none: return "UNADJUSTED for multiple comparisons: each p-value and interval holds for its comparison read alone (--adjust holm|bonferroni|bh)"
        case .holm: return "p-values Holm-adjusted (family-wise error over these comparisons); intervals at the Bonferroni level"
        case .bonferroni: return "p-values and intervals Bonferroni-adjusted over these comparisons"
        case .bh: return "p-values Benjamini–Hochberg-adjusted (false discovery rate); intervals unadjusted"
        }
    }

    /// The adjusted p-values, in the order given (nil stays nil and does not count).
    public func adjusted(_ pValues: [Double?]) -> [Double?] {
        let present = pValues.enumerated().compactMap { index, p in p.map { (index, $0) } }
        let m = Double(present.count)
        guard m > 0, self != .none else { return pValues }
        var result = pValues
        let ascending = present.sorted { $0.1 < $1.1 }
        switch self {
        case .none: break
        case .bonferroni:
            for (index, p) in present { result[index] = min(1, p * m) }
        case .holm:
            var running = 0.0
            for (rank, entry) in ascending.enumerated() {
                running = max(running, min(1, (m - Double(rank)) * entry.1))
                result[entry.0] = running
            }
        case .bh:
            var running = 1.0
            for (rank, entry) in ascending.enumerated().reversed() {
                running = min(running, m / Double(rank + 1) * entry.1)
                result[entry.0] = min(1, running)
            }
        }
        return result
    }
}

/// One paired comparison of the rate of inappropriate responses as the judge reports it: scope `first` against
/// scope `second` on the stimuli both answered.
public struct RateComparison: Sendable, Equatable {
    /// What is compared: `model`, `steel-man prompt` or `context`.
    public var kind: String
    /// The two scopes (e.g. two models, or one model with the setting on and off).
    public var first: String
    public var second: String
    /// Stimuli (pairing clusters) both scopes answered, and their judged items.
    public var clusters: Int
    public var firstItems: Int
    public var secondItems: Int
    /// The judge's rate of inappropriate responses in each scope, on those stimuli.
    public var firstRate: Double
    public var secondRate: Double
    /// first − second, with its cluster-robust interval (t on clusters − 1 df) and two-sided p-value.
    public var difference: Double
    public var low: Double?
    public var high: Double?
    public var standardError: Double?
    public var pValue: Double?
    /// The p-value after the multiplicity adjustment (equal to `pValue` unadjusted).
    public var adjustedP: Double?
    /// Warnings and what the comparison rests on.
    public var note: String?

    /// Whether the interval may be taken at its word.
    public var isTrusted: Bool { low != nil && !IntervalTrust.distrusts(note) }
}

/// Paired comparisons of the judge-reported rate between models and between settings on the same stimuli.
///
/// The paper compares models and settings (steel-man prompt on or off, context or not) on one set of stimuli, so the
/// two rates share the stimuli's difficulty: their difference is paired. Each rate is a ratio X/N over its judged
/// items; the difference D = X₁/N₁ − X₂/N₂ over the stimuli both answered is linearised per stimulus g,
/// e_g = (x₁g − R₁n₁g)/N₁ − (x₂g − R₂n₂g)/N₂, and Var(D) = G/(G − 1)·Σ e_g² (the cluster-robust variance with its
/// small-sample factor; with one item per scope and stimulus it is the paired t-test's, and for binary items the
/// clustered form of McNemar's test, Obuchowski 1998). The interval and p-value use t on G − 1 degrees of freedom.
public enum PairedComparisons {
    /// Fewer shared stimuli than this: no interval.
    static let minimumPairs = 2

    /// Every model against every other, and within each model each setting against its other value, adjusted by
    /// `adjust` over all of them together.
    public static func compare(
        items: [Item], positions: [Int], pairBy key: ClusterKey, missingResponse: MissingResponse, confidence: Double,
        adjust: MultiplicityAdjustment
    ) -> [RateComparison] {
        // Each judged item's verdict (1 inappropriate) under the convention, and its stimulus.
        var scopes: [String: [Int]] = [:]
        var steelman: [String: [Bool: [Int]]] = [:], context: [String: [Bool: [Int]]] = [:]
        for position in positions where value(items[position], missingResponse) != nil {
            let subject = items[position].subject
            scopes[subject.name, default: []].append(position)
            if let on = subject.steelman { steelman[subject.name, default: [:]][on, default: []].append(position) }
            if let on = subject.contextualized { context[subject.name, default: [:]][on, default: []].append(position) }
        }
        var comparisons: [RateComparison] = []
        let models = scopes.keys.sorted()
        for (index, first) in models.enumerated() {
            for second in models[(index + 1)...] {
                if let comparison = compare(kind: "model", first, scopes[first] ?? [], second, scopes[second] ?? [],
                                            items: items, key: key, missingResponse: missingResponse, confidence: confidence) {
                    comparisons.append(comparison)
                }
            }
        }
        for (kind, split, names) in [("steel-man prompt", steelman, ("on", "off")), ("context", context, ("with", "without"))] {
            for model in split.keys.sorted() {
                guard let on = split[model]?[true], let off = split[model]?[false] else { continue }
                if let comparison = compare(kind: kind, "\(model), \(kind) \(names.0)", on, "\(model), \(kind) \(names.1)", off,
                                            items: items, key: key, missingResponse: missingResponse, confidence: confidence) {
                    comparisons.append(comparison)
                }
            }
        }
        return adjusted(comparisons, adjust: adjust, confidence: confidence)
    }

    /// An item's verdict as a number: 1 inappropriate, 0 appropriate; nil when the judge gave none or the item has no
    /// response and such items are left out.
    static func value(_ item: Item, _ missingResponse: MissingResponse) -> Double? {
        if item.response == nil { return missingResponse == .inappropriate ? 1 : nil }
        switch item.judgeVerdict {
        case .inappropriate: return 1
        case .appropriate: return 0
        case .noVerdict: return nil
        }
    }

    /// The comparison of two scopes on the stimuli both answered; nil when they share none.
    static func compare(kind: String, _ firstName: String, _ first: [Int], _ secondName: String, _ second: [Int], items: [Item],
                        key: ClusterKey, missingResponse: MissingResponse, confidence: Double) -> RateComparison? {
        func byCluster(_ positions: [Int]) -> [ClusterIdentity: (x: Double, n: Double)] {
            var sums: [ClusterIdentity: (x: Double, n: Double)] = [:]
            for position in positions {
                guard let value = value(items[position], missingResponse) else { continue }
                let identity = key.identity(of: items[position])
                let sum = sums[identity] ?? (0, 0)
                sums[identity] = (sum.x + value, sum.n + 1)
            }
            return sums
        }
        let one = byCluster(first), two = byCluster(second)
        let shared = Set(one.keys).intersection(two.keys).sorted()
        guard !shared.isEmpty else { return nil }
        let x1 = shared.reduce(0) { $0 + (one[$1]?.x ?? 0) }, n1 = shared.reduce(0) { $0 + (one[$1]?.n ?? 0) }
        let x2 = shared.reduce(0) { $0 + (two[$1]?.x ?? 0) }, n2 = shared.reduce(0) { $0 + (two[$1]?.n ?? 0) }
        let r1 = x1 / n1, r2 = x2 / n2
        var comparison = RateComparison(kind: kind, first: firstName, second: secondName, clusters: shared.count, firstItems: Int(n1),
                                        secondItems: Int(n2), firstRate: r1, secondRate: r2, difference: r1 - r2)
        var notes: [String] = []
        if let few = IntervalTrust.tooFewClusters(shared.count) { notes.append(few) }
        let g = Double(shared.count)
        if shared.count >= minimumPairs {
            let residuals = shared.map { identity -> Double in
                let a = one[identity] ?? (0, 0), b = two[identity] ?? (0, 0)
                return (a.x - r1 * a.n) / n1 - (b.x - r2 * b.n) / n2
            }
            let variance = g / (g - 1) * residuals.reduce(0) { $0 + $1 * $1 }
            if variance > 1e-15 {
                let se = variance.squareRoot()
                let t = StudentT.quantile(1 - (1 - confidence) / 2, degreesOfFreedom: g - 1)
                comparison.standardError = se
                comparison.low = max(-1, comparison.difference - t * se)
                comparison.high = min(1, comparison.difference + t * se)
                comparison.pValue = twoSidedP(abs(comparison.difference) / se, degreesOfFreedom: g - 1)
            } else {
                notes.append(IntervalTrust.noInterval("the difference is the same on every stimulus, so it has no spread to measure"))
            }
        } else {
            notes.append(IntervalTrust.noInterval("one shared \(key.rawValue) only"))
        }
        notes.append("paired over the \(shared.count) \(key.plural) both answered, t with \(max(1, shared.count - 1)) df; the judge's verdicts as reported (its accuracy may differ between the two: see the corrected rates)")
        comparison.note = IntervalTrust.warningsFirst(notes)
        comparison.adjustedP = comparison.pValue
        return comparison
    }

    /// The comparisons with adjusted p-values and, for Bonferroni and Holm, intervals at confidence 1 − α/m.
    static func adjusted(_ comparisons: [RateComparison], adjust: MultiplicityAdjustment, confidence: Double) -> [RateComparison] {
        let adjustedP = adjust.adjusted(comparisons.map(\.pValue))
        let m = Double(comparisons.filter { $0.pValue != nil }.count)
        return comparisons.enumerated().map { index, comparison in
            var result = comparison
            result.adjustedP = adjustedP[index]
            if (adjust == .bonferroni || adjust == .holm), m > 1, let se = comparison.standardError {
                let t = StudentT.quantile(1 - (1 - confidence) / (2 * m), degreesOfFreedom: Double(comparison.clusters - 1))
                result.low = max(-1, comparison.difference - t * se)
                result.high = min(1, comparison.difference + t * se)
            }
            return result
        }
    }

    /// The two-sided p-value of |t| with `degreesOfFreedom`, by inverting `StudentT.quantile` (bisection on p; the
    /// quantile's accuracy, about 1e-4 from 5 df on, bounds it; below 1e-6 it is reported as 1e-6).
    static func twoSidedP(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        guard t.isFinite else { return 0 }
        var low = 0.5, high = 1 - 5e-7
        if StudentT.quantile(high, degreesOfFreedom: nu) <= t { return 2 * (1 - high) }
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if StudentT.quantile(middle, degreesOfFreedom: nu) < t { low = middle } else { high = middle }
        }
        return min(1, 2 * (1 - (low + high) / 2))
    }
}
