// The agreement engine's public contract: the report, the console and the exports call these names.
import Foundation

/// Categorical ratings: one row per item, one column per rater, coded as category indices.
public struct RatingTable: Sendable, Equatable {
    /// Item ids, one per row.
    public var items: [String]
    /// Rater names, one per column (the judge is `judge:<model>`).
    public var raters: [String]
    /// Ordered categories; the order defines ordinal and weighted scales.
    public var categories: [String]
    /// Row-major `items.count × raters.count` category indices; `RatingTable.missing` for no rating.
    public var codes: [Int32]
    /// Optional cluster id per item (same stimulus, transcript or condition) for the clustered bootstrap.
    public var clusters: [Int32]?
    /// What the reader must know about how the table was made (answers set aside), carried into the summary.
    public var notes: [String] = []

    /// The code of a missing rating.
    public static let missing: Int32 = -1

    /// A table from its rows, raters, ordered categories and row-major codes.
    public init(items: [String], raters: [String], categories: [String], codes: [Int32], clusters: [Int32]? = nil) {
        self.items = items
        self.raters = raters
        self.categories = categories
        self.codes = codes
        self.clusters = clusters
    }

    /// The code for item row `item` and rater column `rater`.
    public func code(item: Int, rater: Int) -> Int32 { codes[item * raters.count + rater] }

    /// The table with only the raters `keep` says yes to (in their order), and only the items some of them rated.
    public func keepingRaters(_ keep: (String) -> Bool) -> RatingTable {
        let columns = raters.indices.filter { keep(raters[$0]) }
        var keptItems: [String] = [], keptCodes: [Int32] = [], keptClusters: [Int32] = []
        for row in items.indices {
            let rowCodes = columns.map { code(item: row, rater: $0) }
            guard rowCodes.contains(where: { $0 != RatingTable.missing }) else { continue }
            keptItems.append(items[row])
            keptCodes += rowCodes
            if let clusters { keptClusters.append(clusters[row]) }
        }
        return RatingTable(items: keptItems, raters: columns.map { raters[$0] }, categories: categories, codes: keptCodes,
                           clusters: clusters == nil ? nil : keptClusters)
    }
}

/// The scale of the categories, which decides Krippendorff's metric and the weights of AC2 / weighted kappa.
public enum MeasurementLevel: String, Sendable, CaseIterable, Codable {
    case nominal, ordinal, interval, ratio
}

/// The coefficients the engine reports, with their keys in the JSON contract.
public enum CoefficientKind: String, Sendable, CaseIterable, Codable, Hashable {
    case percentAgreement = "percent_agreement"
    case cohenKappa = "cohen_kappa"
    case weightedKappaLinear = "weighted_kappa_linear"
    case weightedKappaQuadratic = "weighted_kappa_quadratic"
    case scottPi = "scott_pi"
    case fleissKappa = "fleiss_kappa"
    case congerKappa = "conger_kappa"
    case krippendorffAlpha = "krippendorff_alpha"
    case gwetAC1 = "gwet_ac1"
    /// Gwet's AC2: AC1 with the weights of the measurement level (ordinal, interval, ratio only).
    case gwetAC2 = "gwet_ac2"
    case bennettS = "bennett_s"
    /// The intraclass correlation ICC(A,1) (two-way random, absolute agreement, single rater) of the items every
    /// rater scored (interval and ratio levels only).
    case iccAgreement = "icc_a1"
}

/// One coefficient's value with the units it used; `value` is nil (with `reason`) when undefined.
public struct CoefficientResult: Sendable, Equatable, Codable {
    /// The coefficient; nil when undefined (see `reason`).
    public var value: Double?
    /// Number of units (items) the coefficient used.
    public var n: Int
    /// Why the value is undefined, e.g. "both raters used a single category".
    public var reason: String?
    /// Analytic standard error, where the literature gives one.
    public var standardError: Double?
    /// Percentile bootstrap interval bounds, when intervals were asked for.
    public var ciLow: Double?
    /// Upper percentile bootstrap bound.
    public var ciHigh: Double?
    /// Observed agreement P_a (for Krippendorff's alpha: observed disagreement D_o).
    public var observed: Double?
    /// Chance agreement P_e (for Krippendorff's alpha: expected disagreement D_e).
    public var chance: Double?
    /// Standard error under the null hypothesis of no agreement beyond chance (Cohen's and weighted kappa).
    public var nullStandardError: Double?
    /// Bootstrap resamples in which the coefficient was defined (the interval uses only those).
    public var resamplesUsed: Int?
    /// Clusters the interval generalises over (nil: over these items).
    public var clusters: Int?

    /// A result; every field but `value` and `n` is optional.
    public init(value: Double?, n: Int, reason: String? = nil, standardError: Double? = nil, ciLow: Double? = nil, ciHigh: Double? = nil,
                observed: Double? = nil, chance: Double? = nil, nullStandardError: Double? = nil, resamplesUsed: Int? = nil) {
        self.value = value
        self.n = n
        self.reason = reason
        self.standardError = standardError
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.observed = observed
        self.chance = chance
        self.nullStandardError = nullStandardError
        self.resamplesUsed = resamplesUsed
    }
}

/// What to compute and how to form intervals.
public struct AgreementOptions: Sendable, Equatable {
    /// The categories' scale: decides Krippendorff's metric, AC2's weights and whether weighted kappa is computed.
    public var level: MeasurementLevel = .nominal
    /// Bootstrap resamples; 0 for no intervals.
    public var resamples: Int = 0
    /// Seed of the bootstrap (xoshiro256** via SplitMix64: the same intervals on every machine).
    public var seed: UInt64 = 1
    /// Confidence level of the percentile intervals.
    public var confidence: Double = 0.95
    /// Resample clusters (`RatingTable.clusters`) instead of items.
    public var clustered: Bool = false

    /// Options; the defaults give point estimates and analytic standard errors only.
    public init(level: MeasurementLevel = .nominal, resamples: Int = 0, seed: UInt64 = 1, confidence: Double = 0.95, clustered: Bool = false) {
        self.level = level
        self.resamples = resamples
        self.seed = seed
        self.confidence = confidence
        self.clustered = clustered
    }
}

/// The coefficients for one pair of raters.
public struct PairAgreement: Sendable, Equatable {
    /// The two raters, in table order.
    public var raters: [String]
    /// The pair's coefficients over the items both rated.
    public var coefficients: [CoefficientKind: CoefficientResult]
    /// The pair's prevalence and bias indices.
    public var indices: AgreementIndices? = nil
    /// The pair's contingency table over the items both rated: `table[k][l]` items the first rater put in category
    /// k and the second in category l (the table's categories, in order).
    public var table: [[Int]]? = nil

    /// A pair and its coefficients.
    public init(raters: [String], coefficients: [CoefficientKind: CoefficientResult], indices: AgreementIndices? = nil) {
        self.raters = raters
        self.coefficients = coefficients
        self.indices = indices
    }
}

/// What a kappa must be read beside (Byrt, Bishop & Carlin 1993): how unequal the categories are and how far the
/// raters' own shares differ.
public struct AgreementIndices: Sendable, Equatable {
    /// The share of all ratings in the most used category.
    public var dominantShare: Double
    /// The most used category.
    public var dominantCategory: String
    /// Two categories: |share of the first − share of the second| over all ratings (Byrt's |a − d| / n for two
    /// raters); nil with more categories.
    public var prevalenceIndex: Double?
    /// Two categories: the largest difference between two raters' shares of the first category (Byrt's
    /// |b − c| / n for two raters); nil with more categories.
    public var biasIndex: Double?

    /// Above this share of one category, chance agreement is so high that kappa-type coefficients can be low, even
    /// negative, at high agreement (Feinstein & Cicchetti 1990): the kappa paradox note is shown.
    public static let paradoxShare = 0.9

    /// The kappa-paradox note, when one category dominates.
    public var paradoxNote: String? {
        guard dominantShare >= Self.paradoxShare else { return nil }
        let percent = String(format: "%.0f%%", dominantShare * 100)
        return "kappa paradox: \"\(dominantCategory)\" holds \(percent) of the ratings, so chance agreement is high and kappa-type coefficients can be low, even negative, at high agreement: read them beside percent agreement, PABAK (Bennett's S) and AC1"
    }

    /// The indices of ratings counted per rater and category (`counts[rater][category]`), over `categories`.
    init?(counts: [[Double]], categories: [String]) {
        let q = categories.count
        var pooled = [Double](repeating: 0, count: q)
        for rater in counts { for k in 0..<min(q, rater.count) { pooled[k] += rater[k] } }
        let total = pooled.reduce(0, +)
        guard q >= 2, total > 0, let dominant = pooled.indices.max(by: { pooled[$0] < pooled[$1] }) else { return nil }
        dominantShare = pooled[dominant] / total
        dominantCategory = categories[dominant]
        if q == 2 {
            prevalenceIndex = abs(pooled[0] - pooled[1]) / total
            let shares = counts.compactMap { rater -> Double? in
                let rated = rater.reduce(0, +)
                return rated > 0 ? rater[0] / rated : nil
            }
            biasIndex = shares.count >= 2 ? (shares.max() ?? 0) - (shares.min() ?? 0) : nil
        }
    }
}

/// Every coefficient over all raters, and each pair's.
public struct AgreementSummary: Sendable, Equatable {
    /// Coefficients over all raters.
    public var overall: [CoefficientKind: CoefficientResult]
    /// Every pair of raters, in table order.
    public var pairs: [PairAgreement]
    /// Things the reader must know about the input (e.g. codes outside the category list, treated as missing).
    public var notes: [String]
    /// Prevalence and bias indices of all raters' ratings.
    public var indices: AgreementIndices? = nil

    /// A summary.
    public init(overall: [CoefficientKind: CoefficientResult], pairs: [PairAgreement], notes: [String] = []) {
        self.overall = overall
        self.pairs = pairs
        self.notes = notes
    }
}

/// Computes agreement coefficients and their intervals.
public enum AgreementEngine {
    /// All coefficients over all raters of `table`, and for every pair of raters.
    ///
    /// Overall: percent agreement, Fleiss', Conger's, Krippendorff's (at `options.level`), Gwet's AC1 (and AC2
    /// for ordered levels) and Brennan-Prediger, generalised to missing ratings as Gwet (2014) does; with two
    /// raters also the pair's Cohen, Scott and weighted kappas. Pairs: the same two-rater coefficients over the
    /// items both raters rated. Intervals: percentile bootstrap when `options.resamples > 0`.
    ///
    /// - Parameters:
    ///   - only: compute just these coefficients (nil: all); the others are absent from the summary.
    ///   - includePairs: false leaves `pairs` empty (for speed on many raters).
    public static func summarize(_ table: RatingTable, options: AgreementOptions, only: Set<CoefficientKind>? = nil,
                                 includePairs: Bool = true) -> AgreementSummary {
        AgreementComputation(table: table, options: options, only: only, includePairs: includePairs).summary()
    }

    /// Every coefficient of two raters from the counts of their four pairs of binary ratings (both the second
    /// category, first-second, second-first, both the first), as `summarize` computes them for a table of that
    /// many items: the path of simulated studies, which need no item rows.
    static func summarizeBinaryPair(counts: [Int], options: AgreementOptions, only: Set<CoefficientKind>? = nil) -> AgreementSummary {
        let patterns = RatingPatterns(raterCount: 2, categoryCount: 2, codes: [1, 1, 1, 0, 0, 1, 0, 0], counts: counts)
        let names = RatingTable(items: [], raters: ["a", "b"], categories: ["0", "1"], codes: [])
        return AgreementComputation(table: names, options: options, only: only, includePairs: false).summary(of: patterns)
    }
}

/// A two-by-two table of a rater (or the judge) against a reference, for "inappropriate" as the positive class.
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    /// Reference inappropriate, rater inappropriate.
    public var truePositive: Int
    /// Reference appropriate, rater inappropriate.
    public var falsePositive: Int
    /// Reference inappropriate, rater appropriate (the costly miss).
    public var falseNegative: Int
    /// Reference appropriate, rater appropriate.
    public var trueNegative: Int

    /// A matrix from its four cells.
    public init(truePositive: Int, falsePositive: Int, falseNegative: Int, trueNegative: Int) {
        self.truePositive = truePositive
        self.falsePositive = falsePositive
        self.falseNegative = falseNegative
        self.trueNegative = trueNegative
    }
}

// `Proportions` (Wilson, Rogan–Gladen, the corrected-rate bootstrap) lives in Proportions.swift.
