import Foundation
import ReviewStatistics
import Testing
@testable import ReviewCore
@testable import ReviewImport

#if canImport(Glibc)
import Glibc
#endif

/// Inputs written to hurt: names that are paths, duplicate keys, huge headers, files that shrink while read.
@Suite("Import and ratings: hostile inputs")
struct HostileInputTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func request(_ inputs: [String], in folder: URL, output: String = "out.jsonl") -> ImportRequest {
        ImportRequest(inputs: inputs, output: folder.appendingPathComponent(output).path,
                      annotations: folder.appendingPathComponent("labels").path, now: now)
    }

    /// The live-bot fixture with its human column renamed.
    func liveBot(humanColumn: String) -> String {
        Fixtures.liveBotCSV.replacingOccurrences(of: "human_classification", with: humanColumn)
    }

    @Test("a cell longer than the limit (or a quote never closed) is refused at once with file and line, in imports and ratings tables")
    func cellLimit() throws {
        let folder = try Fixtures.makeFolder()
        let huge = String(repeating: "x", count: CSVCellLimit.maximumBytes + 10)
        let ratings = try Fixtures.write("item,a,b\ni1,yes,no\ni2,\(huge),no\n", as: "ratings.csv", in: folder)
        let error = #expect(throws: InputError.self) { _ = try RatingsTableReader.read(path: ratings) }
        #expect(error?.line == 3 && error?.message.contains("at most \(CSVCellLimit.maximumBytes) bytes") == true)
        let unclosed = try Fixtures.write("item,a,b\ni1,\"yes,no\n" + String(repeating: "i,yes,no\n", count: 150_000), as: "open.csv", in: folder)
        #expect(throws: InputError.self) { _ = try RatingsTableReader.read(path: unclosed) }
        let imported = try Fixtures.write(liveBot(humanColumn: "human_classification") + "\"\(huge)\"\n", as: "live-bot_q.csv", in: folder)
        let importError = #expect(throws: InputError.self) { _ = try Importer.plan(request([imported], in: folder)) }
        #expect(importError?.message.contains("bytes are read in one cell") == true)
    }

    @Test("a column header that names a path is refused by the rater-name rule, with file and line, and nothing is written")
    func headerPathRefused() throws {
        let folder = try Fixtures.makeFolder()
        let path = try Fixtures.write(liveBot(humanColumn: "annotator/../../x_classification"), as: "live-bot_p.csv", in: folder)
        let error = #expect(throws: InputError.self) { _ = try Importer.plan(request([path], in: folder)) }
        #expect(error?.file == path)
        #expect(error?.line == 1)
        #expect(error?.message.contains("may only hold letters") == true)
        #expect(Fixtures.listing(folder) == ["live-bot_p.csv"])
        #expect(!FileManager.default.fileExists(atPath: folder.deletingLastPathComponent().appendingPathComponent("x.jsonl").path))
    }

    @Test("a column header with control characters is refused, and the error does not echo them")
    func headerControlsRefused() throws {
        let folder = try Fixtures.makeFolder()
        let path = try Fixtures.write(liveBot(humanColumn: "annotator\u{1B}]0;TITLE\u{07}_classification"), as: "live-bot_p.csv", in: folder)
        let error = #expect(throws: InputError.self) { _ = try Importer.plan(request([path], in: folder)) }
        let text = error.map(\.description) ?? ""
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test("re-importing a corrected file keeps every imported label current and says how many were re-based")
    func reimportCorrectedFile() throws {
        let folder = try Fixtures.makeFolder()
        let path = try Fixtures.write(Fixtures.annotatedCSV(), as: "m_steelman.csv", in: folder)
        var first = try Importer.plan(request([path], in: folder))
        _ = try first.write()
        let before = try CurrentLabels.load(folder: first.annotationFolder, dataset: first.dataset).mapValues(\.count)
        #expect(before["annotator_1"] == 1)
        // One response corrected: the same item (same key), new content; annotator_1 had labelled it.
        try Fixtures.write(Fixtures.annotatedCSV().replacingOccurrences(of: "we talked.", with: "we talked it over."),
                           as: "m_steelman.csv", in: folder)
        var second = try Importer.plan(request([path], in: folder))
        let outcome = try second.write()
        #expect(outcome.logs.map(\.rater) == ["annotator_1", "annotator_2"])
        #expect(outcome.logs.map(\.appended) == [1, 1])
        #expect(outcome.logs.map(\.rebased) == [1, 1])
        #expect(second.summary(outcome: outcome).contains("1 re-based"))
        #expect(try CurrentLabels.load(folder: second.annotationFolder, dataset: second.dataset).mapValues(\.count) == before)
        // The same file once more appends nothing.
        let third = try Importer.planAndWrite(request([path], in: folder))
        #expect(third.logs.map(\.appended) == [0, 0])
    }

    @Test("a JSONL line with a key twice is an error naming file and line, in the importer and the dataset reader")
    func duplicateKeys() throws {
        let folder = try Fixtures.makeFolder()
        let lines = Fixtures.resultsJSONL.split(separator: "\n").map(String.init)
        let doubled = lines[1].replacingOccurrences(of: "\"model_response\":", with: "\"model_response\":\"first\",\"model_response\":")
        let path = try Fixtures.write([lines[0], doubled].joined(separator: "\n") + "\n", as: "m_no-steelman.jsonl", in: folder)
        let error = #expect(throws: InputError.self) { _ = try Importer.plan(request([path], in: folder)) }
        #expect(error?.line == 2)
        #expect(error?.message.contains("\"model_response\" appears twice") == true)

        let dataset = Dataset(name: "d", items: [StoreFixturesLike.item]).jsonl()
        var text = String(decoding: dataset, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"condition\":", with: "\"condition\":\"mania\",\"condition\":")
        let datasetPath = try Fixtures.write(text, as: "d.jsonl", in: folder)
        let datasetError = #expect(throws: InputError.self) { _ = try Dataset.read(from: URL(fileURLWithPath: datasetPath)) }
        #expect(datasetError?.line == 1)
        #expect(datasetError?.message.contains("\"condition\" appears twice") == true)
    }

    @Test("a header of 30,000 raters is refused at once, before memory for rows × raters is reserved")
    func tooManyRaters() throws {
        let header = "item," + (0..<30_000).map { "r\($0)" }.joined(separator: ",") + "\n"
        let text = header + String(repeating: "\n", count: 200_000)
        let error = #expect(throws: InputError.self) { _ = try RatingsTableReader.read(data: Data(text.utf8), path: "wide.csv") }
        #expect(error?.line == 1)
        #expect(error?.message.contains("at most \(AgreementLimits.maximumRaters)") == true)
        // At the limit, blank lines do not inflate the reservation: the file's size bounds it.
        let wide = "item," + (0..<AgreementLimits.maximumRaters).map { "r\($0)" }.joined(separator: ",") + "\n"
            + String(repeating: "\n", count: 2_000_000)
        let noRows = #expect(throws: InputError.self) { _ = try RatingsTableReader.read(data: Data(wide.utf8), path: "wide.csv") }
        #expect(noRows?.message == "no rows after the header")
    }

    @Test("more categories than the limit is an error naming the line where the one too many appears")
    func tooManyCategories() throws {
        let limit = AgreementLimits.maximumCategories
        let rows = (0...limit).map { "i\($0),c\($0),c0" }
        let text = "item,a,b\n" + rows.joined(separator: "\n") + "\n"
        let error = #expect(throws: InputError.self) { _ = try RatingsTableReader.read(data: Data(text.utf8), path: "t.csv") }
        #expect(error?.line == limit + 2)
        #expect(error?.message.contains("more than \(limit) distinct categories") == true)
    }

    @Test("nan, inf and 1e400 are not numbers: such categories sort as names")
    func notNumbers() throws {
        for odd in ["nan", "inf", "1e400", "0x10"] {
            let table = try RatingsTableReader.read(data: Data("item,a,b\n1,10,9\n2,\(odd),10\n".utf8), path: "t.csv")
            #expect(table.categories == ["10", "9", odd].sorted(), "\(odd)")
        }
        let numeric = try RatingsTableReader.read(data: Data("item,a,b\n1,10,9\n2,-1.5,2e1\n".utf8), path: "t.csv")
        #expect(numeric.categories == ["-1.5", "9", "10", "2e1"])
        #expect(CategoryNumber.value("1e400") == nil)
        #expect(CategoryNumber.value(" 3 ") == 3)
    }

    @Test("categories are compared after NFC: composed and decomposed spellings are one category, short or long")
    func normalisedCategories() throws {
        let composed = "\u{E9}", decomposed = "e\u{301}"
        let short = try RatingsTableReader.read(data: Data("item,a,b\n1,\(composed),\(decomposed)\n".utf8), path: "t.csv")
        #expect(short.categories == [composed])
        #expect(short.codes == [0, 0])
        let longComposed = "tr\u{E8}s-d\u{E9}sapprouv\u{E9}", longDecomposed = "tre\u{300}s-de\u{301}sapprouve\u{301}"
        let long = try RatingsTableReader.read(data: Data("item,a,b\n1,\(longComposed),\(longDecomposed)\n2,\(longDecomposed),x\n".utf8), path: "t.csv")
        #expect(long.categories == [longComposed, "x"])
        #expect(long.codes == [0, 0, 0, 1])
    }

    @Test("a ratings file truncated and rewritten while it is read gives a table or an error, never a signal")
    func truncatedWhileRead() throws {
        let folder = try Fixtures.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = (0..<20_000).map { "i\($0),yes,no,yes" }.joined(separator: "\n")
        let full = Data(("item,a,b,c\n" + rows + "\n").utf8)
        let path = try Fixtures.write(full, as: "t.csv", in: folder)
        let stop = ManagedAtomicFlag()
        let writer = Thread {
            while !stop.isSet {
                let descriptor = open(path, O_WRONLY)
                if descriptor >= 0 {
                    _ = ftruncate(descriptor, 4096)
                    _ = full.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
                    close(descriptor)
                }
            }
        }
        writer.start()
        defer { stop.set() }
        var tables = 0, errors = 0
        for _ in 0..<200 {
            do {
                _ = try RatingsTableReader.read(path: path)
                tables += 1
            } catch is InputError {
                errors += 1
            }
        }
        #expect(tables + errors == 200)
    }
}

/// A thread-safe stop flag for the truncating thread.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// One canonical item for dataset-reader tests.
enum StoreFixturesLike {
    static let item = Item(
        id: "x", experiment: .acuteSymptom, condition: "mania", stimulus: "s", subject: SubjectModel(name: "m"), response: "r",
        criterion: Criterion(question: "q?", options: ["yes", "no"], appropriate: "no"), judge: JudgeAnswer(name: "j", answer: "yes"))
}
