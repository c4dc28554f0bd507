import Foundation
import ReviewStatistics
import ReviewTestSupport
import Testing
@testable import ReviewCore

/// The fast paths of issue 12 against the straightforward implementations they replace, on generated data:
/// the same bytes written, the same records read, the same counts.
@Suite("Fast paths agree with the straightforward ones")
struct FastPathTests {
    /// Texts that exercise every escape rule: quotes, backslashes, slashes, control characters, DEL, non-ASCII,
    /// emoji, combining marks, CRLF, and the empty string.
    static let awkwardTexts = [
        "", "plain", "with \"quotes\" and \\backslash\\", "a/b//c", "tab\there", "line\nbreak", "crlf\r\nend",
        "bell\u{07} nul\u{0} esc\u{1B}[31m del\u{7F}", "\u{08}\u{0C}\u{1F}", "café", "naïve e\u{301}", "日本語のテキスト",
        "emoji 👩‍⚕️🇨🇭", "\u{2028}\u{2029}", "  padded  ", "YES", "None",
    ]

    static func randomText(_ random: inout SplitMix64) -> String {
        let pick = Int(random.next() % UInt64(awkwardTexts.count + 4))
        if pick < awkwardTexts.count { return awkwardTexts[pick] }
        let length = Int(random.next() % 40)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            let kind = random.next() % 10
            let value: UInt32 = kind < 6 ? 0x20 + UInt32(random.next() % 95) : kind < 8 ? UInt32(random.next() % 0x20)
                : kind < 9 ? 0xA0 + UInt32(random.next() % 0x700) : 0x1F300 + UInt32(random.next() % 0x300)
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    static func randomItem(_ index: Int, _ random: inout SplitMix64) -> Item {
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { random.next() % 3 == 0 ? nil : value() }
        let options = random.next() % 2 == 0 ? ["yes", "no"] : ["no", "yes", "unclear"]
        let turns = (0..<Int(random.next() % 3)).map { _ in
            Turn(role: random.next() % 2 == 0 ? "user" : "assistant", content: randomText(&random))
        }
        var item = Item(
            id: "item/\(index)/\(randomText(&random))", experiment: random.next() % 4 == 0 ? .stigma : .acuteSymptom,
            condition: randomText(&random), stimulusID: maybe(randomText(&random)), transcript: maybe("\(index % 7)"),
            context: turns, stimulus: randomText(&random),
            subject: SubjectModel(name: randomText(&random), steelman: maybe(random.next() % 2 == 0),
                                  contextPosition: maybe(Int(random.next() % 1000) - 10)),
            response: maybe(randomText(&random)),
            criterion: Criterion(question: randomText(&random), options: options, appropriate: options[0]),
            judge: maybe(JudgeAnswer(name: "gpt-4o", answer: maybe(options[Int(random.next() % 2)]))))
        if random.next() % 5 == 0 { item.storedHash = nil }
        return item
    }

    static func referenceEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    @Test("dataset lines: the fast writer writes JSONEncoder's bytes, the fast reader reads JSONDecoder's items")
    func datasetRoundTrip() throws {
        var random = SplitMix64(seed: 12)
        let items = (0..<3_000).map { Self.randomItem($0, &random) }
        let encoder = Self.referenceEncoder()
        for item in items {
            #expect(item.jsonLine() == Array(try encoder.encode(item)), "item \(item.id.debugDescription)")
        }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = folder.url.appendingPathComponent("d.jsonl")
        try Dataset(name: "d", items: items).write(to: file)
        let fast = try Dataset.read(from: file)
        let text = try String(contentsOf: file, encoding: .utf8)
        let slow = try text.split(separator: "\n").map { try JSONDecoder().decode(Item.self, from: Data($0.utf8)) }
        #expect(fast.items.count == slow.count)
        for (a, b) in zip(fast.items, slow) {
            #expect(a == b)
            #expect(a.storedHash == b.storedHash)
            #expect(a.storedHash == b.computedContentHash)
        }
    }

    @Test("dataset lines written by hand (spacing, key order, escapes, nulls) read as JSONDecoder reads them")
    func handWrittenItems() throws {
        let lines = [
            #"{ "id" : "a", "experiment":"acute-symptom", "condition":"mania", "stimulus":"caf\u00e9 \ud83d\ude00 \/ \"q\"", "subject":{"name":"m","steelman":null,"context_position":3}, "criterion":{"options":["yes","no"],"appropriate":"no","question":"Q?"}, "response":null, "judge":null, "context":null }"#,
            #"{"criterion":{"appropriate":"yes","options":[],"question":""},"condition":"c","experiment":"stigma","id":"b","stimulus":"","subject":{"name":""},"judge":{"name":"j"},"context":[{"role":"user","content":"x\ty"}]}"#,
            "{\"id\":\"c\",\"experiment\":\"acute-symptom\",\"condition\":\"日本\",\"stimulus\":\"s\",\"subject\":{\"name\":\"n\"},\"criterion\":{\"question\":\"q\",\"options\":[\"a\"],\"appropriate\":\"a\"},\"sha256\":\"abc\"}\t ",
            // Declined by the fast reader (unknown key, lone surrogate, a number with an exponent): JSONDecoder reads them.
            #"{"id":"d","extra":1,"experiment":"acute-symptom","condition":"c","stimulus":"s","subject":{"name":"n"},"criterion":{"question":"q","options":["a"],"appropriate":"a"}}"#,
            #"{"id":"e","experiment":"acute-symptom","condition":"c","stimulus":"s","subject":{"name":"n","context_position":1e1},"criterion":{"question":"q","options":["a"],"appropriate":"a"}}"#,
        ]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = folder.url.appendingPathComponent("d.jsonl")
        try Data(lines.joined(separator: "\r\n").utf8).write(to: file)
        let fast = try Dataset.read(from: file)
        let slow = try lines.map { try JSONDecoder().decode(Item.self, from: Data($0.utf8)) }
        #expect(fast.items == slow)
        #expect(fast.items.map(\.storedHash) == slow.map(\.storedHash))
        #expect(fast.items[0].stimulus == "café 😀 / \"q\"")
        #expect(ItemReader().fastItem(UnsafeRawBufferPointer(start: nil, count: 0)) == nil)
        for declined in lines.suffix(2) {
            var bytes = Array(declined.utf8)
            #expect(bytes.withUnsafeMutableBytes { ItemReader().fastItem(UnsafeRawBufferPointer($0)) } == nil)
        }
    }

    @Test("bad dataset lines give the same errors as before (the fast reader declines, JSONDecoder words it)")
    func datasetErrors() throws {
        let good = #"{"id":"a","experiment":"acute-symptom","condition":"c","stimulus":"s","subject":{"name":"n"},"criterion":{"question":"q","options":["a"],"appropriate":"a"}}"#
        let cases: [(String, String)] = [
            (#"{"id":"b","id":"c"}"#, "the key \"id\" appears twice"),
            (#"{"id":"b"}"#, "missing required field \"experiment\""),
            ("{\"id\":\"b\u{1}\"}", "not a dataset item"),
            (good, "duplicate item id \"a\" (first on line 1)"),
        ]
        for (line, message) in cases {
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let file = folder.url.appendingPathComponent("d.jsonl")
            try Data((good + "\n" + line + "\n").utf8).write(to: file)
            #expect {
                try Dataset.read(from: file)
            } throws: { error in
                "\(error)".contains("d.jsonl:2") && "\(error)".contains(message)
            }
        }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = folder.url.appendingPathComponent("d.jsonl")
        try (Data((good + "\n").utf8) + Data([0x7B, 0x22, 0xFF, 0x22, 0x7D, 0x0A])).write(to: file)
        #expect { try Dataset.read(from: file) } throws: { "\($0)".contains("d.jsonl:2") && "\($0)".contains("not UTF-8") }
    }

    static func randomEvent(_ random: inout SplitMix64) -> LabelEvent {
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { random.next() % 3 == 0 ? nil : value() }
        let seconds = 1_500_000_000 + Double(random.next() % 400_000_000) + Double(random.next() % 1000) / 1000
        return LabelEvent(
            kind: random.next() % 6 == 0 ? .retract : .label, item: "item/\(random.next() % 100)/\(randomText(&random))",
            itemSHA256: String(repeating: "ab", count: 32), rater: randomText(&random), answer: maybe(randomText(&random)),
            verdict: maybe(Verdict.allCases[Int(random.next() % 3)]),
            judgeAgreement: maybe([JudgeAgreement.agree, .disagree, .noJudgeVerdict][Int(random.next() % 3)]),
            mode: LabelMode.allCases[Int(random.next() % 3)], judgeSeenFirst: random.next() % 2 == 0,
            revises: maybe(randomText(&random)), note: maybe(randomText(&random)),
            flag: maybe(LabelFlag.allCases[Int(random.next() % 2)]),
            at: Date(timeIntervalSince1970: seconds), ms: maybe(Int(random.next() % 100_000)),
            writer: maybe(WriterIdentity(site: randomText(&random), installation: "copy-\(random.next() % 4)")))
    }

    @Test("label events: the fast writer writes the encoder's bytes, the fast reader reads the decoder's events")
    func labelEventRoundTrip() throws {
        var random = SplitMix64(seed: 34)
        let encoder = LogJSON.encoder()
        let decoder = LogJSON.decoder()
        let reader = LabelEventReader()
        for _ in 0..<5_000 {
            let event = Self.randomEvent(&random)
            let line = event.jsonLine()
            #expect(line == (try encoder.encode(event)))
            let fast = try line.withUnsafeBytes { try reader.decode($0) }
            #expect(fast == (try decoder.decode(LabelEvent.self, from: line)))
        }
        // A newer schema is refused with the decoder's message, not misread by the fast path.
        var newer = Self.randomEvent(&random)
        newer.schema = LabelEvent.currentSchema + 1
        let line = newer.jsonLine()
        #expect(throws: SchemaTooNewError.self) { try line.withUnsafeBytes { try reader.decode($0) } }
    }

    @Test("timestamps: arithmetic parsing gives Foundation's Date, bit for bit, over 1970–2100")
    func timestamps() throws {
        var random = SplitMix64(seed: 56)
        for step in 0..<60_000 {
            // Every fifth time near 2001, where the arithmetic path hands over to Foundation.
            let seconds = step % 5 == 0 ? 900_000_000 + Int(random.next() % 160_000_000) : Int(random.next() % 4_100_000_000)
            let text = Timestamp.format(Date(timeIntervalSince1970: Double(seconds) + Double(random.next() % 1000) / 1000))
            let foundation = try Date(text, strategy: .iso8601.year().month().day().dateSeparator(.dash)
                .time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted))
            #expect(Timestamp.parse(text) == foundation, "\(text)")
            if let fast = Timestamp.parseCanonical(text) { #expect(fast == foundation, "\(text)") }
        }
        // Formatting by arithmetic gives the calendar's text (1600–9999), checked against Foundation's formatter.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
        for _ in 0..<20_000 {
            let seconds = -11_676_096_000 + Int64(random.next() % 265_078_396_799)
            let date = Date(timeIntervalSince1970: Double(seconds) + Double(random.next() % 1000) / 1000)
            #expect(Timestamp.format(date) == formatter.string(from: date), "\(seconds)")
        }
        #expect(Timestamp.parseCanonical("2026-02-30T00:00:00.000Z") == nil)
        #expect(Timestamp.parseCanonical("2026-12-02T24:00:00.000Z") == nil)
        #expect(Timestamp.parseCanonical("2026-12-02T07:34:45Z") == nil)
    }

    @Test("trimming and line endings: the shortcuts give Foundation's results")
    func trimming() {
        var random = SplitMix64(seed: 79)
        var texts = Self.awkwardTexts + ["\u{A0}x\u{A0}", "\u{3000}全角\u{3000}", "\n\tx", "x\u{85}", "\r", "\u{2028}x"]
        for _ in 0..<5_000 { texts.append(Self.randomText(&random)) }
        for text in texts {
            #expect(text.trimmedOfWhitespaceAndNewlines == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
            #expect(text.trimmedOfWhitespace == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
            #expect(LineEndings.normalised(text) == text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n"))
        }
    }

    @Test("answers: the ASCII shortcut of normalisation gives what trimming and lowercasing give")
    func answerNormalisation() {
        var random = SplitMix64(seed: 78)
        var texts = Self.awkwardTexts + ["yes", " no", "no ", "N/A", "nan", "Ünclear", "\u{A0}yes", "yes\u{2003}"]
        for _ in 0..<5_000 { texts.append(Self.randomText(&random)) }
        for text in texts {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            let expected = AnswerNormalizer.missingSpellings.contains(trimmed) ? nil : trimmed
            #expect(AnswerNormalizer.normalize(text) == expected, "\(text.debugDescription)")
        }
    }

    @Test("references and the adjudication queue: the tally and the per-rater walk give the straightforward counts")
    func referencesAndQueue() {
        var random = SplitMix64(seed: 90)
        let items = (0..<2_000).map { index in
            Item(id: "i\(index)", experiment: .acuteSymptom,
                 condition: ["suicidal ideation", "mania", "delusions"][index % 3], stimulus: "s",
                 subject: SubjectModel(name: "m"), response: "r",
                 criterion: Criterion(question: "q", options: ["yes", "no", "unclear"], appropriate: "no"),
                 judge: JudgeAnswer(name: "j", answer: ["yes", "no", nil][Int(random.next() % 3)]))
        }
        let dataset = Dataset(name: "d", items: items)
        var labels: [String: [String: LabelEvent]] = [:]
        for rater in ["a", "b", "c", "d"] {
            for item in items where random.next() % 3 != 0 {
                labels[rater, default: [:]][item.id] = .label(
                    item: item, rater: rater, answer: ["yes", "no", "unclear"][Int(random.next() % 3)],
                    mode: .blind, judgeSeenFirst: false, at: Date(timeIntervalSince1970: 1_800_000_000))
            }
        }
        let answers = StudyLabels.humanAnswers(labels)
        for minRaters in 1...3 {
            let fast = ReferenceLabels.build(humanAnswers: answers, adjudicated: ["i1": "yes"], minRaters: minRaters)
            // The straightforward count: a table of answers per item.
            var tables: [String: [String: Int]] = [:]
            for (_, byItem) in answers { for (item, answer) in byItem { tables[item, default: [:]][answer, default: 0] += 1 } }
            var expected: [String: ReferenceLabel] = [:]
            for (item, table) in tables {
                let raters = table.values.reduce(0, +)
                guard raters >= minRaters else { continue }
                let top = table.values.max() ?? 0
                let leaders = table.filter { $0.value == top }.keys
                if table.count == 1 {
                    expected[item] = ReferenceLabel(answer: table.keys.first, source: raters == 1 ? .single : .unanimous, raters: raters)
                } else if leaders.count == 1 {
                    expected[item] = ReferenceLabel(answer: leaders.first, source: .majority, raters: raters)
                } else {
                    expected[item] = ReferenceLabel(answer: nil, source: .tie, raters: raters)
                }
            }
            expected["i1"] = ReferenceLabel(answer: "yes", source: .adjudicated, raters: tables["i1"].map { $0.values.reduce(0, +) } ?? 0)
            #expect(fast == expected)
        }
        let reference = ReferenceLabels.build(humanAnswers: answers)
        let queue = AdjudicationQueue.build(dataset: dataset, humanLabels: labels, reference: reference, decisions: [:], adjudicator: "x")
        #expect(queue.progress.total > 100)
        for entry in queue.cases {
            let events = entry.labels.map(\.event)
            // The straightforward rule, with the arrays and the set the walk avoids.
            let verdicts = events.map { $0.verdict ?? entry.item.criterion.verdict(for: $0.answer) }
            let distinct = Set(events.map { entry.item.criterion.option(matching: $0.answer) ?? "" })
            let expected: AdjudicationKind = entry.item.judgeVerdict == .appropriate && verdicts.contains(.inappropriate)
                ? (AcuteRisk.rank(of: entry.item.condition) == nil ? .miss : .acuteMiss)
                : distinct.count > 1 ? .disagreement : .falseAlarm
            #expect(entry.kind == expected)
        }
    }

    @Test("a study's labels by position: replay, references and the queue give what the tables keyed by id give")
    func studyLabelsByPosition() throws {
        var random = SplitMix64(seed: 91)
        let items = (0..<1_500).map { index in
            Item(id: "i\(index)", experiment: .acuteSymptom, condition: ["suicidal ideation", "mania"][index % 2],
                 stimulus: "s\(index % 5)", subject: SubjectModel(name: "m"), response: "r\(index)",
                 criterion: Criterion(question: "q", options: ["yes", "no"], appropriate: "no"),
                 judge: JudgeAnswer(name: "j", answer: ["yes", "no", nil][Int(random.next() % 3)]))
        }
        // The logs were written against an older dataset: some items changed since, some are gone.
        var older = items
        for index in stride(from: 0, to: older.count, by: 37) { older[index].response = "changed" }
        let gone = (0..<20).map { Item(id: "gone\($0)", experiment: .acuteSymptom, condition: "mania", stimulus: "s",
                                       subject: SubjectModel(name: "m"), response: "r", criterion: items[0].criterion, judge: nil) }
        let written = older + gone
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        for rater in ["ann", "bob", "cy"] {
            let log = try RaterLog(folder: folder.url, rater: rater)
            var events: [LabelEvent] = []
            for _ in 0..<2_500 {
                let item = written[Int(random.next() % UInt64(written.count))]
                if random.next() % 7 == 0 {
                    events.append(LabelEvent(kind: .retract, item: item.id, itemSHA256: item.computedContentHash, rater: rater,
                                             answer: nil, verdict: nil, judgeAgreement: nil, mode: .blind, judgeSeenFirst: false, at: at))
                } else {
                    events.append(.label(item: item, rater: rater, answer: random.next() % 2 == 0 ? "yes" : "no",
                                         mode: .blind, judgeSeenFirst: false, at: at))
                }
            }
            for event in events { try log.append(event) }
            log.close()
        }
        let dataset = Dataset(name: "d", items: items)
        let labels = try StudyLabels.load(folder: folder.url, dataset: dataset)
        for log in labels.logs {
            guard let replay = log.replay else { Issue.record("no replay for \(log.rater)"); continue }
            // The straightforward replay: the latest event per id, applied when it is a label on an unchanged item.
            let (events, _) = try CurrentLabels.readEvents(file: log.file)
            var latest: [String: LabelEvent] = [:]
            for event in events { latest[event.item] = event }
            let expected = latest.filter { id, event in
                event.kind == .label && dataset[id: id].map { $0.contentHash == event.itemSHA256 } == true
            }
            #expect(replay.current == expected)
            #expect(replay.labeledCount == expected.count)
            #expect(replay.stale.count == latest.filter { $0.value.kind == .label }.count - expected.count)
            #expect(replay.stale.contains { $0.reason == .itemGone } && replay.stale.contains { $0.reason == .itemChanged })
            for (position, item) in dataset.items.enumerated() { #expect(replay.current(at: position) == expected[item.id]) }
        }
        let current = labels.current
        #expect(labels.humanAnswers == StudyLabels.humanAnswers(current))
        for minRaters in 1...3 {
            #expect(labels.references(adjudicated: false, minRaters: minRaters)
                == ReferenceLabels.build(humanAnswers: StudyLabels.humanAnswers(current), minRaters: minRaters))
        }
        let byID = AdjudicationQueue.build(dataset: dataset, humanLabels: current, reference: labels.references(adjudicated: false),
                                           decisions: labels.decisions, adjudicator: "z")
        let byPosition = AdjudicationQueue.load(labels: labels, adjudicator: "z").queue
        #expect(byID == byPosition)
        #expect(AdjudicationQueue.progress(labels: labels) == byID.progress)
        #expect(byID.cases.count > 50)
    }
}
