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

    @Argument(help: ArgumentHelp("Input files: the paper's .jsonl or .csv results, or canonical dataset .jsonl files.", valueName: "file"))
    var files: [String]

    @Option(name: .long, help: ArgumentHelp("A study folder (made by init) to add the items to, or a dataset file to write; a file's name without .jsonl is the dataset's name.", valueName: "study | dataset.jsonl"))
    var to: String

    @Option(name: .long, help: ArgumentHelp("Folder for the human label logs (default: Annotations/<dataset>/).", valueName: "dir"))
    var annotations: String?

    @Option(name: .long, help: ArgumentHelp("Subject model name for every paper file (default: from the file name).", valueName: "name"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Steel-man prompt on or off for every paper file (default: from the file name).", valueName: "on|off"))
    var steelman: SteelmanSetting?

    @Flag(name: .long, help: "Let the owner's group read the label logs (files 0640, folders 0750) instead of owner only.")
    var groupReadable = false

    func run() throws {
        let request = ImportRequest(
            inputs: files, output: to, annotations: annotations, model: model,
            steelman: steelman.map { $0 == .on })
        try CommandOutput.reportingErrors(command: "import") {
            let (plan, outcome) = try CommandOutput.withProgress {
                let plan = try Importer.plan(request)
                return (plan, try plan.write(options: StoreOptions(groupReadable: groupReadable)))
            }
            CommandOutput.line(plan.summary(outcome: outcome))
        }
    }
}
