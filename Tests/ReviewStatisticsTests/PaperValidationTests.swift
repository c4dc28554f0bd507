import Foundation
import Testing
@testable import ReviewStatistics

/// The paper's human-validation labels (judge, annotator_1, annotator_2 per key; no text), extracted once by
/// scripts/make-paper-validation-fixture.py from ../shared/paper-data/gpt-4o_classification_validation.csv.
@Suite("The paper's human-validation file")
struct PaperValidationTests {
    static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/paper-validation/gpt-4o_validation_labels.tsv")

    /// The rows (key, judge, annotator_1, annotator_2) where all three answered.
    static func completeRows() throws -> [[String]] {
        let text = try String(contentsOf: fixture, encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(lines.first == ["key", "judge", "annotator_1", "annotator_2"])
        return lines.dropFirst().filter { $0.count == 4 && !$0[1].isEmpty && !$0[2].isEmpty && !$0[3].isEmpty }
    }

    static func table(_ rows: [[String]]) -> RatingTable {
        let categories = ["no", "yes"]
        let codes = rows.flatMap { row in row[1...3].map { Int32(categories.firstIndex(of: $0) ?? -1) } }
        return RatingTable(items: rows.map { $0[0] }, raters: ["judge:gpt-4o", "annotator_1", "annotator_2"], categories: categories, codes: codes)
    }

    @Test("Fleiss' kappa over the judge and both annotators on the 98 items all three labelled is 0.9587")
    func fleissKappa() throws {
        let rows = try Self.completeRows()
        #expect(rows.count == 98)
        let summary = AgreementEngine.summarize(Self.table(rows), options: AgreementOptions())
        let fleiss = try #require(summary.overall[.fleissKappa])
        let value = try #require(fleiss.value)
        #expect((value * 10_000).rounded() / 10_000 == 0.9587)
        #expect(fleiss.n == 98)
        #expect(summary.pairs.count == 3)
    }

    @Test("with missing annotations the engine uses every labelled item and reports the units it used")
    func missingAnnotations() throws {
        let text = try String(contentsOf: Self.fixture, encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let table = Self.table(rows.filter { $0.count == 4 })
        let summary = AgreementEngine.summarize(table, options: AgreementOptions())
        let annotators = try #require(summary.pairs.first { $0.raters == ["annotator_1", "annotator_2"] })
        #expect(annotators.coefficients[.cohenKappa]?.n == 98)
        // 98 rated by all three, plus 2 + 1 items rated by the judge and one annotator.
        #expect(summary.overall[.krippendorffAlpha]?.n == 101)
        #expect(summary.overall[.fleissKappa]?.n == 350)
    }
}
