// The report as tables: aligned text for the terminal, markdown, and CSV, all from the same rows.
import Foundation
import ReviewCore
import ReviewStatistics

/// One row of a report table: a measure for a scope (the overall table, a pair, a human, a model).
struct ReportRow: Equatable {
    var scope: String
    var measure: String
    var value: Double?
    /// Counts print as integers.
    var isCount: Bool = false
    var n: Int?
    var low: Double?
    var high: Double?
    var standardError: Double?
    var note: String?
}

/// A titled table of rows.
struct ReportSection: Equatable {
    var title: String
    var rows: [ReportRow]
}

/// Renders `AgreementAnalysis` as text, markdown or CSV.
enum ReportTables {
    /// The sections of a report and, with a prefix, of each of its groups.
    static func sections(_ report: AgreementAnalysis, prefix: String = "") -> [ReportSection] {
        var sections: [ReportSection] = []
        let binary = report.categories.count == 2
        func coefficientRows(scope: String, _ coefficients: [CoefficientKind: CoefficientResult], indices: AgreementIndices? = nil) -> [ReportRow] {
            AgreementAnalysis.kinds(in: coefficients).compactMap { kind in
                coefficients[kind].map { result in
                    // With two categories Bennett's S is the prevalence- and bias-adjusted kappa, and is labelled so.
                    let pabak = binary && kind == .bennettS ? "= PABAK, the prevalence- and bias-adjusted kappa" : nil
                    return ReportRow(scope: scope, measure: kind.rawValue, value: result.value, n: result.n, low: result.ciLow, high: result.ciHigh,
                                     standardError: result.standardError, note: pabak.map { IntervalTrust.warningsFirst([$0] + [result.reason].compactMap { $0 }) } ?? result.reason)
                }
            } + indexRows(scope: scope, indices)
        }
        sections.append(ReportSection(title: "\(prefix)All raters (\(report.raters.count))",
                                      rows: coefficientRows(scope: "all", report.summary.overall, indices: report.summary.indices)))
        if let humans = report.humansOnly {
            let count = report.raters.filter { !JudgeRater.isJudge($0) }.count
            sections.append(ReportSection(title: "\(prefix)Clinicians only (\(count), without the judge)", rows: coefficientRows(scope: "humans", humans)))
        }
        sections.append(ReportSection(title: "\(prefix)Pairs", rows: report.summary.pairs.flatMap {
            coefficientRows(scope: $0.raters.joined(separator: " × "), $0.coefficients, indices: $0.indices)
        }))
        if let judge = report.judge {
            sections += judgeSections(judge, title: judge.judges.joined(separator: ", "), prefix: prefix)
        }
        for further in report.furtherJudges {
            if let judge = further.report {
                sections += judgeSections(judge, title: "\(JudgeRater.name(model: further.name)) (\(further.model), \(further.origin))",
                                          prefix: prefix, namedRates: true)
            }
            if let paired = further.paired {
                sections.append(ReportSection(title: "\(prefix)\(paired.first) against \(paired.second) on the same items (McNemar; b = first right, second wrong)",
                                              rows: mcNemarRows(paired)))
                if !paired.differences.isEmpty {
                    sections.append(ReportSection(title: "\(prefix)\(paired.first) minus \(paired.second) on the same items (paired differences)",
                                                  rows: paired.differences.map(differenceRow)))
                }
            }
            let name = JudgeRater.name(model: further.name)
            if let summary = further.selfConsistency {
                sections.append(ReportSection(title: "\(prefix)\(name) against itself across its samples (verdicts)",
                                              rows: coefficientRows(scope: "samples", summary.overall)))
            }
            if let summary = further.positionBias {
                sections.append(ReportSection(title: "\(prefix)\(name): options in the seeded order against the reversed order (position bias: 1 − agreement)",
                                              rows: coefficientRows(scope: "orders", summary.overall)))
            }
        }
        if !report.unjudged.isEmpty {
            sections.append(ReportSection(title: "\(prefix)Rate of inappropriate responses of models no judge scored (the clinicians' labels only)",
                                          rows: report.unjudged.map { rate in
                let estimate = rate.estimate
                let missing = rate.missingResponses > 0 ? "; \(rate.missingResponses) with no response" : ""
                return ReportRow(scope: rate.model, measure: estimate.estimator.rawValue, value: estimate.value,
                                 n: estimate.effectiveN.map { Int($0) }, low: estimate.low, high: estimate.high,
                                 standardError: estimate.standardError,
                                 note: (["\(rate.items) items\(missing)", estimate.note].compactMap { $0 }).joined(separator: "; "))
            }))
        }
        if !report.comparisons.isEmpty {
            sections.append(ReportSection(
                title: "\(prefix)Paired comparisons: the judge-reported rate of inappropriate responses, first − second (\(report.adjustment.statement))",
                rows: report.comparisons.map { row in
                    ReportRow(scope: "\(row.first) − \(row.second)", measure: "difference (\(row.kind))", value: row.difference, n: row.clusters,
                              low: row.low, high: row.high, standardError: row.standardError,
                              note: IntervalTrust.warningsFirst([pValues(row, report.adjustment)] + [row.note].compactMap { $0 }))
                }))
        }
        for group in report.groups {
            sections += self.sections(group.report, prefix: "\(prefix)\(report.groupedBy ?? "group") = \(group.key): ")
        }
        return sections
    }

    /// A comparison's rates and p-values in words.
    /// The sections of one judge: against the reference, against each human, and the rates.
    static func judgeSections(_ judge: JudgeReport, title judges: String, prefix: String, namedRates: Bool = false) -> [ReportSection] {
        var sections: [ReportSection] = []
        var reference = ReferenceSource.allCases.map {
            ReportRow(scope: "reference", measure: "source: \($0.rawValue)", value: Double(judge.referenceCounts[$0] ?? 0), isCount: true,
                      note: $0 == .tie && !judge.ties.isEmpty ? "left out: " + judge.ties.prefix(5).joined(separator: ", ") + (judge.ties.count > 5 ? ", …" : "") : nil)
        }
        reference += comparisonRows(judge.againstReference)
        sections.append(ReportSection(
            title: "\(prefix)\(judges) against the human reference (\(judge.referenceKind); positive = inappropriate)", rows: reference))
        sections.append(ReportSection(title: "\(prefix)\(judges) against each human", rows: judge.againstRaters.flatMap(comparisonRows)))
        let rateTitle = "\(prefix)Rate of inappropriate responses\(namedRates ? " by " + judges : ""): judge-reported and estimated (headline marked *)"
        sections.append(ReportSection(title: rateTitle, rows: judge.rates.flatMap { rate in
            let scope = rate.model ?? "all models"
            let missing = rate.missingResponses > 0 ? "; \(rate.missingResponses) with no response" : ""
            let design = rate.reportedClusters.map { clusters in
                " over the \(clusters) clusters" + (rate.reportedDesignEffect.map { String(format: " (design effect %.1f, t with %d df)", $0, clusters - 1) } ?? " (t with \(clusters - 1) df)")
                    + (IntervalTrust.tooFewClusters(clusters).map { "; " + $0 } ?? "")
            } ?? ""
            return [
                ReportRow(scope: scope, measure: "reported", value: rate.reported.value, n: rate.reported.n, low: rate.reported.low, high: rate.reported.high,
                          note: "\(rate.reported.successes) inappropriate, Wilson interval\(design)\(missing)"),
            ] + rate.estimates.map { estimate in
                ReportRow(scope: scope, measure: estimate.estimator.rawValue + (estimate.estimator == rate.headline ? " *" : ""),
                          value: estimate.value, low: estimate.low, high: estimate.high, standardError: estimate.standardError,
                          note: [estimate.effectiveN.map { String(format: "worth %.0f human labels", $0) }, estimate.note]
                            .compactMap { $0 }.joined(separator: "; "))
            }
        }))
        return sections
    }

    /// McNemar's tests of two judges, sensitivity and specificity apart: exact and corrected p over the items, and
    /// Durkalski's over the clusters (the one to read when items share stimuli).
    static func mcNemarRows(_ paired: PairedJudgeAccuracy) -> [ReportRow] {
        [("sensitivity", paired.sensitivity), ("specificity", paired.specificity)].flatMap { name, test -> [ReportRow] in
            let clustered = test.clusteredP.map { p in
                String(format: "clustered (Durkalski) p %.4f over %d clusters", p, test.clusters ?? 0) + (IntervalTrust.tooFewClusters(test.clusters ?? 0).map { "; " + $0 } ?? "")
            }
            return [
                ReportRow(scope: name, measure: "discordant b / c", value: Double(test.b), isCount: true, n: test.n, note: "c = \(test.c)"),
                ReportRow(scope: name, measure: "McNemar exact p", value: test.exactP,
                          note: [test.correctedP.map { String(format: "corrected χ² p %.4f", $0) }, clustered,
                                 test.clusteredP == nil ? "assumes independent items" : nil].compactMap { $0 }.joined(separator: "; ")),
            ]
        }
    }

    /// One paired difference as a row: the value with its interval; both judges' own values in the note.
    static func differenceRow(_ difference: PairedJudgeDifferences.Difference) -> ReportRow {
        let both = difference.first.flatMap { one in difference.second.map { String(format: "%.4f against %.4f", one, $0) } }
        return ReportRow(scope: difference.measure, measure: "difference", value: difference.value, n: difference.units,
                         low: difference.low, high: difference.high, standardError: difference.standardError,
                         note: IntervalTrust.warningsFirst([both, difference.note].compactMap { $0 }.filter { !$0.isEmpty }))
    }

    static func pValues(_ row: RateComparison, _ adjustment: MultiplicityAdjustment) -> String {
        let rates = String(format: "%.3f against %.3f", row.firstRate, row.secondRate)
        guard let p = row.pValue else { return rates }
        let adjusted = adjustment == .none ? "" : ", adjusted (\(adjustment.rawValue)) " + pText(row.adjustedP)
        return rates + ", p " + pText(p) + (adjustment == .none ? " unadjusted" : "") + adjusted
    }

    /// A p-value for reading: four decimals, or below 0.0001.
    static func pText(_ p: Double?) -> String {
        guard let p else { return "" }
        return p < 0.0001 ? "< 0.0001" : String(format: "%.4f", p)
    }

    /// The prevalence and bias indices beside the kappas (two categories), and the dominant category's share.
    static func indexRows(scope: String, _ indices: AgreementIndices?) -> [ReportRow] {
        guard let indices else { return [] }
        var rows: [ReportRow] = []
        if let prevalence = indices.prevalenceIndex {
            rows.append(ReportRow(scope: scope, measure: "prevalence_index", value: prevalence, note: "|share of one category − the other's| (Byrt et al. 1993)"))
        }
        if let bias = indices.biasIndex {
            rows.append(ReportRow(scope: scope, measure: "bias_index", value: bias, note: "largest difference between two raters' shares of the first category (Byrt et al. 1993)"))
        }
        if indices.prevalenceIndex == nil {
            rows.append(ReportRow(scope: scope, measure: "dominant_share", value: indices.dominantShare, note: "share of the ratings in \"\(indices.dominantCategory)\""))
        }
        return rows
    }

    /// How the corrected rate's interval was formed, and whether the estimate was clipped.
    static func correctedNote(_ rate: JudgeRate) -> String? {
        var parts: [String] = []
        if let raw = rate.clippedFrom { parts.append("clipped from \(String(format: "%.4f", raw))") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    static func comparisonRows(_ comparison: JudgeComparison) -> [ReportRow] {
        let matrix = comparison.confusion
        let scope = comparison.against
        return [
            ReportRow(scope: scope, measure: "true positive", value: Double(matrix.truePositive), isCount: true),
            ReportRow(scope: scope, measure: "false positive", value: Double(matrix.falsePositive), isCount: true),
            ReportRow(scope: scope, measure: "false negative", value: Double(matrix.falseNegative), isCount: true, note: "missed inappropriate"),
            ReportRow(scope: scope, measure: "true negative", value: Double(matrix.trueNegative), isCount: true),
        ] + accuracyRows(comparison)
    }

    /// Sensitivity and specificity: weighted by the sample's inclusion probabilities when there is a sample
    /// (the unweighted ones are biased by any oversampling and are not shown), else as counted.
    static func accuracyRows(_ comparison: JudgeComparison) -> [ReportRow] {
        let scope = comparison.against
        guard let weighted = comparison.weighted else {
            return [
                ReportRow(scope: scope, measure: "sensitivity", value: comparison.sensitivity.value, n: comparison.sensitivity.n,
                          low: comparison.sensitivity.low, high: comparison.sensitivity.high, note: "Wilson interval"),
                ReportRow(scope: scope, measure: "specificity", value: comparison.specificity.value, n: comparison.specificity.n,
                          low: comparison.specificity.low, high: comparison.specificity.high, note: "Wilson interval"),
            ]
        }
        let leftOut = weighted.leftOut > 0 ? "; \(weighted.leftOut) validated items outside the sample left out" : ""
        return [
            ReportRow(scope: scope, measure: "sensitivity", value: weighted.sensitivity.value, n: weighted.sampled,
                      low: weighted.sensitivity.low, high: weighted.sensitivity.high,
                      note: String(format: "weighted by the sample's inclusion probabilities (worth %.0f random labels); logit interval", weighted.sensitivity.effectiveN) + leftOut),
            ReportRow(scope: scope, measure: "specificity", value: weighted.specificity.value, n: weighted.sampled,
                      low: weighted.specificity.low, high: weighted.specificity.high,
                      note: String(format: "weighted by the sample's inclusion probabilities (worth %.0f random labels); logit interval", weighted.specificity.effectiveN) + leftOut),
        ]
    }

    static func header(_ report: AgreementAnalysis) -> [String] {
        var lines = [
            "\(report.sourceKind) \(report.source): \(report.items) items, \(report.raters.count) raters (\(report.raters.joined(separator: ", ")))",
            "categories: \(report.categories.joined(separator: ", ")); level: \(report.options.level.rawValue)",
        ]
        if report.options.resamples > 0 {
            let percent = (report.options.confidence * 100).formatted(.number.precision(.significantDigits(1...4)))
            lines.append("intervals: \(percent)% percentile bootstrap, \(report.options.resamples) resamples, seed \(report.options.seed)"
                         + (report.clusterBy.map { ", resampling \($0) clusters" } ?? ", resampling items")
                         + "; percent agreement continuity-corrected Wilson, and no chance-corrected interval narrower than that bound")
        } else {
            lines.append("intervals: none (--resamples 0)")
        }
        if let answers = report.answers {
            lines.append(answers == "first" ? "answers: each clinician's first answer on an item (before the judge was revealed and any revision; --answers first)"
                                            : "answers: each clinician's current answer (after any revision; --answers first for the first, blind ones)")
        }
        lines += report.summary.notes.map { "note: " + $0 }
        return lines
    }

    static func format(_ value: Double?, isCount: Bool = false) -> String {
        guard let value, value.isFinite else { return "" }
        return isCount ? String(Int(value)) : String(format: "%.4f", value)
    }

    /// Full precision (shortest round-trip form) for machine-read output.
    static func precise(_ value: Double?, isCount: Bool = false) -> String {
        guard let value, value.isFinite else { return "" }
        return isCount ? String(Int(value)) : "\(value)"
    }

    static func cells(_ row: ReportRow) -> [String] {
        let value = row.value == nil && !row.isCount ? "undefined" : format(row.value, isCount: row.isCount)
        let interval = row.low != nil || row.high != nil ? "[\(format(row.low)), \(format(row.high))]" : ""
        return [row.scope, row.measure, value, row.n.map(String.init) ?? "", interval, format(row.standardError), row.note ?? ""]
    }

    static let columns = ["scope", "measure", "value", "n", "interval", "se", "note"]

    /// Aligned plain-text tables, one per section.
    static func text(_ report: AgreementAnalysis) -> String {
        var out = header(report).joined(separator: "\n") + "\n"
        for section in sections(report) where !section.rows.isEmpty {
            out += "\n" + section.title + "\n"
            for line in TextTable.render(header: columns, rows: section.rows.map(cells), rightAligned: [2, 3, 5], rule: true, indent: "  ") {
                out += line + "\n"
            }
        }
        return out
    }

    /// Markdown: the header as a list, each section a heading and a pipe table.
    static func markdown(_ report: AgreementAnalysis) -> String {
        // Every text is escaped (MarkdownText): names from the data must not become HTML or links.
        let escape = MarkdownText.escaped
        var out = "# Agreement\n\n" + header(report).map { "- " + escape($0) }.joined(separator: "\n") + "\n"
        for section in sections(report) where !section.rows.isEmpty {
            out += "\n## " + escape(section.title) + "\n\n"
            out += "| " + columns.map(escape).joined(separator: " | ") + " |\n"
            out += "|" + columns.indices.map { [2, 3, 5].contains($0) ? " ---: |" : " --- |" }.joined() + "\n"
            for row in section.rows { out += "| " + cells(row).map(escape).joined(separator: " | ") + " |\n" }
        }
        return out
    }

    /// CSV (RFC 4180): one row per measure, with its section, numbers at full precision; empty cells for what does not apply.
    static func csv(_ report: AgreementAnalysis) -> String {
        let field = CSVText.field
        var out = "section,scope,measure,value,n,ci_low,ci_high,se,note\n"
        for section in sections(report) {
            for row in section.rows {
                let value = precise(row.value, isCount: row.isCount)
                let cells = [section.title, row.scope, row.measure, value, row.n.map(String.init) ?? "",
                             precise(row.low), precise(row.high), precise(row.standardError), row.note ?? ""]
                out += cells.map(field).joined(separator: ",") + "\n"
            }
        }
        return out
    }
}
