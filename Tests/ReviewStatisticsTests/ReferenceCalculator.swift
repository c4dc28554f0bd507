import Foundation
@testable import ReviewStatistics

/// Maps a fixture's coefficient key (see Fixtures/agreement-refs/README) to what the engine computes.
///
/// Two-rater files with a published contingency table are checked against the pair's coefficients (the
/// two-rater formulas, e.g. irrCAC's `*2.table` standard errors); the others against the overall,
/// many-rater coefficients (irrCAC's `*.raw`).
struct ReferenceCalculator {
    let fixture: ReferenceFixture

    private func summary(_ level: MeasurementLevel) -> AgreementSummary {
        AgreementEngine.summarize(fixture.table, options: AgreementOptions(level: level))
    }

    private var patterns: RatingPatterns { RatingPatterns(fixture.table) }
    private var scale: CategoryScale { CategoryScale(categories: fixture.categories) }
    private var q: Int { fixture.categories.count }

    private func counts() -> (CategoryCounts, [Double]) {
        let patterns = self.patterns
        let (units, stateOfPattern) = CategoryCounts.project(patterns)
        var weights = [Double](repeating: 0, count: units.stateCount)
        for (pattern, state) in stateOfPattern.enumerated() where state >= 0 { weights[Int(state)] += Double(patterns.counts[pattern]) }
        return (units, weights)
    }

    /// The pair table of raters `a` and `b` (0-based), optionally restricted to the categories they used.
    private func pairTable(_ a: Int = 0, _ b: Int = 1, observedOnly: Bool = false) -> (TwoRaterTable, CategoryScale) {
        let first = fixture.data[a], second = fixture.data[b]
        var used = Array(0..<q)
        if observedOnly {
            used = Set(zip(first, second).filter { $0 >= 0 && $1 >= 0 }.flatMap { [$0, $1] }).map(Int.init).sorted()
        }
        let position = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, $0) })
        var cells = [Double](repeating: 0, count: used.count * used.count)
        for (x, y) in zip(first, second) where x >= 0 && y >= 0 {
            if let row = position[Int(x)], let column = position[Int(y)] { cells[row * used.count + column] += 1 }
        }
        // Observed-only tables are scored as equidistant ranks (as R irr's kappa2 does).
        let scale = observedOnly ? CategoryScale(values: used.indices.map { Double($0 + 1) }) : self.scale
        return (TwoRaterTable(q: used.count, cells: cells), scale)
    }

    private func pairOrOverall(_ kind: CoefficientKind) -> CoefficientResult? {
        let summary = summary(.nominal)
        return fixture.hasTable ? summary.pairs.first?.coefficients[kind] : summary.overall[kind]
    }

    private func gwetWeights(_ name: String) -> [Double] {
        switch name {
        case "quadratic": return scale.quadraticWeights()
        case "linear": return scale.linearWeights()
        case "ordinal": return scale.gwetOrdinalWeights()
        case "ratio": return scale.ratioWeights()
        default: return CategoryScale.identity(q)
        }
    }

    /// The engine's value for `key`, nil when the engine reports it undefined or the key is unknown.
    func value(_ key: String) -> Double? {
        switch key {
        case "percent_agreement": return pairOrOverall(.percentAgreement)?.value
        case "percent_agreement_se": return pairOrOverall(.percentAgreement)?.standardError
        case "cohen_kappa": return summary(.nominal).pairs.first?.coefficients[.cohenKappa]?.value
        case "cohen_Po": return summary(.nominal).pairs.first?.coefficients[.cohenKappa]?.observed
        case "cohen_Pe": return summary(.nominal).pairs.first?.coefficients[.cohenKappa]?.chance
        case "cohen_kappa_se", "cohen_kappa_ase": return summary(.nominal).pairs.first?.coefficients[.cohenKappa]?.standardError
        case "cohen_kappa_ase0": return summary(.nominal).pairs.first?.coefficients[.cohenKappa]?.nullStandardError
        case "cohen_kappa_z", "cohen_kappa_ci_low", "cohen_kappa_ci_high":
            return derived(key, summary(.nominal).pairs.first?.coefficients[.cohenKappa])
        case "weighted_kappa_linear", "weighted_kappa_linear_ase", "weighted_kappa_linear_ase0", "weighted_kappa_linear_z",
             "weighted_kappa_linear_ci_low", "weighted_kappa_linear_ci_high":
            return derived(key, summary(.ordinal).pairs.first?.coefficients[.weightedKappaLinear])
        case "weighted_kappa_quadratic": return summary(.ordinal).pairs.first?.coefficients[.weightedKappaQuadratic]?.value
        case "weighted_kappa_custom":
            guard let distance = fixture.customDistance else { return nil }
            return pairTable().0.estimate(.cohen, weights: distance.map { 1 - $0 }).value
        case "scott_pi": return summary(.nominal).pairs.first?.coefficients[.scottPi]?.value
        case "scott_Pe": return summary(.nominal).pairs.first?.coefficients[.scottPi]?.chance
        case "scott_pi_se": return summary(.nominal).pairs.first?.coefficients[.scottPi]?.standardError
        case "bennett_s", "bp": return pairOrOverall(.bennettS)?.value
        case "bp_se": return pairOrOverall(.bennettS)?.standardError
        case "randolph_free_marginal_kappa": return summary(.nominal).overall[.bennettS]?.value
        case "gwet_ac1": return pairOrOverall(.gwetAC1)?.value
        case "gwet_ac1_pe": return pairOrOverall(.gwetAC1)?.chance
        case "gwet_ac1_se": return pairOrOverall(.gwetAC1)?.standardError
        case "gwet_ac2_quadratic", "gwet_ac2_quadratic_pa", "gwet_ac2_quadratic_pe", "gwet_ac2_linear":
            let weights = gwetWeights(key.hasSuffix("linear") ? "linear" : "quadratic")
            let result: CoefficientResult
            if fixture.hasTable {
                result = pairTable().0.estimate(.gwet, weights: weights)
            } else {
                let (units, stateWeights) = counts()
                result = GwetMultiRater(units: units, weights: weights).estimate(.gwet, stateWeights: stateWeights)
            }
            if key.hasSuffix("_pa") { return result.observed }
            if key.hasSuffix("_pe") { return result.chance }
            return result.value
        case "fleiss_kappa", "irr_fleiss": return summary(.nominal).overall[.fleissKappa]?.value
        case "fleiss_Po": return summary(.nominal).overall[.fleissKappa]?.observed
        case "fleiss_Pe", "fleiss_kappa_pe": return summary(.nominal).overall[.fleissKappa]?.chance
        case "fleiss_kappa_se": return summary(.nominal).overall[.fleissKappa]?.standardError
        case "fleiss_kappa_quadratic", "bp_quadratic":
            let (units, stateWeights) = counts()
            let chance: GwetMultiRater.Chance = key.hasPrefix("bp") ? .brennanPrediger : .fleiss
            return GwetMultiRater(units: units, weights: gwetWeights("quadratic")).estimate(chance, stateWeights: stateWeights).value
        case "conger_kappa", "irr_exact_conger": return summary(.nominal).overall[.congerKappa]?.value
        case "conger_kappa_se": return summary(.nominal).overall[.congerKappa]?.standardError
        case "conger_kappa_pe": return summary(.nominal).overall[.congerKappa]?.chance
        case "conger_kappa_quadratic":
            let patterns = self.patterns
            return CongerKappa(patterns: patterns, weights: gwetWeights("quadratic")).estimate(patternWeights: patterns.counts.map(Double.init)).value
        case "krippendorff_alpha": return pairOrOverall(.krippendorffAlpha)?.value
        case "krippendorff_alpha_se": return pairOrOverall(.krippendorffAlpha)?.standardError
        case "alpha_nominal": return summary(.nominal).overall[.krippendorffAlpha]?.value
        case "alpha_ordinal": return summary(.ordinal).overall[.krippendorffAlpha]?.value
        case "alpha_interval": return summary(.interval).overall[.krippendorffAlpha]?.value
        case "alpha_ratio": return summary(.ratio).overall[.krippendorffAlpha]?.value
        case "Do_nominal": return summary(.nominal).overall[.krippendorffAlpha]?.observed
        case "De_nominal": return summary(.nominal).overall[.krippendorffAlpha]?.chance
        case "alpha_custom":
            guard let distance = fixture.customDistance else { return nil }
            let (units, stateWeights) = counts()
            return KrippendorffAlpha(units: units, scale: scale, metric: .custom(distance)).value(stateWeights: stateWeights)
        case "krippendorff_alpha_quadratic_w", "krippendorff_alpha_ratio_w", "krippendorff_alpha_linear_w", "krippendorff_alpha_ordinal_w":
            let name = key.replacingOccurrences(of: "krippendorff_alpha_", with: "").replacingOccurrences(of: "_w", with: "")
            let (units, stateWeights) = counts()
            let distance = gwetWeights(name).map { 1 - $0 }
            return KrippendorffAlpha(units: units, scale: scale, metric: .custom(distance)).value(stateWeights: stateWeights)
        case "light_kappa", "irr_light":
            let kappas = summary(.nominal).pairs.compactMap { $0.coefficients[.cohenKappa]?.value }
            return kappas.isEmpty ? nil : kappas.reduce(0, +) / Double(kappas.count)
        case "irr_fleiss_z":
            let (units, stateWeights) = counts()
            return FleissClassic(units: units, stateWeights: stateWeights)?.z
        case let detail where detail.hasPrefix("irr_fleiss_detail_"):
            let (units, stateWeights) = counts()
            guard let category = Int(detail.dropFirst("irr_fleiss_detail_".count)),
                  let classic = FleissClassic(units: units, stateWeights: stateWeights), category - 1 < classic.categoryKappas.count else { return nil }
            return classic.categoryKappas[category - 1]
        case let irr where irr.hasPrefix("irr_kappa2_r2_r3"):
            let (table, rankScale) = pairTable(1, 2, observedOnly: true)
            let weights = irr.contains("equal") ? rankScale.linearWeights() : irr.contains("squared") ? rankScale.quadraticWeights()
                : CategoryScale.identity(table.q)
            let result = table.estimate(.cohen, weights: weights)
            if irr.hasSuffix("_z") {
                guard let value = result.value, let null = result.nullStandardError else { return nil }
                return value / null
            }
            return result.value
        default:
            return nil
        }
    }

    /// z = κ / ASE0 and the Wald interval κ ± z₀.₉₇₅ ASE, as SAS prints them.
    private func derived(_ key: String, _ result: CoefficientResult?) -> Double? {
        guard let result, let value = result.value else { return nil }
        if key.hasSuffix("_ase0") { return result.nullStandardError }
        if key.hasSuffix("_ase") { return result.standardError }
        if key.hasSuffix("_z") { return result.nullStandardError.map { value / $0 } }
        let critical = 1.959963984540054
        if key.hasSuffix("_ci_low") { return result.standardError.map { value - critical * $0 } }
        if key.hasSuffix("_ci_high") { return result.standardError.map { value + critical * $0 } }
        return value
    }
}
