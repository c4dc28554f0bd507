import Foundation
import ReviewStatistics
import Testing
@testable import ReviewCore
@testable import ReviewReport

@Suite("Report rendering")
struct ReportRenderingTests {
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    @Test("the bar chart's SVG matches its snapshot: a bar and whiskers per series, labels escaped")
    func chartSnapshot() throws {
        let svg = SVGBars.chart(
            rows: [SVGBars.Row(label: "model <a> & \"b\"", bars: [(0.42, 0.38, 0.47), (0.55, 0.40, 0.70)]),
                   SVGBars.Row(label: "model c", bars: [(0.9, nil, nil), (nil, nil, nil)])],
            seriesNames: ["as the judge reports", "estimated (ppi)"], colours: ["#999", "#15a"], title: "Appropriate <responses>")
        #expect(!svg.contains("<a>") && svg.contains("model &lt;a&gt; &amp; &quot;b&quot;"))
        #expect(svg.components(separatedBy: "stroke=\"#000\"").count - 1 == 6)  // two whiskers, each a line and two caps
        #expect(svg.contains("undefined"))
        let file = Self.snapshots.appendingPathComponent("report-chart.svg")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" || !FileManager.default.fileExists(atPath: file.path) {
            try svg.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("recorded new baseline report-chart.svg; check it and run again")
            return
        }
        #expect(try String(contentsOf: file, encoding: .utf8) == svg, "the chart's SVG changed (RECORD_SNAPSHOTS=1 re-records)")
    }

    @Test("chart labels wrap and are never cut: two settings of one long model name read apart; bars carry their n and an axis title")
    func wrappedLabels() {
        let context = "gpt-4o-2024-08-06 · no steel-man prompt, with context"
        let plain = "gpt-4o-2024-08-06 · no steel-man prompt, no context"
        #expect(SVGBars.wrapped(context).allSatisfy { $0.count <= SVGBars.labelLine })
        #expect(SVGBars.wrapped(context).joined(separator: " ") == context && SVGBars.wrapped(plain).joined(separator: " ") == plain)
        #expect(SVGBars.wrapped(String(repeating: "x", count: 80)).map(\.count) == [36, 36, 8])
        let svg = SVGBars.chart(rows: [SVGBars.Row(label: context, bars: [(0.5, 0.4, 0.6)], counts: ["n 350"]),
                                       SVGBars.Row(label: plain, bars: [(0.6, 0.5, 0.7)], counts: ["n 350"])],
                                seriesNames: ["as the judge reports"], colours: [SVGBars.palette.neutral], title: "t", axisTitle: "share appropriate")
        #expect(svg.contains(">prompt, with context</tspan>") && svg.contains(">prompt, no context</tspan>"), "the rows must differ on screen: \(svg)")
        #expect(svg.contains("(n 350)") && svg.contains(">share appropriate</text>"))
    }

    @Test("HTML text is escaped and control characters from input files are dropped")
    func escaping() {
        #expect(HTMLText.escaped("<script>alert('x')</script>") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
        #expect(!HTMLText.escaped("a\u{1B}[31mb").contains("\u{1B}"))
    }

    @Test("the confusion matrix SVG shows the four counts")
    func confusion() {
        let svg = SVGBars.confusion(ConfusionMatrix(truePositive: 61, falsePositive: 2, falseNegative: 3, trueNegative: 37), title: "all")
        for count in ["61", ">2<", ">3<", "37"] { #expect(svg.contains(count)) }
        #expect(svg.contains("missed (false negative)"))
    }
}
