import Foundation
import ReviewCore
import ReviewStatistics

/// What one combined file contributed, for the import summary.
public struct CombinedFileReport: Sendable, Equatable {
    /// One participant type of a combined file.
    public struct Participant: Sendable, Equatable {
        /// As written in the file, made one line.
        public var name: String
        /// The model of the run most of its rows repeat; nil when none does.
        public var model: String?
        /// That run's settings in words (`SubjectModel.settingsCaption`), e.g. `no steel-man prompt, no context`.
        public var settings: String?
        /// Rows that repeat a run's item, and rows that are items of their own.
        public var matched: Int
        public var own: Int
    }

    /// The file as given.
    public var file: String
    /// Its participants in the order met.
    public var participants: [Participant]
}

/// A combined file (the paper notebook's `all_combined.csv`: rows of several runs with `participant_type` naming
/// each row's model) matched to the run files of the same import: a row that repeats a run's item becomes that
/// item (its human columns attach to it, nothing is read twice); a row no run holds (a live bot's or a human
/// therapist's that only the combined file has) is an item of its own, under the model its participant's other
/// rows were matched to, or under the participant's name.
struct CombinedRows {
    typealias Report = CombinedFileReport
    typealias Participant = CombinedFileReport.Participant

    /// What must agree for a combined row to repeat a run's item: the paper's key (when the row has one), the
    /// stimulus, the response and the criterion (options in a fixed order).
    static func signature(_ item: Item, key: String?) -> String {
        ContentHash.sha256Hex(of: [
            key ?? "\u{0}", LineEndings.normalised(item.stimulus), item.response.map(LineEndings.normalised) ?? "\u{0}missing",
            LineEndings.normalised(item.criterion.question), item.criterion.options.sorted().joined(separator: "\u{1F}"),
        ])
    }

    /// Rewrites every combined file's entries in `files` (ids and subjects), after `stableIDs`.
    static func resolve(_ files: inout [ParsedFile]) -> [Report] {
        // Most imports have no combined file: the runs are not indexed then (a hash a row, at a million rows).
        guard files.contains(where: isCombined) else { return [] }
        // Every run item by signature (with its key, and without), with the file it came from.
        var runItems: [String: [(file: Int, item: Item)]] = [:]
        for (fileIndex, file) in files.enumerated() where !isCombined(file) {
            for entry in file.entries {
                if let key = entry.key { runItems[signature(entry.item, key: key), default: []].append((fileIndex, entry.item)) }
                runItems[signature(entry.item, key: nil), default: []].append((fileIndex, entry.item))
            }
        }
        var reports: [Report] = []
        for index in files.indices where isCombined(files[index]) {
            func candidates(_ entry: ParsedEntry) -> [(file: Int, item: Item)] { runItems[signature(entry.item, key: entry.key)] ?? [] }
            // Each participant's run: the file its rows repeat most often (one participant is one run in the
            // notebook; two runs of one model, e.g. with and without transcript context, share keys; a row that two
            // runs hold alike counts for both, the first in path order winning a tie).
            var votes: [String: [Int: Int]] = [:]
            for entry in files[index].entries {
                for run in Set(candidates(entry).map(\.file)) { votes[entry.item.subject.name, default: [:]][run, default: 0] += 1 }
            }
            let runOf = votes.mapValues { counts in counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key }
            let stem = URL(fileURLWithPath: files[index].path).deletingPathExtension().lastPathComponent
            var participants: [String: Participant] = [:]
            var order: [String] = []
            for entryIndex in files[index].entries.indices {
                let entry = files[index].entries[entryIndex]
                let participant = entry.item.subject.name
                let run = runOf[participant] ?? nil
                // In the participant's run, else the one run that holds it.
                let all = candidates(entry)
                let inRun = all.filter { $0.file == run }
                let chosen = inRun.count == 1 ? inRun.first : (inRun.isEmpty && all.count == 1 ? all.first : nil)
                let runSubject = run.flatMap { run in files[run].entries.first?.item.subject }
                let model = runSubject?.name
                if participants[participant] == nil {
                    order.append(participant)
                    participants[participant] = Participant(name: participant, model: model, settings: runSubject?.settingsCaption, matched: 0, own: 0)
                }
                if let chosen {
                    // The run's item; this row's judge answer kept for the merge to compare with the run's.
                    var repeated = chosen.item
                    if let judge = entry.item.judge { repeated.judge?.answer = judge.answer }
                    files[index].entries[entryIndex].item = repeated
                    participants[participant]?.matched += 1
                } else {
                    // An item of its own: the model its run has (or the participant's name), an id no run file
                    // gives (the combined file's name before the key), or one from its content without a key.
                    var own = entry.item
                    own.subject.name = model ?? participant
                    own.id = entry.key.map { "\(own.subject.name)/\(stem)/\($0)" }
                        ?? PaperRowMapper.contentID(subject: own.subject.name, condition: own.condition, stimulusID: own.stimulusID,
                                                    context: own.context, stimulus: own.stimulus, response: own.response, criterion: own.criterion)
                    files[index].entries[entryIndex].item = own
                    participants[participant]?.own += 1
                }
            }
            reports.append(Report(file: files[index].path, participants: order.compactMap { participants[$0] }))
        }
        return reports
    }

    static func isCombined(_ file: ParsedFile) -> Bool { file.combined }
}
