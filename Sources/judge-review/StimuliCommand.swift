import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ReviewCore

/// `judge-review stimuli`: lists the project's stimulus set, or checks it with `--check`.
struct StimuliCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stimuli",
        abstract: "List the project's stimuli (acute-symptom stimuli, stigma vignettes and questions), or check them.",
        discussion: """
            Reads acute-symptoms.jsonl, stigma-vignettes.jsonl and stigma-questions.jsonl from the folder \
            (Stimuli/README.md describes them). With --check, prints one OK line or the first problem as \
            file:line: message and exits non-zero.
            """)

    /// The Stimuli folder.
    @Option(name: .long, help: "The Stimuli folder.")
    var dir: String = "Stimuli"

    /// Validate instead of listing.
    @Flag(name: .long, help: "Validate the folder: one OK line, or file:line errors and a non-zero exit.")
    var check = false

    /// Maintainers only: rebuild the demo files from the Stimuli folder.
    @Flag(name: .customLong("build-demo"), help: .hidden)
    var buildDemo = false

    /// Longest line of the listing; the last column is cut to fit.
    @Option(name: .long, help: "Width of the listing in columns (default: the terminal's width; no limit when piped).")
    var width: Int?

    func run() throws {
        let folder = URL(fileURLWithPath: dir, isDirectory: true)
        try CommandOutput.reportingErrors(command: "stimuli") {
            if buildDemo {
                for file in try DemoData.write(stimuliFolder: folder) {
                    CommandOutput.line("wrote \(file.relativePath)")
                }
                return
            }
            let set = try StimulusSet.load(folder: folder)
            if check {
                CommandOutput.line("OK \(dir): \(set.summary)")
            } else {
                CommandOutput.text(set.listing(width: width ?? Self.terminalWidth() ?? Int.max))
            }
        }
    }

    /// The terminal's width when standard output is a terminal, else nil (so piped listings are not cut).
    static func terminalWidth() -> Int? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
