import ArgumentParser
import Foundation
import ReviewCore
import ReviewUI

/// `judge-review init DIR`: creates a study folder, the unit every other command works on.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a study folder: study.json, an empty items.jsonl and Annotations/.",
        discussion: """
            Then: judge-review import FILES --to DIR; judge-review label DIR --rater NAME; status, agreement, \
            adjudicate and export take DIR, or find it from any folder inside it. A folder that has files and is \
            not a study is refused.
            Example: judge-review init my-study --name "gpt-4o judge validation"
            """)

    @Argument(help: "The study folder to create (new or empty).")
    var folder: String

    @Option(help: "The study's name in reports (default: the folder's name).")
    var name: String?

    @Option(help: "How clinicians label when label is given no --mode: blind (the judge's verdict hidden until they answer) or verdict.")
    var mode: ReviewMode = .blind

    @Option(help: "The order of a clinician with none of their own when label is given no --order and the study assigns none: file or shuffled (a seed drawn per clinician and remembered).")
    var order: OrderSettings.Kind = .file

    @Flag(help: "Let the owner's group read the study (folders 0750, files 0640) instead of owner only.")
    var groupReadable = false

    @Flag(help: "Also make the study a git repository (git init), with a .gitignore for what belongs to one machine (locks, an unfinished write, torn lines set aside) and a .gitattributes that keeps the study's files byte for byte.")
    var git = false

    func run() throws {
        try CommandOutput.reportingErrors(command: "init") {
            let study = try Study.create(at: URL(fileURLWithPath: folder, isDirectory: true), name: name, mode: mode.rawValue,
                                         order: order.rawValue, options: StoreOptions(groupReadable: groupReadable))
            CommandOutput.line("created study \"\(try study.settings().name)\" in \(study.folder.path)")
            CommandOutput.line("  \(Study.settingsFileName), \(Study.itemsFileName) (empty), \(Study.annotationsFolderName)/ and \(Study.annotationsFolderName)/adjudication/")
            if git {
                _ = try StudyRepository.initialize(study, options: StoreOptions(groupReadable: groupReadable))
                CommandOutput.line("  a git repository, with .gitignore (locks, the write journal, set-aside torn lines) and .gitattributes (the study's files byte for byte)")
            }
            CommandOutput.line("next: judge-review import FILES --to \(folder)")
        }
    }
}
