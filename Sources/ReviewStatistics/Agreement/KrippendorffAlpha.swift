import Foundation

/// Krippendorff's alpha from the coincidence matrix (Krippendorff 2004, Content Analysis 2nd ed., ch. 11;
/// Krippendorff 2011, "Computing Krippendorff's alpha-reliability"), for any metric and missing ratings.
///
/// Units with fewer than two ratings are not pairable and are dropped. o_ck = Σ_u Σ pairs / (m_u − 1);
/// D_o = Σ o_ck δ_ck / n; D_e = Σ n_c n_k δ_ck / (n(n − 1)); α = 1 − D_o / D_e.
/// The standard error is Gwet's (2014) linearisation (R irrCAC `krippen.alpha.raw`), with weights 1 − δ/max δ.
struct KrippendorffAlpha {
    let units: CategoryCounts
    let scale: CategoryScale
    let metric: KrippendorffMetric

    /// The coincidence matrix (row-major q×q) and the number of pairable units.
    ///
    /// Each state's pairs are taken over the categories it holds (a unit has a few ratings), so the cost is
    /// states × ratings², not states × q².
    private func coincidences(_ stateWeights: [Double]) -> (matrix: [Double], units: Double) {
        let q = units.categoryCount
        var matrix = [Double](repeating: 0, count: q * q)
        var pairable = 0.0
        for state in 0..<units.stateCount where units.ratings[state] >= 2 {
            let c = stateWeights[state]
            guard c > 0 else { continue }
            pairable += c
            let share = c / Double(units.ratings[state] - 1)
            let held = units.entries(state)
            for a in held {
                let k = Int(units.entryCategories[a]), nk = units.entryCounts[a]
                for b in held {
                    let l = Int(units.entryCategories[b]), nl = units.entryCounts[b]
                    let pairs = k == l ? nk * (nk - 1) : nk * nl
                    if pairs > 0 { matrix[k * q + l] += share * pairs }
                }
            }
        }
        return (matrix, pairable)
    }

    /// Alpha with D_o and D_e, or the reason it is undefined.
    private func compute(_ stateWeights: [Double]) -> (alpha: Double?, observed: Double, expected: Double, units: Double, reason: String?, distances: [Double]) {
        let (matrix, pairable) = coincidences(stateWeights)
        let computed = Self.fromCoincidences(matrix, categoryCount: units.categoryCount, scale: scale, metric: metric)
        return (computed.alpha, computed.observed, computed.expected, pairable, computed.reason, computed.distances)
    }

    /// Alpha, D_o and D_e from a coincidence matrix (row-major q×q), or the reason alpha is undefined.
    ///
    /// Two raters' coincidences are their table plus its transpose, so a pair's alpha needs no unit vectors.
    static func fromCoincidences(
        _ matrix: [Double], categoryCount q: Int, scale: CategoryScale, metric: KrippendorffMetric
    ) -> (alpha: Double?, observed: Double, expected: Double, reason: String?, distances: [Double]) {
        var marginals = [Double](repeating: 0, count: q)
        for k in 0..<q { for l in 0..<q { marginals[k] += matrix[k * q + l] } }
        let total = marginals.reduce(0, +)
        let distances = metric.distances(scale: scale, marginals: marginals)
        guard total > 1 else {
            return (nil, .nan, .nan, "no unit has two or more ratings", distances)
        }
        var observed = 0.0, expected = 0.0
        for k in 0..<q {
            for l in 0..<q where distances[k * q + l] != 0 {
                observed += matrix[k * q + l] * distances[k * q + l]
                expected += marginals[k] * marginals[l] * distances[k * q + l]
            }
        }
        observed /= total
        expected /= total * (total - 1)
        guard expected > ChanceCorrected.degenerateTolerance else {
            return (nil, observed, expected, "expected disagreement is 0: all pairable ratings are in one category", distances)
        }
        return (1 - observed / expected, observed, expected, nil, distances)
    }

    /// The point value only (for bootstrap resamples).
    func value(stateWeights: [Double]) -> Double? { compute(stateWeights).alpha }

    /// Alpha with D_o (as `observed`), D_e (as `chance`), n (pairable units) and the standard error.
    func estimate(stateWeights: [Double]) -> CoefficientResult {
        let computed = compute(stateWeights)
        let n = Int(computed.units.rounded())
        guard let alpha = computed.alpha else {
            var result = CoefficientResult.undefined(n: n, computed.reason ?? "undefined")
            if computed.observed.isFinite { result.observed = computed.observed; result.chance = computed.expected }
            return result
        }
        var result = CoefficientResult(value: alpha, n: n, observed: computed.observed, chance: computed.expected)
        result.standardError = standardError(stateWeights: stateWeights, distances: computed.distances)
        return result
    }

    /// Gwet's linearisation variance of alpha over units with ≥ 2 ratings.
    private func standardError(stateWeights: [Double], distances: [Double]) -> Double? {
        let q = units.categoryCount
        let largest = distances.max() ?? 0
        guard largest > 0 else { return nil }
        let weights = distances.map { 1 - $0 / largest }
        var n = 0.0, ratingsTotal = 0.0
        for state in 0..<units.stateCount where units.ratings[state] >= 2 {
            n += stateWeights[state]
            ratingsTotal += stateWeights[state] * Double(units.ratings[state])
        }
        guard n >= 2 else { return nil }
        let meanRatings = ratingsTotal / n
        // Per-state Σ_k n_ik(n*_ik − 1), P_a' and π_k.
        var agreementSums = [Double](repeating: 0, count: units.stateCount)
        var agreementPrime = 0.0
        var prevalence = [Double](repeating: 0, count: q)
        for state in 0..<units.stateCount where units.ratings[state] >= 2 {
            let c = stateWeights[state]
            let sum = units.weightedAgreementSum(state, weights: weights)
            for entry in units.entries(state) {
                prevalence[Int(units.entryCategories[entry])] += c * units.entryCounts[entry] / meanRatings
            }
            agreementSums[state] = sum
            agreementPrime += c * sum / (meanRatings * Double(units.ratings[state] - 1))
        }
        agreementPrime /= n
        for k in 0..<q { prevalence[k] /= n }
        var pe = 0.0
        var weightedPrevalence = [Double](repeating: 0, count: q)
        for k in 0..<q {
            var row = 0.0, column = 0.0
            for l in 0..<q {
                pe += weights[k * q + l] * prevalence[k] * prevalence[l]
                row += weights[k * q + l] * prevalence[l]
                column += weights[l * q + k] * prevalence[l]
            }
            weightedPrevalence[k] = (row + column) / 2
        }
        guard abs(1 - pe) > ChanceCorrected.degenerateTolerance else { return nil }
        let alphaPrime = (agreementPrime - pe) / (1 - pe)
        var sum = 0.0
        for state in 0..<units.stateCount where units.ratings[state] >= 2 {
            let c = stateWeights[state]
            guard c > 0 else { continue }
            let r = Double(units.ratings[state])
            let unitAgreement = agreementSums[state] / (meanRatings * (r - 1)) - agreementPrime * (r - meanRatings) / meanRatings
            var unitChance = 0.0
            for entry in units.entries(state) {
                unitChance += units.entryCounts[entry] * weightedPrevalence[Int(units.entryCategories[entry])]
            }
            unitChance = unitChance / meanRatings - pe * (r - meanRatings) / meanRatings
            let linearised = (unitAgreement - pe) / (1 - pe) - 2 * (1 - alphaPrime) * (unitChance - pe) / (1 - pe)
            sum += c * (linearised - alphaPrime) * (linearised - alphaPrime)
        }
        return ChanceCorrected.standardError(variance: sum / (n * (n - 1)))
    }
}
