import ArgumentParser
import Foundation
import ReviewCore

/// `judge-review export`: the reference (gold) labels, every current label (long), or the ratings table (wide), as CSV.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export gold, long or wide CSV files of a dataset's labels.",
        discussion: """
            --gold: item,answer,verdict,source (adjudicated | unanimous | majority | tie; a tie has an empty answer).
            --long: item,rater,answer,verdict,mode,judge_seen_first,at; one row per current label, the judge as judge:<model>.
            --wide: item,<rater>,...; the table `agreement --ratings` reads (verdicts by default, --on answers for raw answers).
            Files are written whole (temporary file, then rename).
            """)

    @Argument(help: "The dataset file (canonical JSONL).")
    var dataset: String

    @Option(help: "The annotation folder (default: Annotations/<dataset name>/).")
    var annotations: String?

    @Option(help: "Write the reference label per item to this CSV file.")
    var gold: String?

    @Option(help: "Write one row per current label (judge included) to this CSV file.")
    var long: String?

    @Option(help: "Write the item × rater ratings table to this CSV file.")
    var wide: String?

    @Option(help: "What the wide table holds: verdicts (default) or answers.")
    var on: WideValuesOption = .verdicts

    func validate() throws {
        let outputs = [gold, long, wide].compactMap { $0 }
        if outputs.isEmpty { throw ValidationError("give at least one of --gold, --long, --wide") }
        if Set(outputs.map { URL(fileURLWithPath: $0).standardizedFileURL.path }).count != outputs.count {
            throw ValidationError("--gold, --long and --wide must be different files")
        }
    }

    func run() throws {
        let datasetURL = URL(fileURLWithPath: dataset)
        let data = try Dataset.read(from: datasetURL)
        let folder = AnnotationPaths.folder(datasetName: data.name, override: annotations)
        let labels = try CurrentLabels.load(folder: folder, dataset: data)
        if let gold {
            let humanAnswers = labels.filter { !$0.key.hasPrefix("judge:") }.mapValues { $0.compactMapValues { $0.kind == .label ? $0.answer : nil } }
            let adjudicated = try AdjudicationLogs.resolution(annotationFolder: folder, dataset: data)
            let reference = ReferenceLabels.build(humanAnswers: humanAnswers, adjudicated: adjudicated)
            let rows = LabelExports.goldRows(dataset: data, reference: reference)
            try write(CSVText.document(header: LabelExports.goldHeader, rows: rows), to: gold)
            var counts: [String: Int] = [:]
            for row in rows { counts[row[3], default: 0] += 1 }
            let summary = [ReferenceSource.adjudicated, .unanimous, .majority, .tie].map { "\($0.rawValue) \(counts[$0.rawValue] ?? 0)" }.joined(separator: ", ")
            print("wrote \(gold): \(rows.count) items (\(summary))")
        }
        if let long {
            let rows = LabelExports.longRows(dataset: data, labels: labels)
            try write(CSVText.document(header: LabelExports.longHeader, rows: rows), to: long)
            print("wrote \(long): \(rows.count) labels")
        }
        if let wide {
            let table = LabelExports.wideTable(dataset: data, labels: labels, on: on.values)
            try write(LabelExports.wideCSV(dataset: data, labels: labels, on: on.values), to: wide)
            print("wrote \(wide): \(table.rows.count) items × \(table.raters.count) raters (\(on.rawValue))")
        }
    }

    /// Writes a whole file atomically; the labels are research data, so the file is private (0600) like the logs.
    private func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try AtomicFile.write(data, to: url, permissions: 0o600)
        } catch let error as FileWriteError where error.message.hasPrefix("\(url.path): ") {
            // Name the file as the user gave it, once.
            throw InputError(file: path, String(error.message.dropFirst(url.path.count + 2)))
        } catch {
            throw InputError(file: path, "cannot write: \(error)")
        }
    }
}

/// The `--on` choices of the wide export.
enum WideValuesOption: String, ExpressibleByArgument, CaseIterable {
    case verdicts, answers

    var values: WideExportValues { self == .verdicts ? .verdicts : .answers }
}
