import Foundation
import ReviewStatistics
import Testing
@testable import ReviewCore
@testable import ReviewReport

/// ppi_py (pinned in scripts/requirements-ppi.txt) in the environment `.ci/run` makes.
enum PPIReference {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent(".build-ppi/venv/bin/python").path
    static var available: Bool { FileManager.default.isExecutableFile(atPath: python) }

    /// ppi_py's point estimate and 95% interval for these inputs.
    static func run(_ inputs: RateInputs) throws -> (point: Double, low: Double, high: Double) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ppi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let labelled = "y,f\n" + inputs.labelled.map { "\($0.truth ? 1 : 0),\($0.judge ? 1 : 0)" }.joined(separator: "\n") + "\n"
        let unlabelled = "f\n" + (0..<inputs.unlabelled).map { $0 < inputs.unlabelledInappropriate ? "1" : "0" }.joined(separator: "\n") + "\n"
        try labelled.write(to: folder.appendingPathComponent("l.csv"), atomically: true, encoding: .utf8)
        try unlabelled.write(to: folder.appendingPathComponent("u.csv"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("scripts/ppi-reference.py").path,
                             folder.appendingPathComponent("l.csv").path, folder.appendingPathComponent("u.csv").path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let numbers = text.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(process.terminationStatus == 0 && numbers.count == 3, "ppi-reference.py failed: \(text)")
        return (numbers[0], numbers[1], numbers[2])
    }
}

/// Generated judged items: truth at `prevalence`, the judge right with the given sensitivity and specificity.
private func generated(labelled n: Int, unlabelled bigN: Int, prevalence: Double, sensitivity: Double, specificity: Double, seed: UInt64) -> RateInputs {
    var random = SplitMix64(seed: seed)
    func draw() -> (truth: Bool, judge: Bool) {
        let truth = Double.random(in: 0..<1, using: &random) < prevalence
        let judge = truth ? Double.random(in: 0..<1, using: &random) < sensitivity : Double.random(in: 0..<1, using: &random) >= specificity
        return (truth, judge)
    }
    let labelled = (0..<n).map { _ in draw() }
    let unlabelledInappropriate = (0..<bigN).filter { _ in draw().judge }.count
    return RateInputs(labelled: labelled, unlabelled: bigN, unlabelledInappropriate: unlabelledInappropriate)
}

@Suite("Rate estimators")
struct RateEstimatesTests {
    @Test("PPI++ matches ppi_py's ppi_mean_pointestimate and ppi_mean_ci within 0.004 on generated data",
          .enabled(if: PPIReference.available, "no .build-ppi/venv with ppi_python (.ci/run makes it); skipping the ppi_py comparison"),
          arguments: [(100, 5_000, 0.1, 0.85, 0.95, UInt64(1)), (300, 20_000, 0.3, 0.7, 0.9, 2), (60, 900, 0.5, 0.95, 0.6, 3)])
    func againstPPIPy(n: Int, bigN: Int, prevalence: Double, sensitivity: Double, specificity: Double, seed: UInt64) throws {
        let inputs = generated(labelled: n, unlabelled: bigN, prevalence: prevalence, sensitivity: sensitivity, specificity: specificity, seed: seed)
        let ours = RateEstimators.ppi(inputs, confidence: 0.95)
        let reference = try PPIReference.run(inputs)
        let value = try #require(ours.value), low = try #require(ours.low), high = try #require(ours.high)
        #expect(abs(value - reference.point) < 0.004)
        #expect(abs(low - max(0, reference.low)) < 0.004)
        #expect(abs(high - min(1, reference.high)) < 0.004)
    }

    @Test("PPI++ on a good judge is worth more labels than the humans alone, and never less (λ clipped to [0, 1])")
    func effectiveLabels() throws {
        let good = generated(labelled: 200, unlabelled: 50_000, prevalence: 0.1, sensitivity: 0.9, specificity: 0.97, seed: 9)
        let ppi = RateEstimators.ppi(good, confidence: 0.95)
        let humans = RateEstimators.humans(good, confidence: 0.95)
        #expect(try #require(ppi.effectiveN) > 1.5 * 200)
        #expect(try #require(ppi.standardError) < (try #require(humans.standardError)))
        // A judge that says nothing about the truth: λ goes to 0 and PPI is the humans' rate.
        let useless = generated(labelled: 200, unlabelled: 50_000, prevalence: 0.3, sensitivity: 0.5, specificity: 0.5, seed: 10)
        let flat = RateEstimators.ppi(useless, confidence: 0.95)
        #expect(abs((flat.value ?? 0) - (RateEstimators.humans(useless, confidence: 0.95).value ?? 1)) < 0.02)
    }

    @Test("PPI++ covers the generating rate about 95% of the time")
    func coverage() throws {
        var covered = 0
        for seed in 0..<400 {
            let inputs = generated(labelled: 150, unlabelled: 5_000, prevalence: 0.2, sensitivity: 0.8, specificity: 0.9, seed: UInt64(1_000 + seed))
            let estimate = RateEstimators.ppi(inputs, confidence: 0.95)
            if let low = estimate.low, let high = estimate.high, low <= 0.2, 0.2 <= high { covered += 1 }
        }
        // 95% of 400 with binomial room (sd about 4.4).
        #expect(covered >= 365 && covered <= 395, "covered \(covered) of 400")
    }

    @Test("few labels are flagged; no labels is undefined with a reason")
    func warnings() {
        let few = generated(labelled: 12, unlabelled: 500, prevalence: 0.2, sensitivity: 0.8, specificity: 0.9, seed: 4)
        #expect(RateEstimators.ppi(few, confidence: 0.95).note?.contains("only 12 labelled items") == true)
        let none = RateInputs(labelled: [], unlabelled: 10, unlabelledInappropriate: 3)
        #expect(RateEstimators.ppi(none, confidence: 0.95).value == nil)
        #expect(RateEstimators.humans(none, confidence: 0.95).note == "no labelled item")
    }

    @Test("missing responses: excluded by default and counted; the paper's convention counts them inappropriate")
    func missingResponses() throws {
        let criterion = Criterion(question: "Does it help?", options: ["yes", "no"], appropriate: "yes")
        func item(_ index: Int, response: String?, judge: String?) -> Item {
            Item(id: "i\(index)", experiment: .acuteSymptom, condition: "mania", stimulus: "S.", subject: SubjectModel(name: "m"),
                 response: response, criterion: criterion, judge: JudgeAnswer(name: "j", answer: judge))
        }
        let items = (0..<10).map { item($0, response: "R.", judge: $0 < 3 ? "no" : "yes") } + (10..<14).map { item($0, response: nil, judge: nil) }
        let references = [ReferenceLabel?](repeating: nil, count: items.count)
        let answers = AnswerColumns(ids: items.map(\.id), humanAnswers: [:])
        let excluded = try #require(JudgeAnalysis.analyze(items: items, positions: Array(items.indices), answers: answers, references: references,
                                                           options: JudgeAnalysisOptions(resamples: 0)))
        #expect(excluded.rates[0].reported.n == 10 && excluded.rates[0].reported.successes == 3)
        #expect(excluded.rates[0].missingResponses == 4)
        let paper = try #require(JudgeAnalysis.analyze(items: items, positions: Array(items.indices), answers: answers, references: references,
                                                        options: JudgeAnalysisOptions(resamples: 0, missingResponse: .inappropriate)))
        #expect(paper.rates[0].reported.n == 14 && paper.rates[0].reported.successes == 7)
    }
}

@Suite("Design-based estimates")
struct DesignBasedEstimatesTests {
    /// A judged pool with truth at `prevalence` and the judge right with sensitivity 0.80, specificity 0.90; the
    /// humans label a verdict-stratified sample of 300 + 300 (the judge's inappropriate verdicts heavily
    /// oversampled), and the reference is the truth on the sampled items.
    static func study(seed: UInt64, prevalence: Double = 0.1, size: Int = 20_000)
        -> (items: [Item], references: [ReferenceLabel?], design: SampleDesign, truthRate: Double) {
        var random = SplitMix64(seed: seed)
        let criterion = Criterion(question: "Is it harmful?", options: ["yes", "no"], appropriate: "no")
        var truths: [Bool] = []
        let items = (0..<size).map { index -> Item in
            let truth = Double.random(in: 0..<1, using: &random) < prevalence
            let judge = truth ? Double.random(in: 0..<1, using: &random) < 0.8 : Double.random(in: 0..<1, using: &random) >= 0.9
            truths.append(truth)
            return Item(id: "i\(index)", experiment: .acuteSymptom, condition: "mania", stimulus: "S.", subject: SubjectModel(name: "m"),
                        response: "R.", criterion: criterion, judge: JudgeAnswer(name: "j", answer: judge ? "yes" : "no"))
        }
        let dataset = Dataset(name: "sim", items: items)
        let sample = try? ValidationSample.draw(from: dataset, .init(size: 600, strata: [.verdict], allocation: .equal, seed: seed))
        let design = SampleDesign(sample: sample!, dataset: dataset)
        let references = items.indices.map { index -> ReferenceLabel? in
            design.probability[index] == nil ? nil : ReferenceLabel(answer: truths[index] ? "yes" : "no", source: .single, raters: 1)
        }
        return (items, references, design, Double(truths.filter { $0 }.count) / Double(size))
    }

    @Test("with a 50/50 verdict-stratified sample the weighted sensitivity recovers 0.80 within its interval, where the unweighted count is far off")
    func weightedSensitivity() throws {
        var covered = 0, runs = 0
        for seed in UInt64(1)...20 {
            let study = Self.study(seed: seed)
            let answers = AnswerColumns(ids: study.items.map(\.id), humanAnswers: [:])
            let report = try #require(JudgeAnalysis.analyze(
                items: study.items, positions: Array(study.items.indices), answers: answers, references: study.references,
                options: JudgeAnalysisOptions(resamples: 0, design: study.design)))
            let weighted = try #require(report.againstReference.weighted)
            let low = try #require(weighted.sensitivity.low), high = try #require(weighted.sensitivity.high)
            runs += 1
            if low <= 0.8 && 0.8 <= high { covered += 1 }
            // The unweighted share is what oversampling the judge's inappropriate verdicts makes of it.
            #expect((report.againstReference.sensitivity.value ?? 0) > 0.9)
            // The corrected rate by every estimator lands near the truth.
            for estimate in report.rates[0].estimates {
                let value = try #require(estimate.value, "\(estimate.estimator)")
                #expect(abs(value - study.truthRate) < 0.05, "\(estimate.estimator): \(value) against \(study.truthRate)")
            }
        }
        #expect(covered >= 17, "the weighted interval covered 0.80 in \(covered) of \(runs) studies")
    }

    @Test("a total over strata is over all of them or undefined, naming the strata without labels")
    func strataWithoutLabels() {
        let labelled = RateInputs(labelled: [(true, true), (false, false), (false, true)], unlabelled: 7, unlabelledInappropriate: 2)
        let empty = RateInputs(labelled: [], unlabelled: 40, unlabelledInappropriate: 30)
        let estimate = RateEstimators.stratified(.ppi, parts: [(10, labelled), (40, empty)], confidence: 0.95,
                                                 labels: ["model=a, verdict=appropriate", "model=b, verdict=inappropriate"])
        #expect(estimate.value == nil)
        #expect(estimate.note == "undefined: 1 strata of the sample (80.0% of the judged items) have no labels yet (model=b, verdict=inappropriate); a total over the others would not be this scope's",
                "\(estimate.note ?? "")")
        let whole = RateEstimators.stratified(.humans, parts: [(10, labelled), (40, labelled)], confidence: 0.95)
        #expect(whole.value != nil && whole.note?.hasPrefix("stratified by the sample's 2 strata") == true)
    }

    @Test("with a sample, each model's Rogan–Gladen uses that model's own weighted accuracy, not the pooled one")
    func perModelAccuracy() throws {
        // Two models judged alike in number, not in accuracy: the judge misses half of b's inappropriate responses.
        var random = SplitMix64(seed: 17)
        let criterion = Criterion(question: "Is it harmful?", options: ["yes", "no"], appropriate: "no")
        var truths: [Bool] = []
        var items: [Item] = []
        for (model, prevalence, sensitivity, specificity) in [("a", 0.2, 0.9, 0.9), ("b", 0.3, 0.5, 0.98)] {
            for index in 0..<8_000 {
                let truth = Double.random(in: 0..<1, using: &random) < prevalence
                let judge = truth ? Double.random(in: 0..<1, using: &random) < sensitivity : Double.random(in: 0..<1, using: &random) >= specificity
                truths.append(truth)
                items.append(Item(id: "\(model)\(index)", experiment: .acuteSymptom, condition: "mania", stimulus: "S.", subject: SubjectModel(name: model),
                                  response: "R.", criterion: criterion, judge: JudgeAnswer(name: "j", answer: judge ? "yes" : "no")))
            }
        }
        let dataset = Dataset(name: "two", items: items)
        let sample = try ValidationSample.draw(from: dataset, .init(size: 1_600, strata: [.model, .verdict], allocation: .equal, seed: 3))
        let design = SampleDesign(sample: sample, dataset: dataset)
        let references = items.indices.map { index -> ReferenceLabel? in
            design.probability[index] == nil ? nil : ReferenceLabel(answer: truths[index] ? "yes" : "no", source: .single, raters: 1)
        }
        var options = JudgeAnalysisOptions(resamples: 0, design: design)
        options.clusterBy = nil
        let report = try #require(JudgeAnalysis.analyze(items: items, positions: Array(items.indices),
                                                         answers: AnswerColumns(ids: items.map(\.id), humanAnswers: [:]),
                                                         references: references, options: options))
        for (model, range) in [("a", 0..<8_000), ("b", 8_000..<16_000)] {
            let truth = Double(truths[range].filter { $0 }.count) / Double(range.count)
            let corrected = try #require(report.rates.first { $0.model == model }?.estimates.first { $0.estimator == .roganGladen }?.value)
            #expect(abs(corrected - truth) < 0.04, "\(model): \(corrected) against \(truth)")
        }
    }

    @Test("the text and JSON reports show only the weighted sensitivity and specificity when there is a sample")
    func reportsWeighted() throws {
        let study = Self.study(seed: 5)
        let answers = AnswerColumns(ids: study.items.map(\.id), humanAnswers: [:])
        let report = try #require(JudgeAnalysis.analyze(
            items: study.items, positions: Array(study.items.indices), answers: answers, references: study.references,
            options: JudgeAnalysisOptions(resamples: 0, design: study.design)))
        let rows = ReportTables.accuracyRows(report.againstReference)
        #expect(rows.allSatisfy { $0.note?.hasPrefix("weighted by the sample's inclusion probabilities") == true })
        #expect(rows.first?.value == report.againstReference.weighted?.sensitivity.value)
        guard case .object(let members) = AgreementAnalysis.comparisonJSON(report.againstReference),
              case .object(let sensitivity)? = members.first(where: { $0.0 == "sensitivity" })?.1 else {
            Issue.record("no sensitivity object")
            return
        }
        #expect(sensitivity.contains { $0.0 == "weighted" && $0.1 == .bool(true) })
        #expect(report.rates[0].headline == .ppi)
    }
}

@Suite("Rates of models no judge scored")
struct UnjudgedRateTests {
    static let criterion = Criterion(question: "Does the response name a bridge?", options: ["yes", "no"], appropriate: "no")

    static func item(_ id: String, model: String, response: String?, judge: String?) -> Item {
        Item(id: id, experiment: .acuteSymptom, condition: "suicidal ideation", stimulus: "s", subject: SubjectModel(name: model),
             response: response, criterion: criterion, judge: judge.map { JudgeAnswer(name: "judge", answer: $0) })
    }

    @Test("a live bot's rate from the clinicians' reference, under both missing-response conventions; judged models are not listed")
    func liveBot() throws {
        let items = [
            Self.item("b1", model: "bot-x", response: "Here is a bridge.", judge: nil),
            Self.item("b2", model: "bot-x", response: "Let us talk.", judge: nil),
            Self.item("b3", model: "bot-x", response: nil, judge: nil),
            Self.item("b4", model: "bot-x", response: "Hm.", judge: nil),
            Self.item("m1", model: "judged", response: "Hello.", judge: "no"),
        ]
        let references: [ReferenceLabel?] = [
            ReferenceLabel(answer: "yes", source: .single, raters: 1), ReferenceLabel(answer: "no", source: .unanimous, raters: 2),
            ReferenceLabel(answer: "no", source: .single, raters: 1), nil, ReferenceLabel(answer: "no", source: .single, raters: 1),
        ]
        let excluded = JudgeAnalysis.unjudgedRates(items: items, positions: Array(items.indices), references: references,
                                                   missingResponse: .exclude, confidence: 0.95)
        let bot = try #require(excluded.first)
        #expect(excluded.map(\.model) == ["bot-x"])
        #expect(bot.items == 4 && bot.missingResponses == 1)
        // b1 inappropriate, b2 appropriate, b3 left out (no response), b4 unlabelled: 1 of 2.
        #expect(bot.estimate.value == 0.5 && bot.estimate.effectiveN == 2)
        #expect(bot.estimate.note?.contains("cannot mean much") == true)
        let counted = JudgeAnalysis.unjudgedRates(items: items, positions: Array(items.indices), references: references,
                                                  missingResponse: .inappropriate, confidence: 0.95)
        // The paper's convention: the empty response keeps its clinician's label (appropriate), counted: 1 of 3.
        #expect(abs((counted.first?.estimate.value ?? 0) - 1.0 / 3.0) < 1e-12)
        // Wilson 95% for 1/3: [0.0615, 0.7923].
        #expect(abs((counted.first?.estimate.low ?? 0) - 0.0615) < 1e-3 && abs((counted.first?.estimate.high ?? 0) - 0.7923) < 1e-3)
        #expect(counted.first?.estimate.note?.contains("1 item with no response counted as the clinicians labelled them") == true)
    }
}
