import Foundation

/// One pair of raters' q×q contingency table over the items both rated, and the two-rater coefficients on it:
/// percent agreement, Cohen's (1960) kappa, weighted kappa (Cohen 1968), Scott's (1955) pi,
/// Gwet's (2008) AC1/AC2, Brennan & Prediger (1981) and Krippendorff's alpha.
///
/// Standard errors: Cohen's and weighted kappa use the large-sample ASE of Fleiss, Cohen & Everitt (1969) as
/// SAS PROC FREQ prints it (and its null-hypothesis ASE0); the others Gwet's (2014) two-rater formulas
/// (R irrCAC `*2.table`).
struct TwoRaterTable {
    /// Categories.
    let q: Int
    /// Row-major q×q counts: row = first rater's category, column = second's.
    let cells: [Double]
    /// Items both raters rated.
    let n: Double

    init(q: Int, cells: [Double]) {
        self.q = q
        self.cells = cells
        n = cells.reduce(0, +)
    }

    /// The table from the pair family's state weights (state = (a+1)(q+1) + (b+1), 0 meaning missing).
    init(q: Int, pairStateWeights: [Double]) {
        var cells = [Double](repeating: 0, count: q * q)
        for a in 0..<q {
            for b in 0..<q { cells[a * q + b] = pairStateWeights[(a + 1) * (q + 1) + (b + 1)] }
        }
        self.init(q: q, cells: cells)
    }

    /// The chance model of a two-rater coefficient.
    enum Kind {
        case percent, cohen, scott, gwet, brennanPrediger
    }

    private var unitsReason: String { "no item was rated by both raters" }

    /// Row and column proportions p_k. and p_.l.
    private func margins() -> (rows: [Double], columns: [Double]) {
        var rows = [Double](repeating: 0, count: q), columns = [Double](repeating: 0, count: q)
        for k in 0..<q {
            for l in 0..<q {
                rows[k] += cells[k * q + l] / n
                columns[l] += cells[k * q + l] / n
            }
        }
        return (rows, columns)
    }

    private func observedAgreement(_ weights: [Double]) -> Double {
        var pa = 0.0
        for index in 0..<(q * q) { pa += weights[index] * cells[index] / n }
        return pa
    }

    private func chanceAgreement(_ kind: Kind, weights: [Double], rows: [Double], columns: [Double]) -> Double {
        switch kind {
        case .percent:
            return 0
        case .cohen:
            var pe = 0.0
            for k in 0..<q { for l in 0..<q { pe += weights[k * q + l] * rows[k] * columns[l] } }
            return pe
        case .scott:
            var pe = 0.0
            for k in 0..<q {
                for l in 0..<q { pe += weights[k * q + l] * (rows[k] + columns[k]) / 2 * (rows[l] + columns[l]) / 2 }
            }
            return pe
        case .gwet:
            guard q >= 2 else { return 1 }
            var spread = 0.0
            for k in 0..<q {
                let pi = (rows[k] + columns[k]) / 2
                spread += pi * (1 - pi)
            }
            return weights.reduce(0, +) * spread / Double(q * (q - 1))
        case .brennanPrediger:
            guard q >= 2 else { return 1 }
            return weights.reduce(0, +) / Double(q * q)
        }
    }

    private static func reason(_ kind: Kind) -> String {
        switch kind {
        case .cohen: return "chance agreement is 1: both raters used a single category"
        case .scott: return "chance agreement is 1: both raters used one and the same category"
        default: return "fewer than two categories, so chance agreement is 1"
        }
    }

    /// The point value only (for bootstrap resamples).
    func value(_ kind: Kind, weights: [Double]) -> Double? {
        guard n > 0 else { return nil }
        let (rows, columns) = margins()
        let pa = observedAgreement(weights)
        if kind == .percent { return pa }
        let pe = chanceAgreement(kind, weights: weights, rows: rows, columns: columns)
        guard abs(1 - pe) > ChanceCorrected.degenerateTolerance else { return nil }
        return (pa - pe) / (1 - pe)
    }

    /// The coefficient with P_a, P_e, n and its standard error (and ASE0 for Cohen's kappa).
    func estimate(_ kind: Kind, weights: [Double]) -> CoefficientResult {
        let count = Int(n.rounded())
        guard n > 0 else { return .undefined(n: 0, unitsReason) }
        let (rows, columns) = margins()
        let pa = observedAgreement(weights)
        if kind == .percent {
            var squares = 0.0
            for index in 0..<(q * q) { squares += cells[index] / n * weights[index] * weights[index] }
            return CoefficientResult(value: pa, n: count, standardError: ChanceCorrected.standardError(variance: (squares - pa * pa) / n),
                                     observed: pa, chance: 0)
        }
        let pe = chanceAgreement(kind, weights: weights, rows: rows, columns: columns)
        var result = ChanceCorrected.coefficient(observed: pa, chance: pe, n: count, reasonIfChanceIsOne: Self.reason(kind))
        guard let value = result.value else { return result }
        result.standardError = standardError(kind, weights: weights, rows: rows, columns: columns, pa: pa, pe: pe, value: value)
        if kind == .cohen { result.nullStandardError = nullStandardError(weights: weights, rows: rows, columns: columns, pe: pe) }
        return result
    }

    /// The weighted margins w̄_k. = Σ_l w_kl p_.l and w̄_.l = Σ_k w_kl p_k., which both standard errors use.
    private func weightedMargins(weights: [Double], rows: [Double], columns: [Double]) -> (rows: [Double], columns: [Double]) {
        var rowWeighted = [Double](repeating: 0, count: q), columnWeighted = [Double](repeating: 0, count: q)
        for k in 0..<q {
            for l in 0..<q {
                rowWeighted[k] += weights[k * q + l] * columns[l]
                columnWeighted[l] += weights[k * q + l] * rows[k]
            }
        }
        return (rowWeighted, columnWeighted)
    }

    /// Var = [Σ_kl p_kl (w_kl − (1 − κ)(a_k + b_l))² − (P_a − 2(1 − κ)P_e)²] / (n(1 − P_e)²), with the
    /// kind's a and b (Fleiss, Cohen & Everitt 1969 for Cohen; Gwet 2014 for Scott, AC1/AC2, BP).
    private func standardError(_ kind: Kind, weights: [Double], rows: [Double], columns: [Double], pa: Double, pe: Double, value: Double) -> Double? {
        let total = weights.reduce(0, +)
        let (rowWeighted, columnWeighted) = weightedMargins(weights: weights, rows: rows, columns: columns)
        var sum = 0.0
        for k in 0..<q {
            for l in 0..<q {
                let p = cells[k * q + l] / n
                guard p > 0 else { continue }
                let term: Double
                switch kind {
                case .percent:
                    term = weights[k * q + l]
                case .cohen:
                    term = weights[k * q + l] - (1 - value) * (rowWeighted[k] + columnWeighted[l])
                case .scott:
                    let mixedK = (rowWeighted[k] + columnWeighted[k]) / 2, mixedL = (rowWeighted[l] + columnWeighted[l]) / 2
                    term = weights[k * q + l] - (1 - value) * (mixedK + mixedL)
                case .gwet:
                    let piK = (rows[k] + columns[k]) / 2, piL = (rows[l] + columns[l]) / 2
                    term = weights[k * q + l] - 2 * (1 - value) * total * (1 - (piK + piL) / 2) / Double(q * (q - 1))
                case .brennanPrediger:
                    term = weights[k * q + l]
                }
                sum += p * term * term
            }
        }
        let centre = kind == .brennanPrediger ? pa : pa - 2 * (1 - value) * pe
        return ChanceCorrected.standardError(variance: (sum - centre * centre) / (n * (1 - pe) * (1 - pe)))
    }

    /// ASE0: Var₀ = [Σ_kl p_k. p_.l (w_kl − (w̄_k. + w̄_.l))² − P_e²] / (n(1 − P_e)²) (Fleiss, Cohen & Everitt 1969).
    private func nullStandardError(weights: [Double], rows: [Double], columns: [Double], pe: Double) -> Double? {
        let (rowWeighted, columnWeighted) = weightedMargins(weights: weights, rows: rows, columns: columns)
        var sum = 0.0
        for k in 0..<q {
            for l in 0..<q {
                let term = weights[k * q + l] - (rowWeighted[k] + columnWeighted[l])
                sum += rows[k] * columns[l] * term * term
            }
        }
        return ChanceCorrected.standardError(variance: (sum - pe * pe) / (n * (1 - pe) * (1 - pe)))
    }

    /// The pair's items as category-count states (one per non-empty cell), for Krippendorff's alpha.
    func categoryCounts() -> (CategoryCounts, [Double]) {
        var vectors: [Int32] = [], ratings: [Int] = [], weights: [Double] = []
        for a in 0..<q {
            for b in 0..<q where cells[a * q + b] > 0 {
                var vector = [Int32](repeating: 0, count: q)
                vector[a] += 1
                vector[b] += 1
                vectors.append(contentsOf: vector)
                ratings.append(2)
                weights.append(cells[a * q + b])
            }
        }
        return (CategoryCounts(categoryCount: q, vectors: vectors, ratings: ratings), weights)
    }

    /// The pair's alpha alone (for bootstrap resamples), from its coincidences T + Tᵀ in O(q²).
    func alphaValue(scale: CategoryScale, metric: KrippendorffMetric) -> Double? {
        var coincidences = [Double](repeating: 0, count: q * q)
        for k in 0..<q {
            for l in 0..<q { coincidences[k * q + l] = cells[k * q + l] + cells[l * q + k] }
        }
        return KrippendorffAlpha.fromCoincidences(coincidences, categoryCount: q, scale: scale, metric: metric).alpha
    }

    /// Krippendorff's alpha for the pair; the standard error is Gwet's two-rater formula (irrCAC `krippen2.table`)
    /// with weights 1 − δ/max δ.
    func alpha(scale: CategoryScale, metric: KrippendorffMetric) -> CoefficientResult {
        guard n > 0 else { return .undefined(n: 0, unitsReason) }
        let (units, weights) = categoryCounts()
        var result = KrippendorffAlpha(units: units, scale: scale, metric: metric).estimate(stateWeights: weights)
        guard result.value != nil else { return result }
        let (rows, columns) = margins()
        var pairable = [Double](repeating: 0, count: q)
        for k in 0..<q { pairable[k] = (rows[k] + columns[k]) * n }
        let distances = metric.distances(scale: scale, marginals: pairable)
        guard let largest = distances.max(), largest > 0 else { result.standardError = nil; return result }
        let agreementWeights = distances.map { 1 - $0 / largest }
        let pa0 = observedAgreement(agreementWeights)
        let pe = chanceAgreement(.scott, weights: agreementWeights, rows: rows, columns: columns)
        guard abs(1 - pe) > ChanceCorrected.degenerateTolerance else { result.standardError = nil; return result }
        let uncorrected = (pa0 - pe) / (1 - pe)
        result.standardError = standardError(.scott, weights: agreementWeights, rows: rows, columns: columns, pa: pa0, pe: pe, value: uncorrected)
        return result
    }
}
