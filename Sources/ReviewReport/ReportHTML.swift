import Foundation
import ReviewCore
import ReviewStatistics

/// Horizontal bar charts with interval whiskers, as inline SVG (no script, font or image from anywhere).
enum SVGBars {
    /// One labelled row of bars: each bar a share in [0, 1] with an optional interval.
    struct Row {
        var label: String
        var bars: [(value: Double?, low: Double?, high: Double?)]
        /// What a bar with no value says.
        var missingText = "undefined"
        /// What stands behind each bar (e.g. "n 350", "worth 13 labels"), printed beside its value.
        var counts: [String?] = []
    }

    /// The Okabe–Ito palette's grey, blue and orange: told apart with every common colour-vision deficiency, and in print.
    static let palette = (neutral: "#999999", blue: "#0072B2", orange: "#E69F00")

    /// Characters a label line holds beside the plot.
    static let labelLine = 36

    /// A label wrapped onto lines of at most `labelLine` characters at spaces (a longer word is cut into pieces):
    /// never cut short, so two rows always read apart.
    static func wrapped(_ label: String) -> [String] {
        var lines: [String] = [], current = ""
        for word in label.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            while word.count > labelLine {
                if !current.isEmpty { lines.append(current); current = "" }
                lines.append(String(word.prefix(labelLine)))
                word = word.dropFirst(labelLine)
            }
            if current.isEmpty { current = String(word) }
            else if current.count + 1 + word.count <= labelLine { current += " " + word }
            else { lines.append(current); current = String(word) }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// The chart: a row per label, one bar per series (in `seriesNames` order, `colours` alike), the x axis titled
    /// `axisTitle`.
    static func chart(rows: [Row], seriesNames: [String], colours: [String], title: String,
                      axisTitle: String = "share of appropriate responses: bar the estimate, whisker its interval") -> String {
        let labelWidth = 260.0, plotWidth = 420.0, barHeight = 12.0, gap = 10.0, lineHeight = 13.0
        let labels = rows.map { wrapped($0.label) }
        let rowHeights = labels.map { max(Double(seriesNames.count) * (barHeight + 3), Double($0.count) * lineHeight) + gap }
        let top = 34.0
        let height = top + rowHeights.reduce(0, +) + 44
        let width = labelWidth + plotWidth + 110
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" aria-label=\"\(HTMLText.escaped(title))\">"
        svg += "<title>\(HTMLText.escaped(title))</title>"
        for (index, name) in seriesNames.enumerated() {
            let x = labelWidth + Double(index) * 200
            svg += "<rect x=\"\(format(x))\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(colours[index % colours.count])\"/>"
            svg += "<text x=\"\(format(x + 18))\" y=\"16\" font-size=\"12\">\(HTMLText.escaped(name))</text>"
        }
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let x = labelWidth + tick * plotWidth
            svg += "<line x1=\"\(format(x))\" y1=\"\(format(top - 4))\" x2=\"\(format(x))\" y2=\"\(format(height - 24))\" stroke=\"#ccc\" stroke-width=\"1\"/>"
            svg += "<text x=\"\(format(x))\" y=\"\(format(height - 26))\" font-size=\"11\" text-anchor=\"middle\">\(Int(tick * 100))%</text>"
        }
        svg += "<text x=\"\(format(labelWidth + plotWidth / 2))\" y=\"\(format(height - 8))\" font-size=\"12\" text-anchor=\"middle\">\(HTMLText.escaped(axisTitle))</text>"
        var y = top
        for (rowIndex, row) in rows.enumerated() {
            defer { y += rowHeights[rowIndex] }
            svg += "<text x=\"\(format(labelWidth - 8))\" y=\"\(format(y + barHeight - 1))\" font-size=\"12\" text-anchor=\"end\">"
            for (index, line) in labels[rowIndex].enumerated() {
                svg += "<tspan x=\"\(format(labelWidth - 8))\" dy=\"\(index == 0 ? "0" : format(lineHeight))\">\(HTMLText.escaped(line))</tspan>"
            }
            svg += "</text>"
            for (series, bar) in row.bars.enumerated() {
                let barY = y + Double(series) * (barHeight + 3)
                guard let value = bar.value else {
                    svg += "<text x=\"\(format(labelWidth + 4))\" y=\"\(format(barY + barHeight - 2))\" font-size=\"11\">\(HTMLText.escaped(row.missingText))</text>"
                    continue
                }
                svg += "<rect x=\"\(format(labelWidth))\" y=\"\(format(barY))\" width=\"\(format(max(0, min(1, value)) * plotWidth))\" height=\"\(format(barHeight))\" fill=\"\(colours[series % colours.count])\"><title>\(HTMLText.escaped(String(format: "%.1f%%", value * 100)))</title></rect>"
                if let low = bar.low, let high = bar.high {
                    let middle = barY + barHeight / 2
                    let x1 = labelWidth + max(0, low) * plotWidth, x2 = labelWidth + min(1, high) * plotWidth
                    svg += "<line x1=\"\(format(x1))\" y1=\"\(format(middle))\" x2=\"\(format(x2))\" y2=\"\(format(middle))\" stroke=\"#000\" stroke-width=\"1.5\"/>"
                    svg += "<line x1=\"\(format(x1))\" y1=\"\(format(middle - 4))\" x2=\"\(format(x1))\" y2=\"\(format(middle + 4))\" stroke=\"#000\" stroke-width=\"1.5\"/>"
                    svg += "<line x1=\"\(format(x2))\" y1=\"\(format(middle - 4))\" x2=\"\(format(x2))\" y2=\"\(format(middle + 4))\" stroke=\"#000\" stroke-width=\"1.5\"/>"
                }
                let count = series < row.counts.count ? row.counts[series].map { " (\(HTMLText.escaped($0)))" } ?? "" : ""
                svg += "<text x=\"\(format(labelWidth + plotWidth + 6))\" y=\"\(format(barY + barHeight - 2))\" font-size=\"11\">\(String(format: "%.1f%%", value * 100))\(count)</text>"
            }
        }
        return svg + "</svg>"
    }

    /// A 2×2 confusion matrix as SVG: cells shaded by their share of the items.
    static func confusion(_ matrix: ConfusionMatrix, title: String) -> String {
        let cells = [("judge inappropriate", "reference inappropriate", matrix.truePositive, "true positive"),
                     ("judge inappropriate", "reference appropriate", matrix.falsePositive, "false positive"),
                     ("judge appropriate", "reference inappropriate", matrix.falseNegative, "missed (false negative)"),
                     ("judge appropriate", "reference appropriate", matrix.trueNegative, "true negative")]
        let total = max(1, matrix.total)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 450 250\" width=\"100%\" style=\"max-width:450px\" aria-label=\"\(HTMLText.escaped(title))\"><title>\(HTMLText.escaped(title))</title>"
        svg += "<text x=\"290\" y=\"16\" font-size=\"12\" text-anchor=\"middle\">reference inappropriate · appropriate</text>"
        for (index, cell) in cells.enumerated() {
            let x = 150.0 + Double(index % 2) * 140, y = 30.0 + Double(index / 2) * 100
            let shade = 0.15 + 0.75 * Double(cell.2) / Double(total)
            svg += "<rect x=\"\(format(x))\" y=\"\(format(y))\" width=\"136\" height=\"96\" fill=\"#1f5fa8\" fill-opacity=\"\(format(shade))\" stroke=\"#333\"/>"
            svg += "<text x=\"\(format(x + 68))\" y=\"\(format(y + 46))\" font-size=\"20\" text-anchor=\"middle\">\(cell.2)</text>"
            svg += "<text x=\"\(format(x + 68))\" y=\"\(format(y + 68))\" font-size=\"11\" text-anchor=\"middle\">\(HTMLText.escaped(cell.3))</text>"
        }
        svg += "<text x=\"142\" y=\"82\" font-size=\"12\" text-anchor=\"end\">judge inappropriate</text>"
        svg += "<text x=\"142\" y=\"182\" font-size=\"12\" text-anchor=\"end\">judge appropriate</text>"
        return svg + "</svg>"
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}

extension StudyReport {
    /// One self-contained HTML page: inline CSS and SVG, no script and nothing fetched; readable printed and on a phone.
    func html() -> String {
        let colours = [SVGBars.palette.neutral, SVGBars.palette.blue]
        let series = ["as the judge reports", "estimated (\(estimator))"]
        func chartRows(_ rows: [RateRow]) -> [SVGBars.Row] {
            rows.map { SVGBars.Row(label: $0.scope, bars: [($0.reported.value, $0.reported.low, $0.reported.high),
                                                           ($0.estimated.value, $0.estimated.low, $0.estimated.high)],
                                   missingText: $0.judged == 0 && $0.reported.value == nil ? "no judge" : "undefined",
                                   counts: [$0.judged > 0 ? "n \($0.judged)" : nil, $0.effectiveLabels.map { String(format: "worth %.0f labels", $0) }]) }
        }
        var body = "<h1>Judge validation report: \(HTMLText.escaped(study))</h1>"
        body += "<p class=\"preamble\">\(HTMLText.escaped(preamble.joined(separator: " ")))</p>"
        body += "<h2>Appropriate responses by model</h2>"
        body += "<figure>" + SVGBars.chart(rows: chartRows(byModel), seriesNames: series, colours: colours, title: "Appropriate responses by model") + "</figure>"
        if !byCondition.isEmpty {
            body += "<h2>Appropriate responses by condition</h2>"
            body += "<figure>" + SVGBars.chart(rows: chartRows(byCondition), seriesNames: series, colours: colours, title: "Appropriate responses by condition") + "</figure>"
        }
        if !bySetting.isEmpty {
            body += "<h2>Appropriate responses by model and setting</h2>"
            body += "<figure>" + SVGBars.chart(rows: chartRows(bySetting), seriesNames: series, colours: colours, title: "Appropriate responses by model and setting") + "</figure>"
        }
        if let overall = accuracy.first {
            body += "<h2>The judge against the clinicians' reference</h2>"
            body += "<figure>" + SVGBars.confusion(overall.confusion, title: "Confusion matrix, all conditions") + "</figure>"
            // Sensitivity (misses are what cost) and specificity per scope, with their intervals.
            let accuracyRows = accuracy.map { row in
                SVGBars.Row(label: row.scope, bars: [(row.sensitivity.value, row.sensitivity.low, row.sensitivity.high),
                                                     (row.specificity.value, row.specificity.low, row.specificity.high)],
                            counts: ["n \(row.confusion.referencePositives)", "n \(row.confusion.referenceNegatives)"])
            }
            body += "<figure>" + SVGBars.chart(rows: accuracyRows, seriesNames: ["sensitivity", "specificity"],
                                               colours: [SVGBars.palette.orange, SVGBars.palette.blue],
                                               title: "The judge's sensitivity and specificity by condition",
                                               axisTitle: "share the judge got right: inappropriate (sensitivity), appropriate (specificity)") + "</figure>"
        }
        if let overall = accuracy.first, !furtherJudges.isEmpty {
            // Every judge side by side against the same reference: the study's first, then each run through an endpoint.
            var rows = [SVGBars.Row(label: "the study's judge", bars: [(overall.sensitivity.value, overall.sensitivity.low, overall.sensitivity.high),
                                                                       (overall.specificity.value, overall.specificity.low, overall.specificity.high)],
                                    counts: ["n \(overall.confusion.referencePositives)", "n \(overall.confusion.referenceNegatives)"])]
            for further in furtherJudges {
                guard let comparison = further.report?.againstReference else { continue }
                let sensitivity = comparison.weighted.map { ($0.sensitivity.value, $0.sensitivity.low, $0.sensitivity.high) }
                    ?? (comparison.sensitivity.value, comparison.sensitivity.low, comparison.sensitivity.high)
                let specificity = comparison.weighted.map { ($0.specificity.value, $0.specificity.low, $0.specificity.high) }
                    ?? (comparison.specificity.value, comparison.specificity.low, comparison.specificity.high)
                rows.append(SVGBars.Row(label: JudgeRater.name(model: further.name) + " (" + further.model + ")",
                                        bars: [(sensitivity.0, sensitivity.1, sensitivity.2), (specificity.0, specificity.1, specificity.2)],
                                        counts: ["n \(comparison.confusion.referencePositives)", "n \(comparison.confusion.referenceNegatives)"]))
            }
            body += "<h2>The judges side by side</h2>"
            body += "<figure>" + SVGBars.chart(rows: rows, seriesNames: ["sensitivity", "specificity"],
                                               colours: [SVGBars.palette.orange, SVGBars.palette.blue],
                                               title: "Each judge's sensitivity and specificity against the same reference",
                                               axisTitle: "share the judge got right: inappropriate (sensitivity), appropriate (specificity)") + "</figure>"
        }
        for section in sections {
            body += "<h2>\(HTMLText.escaped(section.title))</h2><div class=\"scroll\"><table><thead><tr>"
            body += section.header.map { "<th>\(HTMLText.escaped($0))</th>" }.joined() + "</tr></thead><tbody>"
            for row in section.rows { body += "<tr>" + row.map { "<td>\(HTMLText.escaped($0))</td>" }.joined() + "</tr>" }
            body += "</tbody></table></div>"
        }
        if !progress.isEmpty {
            body += "<h2>Progress</h2><pre>" + progress.map(HTMLText.escaped).joined(separator: "\n") + "</pre>"
        }
        let style = """
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#111;line-height:1.4}
            h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}figure{margin:0}table{border-collapse:collapse;font-size:.85rem}
            th,td{border:1px solid #bbb;padding:.25rem .45rem;text-align:left;vertical-align:top}th{background:#eef1f5}
            .scroll{overflow-x:auto}.preamble{color:#333}pre{white-space:pre-wrap;font-size:.85rem}
            @media print{body{max-width:none}.scroll{overflow:visible}h2{break-after:avoid}figure,table{break-inside:avoid}}
            """
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>Judge validation report: \(HTMLText.escaped(study))</title><style>\(style)</style></head><body>\(body)</body></html>\n"
    }
}
