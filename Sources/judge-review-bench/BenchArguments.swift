// The benchmarks' `--name value` options, read one way.
import Foundation
import ReviewConsole
import ReviewCore
import ReviewUI
import TerminalBackend

/// Reads `--name value` pairs; nil (after printing `usage`) for an option not in `names` or one without a value.
enum BenchArguments {
    static func values(_ arguments: [String], names: Set<String>, usage: String) -> [String: String]? {
        var values: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            guard names.contains(arguments[index]), index + 1 < arguments.count else {
                print("usage: \(usage)")
                return nil
            }
            values[arguments[index]] = arguments[index + 1]
            index += 2
        }
        return values
    }
}

/// The label console's first frame on a study, as a clinician opening it meets it: read the dataset, open the
/// rater's log, replay, render and draw (both the dataset and the console benchmarks time this).
enum ConsoleFirstFrame {
    /// Opens the console on `study` for `rater` and draws the first frame at `size`; the caller closes the log
    /// and stops the terminal.
    static func open(study: Study, rater: String, size: TerminalSize) throws -> (console: LabelConsole, log: RaterLog, terminal: NcursesTerminal) {
        // As `label` reads it: summaries from the study index, each item's texts read as it is shown.
        let dataset = try study.dataset(settings: study.settings(), detail: .summaries)
        let log = try RaterLog(folder: study.annotationFolder, rater: rater, cache: (study, dataset))
        let configuration = LabelConsoleConfiguration(
            dataset: dataset, rater: rater, mode: .blind,
            order: ItemOrder.positions(count: dataset.items.count, shuffledWithSeed: nil), history: log.events,
            historyPositions: log.knownPositions)
        let console = LabelConsole(configuration, now: Date())
        let terminal = try NcursesTerminal(termType: "xterm-256color", inputPath: "/dev/null", outputPath: "/dev/null", size: size)
        terminal.draw(console.render(size: size))
        return (console, log, terminal)
    }
}
