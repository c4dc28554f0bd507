import ArgumentParser
import Foundation
import ReviewCore

/// Hidden `judge-review store-stress`: appends records in a loop for the crash test, which kills it with SIGKILL.
///
/// Prints `saved <item id>` (flushed) only after `append` returned, so every printed id must survive the kill.
/// Item ids are `item-<n>` with n counting on from the records already in the log. `--log adjudication`
/// appends adjudication decisions to `<folder>/adjudication/<name>.jsonl` instead of labels to `<folder>/<name>.jsonl`.
struct StoreStressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-stress", abstract: "Append labels or decisions in a loop (crash test helper).", shouldDisplay: false)

    /// Which kind of log the loop appends to.
    enum LogKind: String, ExpressibleByArgument {
        case rater, adjudication
    }

    @Option(help: "The annotation folder.")
    var folder: String

    @Option(help: "The rater (or adjudicator).")
    var rater: String = "stress"

    @Option(help: "Which log: rater or adjudication.")
    var log: LogKind = .rater

    @Option(help: "How many records to append before exiting.")
    var count: Int = 1_000_000

    func run() throws {
        let folderURL = URL(fileURLWithPath: folder, isDirectory: true)
        switch log {
        case .rater:
            let raterLog = try RaterLog(folder: folderURL, rater: rater)
            try appendLoop(warnings: raterLog.warnings, existing: raterLog.events.count) { number, id in
                try raterLog.append(LabelEvent(
                    item: id, itemSHA256: Self.placeholderHash, rater: rater, answer: number.isMultiple(of: 2) ? "yes" : "no",
                    verdict: number.isMultiple(of: 2) ? .inappropriate : .appropriate, judgeAgreement: .noJudgeVerdict,
                    mode: .blind, judgeSeenFirst: false, note: number.isMultiple(of: 7) ? "note \(number)" : nil, at: Date(),
                    ms: number % 5000))
            }
        case .adjudication:
            let decisions = try AdjudicationLog(annotationFolder: folderURL, adjudicator: rater)
            try appendLoop(warnings: decisions.log.warnings, existing: decisions.events.count) { number, id in
                try decisions.append(AdjudicationEvent(
                    kind: .decision, item: id, itemSHA256: Self.placeholderHash, adjudicator: rater,
                    answer: number.isMultiple(of: 2) ? "yes" : "no", verdict: number.isMultiple(of: 2) ? .inappropriate : .appropriate,
                    rationale: "stress decision \(number)", considered: [ConsideredAnswer(rater: "R1", answer: "yes", verdict: .inappropriate)],
                    namesRevealed: false, at: Date(), ms: number % 5000))
            }
        }
    }

    /// Not a real item's hash: the stress logs have no dataset.
    static let placeholderHash = String(repeating: "0", count: 64)

    /// Reports open warnings, then appends `count` records numbered on from `existing`, printing each once durable.
    private func appendLoop(warnings: [String], existing: Int, append: (Int, String) throws -> Void) throws {
        for warning in warnings { CommandOutput.warning(warning) }
        for number in existing..<(existing + count) {
            let id = "item-\(number)"
            try append(number, id)
            CommandOutput.line("saved \(id)")
        }
    }
}
