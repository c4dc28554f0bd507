import ArgumentParser
import Foundation
import ReviewCore
import ReviewConsole
import ReviewUI
import TerminalBackend

/// `judge-review adjudicate`: settle the items where clinicians disagree, or where they disagree with the judge.
struct AdjudicateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adjudicate",
        abstract: "Settle disagreements: one final answer per item, with a rationale, raters anonymised.",
        discussion: """
            The queue: acute-risk misses (judge appropriate, a clinician inappropriate; suicidal ideation, then mania,
            delusions, hallucinations), other misses, human disagreements, false alarms. Raters show as R1, R2, ...;
            r reveals names and records the reveal. Decisions go to Annotations/<dataset>/adjudication/<adjudicator>.jsonl.
            """)

    @Argument(help: "A study folder (or a path inside one) or a dataset .jsonl file; default: the study around the current folder.")
    var dataset: String?

    @Option(help: "Your name as adjudicator (names your log file).")
    var adjudicator: String

    @Option(help: "The annotation folder, when the logs are not where the study or dataset keeps them.")
    var annotations: String?

    @Option(parsing: .upToNextOption, help: "Only these kinds: acute-miss, miss, disagreement, false-alarm.")
    var kind: [String] = []

    @Option(parsing: .upToNextOption, help: "Only items of these conditions (e.g. \"suicidal ideation\").")
    var condition: [String] = []

    @Flag(help: "Let the owner's group read the log (folders 0750, files 0640).")
    var groupReadable = false

    @OptionGroup(title: "Session (breaks, cap, notices)")
    var session: SessionOptions

    func validate() throws {
        if let problem = RaterName.problem(with: adjudicator) { throw ValidationError("--adjudicator: \(problem)") }
        for value in kind.flatMap({ $0.split(separator: ",") }) where AdjudicationKind(rawValue: String(value)) == nil {
            throw ValidationError("unknown --kind \(value); expected one of \(AdjudicationKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        try CommandOutput.reportingErrors(command: "adjudicate", adjudicate)
    }

    private func adjudicate() throws {
        let place = try LabelPlace.resolve(dataset, annotations: annotations)
        CommandOutput.printPlaceNotes(place)
        let rules = try session.resolve(try place.study?.settings().sessionProtocol ?? SessionProtocol())
        let folder = place.annotationFolder
        // Summaries from the study index: the console reads each case's texts as it shows it.
        let labels = try CommandOutput.withProgress { try place.labels(detail: .summaries) }
        let data = labels.dataset
        let loaded = AdjudicationQueue.load(labels: labels, adjudicator: adjudicator)
        for warning in loaded.warnings { CommandOutput.warning(warning) }
        let kinds = Set(kind.flatMap { $0.split(separator: ",") }.compactMap { AdjudicationKind(rawValue: String($0)) })
        let filter = AdjudicationFilter(kinds: kinds, conditions: Set(condition))
        if loaded.queue.cases.isEmpty {
            CommandOutput.line("nothing to adjudicate in \(data.name): no disagreements among raters or with the judge")
            return
        }
        if loaded.queue.filtered(filter).isEmpty {
            CommandOutput.line("nothing to adjudicate with this filter (\(loaded.queue.cases.count) items in the whole queue)")
            return
        }
        let log = try AdjudicationLog(
            annotationFolder: folder, adjudicator: adjudicator,
            options: try place.writingOptions(groupReadable: groupReadable))
        let now = Date()
        var program = AdjudicationConsole(
            AdjudicationConsoleConfiguration(
                datasetName: data.name, adjudicator: adjudicator, queue: loaded.queue, filter: filter, revealed: loaded.revealed,
                session: rules, decidedToday: rules.dailyCap > 0 ? SessionClock.itemsDecided(on: now, in: log.events) : 0,
                dataset: data.textsLeftOut ? data : nil),
            now: now)
        var lastFailure: String?
        try ConsoleLoop.run(&program) { effect in
            ConsoleEffects.perform(effect, decisions: log, lastFailure: &lastFailure)
        }
        // One last try for what the disk refused (the console's queue is the only place it lives).
        let unsaved = ConsoleEffects.lastTry(program.state.writes.records, log: log.log, lastFailure: &lastFailure)
        for line in program.configuration.queue.progress.lines { CommandOutput.line(line) }
        CommandOutput.note(place.description)
        if !unsaved.isEmpty {
            let items = Set(unsaved.map(\.item)).sorted().prefix(5).map(TextSanitizer.singleLine).joined(separator: ", ")
            CommandOutput.error(command: "adjudicate", "\(unsaved.count) record\(unsaved.count == 1 ? "" : "s") NOT SAVED and lost (items \(items))\(lastFailure.map { ": \($0)" } ?? "")")
            throw ExitCode.failure
        }
    }
}
