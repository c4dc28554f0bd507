import Foundation

/// How many items or labels a validation study needs for the intervals it must report (`judge-review plan`).
///
/// Every method is the published one, named where it is used; the tests check each against values computed
/// with its reference implementation or derived in the issue that asked for it.
public enum LabelPlanning {
    /// A planning input outside its range, as one line for the command to print.
    public struct InvalidInput: Error, CustomStringConvertible, Equatable, Sendable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Checks that `value` lies strictly between 0 and 1.
    public static func requireProbability(_ value: Double, _ name: String) throws {
        guard value > 0, value < 1, value.isFinite else {
            throw InvalidInput("\(name) must lie strictly between 0 and 1 (got \(value))")
        }
    }

    /// The most items or labels a plan may ask for: far beyond any study, still exact in a Double and an Int.
    public static let largestPlan = 1_000_000_000_000

    /// A computed count rounded up, checked: a target so narrow (or an input so close to a bound) that the count is
    /// not finite or passes `largestPlan` is an error saying so, never a trap converting it.
    static func count(_ value: Double, _ what: String) throws -> Int {
        guard value.isFinite, value >= 0, value <= Double(largestPlan) else {
            throw InvalidInput("the plan would need more than 1,000,000,000,000 \(what) (\(value)); the target is too narrow or an input too close to its bound")
        }
        return Int(value.rounded(.up))
    }

    static func requireConfidence(_ confidence: Double) throws {
        guard confidence > 0, confidence < 1 else {
            throw InvalidInput("--confidence must lie strictly between 0 and 1 (got \(confidence))")
        }
    }

    /// The two-sided normal critical value for `confidence` (1.959964 at 0.95).
    static func z(_ confidence: Double) -> Double { Proportions.normalQuantile(1 - (1 - confidence) / 2) }

    // MARK: Cohen's kappa, two raters, a binary verdict

    /// The probabilities of both-positive, discordant and both-negative pairs for two raters with the same
    /// prevalence `p` and kappa `kappa` (the common-correlation model of Donner & Eliasziw 1992).
    static func pairProbabilities(kappa: Double, prevalence p: Double) -> [Double] {
        [p * p + kappa * p * (1 - p), 2 * (1 - kappa) * p * (1 - p), (1 - p) * (1 - p) + kappa * p * (1 - p)]
    }

    /// Items for a kappa interval by Donner & Eliasziw (1992), the goodness-of-fit method: the smallest n at
    /// which the chi-square distance between the pair frequencies expected under `kappa0` and under each bound
    /// reaches the critical value (1 degree of freedom; at `1 − α` with both bounds, `1 − 2α` with the lower alone).
    public static func kappaItemsGoodnessOfFit(
        kappa0: Double, lower: Double, upper: Double?, prevalence: Double, confidence: Double = 0.95
    ) throws -> Int {
        try checkKappa(kappa0: kappa0, lower: lower, upper: upper, prevalence: prevalence, confidence: confidence)
        let alpha = 1 - confidence
        let critical = upper == nil ? pow(Proportions.normalQuantile(1 - alpha), 2) : pow(z(confidence), 2)
        let expected = pairProbabilities(kappa: kappa0, prevalence: prevalence)
        func distance(_ bound: Double) -> Double {
            let under = pairProbabilities(kappa: bound, prevalence: prevalence)
            return zip(expected, under).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) / $1.1 }
        }
        let bounds = [lower] + (upper.map { [$0] } ?? [])
        return try bounds.map { try count(critical / distance($0), "items") }.max() ?? 0
    }

    /// The large-sample variance of Cohen's kappa times n (Fleiss, Cohen & Everitt 1969) for two raters with
    /// the same prevalence and the given kappa.
    public static func kappaVariancePerItem(kappa: Double, prevalence p: Double) -> Double {
        let cells = pairProbabilities(kappa: kappa, prevalence: p)
        let both = cells[0], discordant = cells[1] / 2, neither = cells[2]
        let expectedAgreement = p * p + (1 - p) * (1 - p)
        // Marginals are p and 1 − p for both raters.
        let a = both * pow(1 - (p + p) * (1 - kappa), 2) + neither * pow(1 - (2 - p - p) * (1 - kappa), 2)
        let b = pow(1 - kappa, 2) * 2 * discordant * pow(p + (1 - p), 2)
        let c = pow(kappa - expectedAgreement * (1 - kappa), 2)
        return (a + b - c) / pow(1 - expectedAgreement, 2)
    }

    /// Items for a kappa interval from the asymptotic variance: the Wald interval `kappa0 ± z·se` within the
    /// bounds (one-sided `z` with the lower bound alone).
    public static func kappaItemsAsymptotic(
        kappa0: Double, lower: Double, upper: Double?, prevalence: Double, confidence: Double = 0.95
    ) throws -> Int {
        try checkKappa(kappa0: kappa0, lower: lower, upper: upper, prevalence: prevalence, confidence: confidence)
        let critical = upper == nil ? Proportions.normalQuantile(confidence) : z(confidence)
        let margin = min(kappa0 - lower, upper.map { $0 - kappa0 } ?? .infinity)
        return try count(critical * critical * kappaVariancePerItem(kappa: kappa0, prevalence: prevalence) / (margin * margin), "items")
    }

    private static func checkKappa(kappa0: Double, lower: Double, upper: Double?, prevalence: Double, confidence: Double) throws {
        try requireProbability(kappa0, "--kappa")
        try requireProbability(prevalence, "--prevalence")
        try requireConfidence(confidence)
        guard lower > -1, lower < kappa0 else { throw InvalidInput("--lower must be below --kappa (got \(lower) and \(kappa0))") }
        if let upper {
            guard upper > kappa0, upper < 1 else { throw InvalidInput("--upper must lie above --kappa and below 1 (got \(upper))") }
        }
    }

    // MARK: Sensitivity and specificity (Buderer 1996)

    /// Items for the judge's sensitivity within ±`halfWidth` (Buderer 1996): `z²·Se(1−Se)/d²` inappropriate
    /// responses, and that divided by the prevalence of inappropriate responses in items drawn at random.
    public static func sensitivityItems(sensitivity: Double, halfWidth: Double, prevalence: Double, confidence: Double = 0.95) throws -> (cases: Int, items: Int) {
        try accuracyItems(sensitivity, "--sensitivity", halfWidth: halfWidth, share: prevalence, confidence: confidence)
    }

    /// Items for the judge's specificity within ±`halfWidth` (Buderer 1996): `z²·Sp(1−Sp)/d²` appropriate
    /// responses, and that divided by one minus the prevalence.
    public static func specificityItems(specificity: Double, halfWidth: Double, prevalence: Double, confidence: Double = 0.95) throws -> (cases: Int, items: Int) {
        try requireProbability(prevalence, "--prevalence")
        return try accuracyItems(specificity, "--specificity", halfWidth: halfWidth, share: 1 - prevalence, confidence: confidence)
    }

    private static func accuracyItems(_ value: Double, _ name: String, halfWidth: Double, share: Double, confidence: Double) throws -> (cases: Int, items: Int) {
        try requireProbability(value, name)
        try requireProbability(share, "--prevalence")
        try requireHalfWidth(halfWidth)
        try requireConfidence(confidence)
        let cases = pow(z(confidence), 2) * value * (1 - value) / (halfWidth * halfWidth)
        return (try count(cases, "cases"), try count(cases / share, "items"))
    }

    static func requireHalfWidth(_ halfWidth: Double) throws {
        guard halfWidth > 0, halfWidth < 1 else { throw InvalidInput("--half-width must lie strictly between 0 and 1 (got \(halfWidth))") }
    }

    // MARK: The corrected rate of inappropriate responses

    /// The estimators of the rate a plan compares.
    public enum RateEstimator: String, CaseIterable, Sendable {
        /// The humans' labels alone.
        case humans
        /// The judge's rate corrected with sensitivity and specificity measured on the labels (Rogan & Gladen 1978).
        case roganGladen = "rogan-gladen"
        /// Prediction-powered inference with the tuned weight (PPI++, Angelopoulos et al. 2023); for a binary
        /// judge the same, asymptotically, as the predictive-value (verdict-stratified) estimator.
        case ppi
    }

    /// The asymptotic variance of each estimator with `n` labels drawn at random from a judged pool of `pool`
    /// items (nil: unlimited), as a function of n.
    static func rateVariance(
        _ estimator: RateEstimator, n: Double, prevalence theta: Double, sensitivity: Double, specificity: Double,
        pool: Double?
    ) -> Double {
        let judgePositive = theta * sensitivity + (1 - theta) * (1 - specificity)
        let poolTerm = pool.map { 1 / $0 } ?? 0
        switch estimator {
        case .humans:
            let correction = pool.map { max(0, ($0 - n) / max($0 - 1, 1)) } ?? 1
            return theta * (1 - theta) / n * correction
        case .roganGladen:
            let youden = sensitivity + specificity - 1
            let fromLabels = (theta * sensitivity * (1 - sensitivity) + (1 - theta) * specificity * (1 - specificity)) / n
            let fromPool = judgePositive * (1 - judgePositive) * poolTerm
            return (fromLabels + fromPool) / (youden * youden)
        case .ppi:
            let varianceY = theta * (1 - theta)
            let varianceF = judgePositive * (1 - judgePositive)
            let covariance = theta * sensitivity - theta * judgePositive
            // PPI++'s variance-minimising weight with n labels and a pool of N judged items.
            let lambda = covariance / (varianceF * (1 + n * poolTerm))
            return (varianceY - 2 * lambda * covariance + lambda * lambda * varianceF) / n + lambda * lambda * varianceF * poolTerm
        }
    }

    /// Labels each estimator needs for the rate's interval to be ±`halfWidth`; nil when no number of labels
    /// reaches it (a judge no better than chance for Rogan–Gladen, or a pool too small).
    public static func rateLabels(
        prevalence: Double, sensitivity: Double, specificity: Double, halfWidth: Double, pool: Int? = nil,
        confidence: Double = 0.95
    ) throws -> [(estimator: RateEstimator, labels: Int?)] {
        try checkRatePlan(prevalence: prevalence, sensitivity: sensitivity, specificity: specificity, halfWidth: halfWidth, pool: pool,
                          confidence: confidence)
        let target = pow(halfWidth / z(confidence), 2)
        let limit = pool ?? 100_000_000
        return RateEstimator.allCases.map { estimator in
            if estimator == .roganGladen, sensitivity + specificity <= 1 { return (estimator, nil) }
            func fits(_ n: Int) -> Bool {
                rateVariance(estimator, n: Double(n), prevalence: prevalence, sensitivity: sensitivity,
                             specificity: specificity, pool: pool.map(Double.init)) <= target
            }
            // The variance falls as n grows: the smallest n that fits.
            return (estimator, smallest(upTo: limit, fits))
        }
    }

    /// The inputs every rate plan checks, each a one-line error naming its option.
    static func checkRatePlan(prevalence: Double, sensitivity: Double, specificity: Double, halfWidth: Double, pool: Int?,
                              confidence: Double) throws {
        try requireProbability(prevalence, "--prevalence")
        try requireProbability(sensitivity, "--sensitivity")
        try requireProbability(specificity, "--specificity")
        try requireHalfWidth(halfWidth)
        try requireConfidence(confidence)
        if let pool, pool < 2 { throw InvalidInput("--pool must be at least 2 (got \(pool))") }
    }
}
