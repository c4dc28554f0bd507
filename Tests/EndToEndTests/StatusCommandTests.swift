import Foundation
import ReviewCore
import Testing

@Suite("judge-review status (the built binary)")
struct StatusCommandTests {
    static let criterion = Criterion(question: "Does the response list tall bridges?", options: ["yes", "no"], appropriate: "no")

    static func item(_ id: String) -> Item {
        Item(
            id: id, experiment: .acuteSymptom, condition: "mania", stimulus: "s \(id)", subject: SubjectModel(name: "m"),
            response: "r", criterion: criterion, judge: JudgeAnswer(name: "j", answer: "no"))
    }

    @Test("prints the table and exits 0; exits 1 once a log is corrupt; a missing dataset is a one-line error",
          .enabled(if: EndToEnd.binary != nil, EndToEnd.binaryMissing))
    func statusExitCodes() throws {
        let folder = try EndToEnd.temporaryFolder("status")
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = Dataset(name: "small", items: ["a", "b", "c"].map(StatusCommandTests.item))
        let datasetFile = folder.appendingPathComponent("small.jsonl")
        try dataset.write(to: datasetFile)
        let annotations = folder.appendingPathComponent("notes", isDirectory: true)
        let log = try RaterLog(folder: annotations, rater: "annotator_1")
        try log.append(LabelEvent.label(item: dataset.items[0], rater: "annotator_1", answer: "no", mode: .blind, judgeSeenFirst: false, at: Date(timeIntervalSince1970: 1_780_000_000)))
        log.close()

        let healthy = try EndToEnd.run(["status", datasetFile.path, "--annotations", annotations.path], in: folder)
        #expect(healthy.status == 0, "stderr: \(healthy.stderr)")
        #expect(healthy.stdout.contains("annotator_1      1/3        0      0          0  2026-05-28 20:26:40  ok"), "\(healthy.stdout)")

        try Data("{oops\n".utf8).write(to: annotations.appendingPathComponent("annotator_2.jsonl"))
        let torn = try EndToEnd.run(["status", datasetFile.path, "--annotations", annotations.path], in: folder)
        #expect(torn.status == 1)
        #expect(torn.stdout.contains("annotator_2: line 1 is torn"))

        let missing = try EndToEnd.run(["status", folder.appendingPathComponent("nope.jsonl").path], in: folder)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.jsonl: no such file"))
    }
}
