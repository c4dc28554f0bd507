import ArgumentParser
import Foundation
import ReviewCore

/// Hidden `judge-review store-stress`: appends labels in a loop for the crash test, which kills it with SIGKILL.
///
/// Prints `saved <item id>` (flushed) only after `append` returned, so every printed id must survive the kill.
/// Item ids are `item-<n>` with n counting on from the events already in the log.
struct StoreStressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-stress", abstract: "Append labels in a loop (crash test helper).", shouldDisplay: false)

    @Option(help: "The annotation folder.")
    var folder: String

    @Option(help: "The rater.")
    var rater: String = "stress"

    @Option(help: "How many labels to append before exiting.")
    var count: Int = 1_000_000

    func run() throws {
        let log = try RaterLog(folder: URL(fileURLWithPath: folder, isDirectory: true), rater: rater)
        for warning in log.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        let first = log.events.count
        for number in first..<(first + count) {
            let id = "item-\(number)"
            let event = LabelEvent(
                item: id, itemSHA256: String(repeating: "0", count: 64), rater: rater, answer: number.isMultiple(of: 2) ? "yes" : "no",
                verdict: number.isMultiple(of: 2) ? .inappropriate : .appropriate, judgeAgreement: .noJudgeVerdict, mode: .blind,
                judgeSeenFirst: false, note: number.isMultiple(of: 7) ? "note \(number)" : nil, at: Date(), ms: number % 5000)
            try log.append(event)
            FileHandle.standardOutput.write(Data("saved \(id)\n".utf8))
        }
    }
}
