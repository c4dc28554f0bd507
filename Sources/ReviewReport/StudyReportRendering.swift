import Foundation
import ReviewCore
import ReviewStatistics

extension StudyReport {
    /// The report's formats.
    public enum Format: String, CaseIterable, Sendable {
        case text, markdown, json, html
    }

    /// The report in `format`.
    public func rendered(as format: Format) -> String {
        switch format {
        case .text: return tables(markdown: false)
        case .markdown: return tables(markdown: true)
        case .json: return JSONValue.render(json()) + "\n"
        case .html: return html()
        }
    }

    static func percent(_ value: Double?) -> String { value.map { String(format: "%.1f%%", 100 * $0) } ?? "undefined" }
    static func percentInterval(_ interval: Interval) -> String {
        guard let low = interval.low, let high = interval.high else { return "" }
        return String(format: "[%.1f, %.1f]", 100 * low, 100 * high)
    }
    static func number(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "undefined" }
    static func interval(_ interval: Interval) -> String {
        guard let low = interval.low, let high = interval.high else { return "" }
        return String(format: "[%.3f, %.3f]", low, high)
    }

    /// The sections as (title, header, rows), shared by text, markdown and HTML.
    var sections: [(title: String, header: [String], rows: [[String]])] {
        let rateHeader = ["scope", "judged", "no response", "appropriate (judge)", "interval", "appropriate (\(estimator))", "interval", "worth labels; clusters (or why undefined)"]
        func rateRows(_ rows: [RateRow]) -> [[String]] {
            rows.map { row in
                let unjudged = row.judged == 0 && row.reported.value == nil
                let worth = row.effectiveLabels.map { String(format: "%.0f", $0) } ?? "–"
                let design = row.clusters.map { clusters in
                    "; \(clusters) clusters" + (row.designEffect.map { String(format: ", design effect %.1f", $0) } ?? "")
                } ?? "; over these responses"
                // An interval that cannot be trusted is marked in every format, with the reason first.
                let distrust = row.trusted || row.estimated.value == nil ? "" : " NOT TRUSTED: " + (IntervalTrust.firstWarning(row.note) ?? "")
                let interval = Self.percentInterval(row.estimated) + (row.trusted || row.estimated.value == nil ? "" : " †")
                let transported = row.transportedFrom.map { "; ASSUMES the judge's accuracy on \($0) holds here (--transport-from)" } ?? ""
                return [row.scope, "\(row.judged)", "\(row.missing)", unjudged ? "no judge" : Self.percent(row.reported.value),
                        Self.percentInterval(row.reported), Self.percent(row.estimated.value), interval,
                        row.estimated.value == nil ? String((row.note ?? "").prefix(120))
                            : unjudged ? String((["humans only, \(worth) labels", row.note].compactMap { $0 }.joined(separator: "; ")).prefix(120))
                            : worth + design + transported + distrust]
            }
        }
        var result: [(String, [String], [[String]])] = [
            ("Appropriate responses by model: as the judge reports them and estimated with the clinicians' labels", rateHeader, rateRows(byModel)),
        ]
        if !byCondition.isEmpty {
            result.append(("Appropriate responses by condition (all models)", rateHeader, rateRows(byCondition)))
        }
        if !bySetting.isEmpty {
            result.append(("Appropriate responses by model and setting (steel-man prompt, context)", rateHeader, rateRows(bySetting)))
        }
        // Every estimate's whole note (the tables above show only its warning): no rendering drops what agreement says.
        let noted = (byModel + byCondition + bySetting).filter { !($0.note ?? "").isEmpty }
        if !noted.isEmpty {
            result.append(("Notes on the estimates above", ["scope", "estimator", "note"], noted.map { [$0.scope, $0.estimator, $0.note ?? ""] }))
        }
        result.append(("The judge against the clinicians' reference (positive = inappropriate)",
                       ["scope", "TP", "FP", "FN (missed)", "TN", "sensitivity", "interval", "specificity", "interval", "weighted"],
                       accuracy.map { row in
                           ["\(row.scope)", "\(row.confusion.truePositive)", "\(row.confusion.falsePositive)", "\(row.confusion.falseNegative)",
                            "\(row.confusion.trueNegative)", Self.number(row.sensitivity.value), Self.interval(row.sensitivity),
                            Self.number(row.specificity.value), Self.interval(row.specificity), row.weighted ? "yes" : "no"]
                       }))
        result.append(("Agreement between raters (the judge is judge:<model>)", ["raters", "measure", "value", "interval", "n", "note"],
                       agreement.map {
                           let distrusted = IntervalTrust.distrusts($0.note)
                           return [$0.raters, $0.measure, Self.number($0.estimate.value), Self.interval($0.estimate) + (distrusted ? " †" : ""),
                                   "\($0.n)", $0.note ?? ""]
                       }))
        result.append(("Reference labels by source", ["source", "items"], referenceSources.map { [$0.source, "\($0.items)"] }))
        result.append(("Labelling: effort and anchoring", ["rater", "labelled", "median seconds", "answered blind", "changed toward judge", "changed away"],
                       effort.map { row in
                           [row.rater, "\(row.labelled)", row.medianSeconds.map { String(format: "%.1f", $0) } ?? "", "\(row.blindFirst)",
                            "\(row.revisedTowardJudge)", "\(row.revisedAwayFromJudge)"]
                       }))
        if !comparisons.isEmpty {
            result.append(("Paired comparisons on the same stimuli: the judge-reported rate of inappropriate responses (\(adjustment.statement))",
                           ["first", "second", "compared", "stimuli", "first rate", "second rate", "difference", "interval", "p", "note"],
                           comparisons.map { row in
                               [row.first, row.second, row.kind, "\(row.clusters)", Self.percent(row.firstRate), Self.percent(row.secondRate),
                                String(format: "%+.1f points", row.difference * 100),
                                row.low.map { low in String(format: "[%+.1f, %+.1f]", low * 100, (row.high ?? low) * 100) + (row.isTrusted ? "" : " †") } ?? "–",
                                ReportTables.pText(row.adjustedP) + (adjustment == .none || row.adjustedP == nil ? "" : " (\(adjustment.rawValue))"),
                                row.note ?? ""]
                           }))
        }
        if !publication.strata.isEmpty {
            result.append(("Sampling design: " + (publication.sampling ?? ""),
                           ["stratum", "population", "sampled", "labelled", "inclusion probability", "weight"],
                           publication.strata.map { [$0.label, "\($0.population)", "\($0.sampled)", "\($0.labelled)", String(format: "%.4f", $0.probability),
                                                     $0.probability > 0 ? String(format: "%.2f", 1 / $0.probability) : ""] }))
        }
        let binaryTables = publication.pairTables.filter { $0.categories.count == 2 }
        if let categories = binaryTables.first?.categories {
            let (first, second) = (categories[0], categories[1])
            result.append(("Each pair's 2×2 table over the items both rated (rows: the first rater)",
                           ["raters", "both \(first)", "\(first), then \(second)", "\(second), then \(first)", "both \(second)",
                            "first rater \(first) / \(second)", "second rater \(first) / \(second)", "n"],
                           binaryTables.map { table in
                               let c = table.cells
                               return [table.raters.joined(separator: " × "), "\(c[0][0])", "\(c[0][1])", "\(c[1][0])", "\(c[1][1])",
                                       "\(c[0][0] + c[0][1]) / \(c[1][0] + c[1][1])", "\(c[0][0] + c[1][0]) / \(c[0][1] + c[1][1])",
                                       "\(c[0][0] + c[0][1] + c[1][0] + c[1][1])"]
                           }))
        }
        if !publication.checklist.isEmpty {
            result.append(("Reporting checklist: GRRAS (Kottner et al. 2011) and the CHART items this study knows", ["item", "this study"],
                           publication.checklist.map { [$0.item, $0.reported] }))
        }
        if !furtherJudges.isEmpty {
            func accuracy(_ value: Double?, _ low: Double?, _ high: Double?) -> [String] {
                [Self.percent(value), Self.percentInterval(Interval(value: value, low: low, high: high))]
            }
            func agreement(_ summary: AgreementSummary?) -> String {
                guard let result = summary?.overall[.percentAgreement] else { return "" }
                let interval = Self.percentInterval(Interval(value: result.value, low: result.ciLow, high: result.ciHigh))
                return Self.percent(result.value) + " " + interval + " (n \(result.n))"
            }
            func p(_ test: McNemar.Result?) -> String {
                guard let test else { return "" }
                let clustered = test.clusteredP.map { String(format: "; clustered %.4f (%d clusters)", $0, test.clusters ?? 0) } ?? ""
                return String(format: "%.4f", test.exactP) + clustered
            }
            result.append(("Further judges against the human reference, and McNemar's tests against the study's judge (b = the study's judge right, this one wrong)",
                           ["judge", "model", "sensitivity", "interval", "specificity", "interval", "sensitivity b / c", "p", "specificity b / c", "p",
                            "agreement with itself (samples)", "agreement across option orders"],
                           furtherJudges.map { further in
                               let comparison = further.report?.againstReference
                               let sensitivity = comparison.map { $0.weighted.map { ($0.sensitivity.value, $0.sensitivity.low, $0.sensitivity.high) } ?? ($0.sensitivity.value, $0.sensitivity.low, $0.sensitivity.high) }
                               let specificity = comparison.map { $0.weighted.map { ($0.specificity.value, $0.specificity.low, $0.specificity.high) } ?? ($0.specificity.value, $0.specificity.low, $0.specificity.high) }
                               return [JudgeRater.name(model: further.name), further.model]
                                   + accuracy(sensitivity?.0, sensitivity?.1, sensitivity?.2) + accuracy(specificity?.0, specificity?.1, specificity?.2)
                                   + [further.paired.map { "\($0.sensitivity.b) / \($0.sensitivity.c)" } ?? "", p(further.paired?.sensitivity),
                                      further.paired.map { "\($0.specificity.b) / \($0.specificity.c)" } ?? "", p(further.paired?.specificity),
                                      agreement(further.selfConsistency), agreement(further.positionBias)]
                           }))
            let differences = furtherJudges.flatMap { further in
                (further.paired?.differences ?? []).map { difference in
                    [JudgeRater.name(model: further.name), difference.measure, Self.number(difference.first), Self.number(difference.second),
                     Self.number(difference.value), Self.interval(Interval(value: difference.value, low: difference.low, high: difference.high)),
                     "\(difference.units)", difference.note]
                }
            }
            if !differences.isEmpty {
                result.append(("Paired differences: the study's judge minus each further judge on the same items (kappa with the reference, reported and corrected rates)",
                               ["judge", "measure", "study's judge", "this judge", "difference", "interval", "units", "note"], differences))
            }
        }
        if !analysisNotes.isEmpty {
            result.append(("Every note of the analysis (as judge-review agreement gives them)", ["note"], analysisNotes.map { [$0] }))
        }
        if let manifest {
            result.append(("Manifest: how this report was made", ["what", "value"], manifest.rows))
            result.append(("Files read", ["file", "bytes", "sha256"], manifest.files.map { [$0.path, "\($0.bytes)", $0.sha256] }))
        }
        if !consistency.isEmpty {
            result.append(("Consistency: practice answers against gold, hidden repeats against the first showing",
                           ["rater", "gold", "agreeing", "share", "interval", "repeats", "same answer", "share", "interval", "kappa", "interval", "notes"],
                           consistency.map { row in
                               [row.rater, "\(row.goldAnswered)", "\(row.goldAgreeing)", row.goldAnswered == 0 ? "" : Self.percent(row.goldShare.value),
                                Self.percentInterval(row.goldShare), "\(row.repeatPairs)", "\(row.repeatAgreeing)",
                                row.repeatPairs == 0 ? "" : Self.percent(row.repeatShare.value), Self.percentInterval(row.repeatShare),
                                row.repeatPairs == 0 ? "" : Self.number(row.repeatKappa.value), Self.interval(row.repeatKappa),
                                row.notes.joined(separator: "; ")]
                           }))
        }
        return result
    }

    /// What every reader must know first: the estimator, the convention for missing responses, the level.
    var preamble: [String] {
        ["study \(study): rates of appropriate responses estimated by \(estimator), \(Int((confidence * 100).rounded()))% intervals, \(resamples) bootstrap resamples; items with no response \(missingResponse == "inappropriate" ? "counted inappropriate unless a clinician labelled them (the paper's convention)" : "left out (counted in \"no response\")")"
         + (answers == "first" ? "; each clinician's first answer on an item (before the judge was revealed and any revision)" : "; each clinician's current answer (after any revision)")]
            + notes.map { "note: " + $0 }
    }

    func tables(markdown: Bool) -> String {
        // In Markdown every text is escaped (MarkdownText): names from the data must not become HTML or links.
        let md = MarkdownText.escaped
        var lines: [String] = markdown ? ["# Judge validation report", ""] + preamble.map(md) + [""] : preamble + [""]
        for section in sections {
            if markdown {
                lines.append("## \(md(section.title))")
                lines.append("")
                lines.append("| " + section.header.map(md).joined(separator: " | ") + " |")
                lines.append("|" + section.header.map { _ in " --- |" }.joined())
                for row in section.rows { lines.append("| " + row.map(md).joined(separator: " | ") + " |") }
            } else {
                lines.append(section.title)
                lines += TextTable.render(header: section.header, rows: section.rows, rule: true, indent: "  ")
            }
            lines.append("")
        }
        if !progress.isEmpty {
            lines.append(markdown ? "## Progress" : "Progress")
            if markdown { lines.append("") }
            lines += progress.map { markdown ? "    " + $0 : "  " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The manifest's JSON, or null when the report was built without one.
    var manifestJSON: JSONValue { manifest?.json ?? .null }

    /// The sampling design, the pairs' tables and the checklist as JSON.
    var publicationJSON: JSONValue {
        .object([
            ("sampling", publication.sampling.map(JSONValue.string) ?? .null),
            ("strata", .array(publication.strata.map { stratum in
                .object([("stratum", .string(stratum.label)), ("population", .int(stratum.population)), ("sampled", .int(stratum.sampled)),
                         ("labelled", .int(stratum.labelled)), ("inclusion_probability", .number(stratum.probability))])
            })),
            ("pair_tables", .array(publication.pairTables.map { table in
                .object([("raters", .array(table.raters.map(JSONValue.string))), ("categories", .array(table.categories.map(JSONValue.string))),
                         ("cells", .array(table.cells.map { .array($0.map(JSONValue.int)) }))])
            })),
            ("checklist", .array(publication.checklist.map { .object([("item", .string($0.item)), ("reported", .string($0.reported))]) })),
        ])
    }

    func json() -> JSONValue {
        func intervalJSON(_ interval: Interval) -> JSONValue {
            .object([("value", .number(interval.value)), ("ci_low", .number(interval.low)), ("ci_high", .number(interval.high))])
        }
        func rateJSON(_ row: RateRow) -> JSONValue {
            .object([
                ("scope", .string(row.scope)), ("judged", .int(row.judged)), ("missing_responses", .int(row.missing)),
                ("appropriate_reported", intervalJSON(row.reported)), ("appropriate_estimated", intervalJSON(row.estimated)),
                ("estimator", .string(row.estimator)), ("effective_labels", .number(row.effectiveLabels)),
                ("trusted", .bool(row.trusted)), ("transported_from", row.transportedFrom.map(JSONValue.string) ?? .null),
                ("note", row.note.map(JSONValue.string) ?? .null),
            ])
        }
        return .object([
            ("study", .string(study)), ("estimator", .string(estimator)), ("missing_response", .string(missingResponse)), ("answers", .string(answers)),
            ("confidence", .number(confidence)), ("resamples", .int(resamples)),
            ("by_model", .array(byModel.map(rateJSON))), ("by_condition", .array(byCondition.map(rateJSON))),
            ("by_setting", .array(bySetting.map(rateJSON))),
            ("accuracy", .array(accuracy.map { row in
                .object([
                    ("scope", .string(row.scope)),
                    ("confusion", .object([("true_positive", .int(row.confusion.truePositive)), ("false_positive", .int(row.confusion.falsePositive)),
                                           ("false_negative", .int(row.confusion.falseNegative)), ("true_negative", .int(row.confusion.trueNegative))])),
                    ("sensitivity", intervalJSON(row.sensitivity)), ("specificity", intervalJSON(row.specificity)), ("weighted", .bool(row.weighted)),
                ])
            })),
            ("agreement", .array(agreement.map { .object([("raters", .string($0.raters)), ("measure", .string($0.measure)),
                                                         ("estimate", intervalJSON($0.estimate)), ("n", .int($0.n)),
                                                         ("note", $0.note.map(JSONValue.string) ?? .null)]) })),
            ("reference_sources", .object(referenceSources.map { ($0.source, .int($0.items)) })),
            ("effort", .array(effort.map { row in
                .object([("rater", .string(row.rater)), ("labelled", .int(row.labelled)), ("median_seconds", .number(row.medianSeconds)),
                         ("answered_blind", .int(row.blindFirst)), ("changed_toward_judge", .int(row.revisedTowardJudge)),
                         ("changed_away_from_judge", .int(row.revisedAwayFromJudge))])
            })),
            ("consistency", .array(consistency.map { row in
                .object([("rater", .string(row.rater)), ("gold_answered", .int(row.goldAnswered)), ("gold_agreeing", .int(row.goldAgreeing)),
                         ("gold_share", intervalJSON(row.goldShare)), ("repeat_pairs", .int(row.repeatPairs)),
                         ("repeat_agreeing", .int(row.repeatAgreeing)), ("repeat_share", intervalJSON(row.repeatShare)),
                         ("repeat_kappa", intervalJSON(row.repeatKappa)), ("notes", .array(row.notes.map(JSONValue.string)))])
            })),
            ("comparisons", AgreementAnalysis.comparisonsJSON(comparisons, adjustment: adjustment)),
            ("further_judges", AgreementAnalysis.furtherJudgesJSON(furtherJudges)),
            ("notes", .array(notes.map(JSONValue.string))),
            ("analysis_notes", .array(analysisNotes.map(JSONValue.string))),
            ("manifest", manifestJSON),
            ("publication", publicationJSON),
            ("progress", .array(progress.map(JSONValue.string))),
        ])
    }
}
