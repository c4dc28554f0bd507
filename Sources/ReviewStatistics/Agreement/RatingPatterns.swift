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
        // Few raters and categories (three raters of three categories: 64 keys): a direct table, no hashing.
        var keySpace = 1
        for _ in 0..<r where keySpace <= 1 << 16 { keySpace *= q + 1 }
        let dense = packable && keySpace <= 1 << 16
        var denseIndex = [Int32](repeating: -1, count: dense ? keySpace : 0)
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
                if dense {
                    let index = denseIndex[Int(key)]
                    found = index >= 0 ? index : nil
                } else if packable { found = packedIndex[key] } else { found = arrayIndex[row] }
                if let found {
                    counts[Int(found)] += 1
                    patternOfItem[item] = found
                } else {
                    let index = Int32(counts.count)
                    if dense { denseIndex[Int(key)] = index } else if packable { packedIndex[key] = index } else { arrayIndex[row] = index }
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

    /// Patterns given with their counts (distinct, valid codes; no item rows, so no clusters): for simulated
    /// studies, which know their pattern counts without drawing items.
    init(raterCount: Int, categoryCount: Int, codes: [Int32], counts: [Int]) {
        self.raterCount = raterCount
        self.categoryCount = categoryCount
        self.codes = codes
        self.counts = counts
        self.patternOfItem = []
        self.invalidCodes = 0
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
///
/// Stored sparse: a unit holds a few ratings, so each state keeps only its non-zero counts (category order).
/// Loops over a state cost its ratings, not q, and memory is states × ratings, not states × q.
struct CategoryCounts: Sendable {
    /// Categories.
    var categoryCount: Int
    /// Ratings per state (r_i).
    var ratings: [Int]
    /// Where each state's entries start in `entryCategories` / `entryCounts` (one more than states).
    private(set) var entryStarts: [Int]
    /// The categories a state holds, in increasing order, state after state.
    private(set) var entryCategories: [Int32]
    /// How many ratings of that category the state holds.
    private(set) var entryCounts: [Double]

    /// States from row-major `states × categories` dense counts.
    init(categoryCount: Int, vectors: [Int32], ratings: [Int]) {
        self.categoryCount = categoryCount
        self.ratings = ratings
        entryStarts = [0]
        entryCategories = []
        entryCounts = []
        for state in 0..<ratings.count {
            for k in 0..<categoryCount where vectors[state * categoryCount + k] != 0 {
                entryCategories.append(Int32(k))
                entryCounts.append(Double(vectors[state * categoryCount + k]))
            }
            entryStarts.append(entryCategories.count)
        }
    }

    /// States from sparse keys: per state, (category, count) pairs in increasing category order.
    init(categoryCount: Int, sparse: [[(category: Int32, count: Int32)]]) {
        self.categoryCount = categoryCount
        ratings = sparse.map { $0.reduce(0) { $0 + Int($1.count) } }
        entryStarts = [0]
        entryCategories = []
        entryCounts = []
        for entries in sparse {
            for entry in entries {
                entryCategories.append(entry.category)
                entryCounts.append(Double(entry.count))
            }
            entryStarts.append(entryCategories.count)
        }
    }

    /// Number of distinct count vectors.
    var stateCount: Int { ratings.count }

    /// The positions of a state's entries in `entryCategories` / `entryCounts`.
    @inline(__always)
    func entries(_ state: Int) -> Range<Int> { entryStarts[state]..<entryStarts[state + 1] }

    /// The count of category `k` in state `s` (0 when the state holds none).
    func count(_ state: Int, _ category: Int) -> Double {
        for entry in entries(state) where entryCategories[entry] == Int32(category) { return entryCounts[entry] }
        return 0
    }

    /// Σ_k n_k(Σ_l w_kl n_l − 1) over one state's category counts n: the weighted agreeing pairs that
    /// Gwet's and Krippendorff's multi-rater coefficients share (`weights` is q×q, row-major).
    func weightedAgreementSum(_ state: Int, weights: [Double]) -> Double {
        let q = categoryCount
        var sum = 0.0
        let range = entries(state)
        for a in range {
            let k = Int(entryCategories[a])
            var weighted = 0.0
            for b in range { weighted += weights[k * q + Int(entryCategories[b])] * entryCounts[b] }
            sum += entryCounts[a] * (weighted - 1)
        }
        return sum
    }

    /// Builds the states from rating patterns; returns the map pattern → state (−1 for unrated patterns).
    static func project(_ patterns: RatingPatterns, raters: [Int]? = nil) -> (CategoryCounts, [Int32]) {
        let columns = raters ?? Array(0..<patterns.raterCount)
        var states: [[(category: Int32, count: Int32)]] = []
        // A state's key: its (category, count) pairs packed as category << 32 | count, in category order.
        var index: [[UInt64]: Int32] = [:]
        var stateOfPattern = [Int32](repeating: -1, count: patterns.patternCount)
        var codes: [Int32] = []
        var key: [UInt64] = []
        for pattern in 0..<patterns.patternCount {
            codes.removeAll(keepingCapacity: true)
            for rater in columns {
                let code = patterns.code(pattern, rater)
                if code >= 0 { codes.append(code) }
            }
            guard !codes.isEmpty else { continue }
            codes.sort()
            key.removeAll(keepingCapacity: true)
            var position = 0
            while position < codes.count {
                var end = position + 1
                while end < codes.count, codes[end] == codes[position] { end += 1 }
                key.append(UInt64(UInt32(codes[position])) << 32 | UInt64(end - position))
                position = end
            }
            if let found = index[key] {
                stateOfPattern[pattern] = found
            } else {
                let state = Int32(states.count)
                index[key] = state
                states.append(key.map { (Int32(truncatingIfNeeded: $0 >> 32), Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF)) })
                stateOfPattern[pattern] = state
            }
        }
        return (CategoryCounts(categoryCount: patterns.categoryCount, sparse: states), stateOfPattern)
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
