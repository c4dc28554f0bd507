import Foundation

/// Conger's (1980) kappa for many raters, with missing ratings as Gwet (2014) generalises it
/// (R irrCAC `conger.kappa.raw`); for two raters with complete data it is Cohen's kappa.
///
/// P_a as for Fleiss; p_gk = share of rater g's ratings in category k; p̄_k = mean over raters;
/// s²_kl = (Σ_g p_gk p_gl − r p̄_k p̄_l)/(r − 1); P_e = Σ_kl w_kl (p̄_k p̄_l − s²_kl / r).
/// Rater identity matters, so this works on full rating patterns.
struct CongerKappa {
    let patterns: RatingPatterns
    /// q×q agreement weights, row-major.
    let weights: [Double]
    /// The category-count projection of the same patterns, for P_a.
    private let counts: CategoryCounts
    private let stateOfPattern: [Int32]
    private let agreement: GwetMultiRater

    init(patterns: RatingPatterns, weights: [Double]) {
        self.patterns = patterns
        self.weights = weights
        (counts, stateOfPattern) = CategoryCounts.project(patterns)
        agreement = GwetMultiRater(units: counts, weights: weights)
    }

    /// Units per category-count state, from units per pattern.
    private func stateWeights(_ patternWeights: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: counts.stateCount)
        for (pattern, state) in stateOfPattern.enumerated() where state >= 0 { result[Int(state)] += patternWeights[pattern] }
        return result
    }

    /// Per rater: ratings given (n_g) and the classification shares p_gk.
    private func raterShares(_ patternWeights: [Double]) -> (rated: [Double], shares: [Double]) {
        let r = patterns.raterCount, q = patterns.categoryCount
        var rated = [Double](repeating: 0, count: r)
        var shares = [Double](repeating: 0, count: r * q)
        for pattern in 0..<patterns.patternCount {
            let c = patternWeights[pattern]
            guard c > 0 else { continue }
            for rater in 0..<r {
                let code = patterns.code(pattern, rater)
                if code >= 0 {
                    rated[rater] += c
                    shares[rater * q + Int(code)] += c
                }
            }
        }
        for rater in 0..<r where rated[rater] > 0 {
            for k in 0..<q { shares[rater * q + k] /= rated[rater] }
        }
        return (rated, shares)
    }

    /// P_e over the raters who rated something; nil when fewer than two did.
    private func chance(rated: [Double], shares: [Double]) -> (pe: Double, mean: [Double], active: [Int])? {
        let q = patterns.categoryCount
        let active = rated.indices.filter { rated[$0] > 0 }
        guard active.count >= 2 else { return nil }
        let r = Double(active.count)
        var mean = [Double](repeating: 0, count: q)
        for rater in active { for k in 0..<q { mean[k] += shares[rater * q + k] / r } }
        var pe = 0.0
        for k in 0..<q {
            for l in 0..<q where weights[k * q + l] != 0 {
                var cross = 0.0
                for rater in active { cross += shares[rater * q + k] * shares[rater * q + l] }
                let covariance = (cross - r * mean[k] * mean[l]) / (r - 1)
                pe += weights[k * q + l] * (mean[k] * mean[l] - covariance / r)
            }
        }
        return (pe, mean, active)
    }

    /// The point value only (for bootstrap resamples).
    func value(patternWeights: [Double]) -> Double? {
        guard let pa = agreement.value(.none, stateWeights: stateWeights(patternWeights)) else { return nil }
        let (rated, shares) = raterShares(patternWeights)
        guard let chance = chance(rated: rated, shares: shares), abs(1 - chance.pe) > ChanceCorrected.degenerateTolerance else { return nil }
        return (pa - chance.pe) / (1 - chance.pe)
    }

    /// Conger's kappa with P_a, P_e, n (units with ≥ 1 rating) and Gwet's linearisation standard error.
    func estimate(patternWeights: [Double]) -> CoefficientResult {
        let agreementResult = agreement.estimate(.none, stateWeights: stateWeights(patternWeights))
        let n = agreementResult.n
        guard let pa = agreementResult.value else { return .undefined(n: n, agreementResult.reason ?? "undefined") }
        let (rated, shares) = raterShares(patternWeights)
        guard let chance = chance(rated: rated, shares: shares) else {
            return .undefined(n: n, "fewer than two raters rated any item")
        }
        var result = ChanceCorrected.coefficient(observed: pa, chance: chance.pe, n: n,
                                                 reasonIfChanceIsOne: "chance agreement is 1: every rater used one and the same category")
        guard let kappa = result.value, n >= 2 else { return result }
        result.standardError = standardError(patternWeights: patternWeights, rated: rated, shares: shares, chance: chance, pa: pa, kappa: kappa)
        return result
    }

    /// Gwet's linearisation variance, with each rater's contribution to the chance term.
    private func standardError(patternWeights: [Double], rated: [Double], shares: [Double],
                               chance: (pe: Double, mean: [Double], active: [Int]), pa: Double, kappa: Double) -> Double? {
        let q = patterns.categoryCount
        let pe = chance.pe
        let r = Double(chance.active.count)
        var n = 0.0, n2 = 0.0
        for pattern in 0..<patterns.patternCount where stateOfPattern[pattern] >= 0 {
            n += patternWeights[pattern]
            if counts.ratings[Int(stateOfPattern[pattern])] >= 2 { n2 += patternWeights[pattern] }
        }
        guard n >= 2, n2 > 0 else { return nil }
        // Per rater g, with b_gk = (n / n_g)(r p̄_k − p_gk): U_g[l] = Σ_k w_kl b_gk and V_g = Σ_l p_gl U_g[l], so
        // that a unit's chance term is Σ_g (U_g[its rating] − (rated − n_g / n) V_g): O(r) per unit, not O(r q²).
        var columnSums = [Double](repeating: 0, count: patterns.raterCount * q)
        var shareSums = [Double](repeating: 0, count: patterns.raterCount)
        for rater in chance.active {
            for k in 0..<q {
                let b = (n / rated[rater]) * (r * chance.mean[k] - shares[rater * q + k])
                guard b != 0 else { continue }
                for l in 0..<q where weights[k * q + l] != 0 { columnSums[rater * q + l] += weights[k * q + l] * b }
            }
            for l in 0..<q { shareSums[rater] += shares[rater * q + l] * columnSums[rater * q + l] }
        }
        var sum = 0.0
        for pattern in 0..<patterns.patternCount {
            let c = patternWeights[pattern]
            let state = stateOfPattern[pattern]
            guard c > 0, state >= 0 else { continue }
            var unitChance = 0.0
            for rater in chance.active {
                let code = patterns.code(pattern, rater)
                let ratedHere = code >= 0 ? 1.0 : 0.0
                if code >= 0 { unitChance += columnSums[rater * q + Int(code)] }
                unitChance -= (ratedHere - rated[rater] / n) * shareSums[rater]
            }
            unitChance /= r * (r - 1)
            let ratings = counts.ratings[Int(state)]
            let unitAgreement = ratings >= 2 ? agreement.agreementTerm(Int(state)) : 0
            var linearised = (n / n2) * (unitAgreement - (ratings >= 2 ? pe : 0)) / (1 - pe)
            linearised -= 2 * (1 - kappa) * (unitChance - pe) / (1 - pe)
            sum += c * (linearised - kappa) * (linearised - kappa)
        }
        return ChanceCorrected.standardError(variance: sum / (n * (n - 1)))
    }
}
