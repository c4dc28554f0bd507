import ArgumentParser
import Foundation
import ReviewCore
import ReviewUI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `judge-review demo`: the label console on the bundled demo dataset, to try it out.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Try the label console on the demo dataset (labels go to the repository's Annotations/demo/).",
        discussion: "Example: swift run judge-review demo --rater me")

    @Option(help: "The rater name the demo labels are saved under.")
    var rater = "demo-rater"

    @Option(help: "blind or verdict.")
    var mode: ReviewMode = .blind

    @Flag(help: "Only check that the demo dataset loads (for CI, where there is no terminal), then exit.")
    var check = false

    @OptionGroup(title: "Session (breaks, cap, notices)")
    var session: SessionOptions

    func run() throws {
        try CommandOutput.reportingErrors(command: "demo", demo)
    }

    private func demo() throws {
        let rules = try session.resolve(SessionProtocol())
        let file = try DemoDataset.locate()
        let dataset = try Dataset.read(from: file)
        let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        if check || !interactive {
            let message = "demo dataset: \(dataset.items.count) items in \(file.path). The demo is interactive: run `swift run judge-review demo` (or `judge-review demo`) in a terminal of at least 80x24."
            if check {
                CommandOutput.line(message)
                return
            }
            throw LabelCommandError("no terminal here. " + message + " Use --check to only check the dataset.")
        }
        try LabelSession.run(LabelSessionOptions(
            dataset: dataset, rater: rater, mode: mode, order: nil, seed: nil,
            annotationsFolder: DemoData.annotationFolder(forDataset: file),
            hideAppropriate: false, groupReadable: false, session: rules))
    }
}

/// Finds the demo dataset file.
enum DemoDataset {
    /// `Stimuli/demo/demo.jsonl` in the current folder or the nearest one above it, else in the repository
    /// the binary was built in (`.build/<config>/judge-review`).
    static func locate() throws -> URL {
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        if let found = DemoData.datasetURL(searchingFrom: current) { return found }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        if let found = DemoData.datasetURL(searchingFrom: executable.deletingLastPathComponent()) { return found }
        throw LabelCommandError("\(DemoData.datasetRelativePath): no such file here or in any folder above; run judge-review demo inside the repository")
    }
}
