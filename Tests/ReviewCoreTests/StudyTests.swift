import Foundation
import ReviewTestSupport
import Testing
@testable import ReviewCore

/// The study folder and the one rule from a command's argument to its items and labels.
@Suite("Study folder and label lookup")
struct StudyTests {
    @Test("init makes study.json, an empty items.jsonl and Annotations/adjudication/, private; refuses a used folder")
    func create() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let study = try Study.create(at: temp.url.appendingPathComponent("s"), name: "pilot")
        #expect(try study.settings().name == "pilot")
        #expect(try study.dataset().items.isEmpty)
        #expect(StoreFixtures.permissions(study.folder) == 0o700)
        #expect(StoreFixtures.permissions(study.settingsFile) == 0o600)
        #expect(StoreFixtures.permissions(study.itemsFile) == 0o600)
        #expect(FileKind.ofPath(study.annotationFolder.appendingPathComponent("adjudication").path) == .folder)
        #expect(throws: InputError.self) { try Study.create(at: study.folder) }
        let used = temp.url.appendingPathComponent("used")
        try FileManager.default.createDirectory(at: used, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: used.appendingPathComponent("notes.txt"))
        #expect(throws: InputError.self) { try Study.create(at: used) }
        let shared = try Study.create(at: temp.url.appendingPathComponent("shared"), options: StoreOptions(groupReadable: true))
        #expect(StoreFixtures.permissions(shared.itemsFile) == 0o640)
    }

    @Test("the study's default mode and order are written by init and read back; a raters list of earlier versions is ignored")
    func defaults() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let study = try Study.create(at: temp.url.appendingPathComponent("s"), mode: "verdict", order: "shuffled")
        let settings = try study.settings()
        #expect(settings.mode == "verdict" && settings.order == "shuffled")
        let place = try LabelPlace.resolve(study.folder.path)
        #expect(place.studySettings == settings)
        var text = try String(contentsOf: study.settingsFile, encoding: .utf8)
        #expect(!text.contains("raters"))
        text = text.replacingOccurrences(of: "\"mode\"", with: "\"raters\" : [\"ann\"],\n  \"mode\"")
        try Data(text.utf8).write(to: study.settingsFile)
        #expect(try study.settings() == settings)
    }

    @Test("a study is found from its folder, from any path inside it, and by walking up from the current folder")
    func findStudy() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let study = try Study.create(at: temp.url.appendingPathComponent("s"))
        let deep = study.annotationFolder.appendingPathComponent("adjudication")
        for argument in [study.folder.path, study.itemsFile.path, study.annotationFolder.path] {
            let place = try LabelPlace.resolve(argument, currentFolder: temp.url)
            #expect(place.study == study, "\(argument)")
            #expect(place.annotationFolder.path == study.annotationFolder.path)
            #expect(place.datasetFile.path == study.itemsFile.path)
        }
        #expect(try LabelPlace.resolve(nil, currentFolder: deep).study == study)
        #expect(throws: InputError.self) { _ = try LabelPlace.resolve(nil, currentFolder: temp.url) }
        let notStudy = temp.url.appendingPathComponent("plain")
        try FileManager.default.createDirectory(at: notStudy, withIntermediateDirectories: true)
        #expect(throws: InputError.self) { _ = try LabelPlace.resolve(notStudy.path, currentFolder: temp.url) }
    }

    @Test("a bare dataset's labels: the nearest Annotations/<name>/ above the dataset, else beside it, never the current folder")
    func datasetRule() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = temp.url.appendingPathComponent("project/data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let dataset = data.appendingPathComponent("val.jsonl")
        let elsewhere = temp.url.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        // None yet: beside the dataset, wherever the command runs.
        #expect(try LabelPlace.resolve(dataset.path, currentFolder: elsewhere).annotationFolder.path
            == data.appendingPathComponent("Annotations/val").path)
        // One two folders up (the demo's layout): found from any current folder.
        let above = temp.url.appendingPathComponent("project/Annotations/val", isDirectory: true)
        try FileManager.default.createDirectory(at: above, withIntermediateDirectories: true)
        #expect(try LabelPlace.resolve(dataset.path, currentFolder: elsewhere).annotationFolder.path == above.path)
        #expect(try LabelPlace.resolve("../project/data/val.jsonl", currentFolder: elsewhere).annotationFolder.path == above.path)
        #expect(try LabelPlace.resolve(dataset.path, annotations: "/x/y", currentFolder: elsewhere).annotationFolder.path == "/x/y")
    }

    @Test("labels an earlier version kept under the current folder are found, with a note saying where to move them")
    func legacyFolder() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let data = temp.url.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let work = temp.url.appendingPathComponent("work")
        let legacy = work.appendingPathComponent("Annotations/val", isDirectory: true)
        try FileManager.default.createDirectory(at: legacy, withIntermediateDirectories: true)
        try StoreFixtures.line(StoreFixtures.label(StoreFixtures.item("a"))).write(to: legacy.appendingPathComponent("ann.jsonl"))
        let place = try LabelPlace.resolve(data.appendingPathComponent("val.jsonl").path, currentFolder: work)
        #expect(place.annotationFolder.path == legacy.path)
        #expect(place.legacyNote?.contains("move that folder to \(data.path)/Annotations/val") == true)
    }
}

/// The item hash: what the rater saw, stored once in the dataset file, verified where a label is recorded.
@Suite("Item hash: stored, normalised, verified")
struct ItemHashTests {
    @Test("the dataset file stores each item's hash; reading it back uses the stored value")
    func storedOnWrite() throws {
        let item = StoreFixtures.item("a")
        let line = Dataset(name: "d", items: [item]).jsonl()
        #expect(String(decoding: line, as: UTF8.self).contains("\"sha256\":\"\(item.contentHash)\""))
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let file = temp.url.appendingPathComponent("d.jsonl")
        try line.write(to: file)
        let read = try Dataset.read(from: file).items[0]
        #expect(read.storedHash == item.contentHash)
        #expect(read == item)
        #expect(read.hashIsCurrent)
    }

    @Test("line endings and the judge's answer do not change the hash; the response does")
    func whatTheHashCovers() {
        let lf = StoreFixtures.item("a", response: "line one\nline two")
        let crlf = StoreFixtures.item("a", response: "line one\r\nline two")
        #expect(lf.contentHash == crlf.contentHash)
        #expect(StoreFixtures.item("a", judge: "yes").contentHash == StoreFixtures.item("a", judge: "no").contentHash)
        #expect(StoreFixtures.item("a", response: "another").contentHash != lf.contentHash)
        var edited = lf
        edited.storedHash = lf.contentHash
        edited.response = "changed in memory"
        #expect(edited.storedHash == nil, "changing a hashed field must drop the stored hash")
    }

    @Test("a hand-edited item (stored hash stale) is found (the console's refusal is a reducer test)")
    func handEdited() throws {
        var item = StoreFixtures.item("a")
        let stale = StoreFixtures.item("a", response: "what the file said before").contentHash
        item.storedHash = stale
        #expect(!item.hashIsCurrent)
    }

    @Test("a changed judge answer leaves labels current; a changed response makes them stale, named in status")
    func staleOnlyForContent() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let log = try RaterLog(folder: temp.url, rater: "ann")
        try log.append(StoreFixtures.label(StoreFixtures.item("a", judge: "yes")))
        try log.append(StoreFixtures.label(StoreFixtures.item("b")))
        log.close()
        let rejudged = Dataset(name: "d", items: [StoreFixtures.item("a", judge: "no"), StoreFixtures.item("b", response: "rewritten")])
        let labels = try StudyLabels.load(folder: temp.url, dataset: rejudged)
        #expect(labels.current["ann"]?.keys.sorted() == ["a"])
        let lines = StatusReport.build(labels: labels).lines()
        #expect(lines.contains("ann: 1 stale label (item changed): b; the item's text or criterion changed since it was labelled; label it again"))
    }
}

@Suite("JSON lines")
struct JSONLinesTests {
    @Test("CRLF and LF files give the same lines and numbers; blank lines are skipped but counted")
    func lineEndings() {
        let lf = JSONLines.lines(of: "{\"a\":1}\n\n  \n{\"b\":\"é\"}\n{\"c\":3}")
        let crlf = JSONLines.lines(of: "{\"a\":1}\r\n\r\n  \r\n{\"b\":\"é\"}\r\n{\"c\":3}")
        #expect(lf.map(\.0) == [1, 4, 5])
        #expect(lf.map { String($0.1) } == ["{\"a\":1}", "{\"b\":\"é\"}", "{\"c\":3}"])
        #expect(crlf.map(\.0) == lf.map(\.0))
        #expect(crlf.map { String($0.1) } == lf.map { String($0.1) })
    }
}
