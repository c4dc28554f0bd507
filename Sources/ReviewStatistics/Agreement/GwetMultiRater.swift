import Foundation

/// Percent agreement, Fleiss' kappa, Gwet's AC1/AC2 and Brennan–Prediger for any number of raters with
/// missing ratings, as Gwet (2014, Handbook of Inter-Rater Reliability, 4th ed., ch. 2–5) generalises them,
/// with his linearisation standard errors (the formulas R irrCAC's `*.raw` functions print).
///
/// P_a = mean over units with r_i ≥ 2 of Σ_k n_ik(n*_ik − 1) / (r_i(r_i − 1)), n*_ik = Σ_l w_kl n_il;
/// π_k = mean over units with r_i ≥ 1 of n_ik / r_i (single-rated units count here).
struct GwetMultiRater {
    /// The kind of chance agreement.
    enum Chance {
        /// Fleiss (1971): P_e = Σ_kl w_kl π_k π_l.
        case fleiss
        /// Gwet (2008): P_e = T_w Σ_k π_k(1 − π_k) / (q(q − 1)).
        case gwet
        /// Brennan & Prediger (1981): P_e = T_w / q².
        case brennanPrediger
        /// None: the coefficient is P_a itself.
        case none
    }

    let units: CategoryCounts
    /// q×q agreement weights, row-major.
    let weights: [Double]

    /// Per-state P_a term Σ_k n_ik(n*_ik − 1) / (r_i(r_i − 1)) (0 for single-rated states).
    private let agreementTerms: [Double]

    init(units: CategoryCounts, weights: [Double]) {
        self.units = units
        self.weights = weights
        var terms = [Double](repeating: 0, count: units.stateCount)
        for state in 0..<units.stateCount where units.ratings[state] >= 2 {
            let sum = units.weightedAgreementSum(state, weights: weights)
            let r = Double(units.ratings[state])
            terms[state] = sum / (r * (r - 1))
        }
        agreementTerms = terms
    }

    /// The P_a term of one state (0 when it has fewer than two ratings).
    func agreementTerm(_ state: Int) -> Double { agreementTerms[state] }

    /// Sums the pieces every coefficient needs: units, units with ≥ 2 ratings, Σ P_a terms, and π.
    private func totals(_ stateWeights: [Double]) -> (n: Double, n2: Double, agreement: Double, prevalence: [Double]) {
        let q = units.categoryCount
        var n = 0.0, n2 = 0.0, agreement = 0.0
        var prevalence = [Double](repeating: 0, count: q)
        for state in 0..<units.stateCount {
            let c = stateWeights[state]
            guard c > 0 else { continue }
            n += c
            let r = Double(units.ratings[state])
            if units.ratings[state] >= 2 {
                n2 += c
                agreement += c * agreementTerms[state]
            }
            let share = c / r
            for entry in units.entries(state) { prevalence[Int(units.entryCategories[entry])] += share * units.entryCounts[entry] }
        }
        if n > 0 { for k in 0..<q { prevalence[k] /= n } }
        return (n, n2, n2 > 0 ? agreement / n2 : .nan, prevalence)
    }

    /// The chance agreement of `kind` given prevalences π.
    private func chanceAgreement(_ kind: Chance, prevalence: [Double]) -> Double {
        let q = units.categoryCount
        switch kind {
        case .none:
            return 0
        case .fleiss:
            var pe = 0.0
            for k in 0..<q { for l in 0..<q { pe += weights[k * q + l] * prevalence[k] * prevalence[l] } }
            return pe
        case .gwet:
            guard q >= 2 else { return 1 }
            let total = weights.reduce(0, +)
            var spread = 0.0
            for k in 0..<q { spread += prevalence[k] * (1 - prevalence[k]) }
            return total * spread / Double(q * (q - 1))
        case .brennanPrediger:
            guard q >= 2 else { return 1 }
            return weights.reduce(0, +) / Double(q * q)
        }
    }

    private static func reasonChanceIsOne(_ kind: Chance) -> String {
        switch kind {
        case .brennanPrediger, .gwet: return "fewer than two categories, so chance agreement is 1"
        default: return "chance agreement is 1: every rating falls in one category"
        }
    }

    /// The point value only (for bootstrap resamples): nil when undefined.
    func value(_ kind: Chance, stateWeights: [Double]) -> Double? {
        let t = totals(stateWeights)
        guard t.n2 > 0 else { return nil }
        let pe = chanceAgreement(kind, prevalence: t.prevalence)
        if kind == .none { return t.agreement }
        guard abs(1 - pe) > ChanceCorrected.degenerateTolerance else { return nil }
        return (t.agreement - pe) / (1 - pe)
    }

    /// The coefficient with P_a, P_e, n (units with ≥ 1 rating) and Gwet's linearisation standard error.
    func estimate(_ kind: Chance, stateWeights: [Double]) -> CoefficientResult {
        let t = totals(stateWeights)
        let n = Int(t.n.rounded())
        guard t.n2 > 0 else { return .undefined(n: n, "no unit has two or more ratings") }
        var result: CoefficientResult
        let pe = chanceAgreement(kind, prevalence: t.prevalence)
        if kind == .none {
            result = CoefficientResult(value: t.agreement, n: n, observed: t.agreement, chance: 0)
        } else {
            result = ChanceCorrected.coefficient(observed: t.agreement, chance: pe, n: n, reasonIfChanceIsOne: Self.reasonChanceIsOne(kind))
        }
        guard let value = result.value, t.n >= 2 else { return result }
        result.standardError = standardError(kind, stateWeights: stateWeights, totals: t, chance: pe, value: value)
        return result
    }

    /// Gwet's linearisation variance: Σ_i (κ*_i − κ)² / (n(n − 1)), with κ*_i the unit's linearised contribution.
    private func standardError(_ kind: Chance, stateWeights: [Double], totals t: (n: Double, n2: Double, agreement: Double, prevalence: [Double]),
                               chance pe: Double, value: Double) -> Double? {
        let q = units.categoryCount
        let total = weights.reduce(0, +)
        // Symmetrised weighted prevalences for the Fleiss chance term's derivative.
        var weightedPrevalence = [Double](repeating: 0, count: q)
        for k in 0..<q {
            var row = 0.0, column = 0.0
            for l in 0..<q {
                row += weights[k * q + l] * t.prevalence[l]
                column += weights[l * q + k] * t.prevalence[l]
            }
            weightedPrevalence[k] = (row + column) / 2
        }
        let scale = t.n / t.n2
        var sum = 0.0
        for state in 0..<units.stateCount {
            let c = stateWeights[state]
            guard c > 0 else { continue }
            let r = Double(units.ratings[state])
            let twoOrMore = units.ratings[state] >= 2
            let pa = twoOrMore ? agreementTerms[state] : 0
            var linearised: Double
            switch kind {
            case .none:
                linearised = scale * pa
            case .brennanPrediger:
                linearised = scale * (pa - (twoOrMore ? pe : 0)) / (1 - pe)
            case .fleiss, .gwet:
                var unitChance = 0.0
                for entry in units.entries(state) {
                    let k = Int(units.entryCategories[entry]), nk = units.entryCounts[entry]
                    unitChance += kind == .fleiss ? nk * weightedPrevalence[k] : nk * (1 - t.prevalence[k])
                }
                unitChance /= r
                if kind == .gwet { unitChance *= total / Double(q * (q - 1)) }
                linearised = scale * (pa - (twoOrMore ? pe : 0)) / (1 - pe)
                linearised -= 2 * (1 - value) * (unitChance - pe) / (1 - pe)
            }
            sum += c * (linearised - value) * (linearised - value)
        }
        return ChanceCorrected.standardError(variance: sum / (t.n * (t.n - 1)))
    }
}
