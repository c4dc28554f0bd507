import Foundation
import ReviewTestSupport
import Testing
@testable import ReviewCore

#if canImport(Glibc)
import Glibc
#endif

/// The store's own files (logs, locks, side files) are regular files opened without following links: whatever
/// sits in their place instead is refused with one line, and what it points at is left exactly as it was.
@Suite("Store: the tool's own file places")
struct StoreFilePlacesTests {
    /// A file outside the annotation folder that an attacker's link points at, with its content and mode.
    struct Target {
        let url: URL
        let content = Data("precious, not judge-review's\n".utf8)

        init(in folder: URL) throws {
            url = folder.appendingPathComponent("outside.txt")
            try content.write(to: url)
            _ = chmod(url.path, 0o640)
        }

        /// The target still holds what it held, with the same mode.
        func isUntouched() -> Bool {
            (try? Data(contentsOf: url)) == content && StoreFixtures.permissions(url) == 0o640
        }
    }

    private func openLog(_ folder: URL) throws {
        let log = try RaterLog(folder: folder, rater: "lena")
        log.close()
    }

    /// The one-line message of what `body` threw.
    private func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("a log that is a symbolic link is refused; its target is neither truncated nor refilled nor re-moded")
    func symlinkedLog() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let target = try Target(in: temp.url)
        let folder = temp.url.appendingPathComponent("Annotations/ds")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("lena.jsonl").path, withDestinationPath: target.url.path)
        let text = try #require(message { try openLog(folder) })
        #expect(text.contains("lena.jsonl"))
        #expect(text.contains("is a symbolic link"))
        #expect(!text.contains("\n"))
        #expect(target.isUntouched())
    }

    @Test("a lock file that is a symbolic link is refused; its target is not truncated to a pid")
    func symlinkedLock() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let target = try Target(in: temp.url)
        let folder = temp.url.appendingPathComponent("ds")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("lena.jsonl.lock").path, withDestinationPath: target.url.path)
        let text = try #require(message { try openLog(folder) })
        #expect(text.contains("lena.jsonl.lock: is a symbolic link"))
        #expect(target.isUntouched())
    }

    @Test("a side file that is a symbolic link is refused; the torn line is not appended to its target, the log not cut")
    func symlinkedSideFile() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let target = try Target(in: temp.url)
        let folder = temp.url.appendingPathComponent("ds")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("lena.jsonl")
        let torn = try StoreFixtures.line(StoreFixtures.label(StoreFixtures.item("a"), rater: "lena")) + Data("{\"kind\":\"lab".utf8)
        try torn.write(to: log)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("lena.jsonl.corrupt").path, withDestinationPath: target.url.path)
        let text = try #require(message { try openLog(folder) })
        #expect(text.contains("lena.jsonl.corrupt: is a symbolic link"))
        #expect(target.isUntouched())
        #expect(try Data(contentsOf: log) == torn, "the log was cut although its torn line could not be set aside")
    }

    @Test("a FIFO in a log's place is refused at once as not a regular file (no hang, no 'Illegal seek')")
    func fifoLog() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let folder = temp.url.appendingPathComponent("ds")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(mkfifo(folder.appendingPathComponent("lena.jsonl").path, 0o600) == 0)
        let text = try #require(message { try openLog(folder) })
        #expect(text.contains("lena.jsonl: is a FIFO, not a regular file"))
        #expect(!text.contains("Illegal seek"))
        // Reading it (status, agreement) is refused the same way, never blocking on a writer.
        #expect(throws: InputError.self) { _ = try CurrentLabels.readEvents(file: folder.appendingPathComponent("lena.jsonl")) }
    }

    @Test("a folder in a log's place is refused as not a regular file, not 'permission denied'")
    func folderLog() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let folder = temp.url.appendingPathComponent("ds")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("lena.jsonl"), withIntermediateDirectories: true)
        let text = try #require(message { try openLog(folder) })
        #expect(text.contains("lena.jsonl: is a folder, not a regular file"))
    }

    @Test("readers refuse a linked log or dataset: status and agreement never read through a link")
    func readersRefuseLinks() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let target = try Target(in: temp.url)
        let link = temp.url.appendingPathComponent("linked.jsonl")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target.url.path)
        let logError = #expect(throws: InputError.self) { _ = try CurrentLabels.readEvents(file: link) }
        #expect(logError?.message.contains("symbolic link") == true)
        let datasetError = #expect(throws: InputError.self) { _ = try Dataset.read(from: link) }
        #expect(datasetError?.message.contains("symbolic link") == true)
        #expect(throws: InputError.self) { _ = try AdjudicationLogs.read(file: link) }
    }

    @Test("a rater name that is a path or carries controls is refused before any file is made")
    func raterNamesChecked() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let folder = temp.url.appendingPathComponent("ds")
        for name in ["../../escaped", "a/b", "tab\there", "esc\u{1B}[2J", ".hidden", "judge:gpt-4o", ""] {
            #expect(throws: InputError.self, "\(name)") { _ = try RaterLog(folder: folder, rater: name) }
            #expect(throws: InputError.self, "\(name)") { _ = try AdjudicationLog(annotationFolder: folder, adjudicator: name) }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path), "a folder was made for a refused name")
        #expect(!FileManager.default.fileExists(atPath: temp.url.appendingPathComponent("escaped.jsonl").path))
        // The refusal never echoes the control bytes it refused.
        #expect(RaterName.problem(with: "esc\u{1B}[2J").map { !$0.unicodeScalars.contains("\u{1B}") } == true)
    }

    @Test("a lock held by another program is reported as that program, not as the stale pid in the lock file",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock"), "/usr/bin/flock (util-linux) is not installed"))
    func lockHeldByAnotherProgram() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let folder = temp.url.appendingPathComponent("ds")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lock = folder.appendingPathComponent("lena.jsonl.lock")
        try Data("999999\n".utf8).write(to: lock)  // a pid an earlier session left behind
        // flock(1) in a process group of its own, so that it and its command end together.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let arguments = ["/usr/bin/flock", "-x", lock.path, "sleep", "30"]
        var cArguments = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var holderPID: pid_t = 0
        #expect(posix_spawn(&holderPID, arguments[0], nil, &attributes, &cArguments, environ) == 0)
        defer {
            kill(-holderPID, SIGKILL)
            var status: Int32 = 0
            waitpid(holderPID, &status, 0)
        }
        // Wait until flock holds the lock (it writes nothing to the file).
        for _ in 0..<500 {
            if (try? RaterLog(folder: folder, rater: "lena")).map({ $0.close() }) == nil { break }
            usleep(10_000)
        }
        let error = #expect(throws: StoreError.self) { _ = try RaterLog(folder: folder, rater: "lena") }
        guard case .locked(_, let who)? = error else { Issue.record("expected a lock error, got \(String(describing: error))"); return }
        #expect(who.pid == holderPID)
        #expect(who.program == "flock")
        #expect(!who.isJudgeReview)
        let text = error?.description ?? ""
        #expect(text.contains("locked by another program, flock (process \(holderPID))"))
        #expect(!text.contains("999999"))
    }

    @Test("re-importing a corrected item re-bases its imported label instead of leaving it stale")
    func reimportRebases() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let original = StoreFixtures.item("a", response: "first text")
        let corrected = StoreFixtures.item("a", response: "corrected text")
        let log = try RaterLog(folder: temp.url, rater: "annotator_1")
        defer { log.close() }
        let first = LabelEvent.label(item: original, rater: "annotator_1", answer: "no", mode: .imported, judgeSeenFirst: false, at: StoreFixtures.start)
        #expect(try appendChanges(log, [first]) == RaterLog.Change(appended: 1, rebased: 0))
        #expect(try appendChanges(log, [first]) == RaterLog.Change(appended: 0, rebased: 0), "an unchanged re-import appended")
        let again = LabelEvent.label(item: corrected, rater: "annotator_1", answer: "no", mode: .imported, judgeSeenFirst: false, at: StoreFixtures.start)
        #expect(try appendChanges(log, [again]) == RaterLog.Change(appended: 1, rebased: 1))
        let replay = log.replay(against: Dataset(name: "ds", items: [corrected]))
        #expect(replay.current["a"]?.answer == "no", "the label was lost when the item changed")
    }

    @Test("a re-import compares with the live label, never with a practice or repeat answer")
    func reimportIgnoresPurposes() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let item = StoreFixtures.item("a")
        let log = try RaterLog(folder: temp.url, rater: "alice")
        defer { log.close() }
        let live = LabelEvent.label(item: item, rater: "alice", answer: "no", mode: .imported, judgeSeenFirst: false, at: StoreFixtures.start)
        try log.append(live)
        try log.append(LabelEvent.label(item: item, rater: "alice", answer: "yes", mode: .blind, judgeSeenFirst: false,
                                        at: StoreFixtures.start.addingTimeInterval(1), purpose: .repeat))
        #expect(try appendChanges(log, [live]) == RaterLog.Change(appended: 0, rebased: 0), "the repeat was taken for the live label")
    }
}

/// An import's labels go to a log in one write and one fsync: all durable, or none and all pending.
@Suite("Store: batched appends")
struct BatchedAppendTests {
    @Test("a batch is one write and one fsync; on a full disk none of it stays in the log, all of it stays pending")
    func allOrNone() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let disk = FaultyFileSystem()
        let log = try RaterLog(folder: temp.url, rater: "annotator_1", fileSystem: disk)
        defer { log.close() }
        let items = (0..<50).map { StoreFixtures.item("i\($0)") }
        try log.append(StoreFixtures.label(items[0], rater: "annotator_1"))
        let before = try Data(contentsOf: log.log.file)
        disk.failWrites = ENOSPC
        disk.partialBytes = 300  // half a batch reaches the disk before it fills up
        let batch = items.dropFirst().map { StoreFixtures.label($0, rater: "annotator_1") }
        #expect(throws: StoreError.self) { try log.log.append(contentsOf: Array(batch)) }
        #expect(try Data(contentsOf: log.log.file) == before, "part of a failed batch stayed in the log")
        #expect(log.events.count == 1, "nothing of a failed batch is kept")
        disk.failWrites = nil
        try log.log.append(contentsOf: Array(batch))
        let reopened = try CurrentLabels.readEvents(file: log.log.file).events
        #expect(reopened.map(\.item) == items.map(\.id))
    }
}

/// What an import does with a rater's events (`Importer`): the changes against the log, appended in one write.
private func appendChanges(_ log: RaterLog, _ events: [LabelEvent]) throws -> RaterLog.Change {
    let (batch, change) = log.changes(events)
    try log.log.append(contentsOf: batch)
    return change
}
