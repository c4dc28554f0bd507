import ArgumentParser
import Foundation
import ReviewCore
import ReviewJudge

#if canImport(Glibc)
import Glibc
#endif

/// `judge-review judge STUDY --model M --base-url URL`: asks another judge through an OpenAI-compatible endpoint.
struct JudgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract: "Run a judge on the study's items through an OpenAI-compatible chat completions endpoint.",
        discussion: """
            Each verdict is saved (write + fsync) in Annotations/judges/<name>.jsonl as it comes: a rerun asks only \
            for what is missing, and a killed run loses nothing it saved. The API key is read from the environment \
            variable --api-key-env names and is never written anywhere. Only this command talks to a network, and \
            only to --base-url.
            Example: OPENAI_API_KEY=… judge-review judge my-study --model gpt-4o-mini --base-url https://api.openai.com/v1
            """)

    @Argument(help: "A study folder (or a path inside one); default: the study around the current folder.")
    var study: String?

    @Option(help: "The model to ask, as the endpoint names it.")
    var model: String

    @Option(name: .customLong("base-url"), help: "The endpoint's base URL, e.g. http://127.0.0.1:8000/v1 (requests go to <base>/chat/completions).")
    var baseURL: String?

    @Option(name: .customLong("api-key-env"), help: "The environment variable that holds the API key (none is sent when it is unset or empty).")
    var apiKeyEnv = "OPENAI_API_KEY"

    @Option(help: "The judge's name in the study (rater judge:<name>; letters, digits, '-', '_', '.'); default: the model's name.")
    var name: String?

    @Option(help: "Which items: all (every item with a response), sample (the study's sample), assigned (the assignment's items) or a file of item ids, one per line.")
    var items = "all"

    @Option(help: "Ask each item this many times (self-consistency).")
    var samples = 1

    @Flag(help: "Also ask each item with the option order reversed (position bias).")
    var flip = false

    @Option(help: "Requests in flight at once.")
    var concurrency = 4

    @Option(help: "Sampling temperature (the paper's judge: 0).")
    var temperature = 0.0

    @Option(name: .customLong("max-tokens"), help: "At most this many tokens an answer (the paper's judge: 16).")
    var maxTokens = 16

    @Option(help: "A prompt template file with the placeholders {question}, {options}, {context}, {stimulus}, {response}, asked for every item; default: each item's stored judge prompt where it has one (the paper's classification_prompt), else the tool's template (docs/judges.md).")
    var prompt: String?

    @Option(help: "Ask at most this many requests this run.")
    var limit: Int?

    @Option(help: "Seconds to wait for one answer before retrying.")
    var timeout = 60.0

    @Option(parsing: .unconditional, help: "Seed of the option orders (recorded with every verdict).", transform: SeedArgument.parse)
    var seed: UInt64 = 1

    @Option(name: .customLong("write-batch"), help: "Write the missing requests as OpenAI Batch JSONL to this file instead of sending them.")
    var writeBatch: String?

    func validate() throws {
        if samples < 1 || samples > 100 { throw ValidationError("--samples must be 1 to 100") }
        if concurrency < 1 || concurrency > 64 { throw ValidationError("--concurrency must be 1 to 64") }
        if maxTokens < 1 || maxTokens > 32_768 { throw ValidationError("--max-tokens must be 1 to 32768") }
        if !(0...2).contains(temperature) { throw ValidationError("--temperature must lie in 0...2") }
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
        if !(timeout > 0 && timeout <= 3_600) { throw ValidationError("--timeout must be above 0 and at most 3600 seconds") }
        if writeBatch == nil {
            guard let baseURL else { throw ValidationError("--base-url is needed (or --write-batch FILE to write the requests instead)") }
            guard let url = URL(string: baseURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ValidationError("--base-url must be an http or https URL, e.g. http://127.0.0.1:8000/v1")
            }
        }
    }

    func run() throws {
        try CommandOutput.reportingErrors(command: "judge", judge)
    }

    private func judge() throws {
        let judgeName = name ?? JudgeNaming.defaultName(model: model)
        if let problem = RaterName.problem(with: judgeName) { throw UsageError(option: "--name", problem) }
        let place = try LabelPlace.resolve(study)
        CommandOutput.printPlaceNotes(place)
        let dataset = try CommandOutput.withProgress { try place.dataset() }
        let chosen = try JudgeItems.select(items, dataset: dataset, study: place.study)
        let template = try prompt.map { String(decoding: try SafeFile.read($0, followLinks: true), as: UTF8.self) } ?? JudgePrompt.defaultTemplate
        // The items' stored judge prompts are asked where they have them, unless a template is given.
        let judgePrompt = try JudgePrompt(template: template, seed: seed, useStoredPrompts: prompt == nil)
        var settings = JudgeSettings(name: judgeName, model: model)
        settings.temperature = temperature
        settings.maxTokens = maxTokens
        settings.samples = samples
        settings.flip = flip
        settings.concurrency = concurrency
        settings.limit = limit
        let options = try place.writingOptions(groupReadable: false)
        let log = try JudgeLog(annotationFolder: place.annotationFolder, name: judgeName, options: options)
        defer { log.close() }
        let requests = JudgeRunner.plan(items: chosen.items, prompt: judgePrompt, settings: settings, answered: log.answered)
        let skipped = chosen.withoutResponse > 0 ? "; \(chosen.withoutResponse) item\(chosen.withoutResponse == 1 ? "" : "s") without a response left out" : ""

        if let writeBatch {
            try OutputGuard(dataset: place.datasetFile, annotationFolder: place.annotationFolder).check(output: writeBatch)
            try AtomicFile.write(try JudgeBatch.requests(requests, settings: settings, seed: seed), to: URL(fileURLWithPath: writeBatch))
            CommandOutput.line("wrote \(requests.count) request\(requests.count == 1 ? "" : "s") to \(writeBatch) (OpenAI Batch JSONL)\(skipped)")
            return
        }
        guard let baseURL, let base = URL(string: baseURL) else { return }
        let apiKey = ProcessInfo.processInfo.environment[apiKeyEnv]
        let client = ChatCompletionsClient(baseURL: base, apiKey: apiKey, timeout: timeout,
                                           onRetry: { CommandOutput.warning("judge \(judgeName): \($0)") })
        let interactive = isatty(STDERR_FILENO) == 1
        let asked = settings
        let summary = JudgeRunner.run(requests, prompt: judgePrompt, settings: asked,
                                      ask: { try client.complete(model: asked.model, message: $0.message, temperature: asked.temperature,
                                                                 maxTokens: asked.maxTokens, seed: nil) },
                                      save: { try log.append($0) },
                                      progress: { summary in
                                          guard interactive else { return }
                                          CommandOutput.progress("judge \(judgeName): \(summary.saved + summary.failures.count)/\(summary.planned)")
                                      })
        if interactive { CommandOutput.progress(nil) }
        let already = log.verdicts.count - summary.saved
        CommandOutput.line("judge \(judgeName) (\(model)): \(summary.saved) verdict\(summary.saved == 1 ? "" : "s") saved this run"
            + (summary.unparseable > 0 ? " (\(summary.unparseable) naming no option, kept with their text)" : "")
            + ", \(already) from earlier runs\(skipped); \(StudyLayout.judgeLogFile(folder: place.annotationFolder, judge: judgeName).path)")
        if let stopped = summary.stoppedBySaveError {
            throw JudgeRunError(description: "stopped: a verdict could not be saved: \(stopped)")
        }
        if !summary.failures.isEmpty {
            let shown = summary.failures.prefix(3).joined(separator: "; ")
            throw JudgeRunError(description: "\(summary.failures.count) request\(summary.failures.count == 1 ? "" : "s") failed after every retry (run again to ask for them): \(shown)\(summary.failures.count > 3 ? "; …" : "")")
        }
    }
}
