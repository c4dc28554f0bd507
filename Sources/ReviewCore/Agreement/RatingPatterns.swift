import Foundation

/// A table compressed to its distinct rating patterns (one code per rater) with how many items show each.
///
/// Items with the same pattern are interchangeable for every coefficient, so all statistics and the
/// bootstrap work on pattern counts and never loop over items.
struct RatingPatterns: Sendable {
    /// Raters per pattern.
    var raterCount: Int
    /// Categories.
    var categoryCount: Int
    /// Row-major `patterns × raters` codes, `RatingTable.missing` for no rating.
    var codes: [Int32]
    /// Items showing each pattern.
    var counts: [Int]
    /// The pattern of each item row.
    var patternOfItem: [Int32]
    /// Codes outside `-1..<categoryCount`, which were treated as missing.
    var invalidCodes: Int

    /// Number of distinct patterns.
    var patternCount: Int { counts.count }

    /// The code of `rater` in pattern `pattern`.
    func code(_ pattern: Int, _ rater: Int) -> Int32 { codes[pattern * raterCount + rater] }

    init(_ table: RatingTable) {
        let r = table.raters.count
        let q = table.categories.count
        let itemCount = r == 0 ? 0 : min(table.items.count, table.codes.count / r)
        raterCount = r
        categoryCount = q
        var codes: [Int32] = []
        var counts: [Int] = []
        var patternOfItem = [Int32](repeating: 0, count: itemCount)
        var invalid = 0
        let base = UInt64(q + 1)
        // Pack a pattern into one integer when it fits (the usual case); otherwise hash the code array.
        let packable = r > 0 && Double(r) * log2(Double(q + 1)) < 63
        var packedIndex: [UInt64: Int32] = [:]
        var arrayIndex: [[Int32]: Int32] = [:]
        var row = [Int32](repeating: RatingTable.missing, count: r)
        table.codes.withUnsafeBufferPointer { all in
            for item in 0..<itemCount {
                var key: UInt64 = 0
                for rater in 0..<r {
                    var code = all[item * r + rater]
                    if code < RatingTable.missing || code >= Int32(q) {
                        invalid += 1
                        code = RatingTable.missing
                    }
                    row[rater] = code
                    key = key &* base &+ UInt64(code + 1)
                }
                let found: Int32?
                if packable { found = packedIndex[key] } else { found = arrayIndex[row] }
                if let found {
                    counts[Int(found)] += 1
                    patternOfItem[item] = found
                } else {
                    let index = Int32(counts.count)
                    if packable { packedIndex[key] = index } else { arrayIndex[row] = index }
                    codes.append(contentsOf: row)
                    counts.append(1)
                    patternOfItem[item] = index
                }
            }
        }
        self.codes = codes
        self.counts = counts
        self.patternOfItem = patternOfItem
        self.invalidCodes = invalid
    }
}

/// Units projected onto a smaller state space (e.g. category-count vectors, or one pair's cells), with counts,
/// and, for the clustered bootstrap, the clusters grouped by identical state-count vectors.
struct CompressedUnits: Sendable {
    /// Units per state.
    var counts: [Int]
    /// Distinct clusters' sparse state-count vectors (state, count), one per group of identical clusters.
    var clusterVectors: [[(state: Int32, count: Int32)]]
    /// Clusters in each group.
    var clusterGroupSizes: [Int]

    /// Number of states.
    var stateCount: Int { counts.count }
    /// Number of clusters (0 without clusters).
    var clusterCount: Int { clusterGroupSizes.reduce(0, +) }

    /// Projects `patterns` through `stateOfPattern`, grouping `clusters` when given. Patterns mapped to −1
    /// (e.g. items nobody rated) land in one extra last state, so a resample still draws all N items.
    init(patterns: RatingPatterns, stateOfPattern rawStates: [Int32], stateCount: Int, clusters: [Int32]?) {
        let stateOfPattern = rawStates.map { $0 >= 0 ? $0 : Int32(stateCount) }
        var counts = [Int](repeating: 0, count: stateCount + 1)
        for (pattern, count) in patterns.counts.enumerated() {
            counts[Int(stateOfPattern[pattern])] += count
        }
        self.counts = counts
        clusterVectors = []
        clusterGroupSizes = []
        guard let clusters else { return }
        // Sparse state counts per cluster, then clusters with identical vectors are grouped.
        var perCluster: [Int32: [Int32: Int32]] = [:]
        for (item, pattern) in patterns.patternOfItem.enumerated() where item < clusters.count {
            let state = stateOfPattern[Int(pattern)]
            perCluster[clusters[item], default: [:]][state, default: 0] += 1
        }
        var groupIndex: [[Int32]: Int] = [:]
        for cluster in perCluster.keys.sorted() {
            guard let states = perCluster[cluster] else { continue }
            let vector = states.sorted { $0.key < $1.key }
            let key = vector.flatMap { [$0.key, $0.value] }
            if let group = groupIndex[key] {
                clusterGroupSizes[group] += 1
            } else {
                groupIndex[key] = clusterVectors.count
                clusterVectors.append(vector.map { (state: $0.key, count: $0.value) })
                clusterGroupSizes.append(1)
            }
        }
    }
}

/// Category-count vectors (n_i1 … n_iq) of units with at least one rating: the sufficient statistic of
/// percent agreement, Fleiss' kappa, Gwet's AC1/AC2, Brennan–Prediger and Krippendorff's alpha.
struct CategoryCounts: Sendable {
    /// Categories.
    var categoryCount: Int
    /// Row-major `states × categories` counts.
    var vectors: [Int32]
    /// Ratings per state (r_i).
    var ratings: [Int]

    /// Number of distinct count vectors.
    var stateCount: Int { ratings.count }

    /// The count of category `k` in state `s`.
    func count(_ state: Int, _ category: Int) -> Double { Double(vectors[state * categoryCount + category]) }

    /// Σ_k n_k(Σ_l w_kl n_l − 1) over one state's category counts n: the weighted agreeing pairs that
    /// Gwet's and Krippendorff's multi-rater coefficients share (`weights` is q×q, row-major).
    func weightedAgreementSum(_ state: Int, weights: [Double]) -> Double {
        let q = categoryCount
        var sum = 0.0
        for k in 0..<q {
            let nk = count(state, k)
            guard nk > 0 else { continue }
            var weighted = 0.0
            for l in 0..<q { weighted += weights[k * q + l] * count(state, l) }
            sum += nk * (weighted - 1)
        }
        return sum
    }

    /// Builds the states from rating patterns; returns the map pattern → state (−1 for unrated patterns).
    static func project(_ patterns: RatingPatterns, raters: [Int]? = nil) -> (CategoryCounts, [Int32]) {
        let q = patterns.categoryCount
        let columns = raters ?? Array(0..<patterns.raterCount)
        var vectors: [Int32] = []
        var ratings: [Int] = []
        var index: [[Int32]: Int32] = [:]
        var stateOfPattern = [Int32](repeating: -1, count: patterns.patternCount)
        var vector = [Int32](repeating: 0, count: q)
        for pattern in 0..<patterns.patternCount {
            for k in 0..<q { vector[k] = 0 }
            var rated = 0
            for rater in columns {
                let code = patterns.code(pattern, rater)
                if code >= 0 {
                    vector[Int(code)] += 1
                    rated += 1
                }
            }
            guard rated > 0 else { continue }
            if let found = index[vector] {
                stateOfPattern[pattern] = found
            } else {
                let state = Int32(ratings.count)
                index[vector] = state
                vectors.append(contentsOf: vector)
                ratings.append(rated)
                stateOfPattern[pattern] = state
            }
        }
        return (CategoryCounts(categoryCount: q, vectors: vectors, ratings: ratings), stateOfPattern)
    }

    /// States straight from a subjects × categories count table (as Fleiss and Gwet publish them).
    static func fromCountTable(_ rows: [[Int]]) -> (CategoryCounts, [Double]) {
        let q = rows.first?.count ?? 0
        var index: [[Int32]: Int] = [:]
        var vectors: [Int32] = []
        var ratings: [Int] = []
        var weights: [Double] = []
        for row in rows {
            let vector = row.map { Int32($0) }
            let rated = row.reduce(0, +)
            guard rated > 0 else { continue }
            if let found = index[vector] {
                weights[found] += 1
            } else {
                index[vector] = ratings.count
                vectors.append(contentsOf: vector)
                ratings.append(rated)
                weights.append(1)
            }
        }
        return (CategoryCounts(categoryCount: q, vectors: vectors, ratings: ratings), weights)
    }
}
