import Foundation
import ReviewCore
import Testing
import ReviewConsole
@testable import TerminalBackend

@Suite("Saving the consoles' effects")
struct ConsoleEffectsTests {

    @Test("saving: each effect is one append, a record for a log not given is refused; the tally counts labels and retractions")
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
        #expect(ConsoleEffects.perform(.appendLabel(label), labels: log, lastFailure: &tally.lastFailure) == .saved(itemID: "i1"))
        #expect(ConsoleEffects.perform(.appendLabel(retraction), labels: log, lastFailure: &tally.lastFailure) == .saved(itemID: "i1"))
        #expect(ConsoleEffects.perform(.quit, labels: log, lastFailure: &tally.lastFailure) == nil)
        let item = Item(id: "i1", experiment: .acuteSymptom, condition: "mania", stimulus: "s", subject: SubjectModel(name: "m"),
                        response: "r", criterion: Criterion(question: "q", options: ["yes", "no"], appropriate: "no"), judge: nil)
        if case .saveFailed = ConsoleEffects.perform(.appendDecision(.reveal(item: item, adjudicator: "carol", at: at, ms: nil)), labels: log, lastFailure: &tally.lastFailure) {} else {
            Issue.record("a decision was not refused")
        }
        #expect(log.events == [label, retraction])
        #expect(tally.summary(events: log.events) == "1 item labelled this session (1 undone)")
        #expect(tally.lostSummary(unsaved: []) == nil)
    }

    @Test("the exit line counts a label saved after retries once, as saved, and names the labels the disk never took")
    func exitLineCountsLostLabels() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jr-exit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let disk = RefusingFileSystem()
        let log = try RaterLog(folder: folder, rater: "alice", fileSystem: disk)
        defer { log.close() }
        var tally = SessionTally(savedBefore: log.events.count)
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        func label(_ item: String) -> LabelEvent {
            LabelEvent(item: item, itemSHA256: "h", rater: "alice", answer: "yes", verdict: .appropriate,
                       judgeAgreement: .agree, mode: .blind, judgeSeenFirst: false, at: at)
        }
        disk.refuse = true
        // i1 fails twice, then is saved on the third try (the console sends it again; the store kept nothing);
        // i2 and i3 are never saved and stay in the console's queue.
        for _ in 0..<2 {
            if case .saveFailed = ConsoleEffects.perform(.appendLabel(label("i1")), labels: log, lastFailure: &tally.lastFailure) {} else { Issue.record("i1 saved on a full disk") }
            #expect(log.events.isEmpty)
        }
        disk.refuse = false
        #expect(ConsoleEffects.perform(.appendLabel(label("i1")), labels: log, lastFailure: &tally.lastFailure) == .saved(itemID: "i1"))
        #expect(log.events.count == 1)
        disk.refuse = true
        _ = ConsoleEffects.perform(.appendLabel(label("i2")), labels: log, lastFailure: &tally.lastFailure)
        #expect(tally.summary(events: log.events) == "1 item labelled this session")
        let lost = try #require(tally.lostSummary(unsaved: [label("i2"), label("i3")]))
        #expect(lost.hasPrefix("2 labels NOT SAVED and lost (items i2, i3): "))
        #expect(lost.contains("No space left on device"))
        #expect(!lost.contains("above"), "the exit line refers to a screen that is gone")
    }
}

/// A file system whose writes fail with ENOSPC while `refuse` is set (as a full disk would).
final class RefusingFileSystem: StoreFileSystem {
    private let real = POSIXFileSystem()
    var refuse = false

    func makeFolder(_ path: String, permissions: mode_t) throws { try real.makeFolder(path, permissions: permissions) }
    func open(_ path: String, flags: Int32, permissions: mode_t) throws -> Int32 { try real.open(path, flags: flags, permissions: permissions) }
    func setPermissions(_ descriptor: Int32, path: String, permissions: mode_t) throws {
        try real.setPermissions(descriptor, path: path, permissions: permissions)
    }
    func readAll(_ descriptor: Int32, path: String) throws -> Data { try real.readAll(descriptor, path: path) }
    func write(_ descriptor: Int32, path: String, bytes: UnsafeRawBufferPointer) throws -> Int {
        if refuse && path.hasSuffix(".jsonl") { throw SystemCallError(call: "write", path: path, code: ENOSPC) }
        return try real.write(descriptor, path: path, bytes: bytes)
    }
    func fsync(_ descriptor: Int32, path: String) throws { try real.fsync(descriptor, path: path) }
    func truncate(_ descriptor: Int32, path: String, length: Int64) throws { try real.truncate(descriptor, path: path, length: length) }
    func tryLockExclusive(_ descriptor: Int32, path: String) throws -> Bool { try real.tryLockExclusive(descriptor, path: path) }
    func rename(_ source: String, to destination: String) throws { try real.rename(source, to: destination) }
    func unlink(_ path: String) throws { try real.unlink(path) }
    func close(_ descriptor: Int32) { real.close(descriptor) }
}
