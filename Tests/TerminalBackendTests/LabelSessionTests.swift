import Foundation
import ReviewCore
import ReviewUI
import Testing
@testable import judge_review

@Suite("label session pieces")
struct LabelSessionTests {
    @Test("rater names", arguments: [
        ("alice", true), ("dr.bob_2-x", true), ("judge:gpt", false), ("JUDGE:x", false), ("", false),
        (".hidden", false), ("a b", false), ("a/b", false), ("élise", false), (String(repeating: "a", count: 65), false),
    ])
    func raterNames(name: String, valid: Bool) {
        #expect((RaterName.problem(with: name) == nil) == valid)
    }

    @Test("order: options win, then the stored settings, then file order")
    func orderResolution() throws {
        let stored = OrderSettings(order: "shuffled", seed: 9)
        let draw: () -> UInt64 = { 77 }
        #expect(try OrderSettings.resolve(order: nil, seed: nil, stored: nil, randomSeed: draw) == .file)
        #expect(try OrderSettings.resolve(order: nil, seed: nil, stored: stored, randomSeed: draw) == stored)
        #expect(try OrderSettings.resolve(order: "file", seed: nil, stored: stored, randomSeed: draw) == .file)
        #expect(try OrderSettings.resolve(order: "shuffled", seed: nil, stored: stored, randomSeed: draw) == stored)
        #expect(try OrderSettings.resolve(order: "shuffled", seed: nil, stored: nil, randomSeed: draw) == OrderSettings(order: "shuffled", seed: 77))
        #expect(try OrderSettings.resolve(order: nil, seed: 5, stored: stored, randomSeed: draw) == OrderSettings(order: "shuffled", seed: 5))
        #expect(throws: (any Error).self) { try OrderSettings.resolve(order: "file", seed: 5, stored: nil, randomSeed: draw) }
        #expect(throws: (any Error).self) { try OrderSettings.resolve(order: "random", seed: nil, stored: nil, randomSeed: draw) }
    }

    @Test("order settings round-trip; a malformed file names file and line")
    func orderFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jr-order-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = OrderSettings.url(folder: folder, rater: "alice")
        #expect(url.lastPathComponent == "alice.order.json")
        #expect(try OrderSettings.load(from: url) == nil)
        try OrderSettings(order: "shuffled", seed: 42).write(to: url, groupReadable: false)
        #expect(try OrderSettings.load(from: url) == OrderSettings(order: "shuffled", seed: 42))
        try Data("{\"order\": \"sideways\"}".utf8).write(to: url)
        #expect(throws: InputError.self) { try OrderSettings.load(from: url) }
        try Data("not json".utf8).write(to: url)
        do {
            _ = try OrderSettings.load(from: url)
            Issue.record("a malformed order file was accepted")
        } catch let error as InputError {
            #expect(error.description.hasPrefix("\(url.path):1:"))
        }
    }

    @Test("saving: a re-sent event is written once; the tally counts labels and retractions")
    func perform() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jr-perform-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = try RaterLog(folder: folder, rater: "alice")
        defer { log.close() }
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let label = LabelEvent(item: "i1", itemSHA256: "h", rater: "alice", answer: "yes", verdict: .appropriate,
                               judgeAgreement: .agree, mode: .blind, judgeSeenFirst: false, at: at)
        let retraction = LabelEvent(kind: .retract, item: "i1", itemSHA256: "h", rater: "alice", answer: nil, verdict: nil,
                                    judgeAgreement: nil, mode: .blind, judgeSeenFirst: false, at: at.addingTimeInterval(1))
        var tally = SessionTally()
        #expect(LabelEffects.perform(.appendLabel(label), log: log, tally: &tally) == .saved(itemID: "i1"))
        #expect(LabelEffects.perform(.appendLabel(label), log: log, tally: &tally) == .saved(itemID: "i1"))
        #expect(LabelEffects.perform(.appendLabel(retraction), log: log, tally: &tally) == .saved(itemID: "i1"))
        #expect(LabelEffects.perform(.quit, log: log, tally: &tally) == nil)
        if case .saveFailed = LabelEffects.perform(.appendDecision(itemID: "i1", line: Data()), log: log, tally: &tally) {} else {
            Issue.record("a decision was not refused")
        }
        #expect(log.events == [label, retraction])
        #expect(tally.summary(log: log) == "1 label saved this session (1 undone)")
        #expect(tally.lostSummary(log: log) == nil)
    }
}
