import ArgumentParser
import Foundation
import ReviewCore
import ReviewImport
import ReviewJudge

/// `judge-review import`: reads the paper's result files and canonical datasets into one dataset plus rater logs.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the paper's result files (JSONL, CSV) or canonical datasets into a dataset.",
        discussion: """
            Human answer columns (annotator_1_classification, human_classification, ...) become rater logs in the \
            dataset's annotation folder, with mode "imported". Nothing is written when an input is bad.
            """)

    /// Whether the steel-man therapist prompt was on, as given on the command line.
    enum SteelmanSetting: String, ExpressibleByArgument, CaseIterable {
        case on, off
    }

    @Argument(help: ArgumentHelp("Input files or folders (read recursively): the paper's .jsonl or .csv results (its repository's run folders too), Inspect AI .json logs, any pipeline's CSV/JSONL with --map, or canonical dataset .jsonl files.", valueName: "file|folder"))
    var files: [String] = []

    @Option(name: .long, help: ArgumentHelp("A study folder (made by init) to add the items to, or a dataset file to write; a file's name without .jsonl is the dataset's name.", valueName: "study | dataset.jsonl"))
    var to: String

    @Option(name: .long, help: ArgumentHelp("Folder for the human label logs (default: Annotations/<dataset>/).", valueName: "dir"))
    var annotations: String?

    @Option(name: .long, help: ArgumentHelp("Subject model name for every paper file (default: from the file name).", valueName: "name"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Steel-man prompt on or off for every paper file (default: from the file name).", valueName: "on|off"))
    var steelman: SteelmanSetting?

    @Option(name: .long, help: ArgumentHelp("Columns of a pipeline's own CSV/JSONL: FIELD=COLUMN,... over id, stimulus, context, response, model, condition, question, options, appropriate, judge, judge-model, rationale, stimulus-id; a dotted COLUMN reaches into nested JSON.", valueName: "field=column,..."))
    var map: [String] = []

    @Option(name: .long, help: ArgumentHelp("A human rater's column in a mapped source (repeatable).", valueName: "name=column"))
    var rater: [String] = []

    @Option(name: .long, help: ArgumentHelp("The judge model's name when no column holds it (with --map).", valueName: "name"))
    var judgeModel: String?

    @Option(name: .long, help: ArgumentHelp("What a positive verdict (1, true, yes; pass and C by default appropriate) means, for a verdict column without a criterion question.", valueName: "appropriate|inappropriate"))
    var judgeMeans: String?

    @Option(name: .long, help: ArgumentHelp("Which scorer of an Inspect AI log is the judge, when it has several.", valueName: "name"))
    var scorer: String?

    @Option(name: .customLong("batch-results"), help: ArgumentHelp("A provider's (or vLLM run_batch's) output for a batch judge --write-batch wrote: its verdicts go to the judges' logs in the study.", valueName: "file"))
    var batchResults: String?

    @Option(name: .long, help: ArgumentHelp("With --batch-results: the prompt template the batch was written with (default: the tool's).", valueName: "file"))
    var prompt: String?

    @Option(name: .long, help: ArgumentHelp("Leave out files found in a folder whose name (or path inside the folder) matches this shell pattern (repeatable), e.g. 'all_combined.csv'.", valueName: "pattern"))
    var exclude: [String] = []

    @Option(name: .customLong("stigma-coding"), help: ArgumentHelp("For the stigma experiment's runs: a CSV (question,stigma) naming the questions that enter the stigma share (a shell pattern on the question) and which half of their scale stigmatizes (high or low).", valueName: "file"))
    var stigmaCoding: String?

    @Option(name: .customLong("judge-column"), help: ArgumentHelp("Which <judge>_classification column of a paper file is the judge, when it has several.", valueName: "column"))
    var judgeColumn: String?

    @Option(name: .customLong("as-judge"), help: ArgumentHelp("Attach the files' judge verdicts to the study's items as the further judge NAME (its log in the study's judges folder), leaving the items and every label as they are.", valueName: "name"))
    var asJudge: String?

    @Flag(name: .long, help: "Let the owner's group read the label logs (files 0640, folders 0750) instead of owner only.")
    var groupReadable = false

    func validate() throws {
        if batchResults == nil && files.isEmpty { throw ValidationError("give input files or folders, or --batch-results FILE") }
        if batchResults != nil && !files.isEmpty { throw ValidationError("--batch-results is read alone, without input files") }
        if prompt != nil && batchResults == nil { throw ValidationError("--prompt applies to --batch-results") }
        if asJudge != nil && batchResults != nil { throw ValidationError("--as-judge reads input files; batch results name their judge themselves") }
        if asJudge != nil && (!rater.isEmpty || annotations != nil) { throw ValidationError("--as-judge attaches a judge's verdicts only; --rater and --annotations do not apply") }
    }

    func run() throws {
        if let batchResults {
            try CommandOutput.reportingErrors(command: "import") { try importBatch(batchResults) }
            return
        }
        try CommandOutput.reportingErrors(command: "import") {
            let mapped = !map.isEmpty || !rater.isEmpty || judgeModel != nil || judgeMeans != nil
            var request = ImportRequest(
                inputs: files, output: to, annotations: annotations, model: model,
                steelman: steelman.map { $0 == .on },
                columnMap: mapped ? try ColumnMap.parse(maps: map, raters: rater, judgeModel: judgeModel, judgeMeans: judgeMeans) : nil,
                scorer: scorer, judgeColumn: judgeColumn)
            request.exclude = exclude
            request.stigmaCoding = try stigmaCoding.map { try StigmaCoding.read(path: $0) }
            if let asJudge {
                try attach(request, as: asJudge)
                return
            }
            let (plan, outcome, completed) = try CommandOutput.withProgress {
                try Importer.run(request, groupReadable: groupReadable)
            }
            if let completed { CommandOutput.warning(completed) }
            CommandOutput.keepUntilExit(plan)
            CommandOutput.line(plan.summary(outcome: outcome))
        }
    }

    /// Attaches the files' judge verdicts to the study's items as judge `name`: what its log lacks or answers
    /// otherwise, each verdict durable before the next; items and labels untouched.
    private func attach(_ request: ImportRequest, as name: String) throws {
        let place = try LabelPlace.resolve(to)
        guard let study = place.study else { throw UsageError(option: "--to", "--as-judge attaches to the items of a study folder") }
        CommandOutput.printPlaceNotes(place)
        let attachment = try JudgeAttachment.read(request, study: study)
        let now = Date()
        let verdicts = attachment.answers.map { answer in
            JudgeVerdict.attached(item: answer.item, answer: answer.answer, judge: name, model: answer.model, prompt: answer.prompt,
                                  sourceFile: answer.file, at: now)
        }
        let log = try JudgeLog(annotationFolder: place.annotationFolder, name: name, options: try place.writingOptions(groupReadable: groupReadable))
        defer { log.close() }
        let saved = try log.appendMissing(verdicts, updating: true)
        let summary = attachment.summary(judge: name, saved: saved)
        for warning in summary.warnings { CommandOutput.warning(warning) }
        CommandOutput.line(summary.line)
    }

    /// Reads a batch's results into the judges' logs: what the logs lack, each verdict durable before the next.
    private func importBatch(_ path: String) throws {
        let place = try LabelPlace.resolve(to)
        guard place.study != nil else { throw UsageError(option: "--to", "--batch-results goes into a study folder") }
        CommandOutput.printPlaceNotes(place)
        let dataset = try place.dataset()
        let template = try prompt.map { String(decoding: try SafeFile.read($0, followLinks: true), as: UTF8.self) } ?? JudgePrompt.defaultTemplate
        let reading = try JudgeBatch.results(try SafeFile.read(path, followLinks: true), path: path, dataset: dataset, template: template,
                                             useStoredPrompts: prompt == nil)
        let options = try place.writingOptions(groupReadable: groupReadable)
        var lines: [String] = []
        for (name, verdicts) in reading.verdicts.sorted(by: { $0.key < $1.key }) {
            let log = try JudgeLog(annotationFolder: place.annotationFolder, name: name, options: options)
            defer { log.close() }
            let saved = try log.appendMissing(verdicts)
            lines.append("judge \(name): \(saved) verdict\(saved == 1 ? "" : "s") saved, \(verdicts.count - saved) already in its log")
        }
        for line in lines { CommandOutput.line(line) }
        if reading.stale > 0 { CommandOutput.warning("\(reading.stale) result\(reading.stale == 1 ? "" : "s") for items changed or gone since the batch was written: not saved") }
        if !reading.failed.isEmpty {
            throw JudgeRunError(description: "\(path): \(reading.failed.count) request\(reading.failed.count == 1 ? "" : "s") failed at the provider, not saved: \(reading.failed.prefix(3).joined(separator: "; "))\(reading.failed.count > 3 ? "; …" : "")")
        }
    }
}
