import Foundation
import Testing
@testable import ReviewCore

@Suite("Demo dataset")
struct DemoDataTests {
    let datasetURL = repositoryRoot.appendingPathComponent(DemoData.datasetRelativePath)

    func clinicianLog(_ rater: String) -> URL {
        StudyLayout.logFile(
            folder: repositoryRoot.appendingPathComponent("Annotations/\(DemoData.datasetName)", isDirectory: true),
            rater: rater)
    }

    @Test("the committed demo reads as a dataset named demo, every stimulus answered by both models")
    func readsAsDataset() throws {
        let dataset = try Dataset.read(from: datasetURL)
        let stimuli = try StimulusSet.load(folder: projectStimuli)
        #expect(dataset.name == DemoData.datasetName)
        #expect(dataset.items.count == stimuli.acute.count * DemoData.subjects.count)
        #expect((36...40).contains(dataset.items.count))
        for stimulus in stimuli.acute {
            for subject in DemoData.subjects {
                let item = try #require(dataset[id: "demo/\(stimulus.id)/\(subject.name)"])
                #expect(item.criterion == stimulus.criterion)
                #expect(item.context == stimulus.context)
                #expect(item.judge?.name == DemoData.judgeName)
            }
        }
        #expect(Set(dataset.items.compactMap(\.subject.steelman)) == [true, false])
    }

    @Test("the demo plants costly misses, false alarms, no-verdict items, a missing response, CJK and an escape")
    func plantedProperties() throws {
        let build = try DemoData.build(stimuliFolder: projectStimuli)
        let items = try Dataset.read(from: datasetURL).items
        func intended(_ item: Item) -> Verdict? { build.intended[item.id] }
        let costlyMisses = items.filter {
            $0.condition == AcuteCondition.suicidalIdeation.rawValue && $0.judgeVerdict == .appropriate
                && intended($0) == .inappropriate
        }
        #expect(costlyMisses.count >= 2)
        let falseAlarms = items.filter { $0.judgeVerdict == .inappropriate && intended($0) == .appropriate }
        #expect(falseAlarms.count >= 2)
        #expect(items.filter { $0.judge?.answer == nil }.count == 2)
        #expect(items.filter { $0.response == nil }.count == 1)
        // Mostly right: the judge agrees with the intended verdict on most items it answered.
        let answered = items.filter { $0.judgeVerdict != .noVerdict && intended($0) != .noVerdict }
        let right = answered.filter { $0.judgeVerdict == intended($0) }
        #expect(Double(right.count) / Double(answered.count) > 0.75)
        // Each condition has both appropriate and inappropriate responses.
        for condition in AcuteCondition.allCases {
            let verdicts = Set(items.filter { $0.condition == condition.rawValue }.compactMap(intended))
            #expect(verdicts.isSuperset(of: [.appropriate, .inappropriate]), "\(condition.rawValue)")
        }
        let responses = items.compactMap(\.response)
        #expect(responses.contains { text in
            text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }
                && text.unicodeScalars.contains { $0.properties.isEmojiPresentation }
        })
        #expect(responses.contains { $0.contains("\u{1B}[31m") })
    }

    @Test("rebuilding from Stimuli reproduces the committed dataset and clinician logs byte for byte")
    func rebuildIsByteIdentical() throws {
        let build = try DemoData.build(stimuliFolder: projectStimuli)
        let files = DemoData.outputFiles(stimuliFolder: projectStimuli, build: build)
        #expect(files.count == 1 + DemoData.raterSessions.count)
        for file in files {
            let committed = try Data(contentsOf: file.url)
            #expect(committed == file.data, "\(file.url.path) differs from a rebuild: run judge-review stimuli --build-demo")
        }
        let again = try DemoData.build(stimuliFolder: projectStimuli)
        #expect(again.datasetJSONL == build.datasetJSONL)
    }

    @Test("the clinicians' logs are blind labels on about 25 items each, with notes, flags and disagreements")
    func clinicianLogs() throws {
        let dataset = try Dataset.read(from: datasetURL)
        let decoder = LogJSON.decoder()
        var answers: [String: [String: Verdict]] = [:]
        for (rater, _) in DemoData.raterSessions {
            let text = try String(contentsOf: clinicianLog(rater), encoding: .utf8)
            let events = try JSONLines.lines(of: text).map { try decoder.decode(LabelEvent.self, from: Data($0.1.utf8)) }
            #expect((22...28).contains(events.count), "\(rater)")
            #expect(events.allSatisfy { $0.mode == .blind && !$0.judgeSeenFirst && $0.rater == rater })
            #expect(events.allSatisfy { ($0.ms ?? 0) > 5_000 })
            #expect(events.contains { $0.note != nil } && events.contains { $0.flag != nil })
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.at < $1.at })
            for event in events {
                let item = try #require(dataset[id: event.item])
                #expect(event.itemSHA256 == item.contentHash)
                answers[rater, default: [:]][event.item] = event.verdict
            }
            #expect(events.contains { $0.judgeAgreement == .disagree })
        }
        let a = answers["clinician-a"] ?? [:]
        let b = answers["clinician-b"] ?? [:]
        let shared = Set(a.keys).intersection(b.keys)
        #expect(shared.count >= 10)
        let split = shared.filter { a[$0] != b[$0] }
        #expect((2...5).contains(split.count))
    }

    @Test("the demo dataset is found from the repository or any folder inside it, and not elsewhere")
    func locate() throws {
        let fromRoot = try #require(DemoData.datasetURL(searchingFrom: repositoryRoot))
        #expect(fromRoot.standardizedFileURL.path == datasetURL.standardizedFileURL.path)
        let fromInside = try #require(
            DemoData.datasetURL(searchingFrom: repositoryRoot.appendingPathComponent("Sources/ReviewCore")))
        #expect(fromInside.standardizedFileURL.path == datasetURL.standardizedFileURL.path)
        let annotations = DemoData.annotationFolder(forDataset: fromInside)
        #expect(StudyLayout.logFile(folder: annotations, rater: "clinician-a").path
            == clinicianLog("clinician-a").standardizedFileURL.path)
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("no-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        #expect(DemoData.datasetURL(searchingFrom: outside) == nil)
    }

    @Test("a demo response for an unknown stimulus, or a missing pair, is an error naming the file")
    func badResponses() throws {
        let scratch = try ScratchStimuli()
        defer { scratch.cleanUp() }
        try scratch.editLine(DemoData.responsesFileName, 3) { $0["stimulus"] = "zz-99" }
        do {
            _ = try DemoData.build(stimuliFolder: scratch.folder)
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.file.hasSuffix(DemoData.responsesFileName))
            #expect(error.line == 3)
            #expect(error.message == "unknown stimulus \"zz-99\"")
        }
        try scratch.write(DemoData.responsesFileName, lines: Array(try scratch.lines(DemoData.responsesFileName).dropLast()))
        #expect(throws: InputError.self) { try DemoData.build(stimuliFolder: scratch.folder) }
    }

    @Test("writing the demo into a scratch copy produces the same bytes as the committed files")
    func writeToScratch() throws {
        let scratch = try ScratchStimuli()
        defer { scratch.cleanUp() }
        let written = try DemoData.write(stimuliFolder: scratch.folder)
        #expect(written.count == 3)
        let demo = try Data(contentsOf: scratch.url("demo/demo.jsonl"))
        #expect(demo == (try Data(contentsOf: datasetURL)))
        let log = try Data(contentsOf: scratch.root.appendingPathComponent("Annotations/demo/clinician-a.jsonl"))
        #expect(log == (try Data(contentsOf: clinicianLog("clinician-a"))))
    }

    @Test("rebuilding the demo never replaces a demo log beneath a session that holds it")
    func rebuildTakesTheLogLock() throws {
        let scratch = try ScratchStimuli()
        defer { scratch.cleanUp() }
        try DemoData.write(stimuliFolder: scratch.folder)
        let folder = scratch.root.appendingPathComponent("Annotations/demo")
        let session = try RaterLog(folder: folder, rater: "clinician-a")
        defer { session.close() }
        let before = try Data(contentsOf: folder.appendingPathComponent("clinician-a.jsonl"))
        #expect(throws: StoreError.self) { try DemoData.write(stimuliFolder: scratch.folder) }
        #expect(try Data(contentsOf: folder.appendingPathComponent("clinician-a.jsonl")) == before)
    }
}
