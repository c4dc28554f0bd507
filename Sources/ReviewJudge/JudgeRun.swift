import Foundation
import ReviewCore

/// How a judge is run: the model, its sampling settings, how many times each item is asked and in which orders.
public struct JudgeSettings: Sendable {
    /// The judge's name in the study (its log's name; `judge:<name>` as a rater).
    public var name: String
    public var model: String
    public var temperature: Double = 0
    /// The paper's judge was asked for at most 16 tokens.
    public var maxTokens: Int = 16
    /// Asks per item and order (`--samples K`).
    public var samples: Int = 1
    /// Also ask with the option order reversed (`--flip`).
    public var flip: Bool = false
    /// Requests in flight at once.
    public var concurrency: Int = 4
    /// At most this many requests this run (nil: all that are missing).
    public var limit: Int?

    public init(name: String, model: String) {
        self.name = name
        self.model = model
    }
}

/// What a run did.
public struct JudgeRunSummary: Sendable, Equatable {
    /// Requests the run planned (what was missing, within `--limit`).
    public var planned = 0
    /// Verdicts saved (answered or unparseable).
    public var saved = 0
    public var unparseable = 0
    /// Requests that failed after every retry (not saved: a rerun asks again).
    public var failures: [String] = []
    /// Whether the run stopped early because a verdict could not be saved.
    public var stoppedBySaveError: String?
}

/// Runs a judge over items: plans what is missing from its log, asks the endpoint with bounded concurrency, and
/// appends each verdict durably as it comes (a killed run loses nothing it saved; a rerun asks only for the rest).
public enum JudgeRunner {
    /// The requests still missing for `items`: every sample and order not yet in `answered` (for the item as it is
    /// now), in item order, at most `limit`.
    public static func plan(items: [Item], prompt: JudgePrompt, settings: JudgeSettings,
                            answered: Set<JudgeVerdict.Key>) -> [JudgeRequest] {
        var requests: [JudgeRequest] = []
        let orders = settings.flip ? [false, true] : [false]
        for item in items {
            for sample in 0..<max(1, settings.samples) {
                for flipped in orders {
                    let key = JudgeVerdict.Key(item: item.id, itemSHA256: item.contentHash, sample: sample, flipped: flipped)
                    guard !answered.contains(key) else { continue }
                    requests.append(prompt.request(item, sample: sample, flipped: flipped))
                    if let limit = settings.limit, requests.count >= limit { return requests }
                }
            }
        }
        return requests
    }

    /// Asks for every request through `ask` (`settings.concurrency` at a time) and saves each verdict with `save`
    /// (called one at a time). A save that fails stops the run: nothing more is asked.
    public static func run(
        _ requests: [JudgeRequest], prompt: JudgePrompt, settings: JudgeSettings, now: @escaping @Sendable () -> Date = Date.init,
        ask: @escaping @Sendable (JudgeRequest) throws -> ChatCompletion,
        save: @escaping (JudgeVerdict) throws -> Void,
        progress: @escaping (JudgeRunSummary) -> Void = { _ in }
    ) -> JudgeRunSummary {
        let state = RunState(summary: JudgeRunSummary(planned: requests.count))
        let workers = max(1, min(settings.concurrency, requests.count))
        // `save` and `progress` run under the state's lock: the log has one writer at a time.
        nonisolated(unsafe) let save = save
        nonisolated(unsafe) let progress = progress
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let request = state.next(count: requests.count).map({ requests[$0] }) {
                do {
                    let completion = try ask(request)
                    let answer = JudgeAnswerParser.option(in: completion.text, options: request.options)
                    let verdict = JudgeVerdict(
                        item: request.itemID, itemSHA256: request.itemSHA256, judge: settings.name, model: settings.model,
                        sample: request.sample, flipped: request.flipped, options: request.options, answer: answer,
                        status: answer == nil ? .unparseable : .answered, output: completion.text,
                        promptTokens: completion.promptTokens, completionTokens: completion.completionTokens, ms: completion.ms,
                        attempts: completion.attempts, temperature: settings.temperature, maxTokens: settings.maxTokens,
                        seed: prompt.seed, templateSHA256: request.stored ? nil : prompt.templateSHA256,
                        storedPrompt: request.stored ? true : nil, messageSHA256: request.messageSHA256,
                        toolVersion: ToolVersion.current, at: now(), endpoint: .chatCompletions)
                    state.withLock { summary in
                        do {
                            try save(verdict)
                            summary.saved += 1
                            if answer == nil { summary.unparseable += 1 }
                        } catch {
                            summary.stoppedBySaveError = "\(error)"
                        }
                        progress(summary)
                    }
                } catch {
                    state.withLock { summary in
                        summary.failures.append("\(request.itemID): \(error)")
                        progress(summary)
                    }
                }
            }
        }
        return state.withLock { $0 }
    }
}

/// The run's shared counters: the next request to hand out and the summary.
private final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var summary: JudgeRunSummary

    init(summary: JudgeRunSummary) {
        self.summary = summary
    }

    /// The next request's index, or nil when all are handed out or a save failed.
    func next(count: Int) -> Int? {
        lock.withLock {
            guard summary.stoppedBySaveError == nil, nextIndex < count else { return nil }
            defer { nextIndex += 1 }
            return nextIndex
        }
    }

    func withLock<Result>(_ body: (inout JudgeRunSummary) -> Result) -> Result {
        lock.withLock { body(&summary) }
    }
}
