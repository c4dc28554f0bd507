import Foundation

/// Shared arithmetic of chance-corrected coefficients (P_a − P_e) / (1 − P_e).
enum ChanceCorrected {
    /// Below this distance from 1 the chance agreement counts as 1 and the coefficient as undefined.
    static let degenerateTolerance = 1e-12

    /// The coefficient, or a reason why it is undefined.
    static func coefficient(observed: Double, chance: Double, n: Int, reasonIfChanceIsOne: String) -> CoefficientResult {
        guard observed.isFinite, chance.isFinite else {
            return CoefficientResult(value: nil, n: n, reason: "not computable from these ratings")
        }
        guard abs(1 - chance) > degenerateTolerance else {
            return CoefficientResult(value: nil, n: n, reason: reasonIfChanceIsOne, observed: observed, chance: chance)
        }
        return CoefficientResult(value: (observed - chance) / (1 - chance), n: n, observed: observed, chance: chance)
    }

    /// A standard error from a variance, nil when the variance is not a finite non-negative number.
    static func standardError(variance: Double) -> Double? {
        guard variance.isFinite, variance >= 0 else { return nil }
        return variance.squareRoot()
    }
}

extension CoefficientResult {
    /// An undefined coefficient: no value, a reason, and the units it would have used.
    static func undefined(n: Int, _ reason: String) -> CoefficientResult {
        CoefficientResult(value: nil, n: n, reason: reason)
    }
}
