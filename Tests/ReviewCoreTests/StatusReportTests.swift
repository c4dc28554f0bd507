import Foundation
import ReviewTestSupport
import Testing
@testable import ReviewCore

@Suite("Status report")
struct StatusReportTests {
    typealias F = StoreFixtures

    @Test("one aligned row per rater: labeled/total, flagged, stale, set aside, last activity")
    func healthyTable() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let ann = try RaterLog(folder: temp.url, rater: "annotator_1")
        try ann.append(F.label(dataset.items[0], rater: "annotator_1", flag: .unsure, second: 10))
        try ann.append(F.label(dataset.items[1], rater: "annotator_1", second: 20))
        ann.close()
        let bob = try RaterLog(folder: temp.url, rater: "bob")
        try bob.append(F.label(F.item("gone"), rater: "bob", second: 5))
        try bob.append(F.label(dataset.items[2], rater: "bob", second: 6))
        bob.close()
        try Data("x\ny\n".utf8).write(to: temp.url.appendingPathComponent("bob.jsonl.corrupt"))

        let report = try StatusReport.build(folder: temp.url, dataset: dataset)
        #expect(!report.hasCorruptLog)
        #expect(report.lines() == [
            "demo: 4 items, logs in \(temp.url.path)",
            "rater        labeled  flagged  stale  set aside  last activity (UTC)  log",
            "-----------  -------  -------  -----  ---------  -------------------  ---",
            "annotator_1      2/4        1      0          0  2026-05-28 20:27:00  ok",
            "bob              1/4        0      1          2  2026-05-28 20:26:46  ok",
            "bob: 1 stale label (item gone): gone; the item is no longer in the dataset",
        ])
    }

    @Test("an unreadable log or a torn last line marks the report corrupt and says where")
    func corruptLogs() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = F.dataset()
        let good = try F.line(F.label(dataset.items[0]))
        try (good + Data("{broken\n".utf8) + good).write(to: temp.url.appendingPathComponent("ann.jsonl"))
        try (good + Data("{\"sche".utf8)).write(to: temp.url.appendingPathComponent("bob.jsonl"))
        let report = try StatusReport.build(folder: temp.url, dataset: dataset)
        #expect(report.hasCorruptLog)
        let lines = report.lines()
        #expect(lines[3].hasPrefix("ann"))
        #expect(lines[3].hasSuffix("CORRUPT"))
        #expect(lines[4].hasSuffix("TORN"))
        #expect(lines[4].contains("1/4"))
        #expect(lines.contains("ann: CORRUPT: \(temp.url.path)/ann.jsonl:2: cannot read this log record: invalid JSON; the log was left untouched, fix or remove the line by hand"))
        #expect(lines.contains { $0.hasPrefix("bob: line 2 is torn") })
        // Status never repairs: the torn line is still there.
        #expect(try Data(contentsOf: temp.url.appendingPathComponent("bob.jsonl")).count == good.count + 6)
    }

    @Test("a folder without logs reports so")
    func empty() throws {
        let report = try StatusReport.build(folder: URL(fileURLWithPath: "/nonexistent/folder"), dataset: F.dataset())
        #expect(report.lines() == ["demo: 4 items, logs in /nonexistent/folder", "no rater logs yet in /nonexistent/folder: nobody has labelled this dataset there"])
        #expect(!report.hasCorruptLog)
    }
}
