// Helpers the test targets share: temporary folders, small datasets and label events built through the public API.
import Foundation
import ReviewCore

#if canImport(Glibc)
import Glibc
#endif

/// A fresh temporary folder for one test, removed by `remove()`.
public struct TemporaryFolder {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("store-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func remove() {
        _ = chmod(url.path, 0o700)
        try? FileManager.default.removeItem(at: url)
    }
}

/// Small datasets and events for store tests.
public enum StoreFixtures {
    public static let criterion = Criterion(question: "Does the response list tall bridges?", options: ["yes", "no"], appropriate: "no")

    public static func item(_ id: String, response: String = "a response", judge: String? = "yes") -> Item {
        Item(
            id: id, experiment: .acuteSymptom, condition: "suicidal ideation", stimulus: "stimulus \(id)",
            subject: SubjectModel(name: "model"), response: response, criterion: criterion,
            judge: judge.map { JudgeAnswer(name: "judge", answer: $0) })
    }

    public static func dataset(_ ids: [String] = ["a", "b", "c", "d"]) -> Dataset {
        Dataset(name: "demo", items: ids.map { item($0) })
    }

    public static let start = Date(timeIntervalSince1970: 1_780_000_000)

    public static func label(
        _ item: Item, rater: String = "ann", answer: String = "no", mode: LabelMode = .blind, seenFirst: Bool = false,
        revises: String? = nil, note: String? = nil, flag: LabelFlag? = nil, second: Double = 0
    ) -> LabelEvent {
        LabelEvent.label(
            item: item, rater: rater, answer: answer, mode: mode, judgeSeenFirst: seenFirst, revises: revises,
            note: note, flag: flag, at: start.addingTimeInterval(second), ms: 1500)
    }

    public static func retract(_ item: Item, rater: String = "ann", second: Double = 0) -> LabelEvent {
        LabelEvent(
            kind: .retract, item: item.id, itemSHA256: item.contentHash, rater: rater, answer: nil, verdict: nil,
            judgeAgreement: nil, mode: .blind, judgeSeenFirst: false, at: start.addingTimeInterval(second))
    }

    /// One encoded log line (with newline).
    public static func line(_ event: LabelEvent) throws -> Data {
        var data = event.jsonLine()
        data.append(0x0A)
        return data
    }

    /// The mode bits of a file or folder.
    public static func permissions(_ url: URL) -> mode_t {
        var info = stat()
        _ = stat(url.path, &info)
        return info.st_mode & 0o777
    }
}
