import ArgumentParser
import Foundation
import ReviewCore
import ReviewJudge

/// `judge-review export`: the reference (gold) labels, every current label (long), or the ratings table (wide), as CSV.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export gold, long or wide CSV files of a dataset's labels.",
        discussion: """
            --gold: item,answer,verdict,source (adjudicated | unanimous | majority | single | tie; a tie has an empty answer).
            --long: one row per current label (answer, verdict, mode, blindness, time, first answer, flag, note, the item's design and sample weight), the judge as judge:<model>.
            --wide: item,<rater>,...; the table `agreement --ratings` reads (verdicts by default, --on answers for raw answers).
            Files are written whole: every table to a temporary file first, then all renamed into place, so a \
            failure leaves every output as it was. No output may be the dataset, a file in the annotation folder, \
            or any label log, lock or order file. - writes that one table to standard output.
            """)

    @Argument(help: "A study folder (or a path inside one) or a dataset .jsonl file; default: the study around the current folder.")
    var dataset: String?

    @Option(help: "The annotation folder, when the logs are not where the study or dataset keeps them.")
    var annotations: String?

    @Option(help: "Write the reference label per item to this CSV file (- for standard output).")
    var gold: String?

    @Option(help: "Write one row per current label (judge included) to this CSV file (- for standard output).")
    var long: String?

    @Option(help: "Write the item × rater ratings table to this CSV file (- for standard output).")
    var wide: String?

    @Option(help: "Write the items, current labels, decisions and further judges' verdicts as CSV tables, with load.sql to load them into DuckDB and write Parquet, into this folder (made if missing).")
    var duckdb: String?

    @Option(help: "What the wide table holds: verdicts (default) or answers.")
    var on: WideValuesOption = .verdicts

    func validate() throws {
        let outputs = [gold, long, wide].compactMap { $0 }
        if outputs.isEmpty && duckdb == nil { throw ValidationError("give at least one of --gold, --long, --wide, --duckdb") }
        if duckdb == "-" { throw ValidationError("--duckdb takes a folder, not -") }
        if Set(outputs.map { $0 == "-" ? "-" : URL(fileURLWithPath: $0).standardizedFileURL.path }).count != outputs.count {
            throw ValidationError("--gold, --long and --wide must be different files (and at most one of them -)")
        }
    }

    func run() throws {
        try CommandOutput.reportingErrors(command: "export", export)
    }

    /// One table to write: where, its bytes, and the line that says what it holds.
    private struct Table {
        var path: String
        var data: Data
        var summary: String
    }

    /// Builds every table in memory, checks every target, writes them all to temporary files, and only then
    /// renames them into place: all outputs or none. `-` sends its table to standard output.
    private func export() throws {
        let place = try LabelPlace.resolve(dataset, annotations: annotations)
        CommandOutput.printPlaceNotes(place)
        let datasetURL = place.datasetFile
        let folder = place.annotationFolder
        let study = try CommandOutput.withProgress { try place.labels(detail: duckdb == nil ? .summaries : .texts) }
        CommandOutput.keepUntilExit(study)
        CommandOutput.printReplayNotes(study)
        let data = study.dataset
        var tables: [Table] = []
        // The sample's strata and inclusion probabilities, for the long table and the DuckDB items.
        let design = long == nil && duckdb == nil ? nil
            : try place.study.flatMap { try ValidationSample.load(from: $0) }.map { SampleDesign(sample: $0, dataset: data) }
        if let gold {
            let reference = study.references()
            let rows = LabelExports.goldRows(dataset: data, reference: reference)
            var counts: [String: Int] = [:]
            for row in rows { counts[row[3], default: 0] += 1 }
            let summary = ReferenceSource.allCases.map { "\($0.rawValue) \(counts[$0.rawValue] ?? 0)" }.joined(separator: ", ")
            tables.append(Table(path: gold, data: LabelExports.goldCSV(rows),
                                summary: "\(rows.count) items (\(summary))"))
        }
        if let long {
            // Each rater's first blind answer beside the current one.
            let firstLabels = Dictionary(study.humanReplays.map { ($0.rater, $0.firstLabels) }, uniquingKeysWith: { first, _ in first })
            let rows = LabelExports.longRows(dataset: data, labels: study.current, firstLabels: firstLabels, design: design)
            tables.append(Table(path: long, data: LabelExports.longCSV(rows), summary: "\(rows.count) labels"))
        }
        if let wide {
            let table = LabelExports.wideTable(dataset: data, answers: study.answerColumns, on: on.values)
            tables.append(Table(path: wide, data: LabelExports.wideCSV(table),
                                summary: "\(table.rows.count) items × \(table.raters.count) raters (\(on.rawValue))"))
        }
        if let duckdb {
            let export = DuckDBExport.files(
                labels: study, furtherJudges: try JudgeLog.answers(annotationFolder: folder, dataset: data), design: design)
            let target = URL(fileURLWithPath: duckdb, isDirectory: true)
            for file in export.files {
                tables.append(Table(path: target.appendingPathComponent(file.name).path, data: file.data,
                                    summary: file.name == DuckDBExport.scriptName ? "loads the tables into DuckDB (\(export.summary)) and writes Parquet" : "a table for DuckDB"))
            }
        }
        let guardrail = OutputGuard(dataset: datasetURL, annotationFolder: folder)
        for table in tables where table.path != "-" { try guardrail.check(output: table.path) }
        if let duckdb { try DuckDBExport.makeFolder(URL(fileURLWithPath: duckdb, isDirectory: true)) }
        let files = tables.filter { $0.path != "-" }
        // The labels are research data, so the files are private (0600) like the logs.
        try AtomicFile.writeAll(files.map { ($0.data, URL(fileURLWithPath: $0.path)) }, permissions: FileModes.file())
        let toStandardOutput = tables.first { $0.path == "-" }
        if let table = toStandardOutput { CommandOutput.machine(String(decoding: table.data, as: UTF8.self)) }
        for table in files {
            // With a table on standard output, what was written is said on standard error, out of the table's way.
            let line = "wrote \(table.path): \(table.summary)"
            if toStandardOutput != nil { CommandOutput.note(line) } else { CommandOutput.line(line) }
        }
        CommandOutput.note(place.description)
    }
}

/// The `--on` choices of the wide export.
enum WideValuesOption: String, ExpressibleByArgument, CaseIterable {
    case verdicts, answers

    var values: WideExportValues { self == .verdicts ? .verdicts : .answers }
}
