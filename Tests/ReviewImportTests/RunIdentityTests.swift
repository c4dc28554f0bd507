import Foundation
import Testing
@testable import ReviewCore
@testable import ReviewImport

/// Runs are part of an item's identity, and a re-import that changes a labelled item says so, by item.
@Suite("Runs in item ids, and labelled items a re-import changes")
struct RunIdentityTests {
    @Test("two runs of one Inspect task (two eval_ids) are two sets of items; the same log again replaces nothing")
    func inspectRuns() throws {
        let folder = try Fixtures.makeFolder()
        let study = folder.appendingPathComponent("study")
        try Study.create(at: study)
        let first = try Fixtures.write(InspectLogTests.handWritten().replacingOccurrences(of: #""task": "care""#, with: #""task": "care", "eval_id": "RunOne""#),
                                       as: "first.json", in: folder)
        let second = try Fixtures.write(InspectLogTests.handWritten().replacingOccurrences(of: #""task": "care""#, with: #""task": "care", "eval_id": "RunTwo""#),
                                        as: "second.json", in: folder)
        _ = try Importer.planAndWrite(ImportRequest(inputs: [first], output: study.path))
        var plan = try Importer.plan(ImportRequest(inputs: [second], output: study.path))
        #expect(plan.dataset.items.map(\.id) == ["provider/subject-1/care@RunOne/1", "provider/subject-1/care@RunOne/two", "provider/subject-1/care@RunOne/3",
                                                 "provider/subject-1/care@RunTwo/1", "provider/subject-1/care@RunTwo/two", "provider/subject-1/care@RunTwo/3"])
        _ = try plan.write()
        #expect(try Importer.plan(ImportRequest(inputs: [first], output: study.path)).dataset.items.count == 6)
    }

    @Test("an import into a study reads the study's items from its index: the items it does not give again come back in full, one at a time or from the whole file, byte for byte")
    func studyItemsFromTheIndex() throws {
        let (folder, created) = try Self.emptyStudy()
        let study = created.folder
        let header = Self.oneAnnotatorHeader
        let first = try Fixtures.write(header + "k1,mania,\"One, with a comma.\",Q?,\"yes, no\",no,\"Reply one,\nover two lines.\",no,no\n"
                                       + "k2,mania,Two.,Q?,\"yes, no\",no,,no,yes\n", as: "a_no-steelman.csv", in: folder)
        let second = try Fixtures.write(header + "k3,mania,Three.,Q?,\"yes, no\",no,Reply three.,yes,\n", as: "b_no-steelman.csv", in: folder)
        _ = try Importer.planAndWrite(ImportRequest(inputs: [first], output: study.path))
        let before = try Data(contentsOf: study.appendingPathComponent("items.jsonl"))
        // The first file's items are summaries in the second import's plan until their texts are read back.
        let summaries = try Study(folder: study).dataset(settings: Study(folder: study).settings(), detail: .summaries)
        #expect(summaries.textsLeftOut)
        for oneByOne in [0, Importer.itemsReadOneByOne] {
            var items = summaries.items
            try Importer.readTexts(of: &items, existing: summaries, study: Study(folder: study), oneByOne: oneByOne)
            #expect(items == (try Study(folder: study).dataset()).items)
        }
        _ = try Importer.planAndWrite(ImportRequest(inputs: [second], output: study.path))
        let after = try Data(contentsOf: study.appendingPathComponent("items.jsonl"))
        #expect(after.prefix(before.count) == before)
        #expect(try Study(folder: study).dataset().items.map(\.id) == ["a/k1", "a/k2", "b/k3"])
    }

    /// A new empty study in a folder of its own, and that folder (for the files to import).
    static func emptyStudy() throws -> (folder: URL, study: Study) {
        let folder = try Fixtures.makeFolder()
        let studyFolder = folder.appendingPathComponent("study")
        try Study.create(at: studyFolder)
        return (folder, Study(folder: studyFolder))
    }

    /// A paper results header with a judge and one annotator column.
    static let oneAnnotatorHeader = "key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification,annotator_1_classification\n"

    /// A paper results header with a judge and two annotator columns.
    static let twoAnnotatorHeader = "key,condition,interjection,verification_prompt,verification_options,verification_correct,model_response,judge-x_classification,annotator_1_classification,annotator_2_classification\n"

    @Test("a re-import into a study opens each log through its replay cache when the items are the file's own bytes, and appends exactly what a whole read would")
    func reimportThroughReplayCaches() throws {
        let (folder, study) = try Self.emptyStudy()
        let studyFolder = study.folder
        let header = Self.twoAnnotatorHeader
        func file(changing changed: Int?) throws -> String {
            let rows = (0..<40).map { row in
                let second = row == changed ? "no" : (row % 3 == 0 ? "" : "yes")
                return "k\(row),mania,Stimulus \(row % 4).,Q?,\"yes, no\",no,Reply \(row).,\(row % 2 == 0 ? "yes" : "no"),\(row % 2 == 0 ? "no" : "yes"),\(second)\n"
            }
            return try Fixtures.write(header + rows.joined(), as: "m_no-steelman.csv", in: folder)
        }
        _ = try Importer.planAndWrite(ImportRequest(inputs: [try file(changing: nil)], output: studyFolder.path))
        // The logs' caches, as a command reading the study makes them (logs this small are cached when asked).
        let dataset = try study.dataset()
        for rater in ["annotator_1", "annotator_2"] {
            _ = try LogReplayCache.readEvents(file: StudyLayout.logFile(folder: study.annotationFolder, rater: rater), study: study,
                                              dataset: dataset, smallest: 0)
            let log = try RaterLog(folder: study.annotationFolder, rater: rater, cache: (study, dataset))
            #expect(!log.knownPositions.isEmpty && log.knownPositions.count == log.events.count)
            log.close()
        }
        // The same file again: nothing to append, through the caches.
        let again = try Importer.planAndWrite(ImportRequest(inputs: [try file(changing: nil)], output: studyFolder.path))
        #expect(again.logs.map(\.appended) == [0, 0])
        // One answer changed: the items are the same bytes, the caches serve, and one label is appended.
        let before = try RaterLog(folder: study.annotationFolder, rater: "annotator_2").events
        let changed = try Importer.planAndWrite(ImportRequest(inputs: [try file(changing: 4)], output: studyFolder.path))
        #expect(changed.logs.map(\.appended) == [0, 1])
        let after = try RaterLog(folder: study.annotationFolder, rater: "annotator_2").events
        #expect(after.count == before.count + 1 && Array(after.prefix(before.count)) == before)
        #expect(after.last?.item == "m/k4" && after.last?.answer == "no")
    }

    @Test("an import leaves each log it wrote with a replay cache that gives exactly the events of a whole read")
    func importWritesReplayCaches() throws {
        let (folder, study) = try Self.emptyStudy()
        let studyFolder = study.folder
        let header = Self.twoAnnotatorHeader
        // Enough rows for logs over the smallest cached size (about 350 bytes a label).
        let rows = (0..<8_000).map { row in
            "k\(row),mania,Stimulus \(row % 7).,Q?,\"yes, no\",no,Reply \(row).,\(row % 2 == 0 ? "yes" : "no"),\(row % 3 == 0 ? "" : " No"),\(row % 5 == 0 ? "YES " : "yes")\n"
        }
        let file = try Fixtures.write(header + rows.joined(), as: "m_no-steelman.csv", in: folder)
        _ = try Importer.planAndWrite(ImportRequest(inputs: [file], output: studyFolder.path))
        let dataset = try study.dataset()
        for rater in ["annotator_1", "annotator_2"] {
            let log = StudyLayout.logFile(folder: study.annotationFolder, rater: rater)
            #expect(FileKind.ofPath(StudyLayout.replayCacheFile(study: studyFolder, rater: rater).path) == .regular)
            let cached = try LogReplayCache.readEvents(file: log, study: study, dataset: dataset)
            let whole = try LogReplayCache.readEvents(file: log, study: nil, dataset: dataset)
            #expect(cached.positions.count == cached.events.count && !cached.positions.isEmpty)
            #expect(cached.events.count == whole.events.count)
            #expect(cached.events == whole.events && cached.note == nil)
        }
    }

    @Test("a corrected file that changes a labelled item names the item and who labelled it; unlabelled changes are not listed")
    func labelledChange() throws {
        let (folder, created) = try Self.emptyStudy()
        let study = created.folder
        let header = Self.oneAnnotatorHeader
        func file(_ second: String, _ third: String) throws -> String {
            try Fixtures.write(header + "k1,mania,One.,Q?,\"yes, no\",no,Reply one.,no,no\n" + "k2,mania,Two.,Q?,\"yes, no\",no,\(second),no,yes\n"
                               + "k3,mania,Three.,Q?,\"yes, no\",no,\(third),yes,\n", as: "m_no-steelman.csv", in: folder)
        }
        _ = try Importer.planAndWrite(ImportRequest(inputs: [try file("Reply two.", "Reply three.")], output: study.path))
        let plan = try Importer.plan(ImportRequest(inputs: [try file("Reply two edited.", "Reply three edited.")], output: study.path))
        #expect(plan.changedLabelled.map(\.id) == ["m/k2"] && plan.changedLabelled.first?.raters == ["annotator_1"])
        #expect(plan.summary(outcome: ImportOutcome(replacedExistingDataset: true, logs: []))
            .contains("Changed items that were labelled: 1 (the labels are of the old content; relabel them, or import the old file back)\n  m/k2: labelled by annotator_1"))
    }
}

@Suite("The --as-judge summary")
struct JudgeAttachmentSummaryTests {
    @Test("ids from the files reach the terminal sanitised, with the counts worded for one and for many")
    func sanitised() {
        let hostile = "m/\u{1B}[31mred\u{07}"
        let attachment = JudgeAttachment(answers: [], unknown: [hostile], unknownCount: 3, changed: [hostile], changedCount: 1, conflicting: [],
                                         skipped: [], ignoredHumanColumns: ["human_\u{1B}]0;x\u{07}classification"])
        let summary = attachment.summary(judge: "y", saved: 0)
        #expect(summary.warnings.count == 3 && summary.warnings.allSatisfy { !$0.contains("\u{1B}") && !$0.contains("\u{07}") })
        #expect(summary.warnings[0].hasPrefix("1 item differs from the study's") && summary.warnings[1].hasPrefix("3 ids are not in the study") && summary.warnings[1].contains(", …"))
        #expect(summary.line == "judge y: 0 items matched (0 with an option, 0 without), 0 verdicts saved, 0 already in its log")
    }
}
