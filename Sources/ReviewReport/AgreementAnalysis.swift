// The agreement report: what `judge-review agreement` prints, in JSON, text, markdown and CSV.
import Foundation
import ReviewCore
import ReviewStatistics

/// One agreement report: the coefficients, and for a dataset the judge and the breakdown groups.
public struct AgreementAnalysis: Sendable, Equatable {
    /// What was read: `ratings` (a CSV path) or `dataset` (its name).
    public var sourceKind: String
    /// The path or dataset name.
    public var source: String
    /// The table's raters, humans first, then `judge:<model>`.
    public var raters: [String]
    /// The table's categories in order.
    public var categories: [String]
    /// Rows (items) in the table.
    public var items: Int
    /// Level, resamples, seed and confidence the coefficients were computed with.
    public var options: AgreementOptions
    /// The clustering attribute, when the bootstrap resampled clusters.
    public var clusterBy: String?
    /// The engine's coefficients, overall and per pair.
    public var summary: AgreementSummary
    /// For a dataset with a judge.
    public var judge: JudgeReport?
    /// The attribute of `--by`, and one sub-report per value.
    public var groupedBy: String?
    /// One report per `--by` value, sorted by value.
    public var groups: [ReportGroup]
    /// Subject models no judge scored (live bots, human therapists): their rates from the clinicians' labels.
    public var unjudged: [UnjudgedRate] = []
    /// Model against model and setting against setting on the same stimuli (dataset only), and how their
    /// p-values are adjusted for multiplicity.
    public var comparisons: [RateComparison] = []
    public var adjustment: MultiplicityAdjustment = .none
    /// Which of each clinician's answers entered (dataset only): `current` (the last, after any revision) or
    /// `first` (the first live answer: blind where the study is blind).
    public var answers: String?
    /// Further judges run through an endpoint (`judge-review judge`), each against the reference and paired with the
    /// study's own judge on the same items.
    public var furtherJudges: [FurtherJudgeAnalysis] = []
    /// The clinicians alone, without the judge (when the table has a judge and two or more clinicians): how far
    /// the humans agree among themselves, beside "all raters".
    public var humansOnly: [CoefficientKind: CoefficientResult]?

    /// A report of `table` (its raters, categories and size) with the engine's `summary`.
    ///
    /// - Parameter humansOnly: the clinicians' coefficients without the judge (`humansOnly(of:options:)`) when the
    ///   caller worked them out already; else they are worked out here.
    public init(
        sourceKind: String, source: String, table: RatingTable, options: AgreementOptions, clusterBy: String? = nil,
        summary: AgreementSummary, judge: JudgeReport? = nil, groupedBy: String? = nil, groups: [ReportGroup] = [],
        humansOnly: HumansOnly? = nil
    ) {
        self.sourceKind = sourceKind
        self.source = source
        self.raters = table.raters
        self.categories = table.categories
        self.items = table.items.count
        self.options = options
        self.clusterBy = clusterBy
        self.summary = Self.flagged(summary)
        self.judge = judge
        self.groupedBy = groupedBy
        self.groups = groups
        self.humansOnly = (humansOnly ?? Self.humansOnly(of: table, options: options)).coefficients
    }

    /// The clinicians' coefficients without the judge, or none (`coefficients` nil) when the table does not have
    /// a judge and two or more clinicians.
    public struct HumansOnly: Sendable {
        public var coefficients: [CoefficientKind: CoefficientResult]?
    }

    /// Works out `humansOnly` for `table`.
    public static func humansOnly(of table: RatingTable, options: AgreementOptions) -> HumansOnly {
        let humans = table.raters.filter { !JudgeRater.isJudge($0) }
        guard humans.count >= 2, humans.count < table.raters.count else { return HumansOnly() }
        return HumansOnly(coefficients: AgreementEngine.summarize(
            table.keepingRaters { !JudgeRater.isJudge($0) }, options: options, includePairs: false).overall.mapValues(flagged))
    }
}

/// A further judge's analysis: against the reference (with its rates), and paired with the study's own judge.
public struct FurtherJudgeAnalysis: Sendable, Equatable {
    public var name: String
    public var model: String
    /// How its verdicts were obtained (`JudgeAnswers.origin`).
    public var origin: String
    public var report: JudgeReport?
    public var paired: PairedJudgeAccuracy?
    /// The judge against itself across `--samples` (verdicts), and the seeded order against the reversed one
    /// (`--flip`): the engine's coefficients with their intervals.
    public var selfConsistency: AgreementSummary?
    public var positionBias: AgreementSummary?

    public init(name: String, model: String, origin: String, report: JudgeReport?, paired: PairedJudgeAccuracy?,
                selfConsistency: AgreementSummary? = nil, positionBias: AgreementSummary? = nil) {
        self.origin = origin
        self.name = name
        self.model = model
        self.report = report
        self.paired = paired
        self.selfConsistency = selfConsistency
        self.positionBias = positionBias
    }
}

/// One `--by` group's report (e.g. condition = mania).
public struct ReportGroup: Sendable, Equatable {
    /// The group's value of the `--by` attribute.
    public var key: String
    /// The report on the group's items only.
    public var report: AgreementAnalysis

    /// A group's report.
    public init(key: String, report: AgreementAnalysis) {
        self.key = key
        self.report = report
    }
}

/// The output formats of `judge-review agreement`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, markdown, csv
}

// MARK: - Rendering

extension AgreementAnalysis {
    /// The report in `format`, ending with a newline.
    public func rendered(as format: ReportFormat) -> String {
        switch format {
        case .json: return JSONValue.render(json()) + "\n"
        case .text: return ReportTables.text(self)
        case .markdown: return ReportTables.markdown(self)
        case .csv: return ReportTables.csv(self)
        }
    }

    /// Coefficient kinds present in a coefficient map, in `CoefficientKind` declaration order.
    static func kinds(in coefficients: [CoefficientKind: CoefficientResult]) -> [CoefficientKind] {
        CoefficientKind.allCases.filter { coefficients[$0] != nil }
    }

    /// The JSON contract: `overall`, `pairs`, and for a dataset `judge` and `groups`.
    public func json() -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("source", .object([("kind", .string(sourceKind)), ("name", .string(source))])),
            ("level", .string(options.level.rawValue)),
            ("raters", .array(raters.map(JSONValue.string))),
            ("categories", .array(categories.map(JSONValue.string))),
            ("items", .int(items)),
            ("resamples", .int(options.resamples)),
            ("seed", Int(exactly: options.seed).map(JSONValue.int) ?? .string(String(options.seed))),
            ("confidence", .number(options.confidence)),
            ("cluster_by", clusterBy.map(JSONValue.string) ?? .null),
            ("answers", answers.map(JSONValue.string) ?? .null),
            ("overall", Self.coefficientsJSON(summary.overall)),
            ("humans_only", humansOnly.map(Self.coefficientsJSON) ?? .null),
            ("indices", summary.indices.map(Self.indicesJSON) ?? .null),
            ("pairs", .array(summary.pairs.map { pair in
                .object([("raters", .array(pair.raters.map(JSONValue.string)))] + Self.coefficientFields(pair.coefficients)
                        + [("indices", pair.indices.map(Self.indicesJSON) ?? .null),
                           ("table", pair.table.map { .array($0.map { .array($0.map(JSONValue.int)) }) } ?? .null)])
            })),
        ]
        if !summary.notes.isEmpty { fields.append(("notes", .array(summary.notes.map(JSONValue.string)))) }
        if let judge { fields.append(("judge", Self.judgeJSON(judge))) }
        if !furtherJudges.isEmpty { fields.append(("further_judges", Self.furtherJudgesJSON(furtherJudges))) }
        if !unjudged.isEmpty {
            fields.append(("unjudged_models", .array(unjudged.map { rate in
                .object([("model", .string(rate.model)), ("items", .int(rate.items)), ("missing_responses", .int(rate.missingResponses)),
                         ("estimate", .object([("estimator", .string(rate.estimate.estimator.rawValue))] + Self.estimateMembers(rate.estimate)))])
            })))
        }
        if !comparisons.isEmpty { fields.append(("comparisons", Self.comparisonsJSON(comparisons, adjustment: adjustment))) }
        if let groupedBy {
            fields.append(("by", .string(groupedBy)))
            fields.append(("groups", .array(groups.map { group in
                var inner = group.report.json()
                if case .object(let members) = inner { inner = .object([("key", .string(group.key))] + members) }
                return inner
            })))
        }
        return .object(fields)
    }

    static func coefficientFields(_ coefficients: [CoefficientKind: CoefficientResult]) -> [(String, JSONValue)] {
        kinds(in: coefficients).compactMap { kind in coefficients[kind].map { (kind.rawValue, coefficientJSON($0)) } }
    }

    /// Marks what an agreement interval cannot say, in the note every rendering shows: a zero-width interval from a
    /// finite sample (every resample agreed: the true agreement may well be lower), too few clusters for an interval
    /// over clusters, or too few items to mean much.
    static func flagged(_ result: CoefficientResult) -> CoefficientResult {
        guard result.value != nil, let low = result.ciLow, let high = result.ciHigh else { return result }
        var notes: [String] = []
        if high - low < 1e-9 {
            notes.append(IntervalTrust.notTrusted("a zero-width interval from \(result.n) items (every resample agreed), and the agreement beyond them may well be lower"))
        }
        if let clusters = result.clusters, let few = IntervalTrust.tooFewClusters(clusters) { notes.append(few) }
        if let few = IntervalTrust.tooFew(result.n, "item") { notes.append(few) }
        guard !notes.isEmpty else { return result }
        var flagged = result
        flagged.reason = IntervalTrust.warningsFirst(notes + [result.reason].compactMap { $0 })
        return flagged
    }

    /// `flagged` over every coefficient of a summary, overall and per pair.
    static func flagged(_ summary: AgreementSummary) -> AgreementSummary {
        var result = summary
        result.overall = summary.overall.mapValues(flagged)
        result.pairs = summary.pairs.map { pair in
            var pair = pair
            pair.coefficients = pair.coefficients.mapValues(flagged)
            return pair
        }
        return result
    }

    /// The paired comparisons with the multiplicity statement every rendering carries.
    public static func comparisonsJSON(_ comparisons: [RateComparison], adjustment: MultiplicityAdjustment) -> JSONValue {
        .object([
            ("measure", .string("rate of inappropriate responses as the judge reports it, first − second")),
            ("adjustment", .string(adjustment.rawValue)), ("statement", .string(adjustment.statement)),
            ("rows", .array(comparisons.map { row in
                .object([
                    ("kind", .string(row.kind)), ("first", .string(row.first)), ("second", .string(row.second)), ("clusters", .int(row.clusters)),
                    ("first_items", .int(row.firstItems)), ("second_items", .int(row.secondItems)),
                    ("first_rate", .number(row.firstRate)), ("second_rate", .number(row.secondRate)), ("difference", .number(row.difference)),
                    ("ci_low", .number(row.low)), ("ci_high", .number(row.high)), ("se", .number(row.standardError)),
                    ("p_value", .number(row.pValue)), ("adjusted_p_value", .number(row.adjustedP)), ("trusted", .bool(row.isTrusted)),
                    ("note", row.note.map(JSONValue.string) ?? .null),
                ])
            })),
        ])
    }

    /// The prevalence and bias indices (Byrt, Bishop & Carlin 1993) and the kappa-paradox note.
    static func indicesJSON(_ indices: AgreementIndices) -> JSONValue {
        .object([
            ("dominant_category", .string(indices.dominantCategory)), ("dominant_share", .number(indices.dominantShare)),
            ("prevalence_index", .number(indices.prevalenceIndex)), ("bias_index", .number(indices.biasIndex)),
            ("kappa_paradox", indices.paradoxNote.map(JSONValue.string) ?? .null),
        ])
    }

    static func coefficientsJSON(_ coefficients: [CoefficientKind: CoefficientResult]) -> JSONValue {
        .object(coefficientFields(coefficients))
    }

    static func coefficientJSON(_ result: CoefficientResult) -> JSONValue {
        var fields: [(String, JSONValue)] = [("value", JSONValue.number(result.value)), ("n", .int(result.n))]
        if let low = result.ciLow { fields.append(("ci_low", .number(low))) }
        if let high = result.ciHigh { fields.append(("ci_high", .number(high))) }
        if let se = result.standardError { fields.append(("se", .number(se))) }
        if let reason = result.reason { fields.append(("reason", .string(reason))) }
        if result.ciLow != nil {
            fields.append(("trusted", .bool(!IntervalTrust.distrusts(result.reason))))
        }
        return .object(fields)
    }

    static func proportionJSON(_ estimate: ProportionEstimate) -> JSONValue {
        .object([
            ("value", .number(estimate.value)), ("successes", .int(estimate.successes)), ("n", .int(estimate.n)),
            ("ci_low", .number(estimate.low)), ("ci_high", .number(estimate.high)),
        ])
    }

    /// A share weighted by the sample's inclusion probabilities.
    static func weightedJSON(_ share: WeightedAccuracy.Share, sampled: Int, leftOut: Int) -> JSONValue {
        .object([
            ("value", .number(share.value)), ("ci_low", .number(share.low)), ("ci_high", .number(share.high)),
            ("weighted", .bool(true)), ("effective_n", .number(share.effectiveN)), ("sampled_items", .int(sampled)),
            ("left_out", .int(leftOut)),
        ])
    }

    static func comparisonJSON(_ comparison: JudgeComparison) -> JSONValue {
        let matrix = comparison.confusion
        return .object([
            ("against", .string(comparison.against)),
            ("confusion", .object([
                ("true_positive", .int(matrix.truePositive)), ("false_positive", .int(matrix.falsePositive)),
                ("false_negative", .int(matrix.falseNegative)), ("true_negative", .int(matrix.trueNegative)),
            ])),
            ("n", .int(matrix.total)),
            ("sensitivity", comparison.weighted.map { weightedJSON($0.sensitivity, sampled: $0.sampled, leftOut: $0.leftOut) } ?? proportionJSON(comparison.sensitivity)),
            ("specificity", comparison.weighted.map { weightedJSON($0.specificity, sampled: $0.sampled, leftOut: $0.leftOut) } ?? proportionJSON(comparison.specificity)),
        ])
    }

    /// The further judges: each against the reference, and paired with the study's judge.
    static func furtherJudgesJSON(_ furtherJudges: [FurtherJudgeAnalysis]) -> JSONValue {
        .array(furtherJudges.map { further in
            var members: [(String, JSONValue)] = [("name", .string(JudgeRater.name(model: further.name))), ("model", .string(further.model)),
                                                  ("origin", .string(further.origin))]
            if let report = further.report { members.append(("judge", judgeJSON(report))) }
            if let summary = further.selfConsistency {
                members.append(("self_consistency", .object(CoefficientKind.allCases.compactMap { kind in
                    summary.overall[kind].map { (kind.rawValue, coefficientJSON($0)) } })))
            }
            if let summary = further.positionBias {
                members.append(("position_bias", .object(CoefficientKind.allCases.compactMap { kind in
                    summary.overall[kind].map { (kind.rawValue, coefficientJSON($0)) } })))
            }
            if let paired = further.paired {
                members.append(("paired", .object([
                    ("first", .string(paired.first)), ("second", .string(paired.second)),
                    ("sensitivity", mcNemarJSON(paired.sensitivity)), ("specificity", mcNemarJSON(paired.specificity)),
                    ("differences", .object(paired.differences.map { ($0.measure, differenceJSON($0)) })),
                ])))
            }
            return .object(members)
        })
    }

    /// McNemar's test: the discordant counts, the exact and corrected p over items, Durkalski's over clusters.
    /// One paired difference of two judges (first − second): both values, the difference, its interval and note.
    static func differenceJSON(_ difference: PairedJudgeDifferences.Difference) -> JSONValue {
        var fields: [(String, JSONValue)] = [("units", .int(difference.units)), ("note", .string(difference.note))]
        for (name, value) in [("first", difference.first), ("second", difference.second), ("value", difference.value),
                              ("ci_low", difference.low), ("ci_high", difference.high), ("se", difference.standardError)] {
            if let value { fields.append((name, .number(value))) }
        }
        if difference.low != nil { fields.append(("trusted", .bool(!IntervalTrust.distrusts(difference.note)))) }
        return .object(fields)
    }

    static func mcNemarJSON(_ test: McNemar.Result) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("b", .int(test.b)), ("c", .int(test.c)), ("n", .int(test.n)), ("exact_p", .number(test.exactP)),
            ("corrected_p", .number(test.correctedP)), ("clustered_statistic", .number(test.clusteredStatistic)),
            ("clustered_p", .number(test.clusteredP)), ("clusters", test.clusters.map(JSONValue.int) ?? .null),
        ]
        if test.clusteredP == nil { members.append(("note", .string("assumes independent items (no clusters)"))) }
        else if let warning = IntervalTrust.tooFewClusters(test.clusters ?? 0) { members.append(("note", .string(warning))) }
        return .object(members)
    }

    static func judgeJSON(_ judge: JudgeReport) -> JSONValue {
        .object([
            ("raters", .array(judge.judges.map(JSONValue.string))),
            ("positive", .string("inappropriate")),
            ("reference", .string(judge.referenceKind)),
            ("reference_sources", .object(ReferenceSource.allCases.map { ($0.rawValue, .int(judge.referenceCounts[$0] ?? 0)) })),
            ("ties", .array(judge.ties.map(JSONValue.string))),
            ("against_reference", comparisonJSON(judge.againstReference)),
            ("against_raters", .array(judge.againstRaters.map(comparisonJSON))),
            ("rates", .array(judge.rates.map { rate in
                var corrected: [(String, JSONValue)] = [("estimator", .string(rate.headline.rawValue))]
                corrected += estimateMembers(rate.headlineEstimate)
                if rate.headline == .roganGladen {
                    if let raw = rate.clippedFrom { corrected.append(("clipped_from", .number(raw))) }
                    if let reason = rate.reason { corrected.append(("reason", .string(reason))) }
                }
                return .object([
                    ("model", rate.model.map(JSONValue.string) ?? .null),
                    ("missing_responses", .int(rate.missingResponses)),
                    ("reported", {
                        guard case .object(var members) = proportionJSON(rate.reported) else { return proportionJSON(rate.reported) }
                        members.append(("clusters", rate.reportedClusters.map(JSONValue.int) ?? .null))
                        members.append(("design_effect", rate.reportedDesignEffect.map(JSONValue.number) ?? .null))
                        return .object(members)
                    }()),
                    ("corrected", .object(corrected)),
                    ("estimates", .array(rate.estimates.map { estimate in
                        .object([("estimator", .string(estimate.estimator.rawValue))] + estimateMembers(estimate))
                    })),
                ])
            })),
        ])
    }

    /// An estimate's `value`, `ci_low`, `ci_high`, `se`, `effective_n`, `design_effect`, `clusters` (null: over these
    /// responses), `trusted` (false when the note says the interval cannot be trusted) and `note`.
    static func estimateMembers(_ estimate: RateEstimate?) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [
            ("value", .number(estimate?.value)), ("ci_low", .number(estimate?.low)), ("ci_high", .number(estimate?.high)),
            ("se", .number(estimate?.standardError)), ("effective_n", .number(estimate?.effectiveN)),
            ("design_effect", .number(estimate?.designEffect)), ("clusters", estimate?.clusters.map(JSONValue.int) ?? .null),
            ("trusted", .bool(estimate.map(\.isTrusted) ?? false)),
            ("transported_from", estimate?.transportedFrom.map(JSONValue.string) ?? .null),
        ]
        if let note = estimate?.note { members.append(("note", .string(note))) }
        return members
    }
}

extension AgreementAnalysis {
    /// Every note of this analysis, each once, in the order the JSON gives them (see `JSONValue.noteTexts`).
    public var allNotes: [String] { json().noteTexts() }
}

// MARK: - JSON

/// A JSON value with ordered object members, so that output is stable and readable.
public indirect enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer, written without a decimal point.
    case int(Int)
    /// A finite double; NaN and infinities are written as `null`.
    case double(Double)
    /// A string, escaped as JSON requires.
    case string(String)
    /// An array; arrays of scalars print on one line.
    case array([JSONValue])
    /// An object whose members keep their order.
    case object([(String, JSONValue)])

    /// The keys whose text is a note to the reader: what an interval or a value rests on, or why it is missing.
    public static let noteKeys: Set<String> = ["note", "notes", "reason", "statement"]

    /// The texts under `noteKeys` anywhere in this value, depth first, each once.
    public func noteTexts() -> [String] {
        var found: [String] = []
        func visit(_ value: JSONValue, noted: Bool) {
            switch value {
            case .string(let text) where noted: found.append(text)
            case .array(let values): for value in values { visit(value, noted: noted) }
            case .object(let members): for (key, value) in members { visit(value, noted: Self.noteKeys.contains(key)) }
            default: break
            }
        }
        visit(self, noted: false)
        return Self.uniqued(found)
    }

    /// `texts` with repeats left out, first appearance kept.
    public static func uniqued(_ texts: [String]) -> [String] {
        var seen: Set<String> = []
        return texts.filter { seen.insert($0).inserted }
    }

    /// A number, or `null` when nil or not finite.
    public static func number(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return .double(value)
    }

    /// Equal when they render to the same text.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        render(lhs) == render(rhs)
    }

    /// Pretty-printed JSON, two spaces per level.
    public static func render(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, to: &out)
        return out
    }

    static func write(_ value: JSONValue, indent: Int, to out: inout String) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .double(let number):
            out += number.isFinite ? (number == number.rounded() && abs(number) < 1e15 ? String(format: "%.1f", number) : "\(number)") : "null"
        case .string(let text): out += quoted(text)
        case .array(let elements):
            if elements.isEmpty { out += "[]"; return }
            if elements.allSatisfy(\.isScalar) {
                out += "[" + elements.map { render($0) }.joined(separator: ", ") + "]"
                return
            }
            out += "[\n"
            for (index, element) in elements.enumerated() {
                out += pad
                write(element, indent: indent + 1, to: &out)
                out += index + 1 < elements.count ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (index, (key, member)) in members.enumerated() {
                out += pad + quoted(key) + ": "
                write(member, indent: indent + 1, to: &out)
                out += index + 1 < members.count ? ",\n" : "\n"
            }
            out += closePad + "}"
        }
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    /// `text` quoted, safe to print to a terminal (`JSONString`).
    static func quoted(_ text: String) -> String {
        JSONString.quoted(text, terminalSafe: true)
    }
}
