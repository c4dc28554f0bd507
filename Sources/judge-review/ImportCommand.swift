import ArgumentParser
import Foundation
import ReviewCore
import ReviewImport

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
    var files: [String]

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

    @Flag(name: .long, help: "Let the owner's group read the label logs (files 0640, folders 0750) instead of owner only.")
    var groupReadable = false

    func run() throws {
        try CommandOutput.reportingErrors(command: "import") {
            let mapped = !map.isEmpty || !rater.isEmpty || judgeModel != nil || judgeMeans != nil
            let request = ImportRequest(
                inputs: files, output: to, annotations: annotations, model: model,
                steelman: steelman.map { $0 == .on },
                columnMap: mapped ? try ColumnMap.parse(maps: map, raters: rater, judgeModel: judgeModel, judgeMeans: judgeMeans) : nil,
                scorer: scorer)
            let (plan, outcome, completed) = try CommandOutput.withProgress {
                try Importer.run(request, groupReadable: groupReadable)
            }
            if let completed { CommandOutput.warning(completed) }
            CommandOutput.keepUntilExit(plan)
            CommandOutput.line(plan.summary(outcome: outcome))
        }
    }
}
