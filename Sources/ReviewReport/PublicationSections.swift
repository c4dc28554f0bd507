// What a journal asks of a reliability study that the other sections do not show: the sampling design, every pair's
// contingency table with its marginals, and the reporting checklist (GRRAS; CHART for chatbot health-advice studies).
import Foundation
import ReviewCore

/// The sampling design, the pairs' tables and the reporting checklist of a report.
public struct PublicationSections: Sendable, Equatable {
    /// One stratum of the validation sample.
    public struct Stratum: Sendable, Equatable {
        public var label: String
        public var population: Int
        public var sampled: Int
        /// Sampled items some clinician has labelled.
        public var labelled: Int
        public var probability: Double
    }

    /// Two raters' 2×2 table of verdicts over the items both rated: `cells[k][l]`, rows the first rater.
    public struct PairTable: Sendable, Equatable {
        public var raters: [String]
        public var categories: [String]
        public var cells: [[Int]]
    }

    /// One checklist item and what this study reports for it.
    public struct ChecklistItem: Sendable, Equatable {
        public var item: String
        public var reported: String
    }

    public var strata: [Stratum] = []
    /// How the sample was drawn, in words (nil: no recorded sample).
    public var sampling: String?
    public var pairTables: [PairTable] = []
    public var checklist: [ChecklistItem] = []

    /// The sections from the study's sample and labels and the agreement analysis.
    static func build(analysis: AgreementAnalysis, labels: StudyLabels, sample: ValidationSample?, assignment: RaterAssignment?,
                      effort: [StudyReport.EffortRow], missingResponse: MissingResponse) -> PublicationSections {
        var sections = PublicationSections()
        let dataset = labels.dataset
        let answers = labels.answerColumns
        if let sample {
            var labelled = [Int](repeating: 0, count: sample.strata.count)
            for item in sample.items {
                guard let position = dataset.indexByID[item.id], item.stratum < labelled.count, answers.anyAnswer(at: position) else { continue }
                labelled[item.stratum] += 1
            }
            sections.strata = sample.strata.enumerated().map { index, stratum in
                Stratum(label: stratum.label(fields: sample.strataFields), population: stratum.population, sampled: stratum.sampled,
                        labelled: labelled[index], probability: stratum.probability)
            }
            sections.sampling = "stratified by \(sample.strataFields.map(\.rawValue).joined(separator: " × ")), \(sample.allocation.rawValue) allocation, "
                + "\(sample.items.count) of \(sample.population) judged items, seed \(sample.seed); every item's inclusion probability recorded and used as a weight"
        }
        sections.pairTables = analysis.summary.pairs.compactMap { pair in
            pair.table.map { PairTable(raters: pair.raters, categories: analysis.categories, cells: $0) }
        }
        let humans = analysis.raters.filter { !JudgeRater.isJudge($0) }
        let judges = analysis.raters.filter(JudgeRater.isJudge)
        let labelsGiven = effort.reduce(0) { $0 + $1.labelled }
        let blind = effort.reduce(0) { $0 + $1.blindFirst }
        let models = Array(Set(dataset.items.map(\.subject.name))).sorted()
        let settings = Set(dataset.items.map { BreakdownKey.setting.value(of: $0) }).count
        let conditions = Set(dataset.items.map(\.condition)).count
        let criteria = Set(dataset.items.map(\.criterion.question)).count
        let intervals = analysis.clusterBy.map { "over the \(ClusterKey(rawValue: $0)?.plural ?? $0) the responses came from (clustered; design effect and clusters shown per estimate)" }
            ?? "over these responses only (--cluster-by none)"
        sections.checklist = [
            ChecklistItem(item: "GRRAS 1–2: what was rated, with what instrument",
                          reported: "\(dataset.items.count) responses of \(models.count) subject model(s) (\(models.prefix(4).joined(separator: ", "))\(models.count > 4 ? ", …" : "")), \(conditions) condition(s), \(criteria) criterion question(s) with a known appropriate answer; verdict: appropriate / inappropriate"),
            ChecklistItem(item: "GRRAS 3–4: subjects and raters",
                          reported: "\(humans.count) clinician(s) (\(labelsGiven) current labels) and \(judges.count) LLM judge(s) (\(judges.joined(separator: ", ")))"),
            ChecklistItem(item: "GRRAS 5: sampling",
                          reported: sections.sampling ?? "no recorded sample: the labelled items are taken as a random sample of the judged items (every estimate says so)"),
            ChecklistItem(item: "GRRAS 6–7: rating process and blinding",
                          reported: "\(blind) of \(labelsGiven) labels given blind to the judge first (answers changed after the reveal are counted in the labelling section); adjudicators see raters as R1, R2, …"
                            + (assignment.map { ", overlap \($0.overlap) raters an item, \(Int(($0.repeatFraction * 100).rounded()))% hidden repeats" } ?? "")),
            ChecklistItem(item: "GRRAS 8: statistical analysis",
                          reported: "agreement: percent agreement (continuity-corrected Wilson), Cohen's, Fleiss', Conger's kappa, Krippendorff's alpha, Gwet's AC1, PABAK, with prevalence and bias indices; rates: humans only, Rogan–Gladen, PPI++; intervals \(intervals); \(Int((analysis.options.confidence * 100).rounded()))%, \(analysis.options.resamples) bootstrap resamples, seed \(analysis.options.seed); missing responses \(missingResponse == .inappropriate ? "counted inappropriate" : "left out")"),
            ChecklistItem(item: "GRRAS 9–10: numbers and estimates with uncertainty",
                          reported: "\(analysis.items) items rated by \(analysis.raters.count) raters; every estimate above with its interval, and a mark where the interval cannot be trusted"),
            ChecklistItem(item: "CHART: models, prompts and settings",
                          reported: "\(models.count) model(s) under \(settings) model-and-setting combination(s) (steel-man prompt, context); comparisons paired on the stimuli (\(analysis.adjustment.statement.components(separatedBy: ":").first ?? ""))"),
            ChecklistItem(item: "CHART: sample size",
                          reported: "\(dataset.items.count) responses judged; \(labelsGiven) clinician labels" + (sample.map { "; a sample of \($0.items.count)" } ?? "")),
        ]
        return sections
    }
}
