import Foundation
import ReviewTestSupport
import Testing
@testable import ReviewCore

#if canImport(Glibc)
import Glibc
#endif

/// A log whose path stops naming the file a writer holds (rename, link, a removed lock) is never written past.
@Suite("Store: a log replaced, moved, linked or unlocked under a writer")
struct StoreDisplacementTests {
    typealias F = StoreFixtures

    private func logFile(_ temp: TemporaryFolder) -> URL { StudyLayout.logFile(folder: temp.url, rater: "ann") }

    /// Replaces `file` by rename with `data`, as git, a sync tool or an editor's save does.
    private func replaceByRename(_ file: URL, with data: Data) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent("sync-tool.tmp")
        try data.write(to: temporary)
        #expect(rename(temporary.path, file.path) == 0)
    }

    @Test("a log replaced by a copy of itself: the next label goes into the file the path names")
    func replacedBySameBytes() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let log = try RaterLog(folder: temp.url, rater: "ann")
        defer { log.close() }
        try log.append(F.label(dataset.items[0]))
        try replaceByRename(logFile(temp), with: try Data(contentsOf: logFile(temp)))
        try log.append(F.label(dataset.items[1]))
        try log.append(F.label(dataset.items[2]))
        let onDisk = try Data(contentsOf: logFile(temp))
        let expected = try F.line(log.events[0]) + F.line(log.events[1]) + F.line(log.events[2])
        #expect(onDisk == expected)
        #expect(log.warnings.contains { $0.contains("re-attached") })
    }

    @Test("a log replaced by an older copy gets this session's missing lines back before the next one")
    func replacedByOlderCopy() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let log = try RaterLog(folder: temp.url, rater: "ann")
        defer { log.close() }
        try log.append(F.label(dataset.items[0]))
        let older = try Data(contentsOf: logFile(temp))
        try log.append(F.label(dataset.items[1]))
        try replaceByRename(logFile(temp), with: older)
        try log.append(F.label(dataset.items[2]))
        let replay = RaterReplay(
            rater: "ann", events: try CurrentLabels.readEvents(file: logFile(temp)).events, dataset: dataset)
        #expect(replay.labeledCount == 3)
    }

    @Test("a log replaced by other content: NOT SAVED, nothing written to either file, the label kept by the caller")
    func replacedByOtherContent() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let log = try RaterLog(folder: temp.url, rater: "ann")
        defer { log.close() }
        try log.append(F.label(dataset.items[0]))
        let other = try F.line(F.label(dataset.items[3], answer: "yes"))
        try replaceByRename(logFile(temp), with: other)
        for _ in 0..<2 {
            let error = try #require(throws: StoreError.self) { try log.append(F.label(dataset.items[1])) }
            guard case .displaced = error else { Issue.record("expected displaced, got \(error)"); return }
            #expect(error.description.contains("NOT SAVED"))
            #expect(error.description.contains("replaced"))
        }
        #expect(try Data(contentsOf: logFile(temp)) == other)
        #expect(log.events.count == 1)
    }

    @Test("a log moved away, or a symbolic link put in its place, is refused and the link's target untouched")
    func movedOrLinked() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let log = try RaterLog(folder: temp.url, rater: "ann")
        defer { log.close() }
        try log.append(F.label(dataset.items[0]))
        let moved = temp.url.appendingPathComponent("moved.jsonl")
        #expect(rename(logFile(temp).path, moved.path) == 0)
        #expect(throws: StoreError.self) { try log.append(F.label(dataset.items[1])) }
        #expect(symlink(moved.path, logFile(temp).path) == 0)
        let before = try Data(contentsOf: moved)
        let error = try #require(throws: StoreError.self) { try log.append(F.label(dataset.items[1])) }
        #expect(error.description.contains("NOT SAVED"))
        #expect(try Data(contentsOf: moved) == before)
    }

    @Test("a hard link to a log: opening is refused, and a link made while open stops saving")
    func hardLinks() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let log = try RaterLog(folder: temp.url, rater: "ann")
        try log.append(F.label(dataset.items[0]))
        let elsewhere = temp.url.appendingPathComponent("elsewhere.jsonl")
        #expect(link(logFile(temp).path, elsewhere.path) == 0)
        let error = try #require(throws: StoreError.self) { try log.append(F.label(dataset.items[1])) }
        #expect(error.description.contains("hard link"))
        log.close()
        let reopen = try #require(throws: StoreError.self) { try RaterLog(folder: temp.url, rater: "ann") }
        #expect(reopen.description.contains("hard link"))
        #expect(try Data(contentsOf: elsewhere) == Data(contentsOf: logFile(temp)))
    }

    @Test("a lock file removed under a writer: a second writer is refused by the log's own lock; the first takes its lock again")
    func removedLockFile() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let first = try RaterLog(folder: temp.url, rater: "ann")
        defer { first.close() }
        try first.append(F.label(dataset.items[0]))
        let lockFile = LogLock.lockFile(for: logFile(temp))
        #expect(unlink(lockFile.path) == 0)
        let second = try #require(throws: StoreError.self) { try RaterLog(folder: temp.url, rater: "ann") }
        guard case .locked = second else { Issue.record("expected locked, got \(second)"); return }
        try first.append(F.label(dataset.items[1]))
        #expect(FileManager.default.fileExists(atPath: lockFile.path))
        #expect(throws: StoreError.self) { try RaterLog(folder: temp.url, rater: "ann") }
        #expect(try Data(contentsOf: logFile(temp)) == F.line(first.events[0]) + F.line(first.events[1]))
    }

    @Test("a lock file removed before the log existed: the writer that made the log keeps it; the other stops saving")
    func removedLockFileBeforeFirstLabel() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let first = try RaterLog(folder: temp.url, rater: "ann")
        defer { first.close() }
        #expect(unlink(LogLock.lockFile(for: logFile(temp)).path) == 0)
        let second = try RaterLog(folder: temp.url, rater: "ann")
        defer { second.close() }
        try second.append(F.label(dataset.items[0], answer: "yes"))
        #expect(throws: StoreError.self) { try first.append(F.label(dataset.items[1])) }
        try second.append(F.label(dataset.items[2]))
        let events = try CurrentLabels.readEvents(file: logFile(temp)).events
        #expect(events.map(\.item) == [dataset.items[0].id, dataset.items[2].id])
    }

    @Test("lines another program appended are kept and read; a torn one stops saving, and nothing is cut")
    func foreignAppends() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let fileSystem = FaultyFileSystem()
        let log = try RaterLog(folder: temp.url, rater: "ann", fileSystem: fileSystem)
        defer { log.close() }
        try log.append(F.label(dataset.items[0]))
        fileSystem.failWrites = EIO
        fileSystem.partialBytes = 10
        #expect(throws: StoreError.self) { try log.append(F.label(dataset.items[1])) }
        fileSystem.failWrites = nil
        // Another program (no lock) appends a whole line: kept, and read as part of the log.
        let foreign = try F.line(F.label(dataset.items[3], rater: "ann", answer: "yes"))
        let handle = try FileHandle(forWritingTo: logFile(temp))
        try handle.seekToEnd()
        try handle.write(contentsOf: foreign)
        try log.append(F.label(dataset.items[1]))
        #expect(log.events.map(\.item) == [dataset.items[0].id, dataset.items[3].id, dataset.items[1].id])
        #expect(try CurrentLabels.readEvents(file: logFile(temp)).events.map(\.item) == log.events.map(\.item))
        // Half a line from another program: not cut, not written after.
        try handle.seekToEnd()
        try handle.write(contentsOf: foreign.prefix(12))
        try handle.close()
        let size = try Data(contentsOf: logFile(temp)).count
        #expect(throws: StoreError.self) { try log.append(F.label(dataset.items[2])) }
        #expect(try Data(contentsOf: logFile(temp)).count == size)
    }
}
