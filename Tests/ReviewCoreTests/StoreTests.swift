import Foundation
import ReviewTestSupport
import Testing
@testable import ReviewCore

#if canImport(Glibc)
import Glibc
#endif

@Suite("Annotation store: append, replay, recovery, locking, failures")
struct StoreTests {
    typealias F = StoreFixtures

    @Test("appended labels are read back in order after reopening, with notes and flags")
    func appendAndReplay() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let log = try RaterLog(folder: temp.url, rater: "ann")
        let events = [
            F.label(dataset.items[0], answer: "no", note: "clear refusal", second: 1),
            F.label(dataset.items[1], answer: "yes", flag: .discuss, second: 2),
            F.label(dataset.items[2], answer: "No", flag: .unsure, second: 3),
        ]
        for event in events { try log.append(event) }
        #expect(log.events == events)
        log.close()

        let reopened = try RaterLog(folder: temp.url, rater: "ann")
        defer { reopened.close() }
        #expect(reopened.events == events)
        #expect(reopened.warnings.isEmpty)
        let replay = RaterReplay(rater: "ann", events: reopened.events, dataset: dataset)
        #expect(replay.current.count == 3)
        #expect(replay.current["b"]?.verdict == .inappropriate)
        #expect(replay.current["c"]?.answer == "no")
        #expect(replay.notes == ["a": "clear refusal"])
        #expect(replay.flags == ["b": .discuss, "c": .unsure])
        #expect(replay.lastActivity == F.start.addingTimeInterval(3))
        #expect(replay.firstUnlabeled(in: [0, 1, 2, 3], dataset: dataset) == 3)
        #expect(replay.firstUnlabeled(in: [3, 0], dataset: dataset) == 0)
        #expect(replay.firstUnlabeled(in: [2, 1], dataset: dataset) == nil)
    }

    @Test("each line is one JSON object with the documented snake_case fields")
    func onDiskFormat() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let log = try RaterLog(folder: temp.url, rater: "ann")
        try log.append(F.label(dataset.items[0], mode: .verdictShown, seenFirst: true, revises: "yes", note: "n", flag: .unsure))
        log.close()
        let text = try String(contentsOf: StudyLayout.logFile(folder: temp.url, rater: "ann"), encoding: .utf8)
        #expect(text.hasSuffix("}\n"))
        #expect(text.split(separator: "\n").count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == [
            "schema", "kind", "item", "item_sha256", "rater", "answer", "verdict", "judge_agreement", "mode",
            "judge_seen_first", "revises", "note", "flag", "at", "ms",
        ])
        #expect(object["mode"] as? String == "verdict-shown")
        #expect(object["judge_agreement"] as? String == "disagree")
        #expect(object["at"] as? String == "2026-05-28T20:26:40.000Z")
    }

    @Test("undo is a retraction: the item is unlabeled again, and both events stay in the log")
    func undo() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let log = try RaterLog(folder: temp.url, rater: "ann")
        defer { log.close() }
        try log.append(F.label(dataset.items[0], second: 1))
        try log.append(F.label(dataset.items[1], second: 2))
        try log.append(F.retract(dataset.items[0], second: 3))
        let replay = RaterReplay(rater: "ann", events: log.events, dataset: dataset)
        #expect(replay.current.keys.sorted() == ["b"])
        #expect(replay.history(of: "a").map(\.kind) == [.label, .retract])
        #expect(replay.firstUnlabeled(in: [0, 1, 2, 3], dataset: dataset) == 0)
        #expect(log.events.count == 3)
    }

    @Test("a revision after the reveal wins and records the answer it replaces")
    func revisionAfterReveal() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let item = dataset.items[0]
        let log = try RaterLog(folder: temp.url, rater: "ann")
        try log.append(F.label(item, answer: "yes", mode: .blind, second: 1))
        try log.append(F.label(item, answer: "no", mode: .verdictShown, seenFirst: false, revises: "yes", second: 2))
        log.close()
        let replay = RaterReplay(rater: "ann", events: try RaterLog(folder: temp.url, rater: "ann").events, dataset: dataset)
        let current = try #require(replay.current["a"])
        #expect(current.answer == "no")
        #expect(current.revises == "yes")
        #expect(current.mode == .verdictShown)
        #expect(current.judgeAgreement == .disagree)
        #expect(replay.revisions(of: "a").map(\.answer) == ["no"])
        #expect(replay.history(of: "a").first?.answer == "yes")
    }

    @Test("a torn last line is set aside in .corrupt with a warning and the log truncated to the last good line")
    func tornLineRecovery() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let file = StudyLayout.logFile(folder: temp.url, rater: "ann")
        let good = try F.line(F.label(dataset.items[0])) + F.line(F.label(dataset.items[1]))
        let third = try F.line(F.label(dataset.items[2]))
        let torn = third.prefix(third.count / 2)
        try (good + torn).write(to: file)

        let log = try RaterLog(folder: temp.url, rater: "ann")
        #expect(log.events.map(\.item) == ["a", "b"])
        #expect(log.warnings.count == 1)
        #expect(log.warnings.first?.contains("\(file.path):3: torn last line") == true)
        #expect(try Data(contentsOf: file) == good)
        let sideFile = file.deletingLastPathComponent().appendingPathComponent("ann.jsonl.corrupt")
        #expect(try Data(contentsOf: sideFile) == torn + Data([0x0A]))
        #expect(F.permissions(sideFile) == 0o600)
        // The repaired log takes appends on a fresh line.
        try log.append(F.label(dataset.items[3]))
        log.close()

        // A second crash: a complete line of zeros (what some file systems leave) is set aside too, appended.
        try (Data(contentsOf: file) + Data(repeating: 0, count: 8) + Data([0x0A])).write(to: file)
        let again = try RaterLog(folder: temp.url, rater: "ann")
        defer { again.close() }
        #expect(again.events.map(\.item) == ["a", "b", "d"])
        #expect(again.warnings.count == 1)
        #expect(try Data(contentsOf: sideFile) == torn + Data([0x0A]) + Data(repeating: 0, count: 8) + Data([0x0A]))
    }

    @Test("a complete last line without its newline is kept and the newline added")
    func missingFinalNewline() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let file = StudyLayout.logFile(folder: temp.url, rater: "ann")
        let lines = try F.line(F.label(dataset.items[0])) + F.line(F.label(dataset.items[1]))
        try lines.dropLast().write(to: file)
        let log = try RaterLog(folder: temp.url, rater: "ann")
        defer { log.close() }
        #expect(log.events.count == 2)
        #expect(log.warnings.count == 1)
        #expect(try Data(contentsOf: file) == lines)
        #expect(!FileManager.default.fileExists(atPath: file.path + ".corrupt"))
    }

    @Test("an unreadable line in the middle is an error naming file:line, and nothing is changed")
    func midFileCorruption() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let file = StudyLayout.logFile(folder: temp.url, rater: "ann")
        let bytes = try F.line(F.label(dataset.items[0])) + Data("{\"schema\": 1, \"kind\": \"lab\n".utf8) + F.line(F.label(dataset.items[1]))
        try bytes.write(to: file)
        let error = try #require(throws: InputError.self) { try RaterLog(folder: temp.url, rater: "ann") }
        #expect(error.file == file.path)
        #expect(error.line == 2)
        #expect(error.description.hasPrefix("\(file.path):2: cannot read this log record"))
        #expect(try Data(contentsOf: file) == bytes)
        #expect(!FileManager.default.fileExists(atPath: file.path + ".corrupt"))
        // The failed open released its lock.
        try bytes.prefix(while: { $0 != 0x0A }).write(to: file)
        let log = try RaterLog(folder: temp.url, rater: "ann")
        log.close()
    }

    @Test("a JSON last line of the wrong shape is an error, not a torn line")
    func wrongShapeLastLine() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let file = StudyLayout.logFile(folder: temp.url, rater: "ann")
        try Data("{\"schema\": 1, \"kind\": \"label\"}\n".utf8).write(to: file)
        let error = try #require(throws: InputError.self) { try RaterLog(folder: temp.url, rater: "ann") }
        #expect(error.line == 1)
        #expect(error.message.contains("missing required field"))
    }

    @Test("a schema newer than this build is refused with a clear message, even on the last line")
    func schemaTooNew() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        var newer = F.label(dataset.items[1])
        newer.schema = LabelEvent.currentSchema + 1
        let single = try LogJSON.encoder().encode(newer)
        #expect(throws: SchemaTooNewError(found: LabelEvent.currentSchema + 1, supported: LabelEvent.currentSchema)) {
            try LogJSON.decoder().decode(LabelEvent.self, from: single)
        }
        let file = StudyLayout.logFile(folder: temp.url, rater: "ann")
        try (F.line(F.label(dataset.items[0])) + F.line(newer)).write(to: file)
        let error = try #require(throws: InputError.self) { try RaterLog(folder: temp.url, rater: "ann") }
        #expect(error.line == 2)
        #expect(error.message.contains("schema \(LabelEvent.currentSchema + 1) is newer than this judge-review understands (up to \(LabelEvent.currentSchema))"))
    }

    @Test("a second opener of the same log is refused with the holder's pid; other raters are not")
    func lockRefusal() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let first = try RaterLog(folder: temp.url, rater: "ann")
        let error = try #require(throws: StoreError.self) { try RaterLog(folder: temp.url, rater: "ann") }
        guard case .locked(let file, let holder) = error else { Issue.record("expected locked, got \(error)"); return }
        #expect(file == StudyLayout.logFile(folder: temp.url, rater: "ann").path)
        #expect(holder.pid == getpid())
        #expect(error.description.contains("already open in process \(getpid())"))
        let other = try RaterLog(folder: temp.url, rater: "bob")
        other.close()
        first.close()
        let second = try RaterLog(folder: temp.url, rater: "ann")
        second.close()
    }

    @Test("labels whose item changed or disappeared are stale: reported, not applied")
    func drift() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let original = F.dataset(["a", "b", "c"])
        let log = try RaterLog(folder: temp.url, rater: "ann")
        for item in original.items { try log.append(F.label(item)) }
        log.close()

        var changed = F.dataset(["a", "b"])
        changed.items[1] = F.item("b", response: "an edited response")
        let replay = try #require(try StudyLabels.load(folder: temp.url, dataset: changed).logs[0].replay)
        #expect(replay.current.keys.sorted() == ["a"])
        #expect(Set(replay.stale.map { "\($0.event.item) \($0.reason.rawValue)" }) == ["b item changed", "c item gone"])
        #expect(replay.firstUnlabeled(in: [0, 1], dataset: changed) == 1)
        let loaded = try CurrentLabels.load(folder: temp.url, dataset: changed)
        #expect(loaded["ann"]?.keys.sorted() == ["a"])

        // Labelling the changed item again makes it current; the stale report goes away.
        let relabel = try RaterLog(folder: temp.url, rater: "ann")
        try relabel.append(F.label(changed.items[1], second: 5))
        relabel.close()
        let after = try #require(try StudyLabels.load(folder: temp.url, dataset: changed).logs[0].replay)
        #expect(after.current.keys.sorted() == ["a", "b"])
        #expect(after.stale.map(\.event.item) == ["c"])
    }

    @Test("a full disk: the error says so, the label stays pending, the log has no half line, and retry saves it")
    func fullDisk() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let fileSystem = FaultyFileSystem()
        let log = try RaterLog(folder: temp.url, rater: "ann", fileSystem: fileSystem)
        defer { log.close() }
        try log.append(F.label(dataset.items[0]))
        let file = StudyLayout.logFile(folder: temp.url, rater: "ann")
        let before = try Data(contentsOf: file)

        fileSystem.failWrites = ENOSPC
        fileSystem.partialBytes = 10
        let error = try #require(throws: StoreError.self) { try log.append(F.label(dataset.items[1])) }
        guard case .notSaved(_, let cause, let records) = error else { Issue.record("unexpected \(error)"); return }
        #expect(cause.code == ENOSPC)
        #expect(records == 1)
        #expect(error.description.contains("NOT SAVED (write: No space left on device); 1 record not written, free some disk space"))
        #expect(log.events.map(\.item) == ["a"])
        #expect(try Data(contentsOf: file) == before, "the partial line was cut off")

        // The store keeps nothing of a failed write: the caller (the console's queue) appends it again, in order.
        #expect(throws: StoreError.self) { try log.append(F.label(dataset.items[1])) }
        #expect(try Data(contentsOf: file) == before)

        fileSystem.failWrites = nil
        try log.append(F.label(dataset.items[1]))
        try log.append(F.label(dataset.items[2]))
        #expect(log.events.map(\.item) == ["a", "b", "c"])
        log.close()
        let reopened = try RaterLog(folder: temp.url, rater: "ann")
        defer { reopened.close() }
        #expect(reopened.events.map(\.item) == ["a", "b", "c"])
        #expect(reopened.warnings.isEmpty)
    }

    @Test("a failing fsync is not reported saved; the line is cut back and retried once fsync works")
    func fsyncFailure() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let fileSystem = FaultyFileSystem()
        let log = try RaterLog(folder: temp.url, rater: "ann", fileSystem: fileSystem)
        defer { log.close() }
        fileSystem.failFsync = EIO
        #expect(throws: StoreError.self) { try log.append(F.label(dataset.items[0])) }
        #expect(log.events.isEmpty)
        #expect(try Data(contentsOf: StudyLayout.logFile(folder: temp.url, rater: "ann")).isEmpty)
        fileSystem.failFsync = nil
        try log.append(F.label(dataset.items[0]))
        #expect(log.events.count == 1)
        #expect(try Data(contentsOf: StudyLayout.logFile(folder: temp.url, rater: "ann")) == F.line(log.events[0]))
    }

    @Test("a read-only folder: opening a new log and writing both fail with a clear error")
    func readOnlyFolder() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let fileSystem = FaultyFileSystem()
        fileSystem.failOpenSuffix = "ann.jsonl.lock"
        let openError = try #require(throws: StoreError.self) { try RaterLog(folder: temp.url, rater: "ann", fileSystem: fileSystem) }
        #expect(openError.description.contains("cannot open the annotation log: open"))
        #expect(openError.description.contains("Read-only file system"))

        fileSystem.failOpenSuffix = nil
        let log = try RaterLog(folder: temp.url, rater: "ann", fileSystem: fileSystem)
        defer { log.close() }
        fileSystem.failWrites = EROFS
        let error = try #require(throws: StoreError.self) { try log.append(F.label(dataset.items[0])) }
        #expect(error.description.contains("the folder is read-only"))
        #expect(log.events.isEmpty)
        fileSystem.failWrites = nil
        try log.append(F.label(dataset.items[0]))
        #expect(log.events.count == 1)
    }

    @Test("a really read-only folder refuses a new log (skipped as root, who may write anyway)", .enabled(if: getuid() != 0, "running as root: permissions are not enforced"))
    func realReadOnlyFolder() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        #expect(chmod(temp.url.path, 0o500) == 0)
        let error = try #require(throws: StoreError.self) { try RaterLog(folder: temp.url, rater: "ann") }
        #expect(error.description.contains("Permission denied"))
    }

    @Test("new folders are 0700 and files 0600; group-readable gives 0750 and 0640")
    func permissions() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let nested = temp.url.appendingPathComponent("Annotations/demo", isDirectory: true)
        let log = try RaterLog(folder: nested, rater: "ann")
        #expect(!FileManager.default.fileExists(atPath: StudyLayout.logFile(folder: nested, rater: "ann").path),
                "opening makes no empty log; the first append does")
        try log.append(F.label(F.dataset().items[0]))
        log.close()
        #expect(F.permissions(temp.url.appendingPathComponent("Annotations")) == 0o700)
        #expect(F.permissions(nested) == 0o700)
        #expect(F.permissions(StudyLayout.logFile(folder: nested, rater: "ann")) == 0o600)
        #expect(F.permissions(nested.appendingPathComponent("ann.jsonl.lock")) == 0o600)

        let shared = temp.url.appendingPathComponent("shared", isDirectory: true)
        let groupLog = try RaterLog(folder: shared, rater: "bob", options: StoreOptions(groupReadable: true))
        try groupLog.append(F.label(F.dataset().items[0], rater: "bob"))
        groupLog.close()
        #expect(F.permissions(shared) == 0o750)
        #expect(F.permissions(StudyLayout.logFile(folder: shared, rater: "bob")) == 0o640)
        #expect(F.permissions(shared.appendingPathComponent("bob.jsonl.lock")) == 0o640)
    }

    @Test("CurrentLabels.load replays every rater log in the folder, not adjudication/, .corrupt or .lock files")
    func currentLabelsLoad() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        for (rater, count) in [("ann", 2), ("bob", 3)] {
            let log = try RaterLog(folder: temp.url, rater: rater)
            for item in dataset.items.prefix(count) { try log.append(F.label(item, rater: rater)) }
            log.close()
        }
        let adjudication = StudyLayout.adjudicationFolder(folder: temp.url)
        try FileManager.default.createDirectory(at: adjudication, withIntermediateDirectories: true)
        try Data("not a label event\n".utf8).write(to: adjudication.appendingPathComponent("chief.jsonl"))
        try Data("garbage\n".utf8).write(to: temp.url.appendingPathComponent("ann.jsonl.corrupt"))
        let labels = try CurrentLabels.load(folder: temp.url, dataset: dataset)
        #expect(labels.keys.sorted() == ["ann", "bob"])
        #expect(labels["ann"]?.count == 2)
        #expect(labels["bob"]?.count == 3)
        #expect(try CurrentLabels.load(folder: temp.url.appendingPathComponent("missing"), dataset: dataset).isEmpty)
    }

    @Test("a closed log refuses appends; reopening works")
    func closedLog() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let log = try RaterLog(folder: temp.url, rater: "ann")
        try log.append(F.label(dataset.items[0]))
        log.close()
        let error = try #require(throws: StoreError.self) { try log.append(F.label(dataset.items[1])) }
        #expect(error == .closed(file: StudyLayout.logFile(folder: temp.url, rater: "ann").path))
        #expect(log.events.map(\.item) == ["a"])
        let reopened = try RaterLog(folder: temp.url, rater: "ann")
        defer { reopened.close() }
        #expect(reopened.replay(against: dataset).current.keys.sorted() == ["a"])
    }

    @Test("the generic log stores any Codable record (adjudication decisions use it)")
    func genericLog() throws {
        struct Decision: Codable, Sendable, Equatable { var item: String; var answer: String }
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let file = StudyLayout.adjudicationFolder(folder: temp.url).appendingPathComponent("chief.jsonl")
        func open() throws -> AppendOnlyLog<Decision> {
            try AppendOnlyLog(file: file, encode: { try JSONEncoder().encode($0) }, decode: { try JSONDecoder().decode(Decision.self, from: Data($0)) })
        }
        let log = try open()
        try log.append(Decision(item: "a", answer: "no"))
        log.close()
        #expect(try open().records == [Decision(item: "a", answer: "no")])
    }
}
