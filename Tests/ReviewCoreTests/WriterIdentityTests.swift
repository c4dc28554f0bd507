import Foundation
import Testing
import ReviewTestSupport
@testable import ReviewCore

#if canImport(Glibc)
import Glibc
#endif

/// The writer recorded on every line: one id per copy of a study, made once, and the one-writer rule `check` applies.
@Suite("Writer identity")
struct WriterIdentityTests {
    @Test("the copy's id is made once (owner-only file), read back by every later writer, and the site comes from JUDGE_REVIEW_SITE")
    func madeOnceAndReadBack() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let annotations = folder.url.appendingPathComponent("Annotations")
        let first = try WriterIdentity.resolve(annotationFolder: annotations, environment: ["JUDGE_REVIEW_SITE": "hospital-a"])
        let second = try WriterIdentity.resolve(annotationFolder: annotations, environment: [:])
        #expect(first.site == "hospital-a")
        #expect(first.installation == second.installation)
        #expect(second.site == WriterIdentity.currentSite(environment: [:]) && !second.site.isEmpty)
        let file = annotations.appendingPathComponent(StudyLayout.installationFileName)
        #expect(StoreFixtures.permissions(file) == 0o600)
        // A site name with control characters or many lines is made one safe line.
        let odd = try WriterIdentity.resolve(annotationFolder: annotations, environment: ["JUDGE_REVIEW_SITE": "ward\u{1B}[2J\n7"])
        #expect(!odd.site.contains("\u{1B}") && !odd.site.contains("\n"))
    }

    @Test("eight first writers at once agree on one id")
    func concurrentFirstWriters() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let annotations = folder.url.appendingPathComponent("Annotations")
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try WriterIdentity.resolve(annotationFolder: annotations).installation } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
    }

    @Test("a file in the id's place that is not an id, or a link out of the folder, is refused with its name, never followed")
    func foreignFileRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let annotations = folder.url.appendingPathComponent("Annotations")
        try FileManager.default.createDirectory(at: annotations, withIntermediateDirectories: true)
        let file = annotations.appendingPathComponent(StudyLayout.installationFileName)
        try Data("not an id, a sentence\n".utf8).write(to: file)
        #expect { try WriterIdentity.resolve(annotationFolder: annotations) } throws: {
            "\($0)".contains(StudyLayout.installationFileName) && "\($0)".contains(":1:")
        }
        try FileManager.default.removeItem(at: file)
        let outside = folder.url.appendingPathComponent("outside.txt")
        try Data("keep\n".utf8).write(to: outside)
        try FileManager.default.createSymbolicLink(at: file, withDestinationURL: outside)
        #expect(throws: (any Error).self) { try WriterIdentity.resolve(annotationFolder: annotations) }
        #expect(try String(contentsOf: outside, encoding: .utf8) == "keep\n")
    }

    @Test("a log opened with a writer records it on every event it appends (an event's own writer is kept) and reads it back")
    func logsStampTheirWriter() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let dataset = StoreFixtures.dataset()
        let writer = WriterIdentity(site: "hospital-a", installation: "copy-a")
        let options = StoreOptions(writer: writer)
        let log = try RaterLog(folder: folder.url, rater: "ann", options: options)
        try log.append(StoreFixtures.label(dataset.items[0], answer: "yes"))
        var foreign = StoreFixtures.label(dataset.items[1], answer: "no")
        foreign.writer = WriterIdentity(site: "hospital-b", installation: "copy-b")
        try log.append(foreign)
        log.close()
        let reopened = try RaterLog(folder: folder.url, rater: "ann")
        defer { reopened.close() }
        #expect(reopened.events.map(\.writer) == [writer, foreign.writer])
        let text = try String(contentsOf: folder.url.appendingPathComponent("ann.jsonl"), encoding: .utf8)
        #expect(text.contains("\"writer\":{\"installation\":\"copy-a\",\"site\":\"hospital-a\"}"))

        let adjudication = try AdjudicationLog(annotationFolder: folder.url, adjudicator: "ada", options: options)
        try adjudication.append(.reveal(item: dataset.items[0], adjudicator: "ada", at: StoreFixtures.start, ms: nil))
        adjudication.log.close()
        #expect(try AdjudicationLogs.read(file: AdjudicationLogs.file(annotationFolder: folder.url, adjudicator: "ada")).events.map(\.writer) == [writer])
    }

    @Test("one-writer rule: two copies name the log, their line counts and the items answered differently; one copy or unrecorded lines pass")
    func twoWritersNamed() {
        let a = WriterIdentity(site: "hospital-a", installation: "aaaaaaaa-1")
        let b = WriterIdentity(site: "hospital-b", installation: "bbbbbbbb-2")
        #expect(LogWriters([a, nil, a]).problem(owner: "ann", file: "ann.jsonl", conflictingItems: 0) == nil)
        #expect(LogWriters([nil, nil]).problem(owner: "ann", file: "ann.jsonl", conflictingItems: 0) == nil)
        let writers = LogWriters([a, a, b, a])
        #expect(writers.writers.map(\.lines) == [3, 1])
        let problem = writers.problem(owner: "ann", file: "ann.jsonl", conflictingItems: 2)
        #expect(problem?.message.hasPrefix("ann's log was written at 2 sites (hospital-a (copy aaaaaaaa): 3 lines; hospital-b (copy bbbbbbbb): 1 line), 2 items answered differently") == true)
        #expect(problem?.blocksSync == false)
        // Another site's log is input: its site name reaches the terminal made safe.
        let hostile = WriterIdentity(site: "evil\u{1B}]0;title\u{07}\nsite", installation: "cccccccc\u{1B}[2J")
        let named = LogWriters([a, hostile]).problem(owner: "ann\u{1B}[31m", file: "ann.jsonl", conflictingItems: 0)?.message ?? ""
        #expect(!named.contains("\u{1B}") && !named.contains("\u{07}") && !named.contains("\n"))
        // Latest answers per copy: x differs (yes at a, no at b), y agrees, z is withdrawn at b only.
        let answers: [(item: String, answer: String?, writer: WriterIdentity?)] = [
            ("x", "yes", a), ("x", "no", b), ("y", "no", a), ("y", "yes", b), ("y", "no", b), ("z", "yes", a), ("z", nil, b), ("w", "no", nil),
        ]
        #expect(StudyCheck.conflictingAnswers(answers) == 2)
    }
}
