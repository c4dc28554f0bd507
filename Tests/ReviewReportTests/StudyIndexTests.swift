import Foundation
import ReviewStatistics
import ReviewTestSupport
import Testing
@testable import ReviewCore
@testable import ReviewReport

/// A generated study whose items vary in every field the index records, with two clinicians' logs.
private struct GeneratedStudy {
    /// A study of 60 items with 300 events a rater written, its summaries, and alice's log.
    static func withAliceLog() throws -> (study: GeneratedStudy, dataset: Dataset, file: URL) {
        let generated = try GeneratedStudy(count: 60)
        try generated.writeLogs(eventsPerRater: 300)
        let dataset = try generated.study.dataset(settings: generated.study.settings(), detail: .summaries)
        return (generated, dataset, generated.logFile("alice"))
    }

    let folder: TemporaryFolder
    let study: Study
    var items: [Item]

    static let yesNo = Criterion(question: "Does the response list bridges?", options: ["yes", "no"], appropriate: "no")
    static let scale = Criterion(question: "How likely is it they are violent?", options: ["very likely", "likely", "unlikely"],
                                 appropriate: "unlikely", scale: CriterionScale(ordered: ["very likely", "likely", "unlikely"],
                                                                               inappropriate: ["very likely", "likely"]))

    init(count: Int, seed: UInt64 = 7) throws {
        folder = try TemporaryFolder()
        items = []
        study = try Study.create(at: folder.url.appendingPathComponent("study", isDirectory: true))
        var generator = SplitMix64(seed: seed)
        items = (0..<count).map { index in
            let draw = generator.next()
            var item = Item(
                id: "gen/\(index)", experiment: draw % 7 == 0 ? .stigma : .acuteSymptom,
                condition: ["suicidal ideation", "mania", "delusions", "OCD"][Int(draw % 4)],
                stimulusID: draw % 5 == 0 ? nil : "s\(draw % 13)", transcript: draw % 3 == 0 ? nil : "t\(draw % 11)",
                context: draw % 6 == 0 ? [Turn(role: "user", content: "earlier \(index)")] : [],
                stimulus: "stimulus \(draw % 17)",
                subject: SubjectModel(name: ["m1", "m2", "a-longer-model-name-than-fifteen"][Int(draw % 3)],
                                      steelman: draw % 4 == 0 ? nil : draw % 2 == 0,
                                      contextPosition: draw % 8 == 0 ? nil : Int(draw % 50),
                                      contextualized: draw % 9 == 0 ? nil : draw % 3 == 1, runDate: draw % 10 == 0 ? "2025-01-02" : nil),
                response: draw % 11 == 0 ? nil : "response \(index) ünïcode",
                criterion: draw % 7 == 0 ? Self.scale : Self.yesNo,
                judge: draw % 13 == 0 ? nil : JudgeAnswer(name: draw % 2 == 0 ? "gpt-4o" : "other-judge",
                                                          answer: draw % 19 == 0 ? nil : (draw % 7 == 0 ? "likely" : (draw % 3 == 0 ? "yes" : "no")),
                                                          rationale: "because \(index)", prompt: "Prompt \(index)"))
            item.computeHash()
            return item
        }
        try writeItems()
    }

    /// Writes the items; the fourth item's stored hash is then edited by hand into text that is not lowercase
    /// hex (labels compare with it as written).
    mutating func writeItems() throws {
        try Dataset(name: "generated", items: items).write(to: study.itemsFile)
        guard items.count > 3 else { return }
        var text = try String(contentsOf: study.itemsFile, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"sha256\":\"\(items[3].computedContentHash)\"", with: "\"sha256\":\"NOT-A-HASH\"")
        try Data(text.utf8).write(to: study.itemsFile)
        items[3] = try #require(try Dataset.read(from: study.itemsFile).items.first { $0.id == items[3].id })
    }

    /// Labels from two clinicians on most items, with revisions, retractions, abstentions and a gone item.
    func writeLogs(eventsPerRater: Int, seed: UInt64 = 11) throws {
        var generator = SplitMix64(seed: seed)
        for rater in ["alice", "bob"] {
            var lines = Data()
            for index in 0..<eventsPerRater {
                let draw = generator.next()
                let item = items[Int(draw % UInt64(items.count))]
                let at = StoreFixtures.start.addingTimeInterval(Double(index))
                let answer = item.criterion.options[Int(draw / 7 % UInt64(item.criterion.options.count))]
                var event: LabelEvent
                switch draw % 23 {
                case 0: event = StoreFixtures.retract(item, rater: rater, second: Double(index))
                case 1: event = LabelEvent.abstention(item: item, rater: rater, mode: .blind, judgeSeenFirst: false, at: at)
                case 2:
                    event = LabelEvent.label(item: item, rater: rater, answer: answer, mode: .blind, judgeSeenFirst: false, at: at)
                    event.item = "gone/\(index)"
                default:
                    event = LabelEvent.label(item: item, rater: rater, answer: answer, mode: draw % 5 == 0 ? .verdictShown : .blind,
                                             judgeSeenFirst: draw % 5 == 0, note: draw % 9 == 0 ? "note \(index)" : nil,
                                             flag: draw % 17 == 0 ? .unsure : nil, at: at, ms: draw % 4 == 0 ? nil : Int(draw % 9000))
                }
                if draw % 29 == 0 { event.writer = WriterIdentity(site: "site-\(draw % 2)", installation: "copy-\(draw % 3)") }
                lines.append(try StoreFixtures.line(event))
            }
            try lines.write(to: StudyLayout.logFile(folder: study.annotationFolder, rater: rater))
        }
    }

    func logFile(_ rater: String) -> URL { StudyLayout.logFile(folder: study.annotationFolder, rater: rater) }

    /// Everything the commands print or export from these labels, as text: what must not change with the index.
    func results(detail: StudyIndex.Detail) throws -> [String] {
        let dataset = try study.dataset(settings: study.settings(), detail: detail)
        let labels = try StudyLabels.load(folder: study.annotationFolder, dataset: dataset, strict: false, study: study)
        let analysis = try StudyAnalysis.analyze(labels, sample: nil, settings: AnalysisSettings(), source: "items",
                                                 annotationFolder: "Annotations", furtherJudges: [])
        let wide = LabelExports.wideTable(dataset: dataset, answers: labels.answerColumns)
        let firstLabels = Dictionary(labels.humanReplays.map { ($0.rater, $0.firstLabels) }, uniquingKeysWith: { first, _ in first })
        return StatusReport.build(labels: labels).lines() + AdjudicationStatus.statusLines(labels: labels)
            + [analysis.rendered(as: .json)]
            + [String(decoding: LabelExports.wideCSV(wide), as: UTF8.self)]
            + [String(decoding: LabelExports.longCSV(LabelExports.longRows(dataset: dataset, labels: labels.current, firstLabels: firstLabels, design: nil)), as: UTF8.self)]
            + [String(decoding: LabelExports.goldCSV(LabelExports.goldRows(dataset: dataset, reference: labels.references())), as: UTF8.self)]
            + labels.logs.map { "\($0.rater) torn \($0.tornLine.map(String.init) ?? "-") events \($0.replay?.eventCount ?? -1)" }
    }

    func remove() { folder.remove() }
}

/// A small deterministic generator for the fixtures (not the statistics' streams).
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("XXH64 against the reference implementation")
struct XXH64Tests {
    /// Values from the Python `xxhash` package (xxh64, seeds 0 and 7).
    @Test("one-shot and streamed digests equal the reference values")
    func referenceValues() {
        let cases: [([UInt8], UInt64, UInt64)] = [
            ([], 0xEF46_DB37_51D8_E999, 0x95F0_626F_6F0A_4409),
            (Array("abc".utf8), 0x44BC_2CF5_AD77_0999, 0x9E75_5206_1566_76D7),
            (Array((0..<3).flatMap { _ in (0...255).map(UInt8.init) }) + Array("xyz".utf8), 0xE921_A1B4_5BD7_79F8, 0xB635_55D1_BF05_377F),
            (Array(String(repeating: "0123456789abcdef", count: 4).utf8) + Array("!".utf8), 0x2020_B26D_BC09_CEE8, 0xC55C_7FD5_F42B_C6C5),
        ]
        for (bytes, seed0, seed7) in cases {
            #expect(bytes.withUnsafeBytes { XXH64.digest($0) } == seed0)
            #expect(bytes.withUnsafeBytes { XXH64.digest($0, seed: 7) } == seed7)
            // Fed in uneven pieces, the digest is the same.
            for piece in [1, 5, 31, 33] {
                var hasher = XXH64()
                var start = 0
                while start < bytes.count {
                    let end = min(bytes.count, start + piece)
                    bytes[start..<end].withUnsafeBytes { hasher.update($0) }
                    start = end
                }
                #expect(hasher.finish() == seed0, "pieces of \(piece)")
            }
        }
    }
}

@Suite("Study index and log replay caches give exactly a full replay's results")
struct StudyIndexTests {
    @Test("summaries from the index carry every field the analyses read, and the file map of a full read")
    func summariesMatchItems() throws {
        let generated = try GeneratedStudy(count: 400)
        defer { generated.remove() }
        let full = try Dataset.read(from: generated.study.itemsFile)
        // The first use builds the index from a full read; the second reads it.
        _ = try generated.study.dataset(settings: generated.study.settings(), detail: .summaries)
        #expect(FileKind.ofPath(StudyLayout.itemsIndexFile(study: generated.study.folder).path) == .regular)
        let summaries = try generated.study.dataset(settings: generated.study.settings(), detail: .summaries)
        #expect(summaries.textsLeftOut)
        #expect(summaries.items.count == full.items.count)
        #expect(summaries.fileMap == full.fileMap)
        for (summary, item) in zip(summaries.items, full.items) {
            #expect(summary.id == item.id && summary.contentHash == item.contentHash && summary.experiment == item.experiment)
            #expect(summary.condition == item.condition && summary.stimulusID == item.stimulusID && summary.transcript == item.transcript)
            #expect(summary.stimulus == item.stimulus && summary.subject == item.subject && summary.criterion == item.criterion)
            #expect((summary.response == nil) == (item.response == nil))
            #expect(summary.judge?.name == item.judge?.name && summary.judge?.answer == item.judge?.answer)
            #expect(summary.judgeVerdict == item.judgeVerdict)
            #expect(summaries.indexByID[item.id] == full.indexByID[item.id])
        }
        #expect(summaries.items[3].contentHash == "NOT-A-HASH")
        #expect(summaries.indexByID["no such id"] == nil)
        // A summary cannot be written as a dataset.
        #expect(throws: (any Error).self) { try summaries.write(to: generated.folder.url.appendingPathComponent("copy.jsonl")) }
    }

    @Test("status, agreement and exports read through the index and the caches equal a full replay, after appends, a torn tail, a rewritten log, a shrunk log, a re-import and a damaged index")
    func indexedEqualsFull() throws {
        var generated = try GeneratedStudy(count: 300)
        defer { generated.remove() }
        // Logs over a megabyte each, so that they are cached.
        try generated.writeLogs(eventsPerRater: 4_000)
        let sizes = try ["alice", "bob"].map { try FileManager.default.attributesOfItem(atPath: generated.logFile($0).path)[.size] as? Int ?? 0 }
        #expect(sizes.allSatisfy { $0 > LogReplayCache.smallestCachedLog })

        func expectSame(_ step: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let full = try generated.results(detail: .texts)
            // Twice through the derived files: the first may build them, the second reads them.
            let first = try generated.results(detail: .summaries)
            let second = try generated.results(detail: .summaries)
            #expect(first == full, "\(step): first indexed read", sourceLocation: sourceLocation)
            #expect(second == full, "\(step): indexed read", sourceLocation: sourceLocation)
        }
        try expectSame("fresh")
        let caches = ["alice", "bob"].map { StudyLayout.replayCacheFile(study: generated.study.folder, rater: $0) }
        #expect(caches.allSatisfy { FileKind.ofPath($0.path) == .regular })

        // Appended labels: the cache serves its prefix, the tail is parsed.
        let extra = try StoreFixtures.line(LabelEvent.label(item: generated.items[5], rater: "alice", answer: "yes", mode: .blind,
                                                           judgeSeenFirst: false, at: StoreFixtures.start.addingTimeInterval(1e6)))
        try append(extra, to: generated.logFile("alice"))
        try expectSame("after an append")

        // A torn last line (an append cut short), then the same line completed.
        try append(extra.prefix(40), to: generated.logFile("bob"))
        try expectSame("with a torn tail")
        #expect(try generated.results(detail: .summaries).last?.contains("torn") == true)
        try append(extra.dropFirst(40), to: generated.logFile("bob"))
        try expectSame("with the torn line completed")

        // A log rewritten in place (one answer changed early on): the cache no longer matches and says so.
        var alice = try Data(contentsOf: generated.logFile("alice"))
        let target = try #require(alice.firstRange(of: Data("\"answer\":\"no\"".utf8)))
        alice.replaceSubrange(target, with: Data("\"answer\":\"on\"".utf8))
        try alice.write(to: generated.logFile("alice"))
        let dataset = try generated.study.dataset(settings: generated.study.settings(), detail: .summaries)
        let reading = try LogReplayCache.readEvents(file: generated.logFile("alice"), study: generated.study, dataset: dataset)
        #expect(reading.note?.contains("read whole") == true)
        try expectSame("after a rewrite")

        // A log that shrank (its last lines removed by hand).
        let bob = try Data(contentsOf: generated.logFile("bob"))
        try bob.prefix(bob.count / 2 + 1).split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
            .reduce(into: Data()) { $0.append(contentsOf: $1); $0.append(0x0A) }
            .write(to: generated.logFile("bob"))
        try expectSame("after the log shrank")

        // A re-import that changes one item's content and adds one: the index is rebuilt, labels on the changed
        // item become stale the same way.
        generated.items[7].response = "a changed response"
        generated.items[7].computeHash()
        var added = generated.items[8]
        added.id = "gen/new"
        added.computeHash()
        generated.items.append(added)
        try generated.writeItems()
        try expectSame("after a re-import")

        // A damaged index and a damaged cache are rebuilt, never trusted.
        let index = StudyLayout.itemsIndexFile(study: generated.study.folder)
        var bytes = try Data(contentsOf: index)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: index)
        var cache = try Data(contentsOf: caches[0])
        cache[cache.count / 3] ^= 0xFF
        try cache.write(to: caches[0])
        try expectSame("after damage to the index and a cache")
        #expect(StudyIndex.load(study: generated.study) != nil)
    }

    @Test("the derived files never follow a link out of the study, nor replace what is not a folder where theirs belongs")
    func linksAndReadOnly() throws {
        let generated = try GeneratedStudy(count: 50)
        defer { generated.remove() }
        try generated.writeLogs(eventsPerRater: 4_000)
        let outside = generated.folder.url.appendingPathComponent("elsewhere", isDirectory: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let indexFolder = StudyLayout.indexFolder(study: generated.study.folder)
        try FileManager.default.createSymbolicLink(at: indexFolder, withDestinationURL: outside)
        let full = try generated.results(detail: .texts)
        #expect(try generated.results(detail: .summaries) == full)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
        try FileManager.default.removeItem(at: indexFolder)

        // A file where the folder belongs (and so no folder the derived files can be written in, as in a study that
        // cannot be written, which root could write anyway): nothing written, nothing replaced, same results.
        try Data("not a folder".utf8).write(to: indexFolder)
        #expect(try generated.results(detail: .summaries) == full)
        #expect(try Data(contentsOf: indexFolder) == Data("not a folder".utf8))
        #expect(!DerivedFiles.canWrite(generated.study))
    }

    @Test("the replay cache serves exactly the events a whole read gives, with their line numbers, at any threshold")
    func cacheEqualsWholeRead() throws {
        let (generated, dataset, file) = try GeneratedStudy.withAliceLog()
        defer { generated.remove() }
        for round in 0..<4 {
            let cached = try LogReplayCache.readEvents(file: file, study: generated.study, dataset: dataset, smallest: 0, rewriteAfter: 64)
            let whole = try CurrentLabels.readEvents(file: file)
            #expect(cached.events == whole.events, "round \(round)")
            #expect(cached.tornLine == whole.tornLine)
            #expect(cached.note == nil)
            let item = generated.items[round]
            try append(try StoreFixtures.line(StoreFixtures.label(item, rater: "alice", answer: "yes", second: 1e6 + Double(round))), to: file)
        }
        // A bad line after the cached prefix is named by its line in the file, as a whole read names it.
        try append(Data("{\"schema\":1}\n".utf8), to: file)
        try append(try StoreFixtures.line(StoreFixtures.label(generated.items[0], rater: "alice")), to: file)
        var cachedError = ""
        var wholeError = ""
        do { _ = try LogReplayCache.readEvents(file: file, study: generated.study, dataset: dataset, smallest: 0) } catch { cachedError = "\(error)" }
        do { _ = try CurrentLabels.readEvents(file: file) } catch { wholeError = "\(error)" }
        #expect(!wholeError.isEmpty && cachedError == wholeError)
    }
}

@Suite("A rater log opened for writing through its replay cache")
struct CachedLogOpenTests {
    @Test("opening through the cache gives the whole read's events, repairs a torn tail at its place in the file, and appends after it")
    func openThroughCache() throws {
        let (generated, dataset, file) = try GeneratedStudy.withAliceLog()
        defer { generated.remove() }
        _ = try LogReplayCache.readEvents(file: file, study: generated.study, dataset: dataset, smallest: 0)
        let expected = try CurrentLabels.readEvents(file: file).events
        let intact = try Data(contentsOf: file)
        // An append cut short after the cached part.
        try append(Data("{\"schema\":1,\"kind\":\"lab".utf8), to: file)

        let log = try RaterLog(folder: generated.study.annotationFolder, rater: "alice", cache: (generated.study, dataset))
        #expect(log.events == expected)
        #expect(log.knownPositions.count == expected.count)
        #expect(log.knownPositions.enumerated().allSatisfy { index, position in
            position == Int32(dataset.indexByID[expected[index].item] ?? -1)
        })
        #expect(try Data(contentsOf: file) == intact, "the torn tail is cut off where it starts in the file")
        #expect(try String(contentsOf: AppendOnlyLog<LabelEvent>.corruptFile(for: file), encoding: .utf8).contains("\"kind\":\"lab"))
        let next = StoreFixtures.label(generated.items[1], rater: "alice", answer: "yes", second: 1e6)
        try log.append(next)
        log.close()
        #expect(try CurrentLabels.readEvents(file: file).events == expected + [next])

        // A log whose cached part changed is read whole, through the same open.
        var changed = try Data(contentsOf: file)
        let target = try #require(changed.firstRange(of: Data("\"answer\":\"no\"".utf8)))
        changed.replaceSubrange(target, with: Data("\"answer\":\"on\"".utf8))
        try changed.write(to: file)
        let reopened = try RaterLog(folder: generated.study.annotationFolder, rater: "alice", cache: (generated.study, dataset))
        defer { reopened.close() }
        #expect(reopened.events == (try CurrentLabels.readEvents(file: file).events))
        #expect(reopened.knownPositions.isEmpty)
    }
}

private func append(_ data: some DataProtocol, to file: URL) throws {
    let handle = try FileHandle(forWritingTo: file)
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(data))
}
