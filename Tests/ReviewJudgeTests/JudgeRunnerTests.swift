import Foundation
import Testing
import ReviewCore
import ReviewTestSupport
@testable import ReviewJudge

@Suite("Judge runs: what is asked, what is saved")
struct JudgeRunnerTests {
    static let items = ["a", "b", "c"].map { StoreFixtures.item($0) }

    @Test("a run asks only what its log lacks: every sample and order of an item as it is now, within --limit")
    func plan() throws {
        let prompt = try JudgePrompt(seed: 3)
        var settings = JudgeSettings(name: "j", model: "m")
        settings.samples = 2
        settings.flip = true
        #expect(JudgeRunner.plan(items: Self.items, prompt: prompt, settings: settings, answered: []).count == 12)
        let done: Set<JudgeVerdict.Key> = [JudgeVerdict.Key(item: "a", itemSHA256: Self.items[0].contentHash, sample: 0, flipped: false),
                                           JudgeVerdict.Key(item: "b", itemSHA256: "an older version", sample: 0, flipped: false)]
        let missing = JudgeRunner.plan(items: Self.items, prompt: prompt, settings: settings, answered: done)
        #expect(missing.count == 11, "a changed item is asked again; an answered one is not")
        settings.limit = 5
        #expect(JudgeRunner.plan(items: Self.items, prompt: prompt, settings: settings, answered: done).count == 5)
    }

    @Test("each answer is saved once with its parse; an output naming no option is kept as unparseable; a failed request is not saved")
    func run() throws {
        let prompt = try JudgePrompt(seed: 3)
        var settings = JudgeSettings(name: "j", model: "m")
        settings.concurrency = 3
        let requests = JudgeRunner.plan(items: Self.items, prompt: prompt, settings: settings, answered: [])
        var saved: [JudgeVerdict] = []
        let summary = JudgeRunner.run(requests, prompt: prompt, settings: settings, ask: { request in
            switch request.itemID {
            case "a": return ChatCompletion(text: "B", promptTokens: 10, completionTokens: 1, ms: 5, attempts: 1)
            case "b": return ChatCompletion(text: "Well, it depends", promptTokens: 10, completionTokens: 4, ms: 5, attempts: 2)
            default: throw ChatCompletionError(description: "HTTP 500 (after 6 requests)")
            }
        }, save: { saved.append($0) })
        #expect(summary.saved == 2 && summary.unparseable == 1 && summary.failures.count == 1)
        let a = try #require(saved.first { $0.item == "a" })
        #expect(a.answer == a.options[1] && a.status == .answered && a.output == "B")
        let b = try #require(saved.first { $0.item == "b" })
        #expect(b.answer == nil && b.status == .unparseable && b.attempts == 2)
    }

    @Test("a save that fails stops the run: nothing more is asked")
    func saveFailureStops() throws {
        let prompt = try JudgePrompt(seed: 3)
        var settings = JudgeSettings(name: "j", model: "m")
        settings.concurrency = 1
        let requests = JudgeRunner.plan(items: Self.items, prompt: prompt, settings: settings, answered: [])
        let asked = Counter()
        struct DiskFull: Error {}
        let summary = JudgeRunner.run(requests, prompt: prompt, settings: settings, ask: { _ in
            asked.add()
            return ChatCompletion(text: "A", promptTokens: nil, completionTokens: nil, ms: 1, attempts: 1)
        }, save: { _ in throw DiskFull() })
        #expect(summary.saved == 0 && summary.stoppedBySaveError != nil && asked.value == 1)
    }

    @Test("the judge log: durable appends, the answered keys on reopening, read back by readAll")
    func log() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let prompt = try JudgePrompt(seed: 3)
        let settings = JudgeSettings(name: "j", model: "m")
        let request = prompt.request(Self.items[0], sample: 0, flipped: false)
        do {
            let log = try JudgeLog(annotationFolder: temp.url, name: "j")
            defer { log.close() }
            _ = JudgeRunner.run([request], prompt: prompt, settings: settings, ask: { _ in
                ChatCompletion(text: "A", promptTokens: 1, completionTokens: 1, ms: 1, attempts: 1)
            }, save: { try log.append($0) })
        }
        let reopened = try JudgeLog(annotationFolder: temp.url, name: "j")
        defer { reopened.close() }
        #expect(reopened.answered == [JudgeVerdict.Key(item: "a", itemSHA256: Self.items[0].contentHash, sample: 0, flipped: false)])
        #expect(try JudgeLog.readAll(annotationFolder: temp.url)["j"]?.count == 1)
        #expect(throws: InputError.self) { try JudgeLog(annotationFolder: temp.url, name: "../x") }
    }
}

/// A counter the concurrent asks share.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
