import ArgumentParser
import Foundation
import ReviewStatistics
import ReviewCore

/// `judge-review plan`: how many items or labels a study needs for the intervals it must report.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan how many items or labels a study needs: kappa, sensitivity, specificity, or the corrected rate.",
        subcommands: [PlanKappa.self, PlanSensitivity.self, PlanSpecificity.self, PlanRate.self])
}

/// Options every plan shares.
struct PlanCommonOptions: ParsableArguments {
    @Option(help: "Confidence of the interval.")
    var confidence = 0.95

    @Option(help: "Seconds a clinician spends on an item, to print hours of clinician time (with --study: the study's measured median).")
    var secondsPerItem: Double?

    @Option(help: "The share of studies whose printed interval must be within the target (default 0.5: half of them; 0.8 or 0.9 to be safe).")
    var assurance: Double = LabelPlanning.defaultAssurance

    @Option(name: .customLong("design-effect"), help: "The design effect the study's clusters put on the intervals (default 1; agreement prints the measured one, and --study reads it).")
    var designEffect: Double?

    @Option(help: "Clusters (stimuli) the intervals generalise over: the printed intervals then use t with clusters − 1 degrees of freedom.")
    var clusters: Int?

    @Option(parsing: .unconditional, help: "Seed of the simulated studies behind the plan (same seed, same plan).", transform: SeedArgument.parse)
    var seed: UInt64 = 1

    /// The design the plan is for: given values first, else the study's measured ones, else independent responses.
    func design(measuredEffect: Double? = nil, measuredClusters: Int? = nil) -> LabelPlanning.PlanDesign {
        LabelPlanning.PlanDesign(designEffect: designEffect ?? measuredEffect ?? 1, clusters: clusters ?? measuredClusters)
    }

    /// What the plan promises, in words: the interval printed, the share of studies, the design.
    func promise(_ design: LabelPlanning.PlanDesign) -> String {
        let share = String(format: "%.0f%%", assurance * 100)
        let clustered = design.clusters.map { ", \($0) clusters (t with \($0 - 1) df)" } ?? ""
        return "for the interval agreement prints, within the target in \(share) of studies (--assurance; 1,000 simulated studies, seed \(seed)); design effect \(String(format: "%.2f", design.designEffect))\(clustered)"
    }

    /// The lines of an accuracy plan: the items for the printed Wilson interval, and Buderer's Wald count beside it.
    func accuracyLines(_ name: String, _ value: Double, halfWidth: Double, share: Double, of kind: String, prevalence: Double) throws -> [String] {
        let design = design()
        let printed = try LabelPlanning.printedAccuracyItems(value, "--\(name)", halfWidth: halfWidth, share: share, confidence: confidence,
                                                             design: design, assurance: assurance, seed: seed)
        let buderer = name == "sensitivity"
            ? try LabelPlanning.sensitivityItems(sensitivity: value, halfWidth: halfWidth, prevalence: prevalence, confidence: confidence)
            : try LabelPlanning.specificityItems(specificity: value, halfWidth: halfWidth, prevalence: prevalence, confidence: confidence)
        let hours = self.hours(printed.items, seconds: nil)
        return [
            "\(name) \(value) ± \(halfWidth) at \(String(format: "%.0f", confidence * 100))%, prevalence \(prevalence): \(printed.items) items (about \(printed.cases) \(kind) responses)"
                + (hours.isEmpty ? "" : "; \(hours) clinician hours"),
            "  " + promise(design),
            "  Buderer (1996), the Wald rule at the expected count: \(buderer.cases) \(kind) responses, \(buderer.items) items (its Wilson interval is wider than planned near 0 or 1)",
        ]
    }

    /// Hours for `labels` labels, when the seconds an item are known.
    func hours(_ labels: Int, seconds: Double?) -> String {
        guard let seconds = secondsPerItem ?? seconds else { return "" }
        return String(format: "%.1f", Double(labels) * seconds / 3600)
    }
}

/// Runs a plan: invalid input is one line and exit status 64 (`ExitStatus.usage`).
private func planning(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let invalid as LabelPlanning.InvalidInput {
        CommandOutput.error(command: "plan", invalid.description)
        throw ExitStatus.usage
    }
}

struct PlanKappa: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kappa",
        abstract: "Items for Cohen's kappa (two raters, a binary verdict) by Donner & Eliasziw and by the asymptotic variance.",
        discussion: "Example: judge-review plan kappa --kappa 0.8 --lower 0.7 --upper 0.9 --prevalence 0.2")

    @Option(help: "The kappa expected.")
    var kappa: Double
    @Option(help: "The interval's lower bound must be at least this.")
    var lower: Double
    @Option(help: "The interval's upper bound must be at most this (leave out for a one-sided bound).")
    var upper: Double?
    @Option(help: "The share of inappropriate responses among the items.")
    var prevalence: Double
    @OptionGroup var common: PlanCommonOptions

    func run() throws {
        try planning {
            let goodnessOfFit = try LabelPlanning.kappaItemsGoodnessOfFit(kappa0: kappa, lower: lower, upper: upper, prevalence: prevalence, confidence: common.confidence)
            let asymptotic = try LabelPlanning.kappaItemsAsymptotic(kappa0: kappa, lower: lower, upper: upper, prevalence: prevalence, confidence: common.confidence)
            let printed = try LabelPlanning.printedKappaItems(kappa0: kappa, lower: lower, upper: upper, prevalence: prevalence,
                                                              confidence: common.confidence, assurance: common.assurance, seed: common.seed)
            let bounds = upper.map { "[\(lower), \($0)]" } ?? "a lower bound of \(lower)"
            CommandOutput.line("items for Cohen's kappa \(kappa) with \(bounds) at \(String(format: "%.0f", common.confidence * 100))%, prevalence \(prevalence), two raters an item")
            let share = String(format: "%.0f%%", common.assurance * 100)
            let rows = [["the interval agreement prints, inside the bounds in \(share) of studies (200 simulated, seed \(common.seed))",
                         printed.map(String.init) ?? "over 100000", printed.map { common.hours(2 * $0, seconds: nil) } ?? ""],
                        ["Donner & Eliasziw (1992), goodness of fit (expected counts)", "\(goodnessOfFit)", common.hours(2 * goodnessOfFit, seconds: nil)],
                        ["Fleiss, Cohen & Everitt (1969), asymptotic variance (expected counts)", "\(asymptotic)", common.hours(2 * asymptotic, seconds: nil)]]
            for line in TextTable.render(header: ["method", "items", "clinician hours (2 labels an item)"], rows: rows, rightAligned: [1, 2], rule: true) {
                CommandOutput.line(line)
            }
        }
    }
}

struct PlanSensitivity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensitivity",
        abstract: "Items for the judge's sensitivity within ± a half-width (Buderer 1996).",
        discussion: "Example: judge-review plan sensitivity --sensitivity 0.85 --half-width 0.05 --prevalence 0.1")

    @Option(help: "The sensitivity expected (share of inappropriate responses the judge catches).")
    var sensitivity: Double
    @Option(help: "Half the interval's width.")
    var halfWidth: Double
    @Option(help: "The share of inappropriate responses among the items.")
    var prevalence: Double
    @OptionGroup var common: PlanCommonOptions

    func run() throws {
        try planning {
            try LabelPlanning.requireProbability(prevalence, "--prevalence")
            for line in try common.accuracyLines("sensitivity", sensitivity, halfWidth: halfWidth, share: prevalence, of: "inappropriate", prevalence: prevalence) {
                CommandOutput.line(line)
            }
        }
    }
}

struct PlanSpecificity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "specificity",
        abstract: "Items for the judge's specificity within ± a half-width (Buderer 1996).",
        discussion: "Example: judge-review plan specificity --specificity 0.95 --half-width 0.03 --prevalence 0.1")

    @Option(help: "The specificity expected (share of appropriate responses the judge passes).")
    var specificity: Double
    @Option(help: "Half the interval's width.")
    var halfWidth: Double
    @Option(help: "The share of inappropriate responses among the items.")
    var prevalence: Double
    @OptionGroup var common: PlanCommonOptions

    func run() throws {
        try planning {
            try LabelPlanning.requireProbability(prevalence, "--prevalence")
            for line in try common.accuracyLines("specificity", specificity, halfWidth: halfWidth, share: 1 - prevalence, of: "appropriate", prevalence: prevalence) {
                CommandOutput.line(line)
            }
        }
    }
}

struct PlanRate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate",
        abstract: "Labels for the corrected rate of inappropriate responses: humans only, Rogan–Gladen, prediction-powered.",
        discussion: """
            With --study, what is not given comes from the study: the human reference's rate, the judge's sensitivity and specificity \
            against it, the pool of judged items and the median seconds an item. \
            Example: judge-review plan rate --prevalence 0.1 --sensitivity 0.85 --specificity 0.95 --half-width 0.05
            """)

    @Option(help: "The share of inappropriate responses expected.")
    var prevalence: Double?
    @Option(help: "The judge's sensitivity expected.")
    var sensitivity: Double?
    @Option(help: "The judge's specificity expected.")
    var specificity: Double?
    @Option(help: "Half the interval's width.")
    var halfWidth: Double
    @Option(help: "Judged items the labels are drawn from (default: unlimited).")
    var pool: Int?
    @Option(help: "A study whose labels so far fill in what is not given.")
    var study: String?
    @Option(help: "With --study: one plan per condition, model or setting, each from that group's own labels.")
    var by: BreakdownKey?
    @OptionGroup var common: PlanCommonOptions

    func run() throws {
        try planning {
            if let by {
                guard let study else { throw LabelPlanning.InvalidInput("--by needs --study (each group's values come from its labels)") }
                try CommandOutput.reportingErrors(command: "plan") { try planByGroup(study: study, by: by) }
                return
            }
            var measured = Measured()
            if let study {
                try CommandOutput.reportingErrors(command: "plan") { measured = try Self.fromStudy(study) }
            }
            let values: RateValues
            switch rateValues(measured) {
            case .success(let usable): values = usable
            case .failure(let problem):
                guard let value = problem.measured else {
                    throw LabelPlanning.InvalidInput("give --prevalence, --sensitivity and --specificity (or --study with labels that measure them)")
                }
                throw LabelPlanning.InvalidInput("the study's labels measure \(problem.name) \(value), which no plan can use; give --\(problem.name) with the value you expect")
            }
            let (prevalence, sensitivity, specificity) = (values.prevalence, values.sensitivity, values.specificity)
            let pool = self.pool ?? measured.pool
            let design = common.design(measuredEffect: measured.designEffect, measuredClusters: measured.clusters)
            let plans = try LabelPlanning.printedRateLabels(prevalence: prevalence, sensitivity: sensitivity, specificity: specificity,
                                                            halfWidth: halfWidth, pool: pool, confidence: common.confidence,
                                                            design: design, assurance: common.assurance, seed: common.seed)
            let asymptotic = try LabelPlanning.rateLabels(prevalence: prevalence, sensitivity: sensitivity, specificity: specificity,
                                                          halfWidth: halfWidth, pool: pool, confidence: common.confidence)
            CommandOutput.line(String(format: "labels for the rate of inappropriate responses within ±%.3f at %@%%: prevalence %.3f, sensitivity %.3f, specificity %.3f, pool %@",
                                      halfWidth, String(format: "%.0f", common.confidence * 100), prevalence, sensitivity, specificity, pool.map { "\($0) judged items" } ?? "unlimited"))
            CommandOutput.line("  " + common.promise(design))
            let rows = plans.map { plan -> [String] in
                let name: String
                switch plan.estimator {
                case .humans: name = "humans only"
                case .roganGladen: name = "Rogan–Gladen (judge corrected by measured sensitivity and specificity)"
                case .ppi: name = "prediction-powered (PPI++)"
                }
                let formula = asymptotic.first { $0.estimator == plan.estimator }?.labels
                return [name, plan.labels.map(String.init) ?? "not reachable", formula.map(String.init) ?? "not reachable",
                        plan.labels.map { common.hours($0, seconds: measured.medianSeconds) } ?? ""]
            }
            for line in TextTable.render(header: ["estimator", "labels", "asymptotic formula, independent responses", "clinician hours"],
                                         rows: rows, rightAligned: [1, 2, 3], rule: true) {
                CommandOutput.line(line)
            }
        }
    }

    /// One plan per group of the study (`--by`): each group's measured prevalence, sensitivity, specificity and pool
    /// (given values override them for every group), the labels each estimator needs, and the total.
    func planByGroup(study: String, by: BreakdownKey) throws {
        let labels = try LabelPlace.resolve(study).labels(strict: false, requireLogs: true, detail: .summaries)
        let items = labels.dataset.items
        var members: [String: [Int]] = [:]
        for position in items.indices where items[position].judge != nil { members[by.value(of: items[position]), default: []].append(position) }
        let seconds = StudyMeasurements.measure(labels: labels, positions: Array(items.indices)).medianSeconds
        CommandOutput.line(String(format: "labels per %@ for the rate of inappropriate responses within ±%.3f at %@%%, each from the group's own labels and design",
                                  by.rawValue, halfWidth, String(format: "%.0f", common.confidence * 100)))
        CommandOutput.line("  " + common.promise(common.design()).replacingOccurrences(of: "; design effect 1.00", with: "; design effects as measured per group unless --design-effect"))
        var rows: [[String]] = []
        var totals: [LabelPlanning.RateEstimator: Int] = [:]
        var unreachable: Set<LabelPlanning.RateEstimator> = []
        var unplanned = 0
        for key in members.keys.sorted() {
            let measured = StudyMeasurements.measure(labels: labels, positions: members[key] ?? [])
            let shown = [prevalence ?? measured.prevalence, sensitivity ?? measured.sensitivity, specificity ?? measured.specificity]
                .map { $0.map { String(format: "%.3f", $0) } ?? "—" }
            let values: RateValues
            switch rateValues(measured) {
            case .success(let usable): values = usable
            case .failure(let problem):
                // A group whose labels measure nothing usable (none yet, or 0 / 1 from few labels) cannot be planned.
                let note = problem.measured.map { String(format: "measured \(problem.name) %.3f: give --\(problem.name)", $0) }
                    ?? "no labels measure the \(problem.name)"
                rows.append([key] + shown + ["\(measured.pool ?? 0)", "—", "—", "—", note])
                LabelPlanning.RateEstimator.allCases.forEach { unreachable.insert($0) }
                unplanned += 1
                continue
            }
            let plans = try LabelPlanning.printedRateLabels(
                prevalence: values.prevalence, sensitivity: values.sensitivity, specificity: values.specificity, halfWidth: halfWidth,
                pool: pool ?? measured.pool, confidence: common.confidence,
                design: common.design(measuredEffect: measured.designEffect, measuredClusters: measured.clusters),
                assurance: common.assurance, seed: common.seed)
            func needed(_ estimator: LabelPlanning.RateEstimator) -> String {
                guard let needed = plans.first(where: { $0.estimator == estimator })?.labels else {
                    unreachable.insert(estimator)
                    return "not reachable"
                }
                totals[estimator, default: 0] += needed
                return "\(needed)"
            }
            rows.append([key] + shown + ["\(pool ?? measured.pool ?? 0)", needed(.humans), needed(.roganGladen), needed(.ppi), ""])
        }
        // A total is a lower bound ("+") when some group has no number for that estimator.
        func total(_ estimator: LabelPlanning.RateEstimator) -> String {
            guard let sum = totals[estimator] else { return "not reachable" }
            return unreachable.contains(estimator) ? "\(sum)+" : "\(sum)"
        }
        let note = unplanned > 0 ? "\(unplanned) group\(unplanned == 1 ? "" : "s") cannot be planned yet"
            : totals[.ppi].map { common.hours($0, seconds: seconds) } ?? ""
        rows.append(["total", "", "", "", "", total(.humans), total(.roganGladen), total(.ppi), note])
        for line in TextTable.render(header: [by.rawValue, "prevalence", "sensitivity", "specificity", "pool", "humans", "rogan-gladen", "ppi", "note"],
                                     rows: rows, rightAligned: [1, 2, 3, 4, 5, 6, 7], rule: true) {
            CommandOutput.line(line)
        }
    }

    /// The prevalence, sensitivity and specificity a rate plan uses.
    struct RateValues {
        var prevalence: Double, sensitivity: Double, specificity: Double
    }

    /// Which value a plan lacks: none measured (nil), or measured at 0 or 1, which no plan can use.
    struct UnusableValue: Error {
        var name: String
        var measured: Double?
    }

    /// The given values, else the measured ones; the one rule of the single plan and the per-group plans. Given
    /// values are checked by `LabelPlanning`; a measured 0 or 1 (no miss among few labels) is refused here.
    func rateValues(_ measured: Measured) -> Result<RateValues, UnusableValue> {
        var chosen: [Double] = []
        for (name, given, found) in [("prevalence", prevalence, measured.prevalence), ("sensitivity", sensitivity, measured.sensitivity),
                                     ("specificity", specificity, measured.specificity)] {
            if let given { chosen.append(given); continue }
            guard let found, found > 0, found < 1 else { return .failure(UnusableValue(name: name, measured: found)) }
            chosen.append(found)
        }
        return .success(RateValues(prevalence: chosen[0], sensitivity: chosen[1], specificity: chosen[2]))
    }

    /// What a study's labels measure for a plan.
    typealias Measured = StudyMeasurements

    /// The study's measured prevalence, sensitivity and specificity (against the human reference), judged pool,
    /// median seconds an item and design.
    static func fromStudy(_ path: String) throws -> Measured {
        let labels = try LabelPlace.resolve(path).labels(strict: false, requireLogs: true, detail: .summaries)
        return StudyMeasurements.measure(labels: labels, positions: Array(labels.dataset.items.indices))
    }
}
