import Foundation
@testable import ReviewStatistics

// A reference computation the tests check against published values (the tool reports the generalised Fleiss kappa of the engine).
/// Fleiss' (1971) kappa in its original setting (every unit rated by the same number m of raters), with the
/// per-category kappas and the standard error under the null hypothesis of Fleiss, Nee & Landis (1979):
/// what R irr's `kappam.fleiss(detail = TRUE)` prints.
struct FleissClassic {
    /// κ, its null standard error and z = κ / SE₀.
    var kappa: Double
    var nullStandardError: Double
    var z: Double { kappa / nullStandardError }
    /// κ_j = 1 − Σ_i n_ij(m − n_ij) / (N m (m − 1) p_j q_j), per category (nil when p_j is 0 or 1).
    var categoryKappas: [Double?]

    /// Nil unless every unit has the same number (≥ 2) of ratings and some category varies.
    init?(units: CategoryCounts, stateWeights: [Double]) {
        let q = units.categoryCount
        let active = (0..<units.stateCount).filter { stateWeights[$0] > 0 }
        guard let first = active.first else { return nil }
        let m = Double(units.ratings[first])
        guard m >= 2, active.allSatisfy({ Double(units.ratings[$0]) == m }) else { return nil }
        let subjects = active.reduce(0.0) { $0 + stateWeights[$1] }
        var shares = [Double](repeating: 0, count: q)
        var disagreements = [Double](repeating: 0, count: q)
        var agreement = 0.0
        for state in active {
            let c = stateWeights[state]
            var squares = 0.0
            for entry in units.entries(state) {
                let k = Int(units.entryCategories[entry]), nk = units.entryCounts[entry]
                shares[k] += c * nk / (subjects * m)
                disagreements[k] += c * nk * (m - nk)
                squares += nk * nk
            }
            agreement += c * (squares - m) / (m * (m - 1))
        }
        agreement /= subjects
        let chance = shares.reduce(0) { $0 + $1 * $1 }
        guard abs(1 - chance) > ChanceCorrected.degenerateTolerance else { return nil }
        kappa = (agreement - chance) / (1 - chance)
        var spread = 0.0, skew = 0.0
        for k in 0..<q {
            let pq = shares[k] * (1 - shares[k])
            spread += pq
            skew += pq * ((1 - shares[k]) - shares[k])
        }
        nullStandardError = (2 / (subjects * m * (m - 1))).squareRoot() * (spread * spread - skew).squareRoot() / spread
        categoryKappas = (0..<q).map { k in
            let pq = shares[k] * (1 - shares[k])
            guard pq > 0 else { return nil }
            return 1 - disagreements[k] / (subjects * m * (m - 1) * pq)
        }
    }
}
