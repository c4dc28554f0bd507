import Foundation
import ReviewCore

/// Another judge's verdicts read from files the import understands (the paper's layout with `--judge-column`, a
/// pipeline's CSV or JSONL with `--map`, an Inspect log with `--scorer`), matched to a study's items by id and
/// content: what `import --as-judge NAME` attaches without touching the items or anyone's labels.
public struct JudgeAttachment: Sendable {
    /// One verdict to attach: the study's item as it is, and the judge's normalised answer (nil: none given).
    public struct Answer: Sendable {
        public var item: Item
        public var answer: String?
        /// The judge model the file names (its column, `--judge-model`, the Inspect scorer's model).
        public var model: String
        /// What the judge was asked, when the file keeps it (the paper's `classification_prompt`).
        public var prompt: String?
        /// The file and line it came from, as given.
        public var file: String
        public var line: Int
    }

    /// The verdicts to attach, in file order, one per item.
    public var answers: [Answer]
    /// Ids the files name that the study does not hold (first few), and how many.
    public var unknown: [String]
    public var unknownCount: Int
    /// Items whose content in the file differs from the study's (a verdict on something else), first few and count.
    public var changed: [String]
    public var changedCount: Int
    /// Items met again in a later file with another answer: the first kept, the rest noted.
    public var conflicting: [SkipNote]
    /// Rows the readers left out, and files met in a folder that are not result files.
    public var skipped: [SkipNote]
    /// Human answer columns in the files, not read with `--as-judge`.
    public var ignoredHumanColumns: [String]

    /// How many ids to name in a summary before "…".
    static let named = 5

    /// What `import --as-judge` prints, given how many verdicts the judge's log took: the warnings (rows left
    /// out, conflicting copies, items changed under their id, unknown ids, human columns not read) and one line.
    public func summary(judge: String, saved: Int) -> (warnings: [String], line: String) {
        func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        func listed(_ ids: [String], _ count: Int) -> String {
            ids.map(TextSanitizer.singleLine).joined(separator: ", ") + (count > ids.count ? ", …" : "")
        }
        var warnings = (skipped + conflicting).map(\.description)
        if changedCount > 0 {
            warnings.append("\(plural(changedCount, "item")) \(changedCount == 1 ? "differs" : "differ") from the study's under the same id (\(listed(changed, changedCount))): their verdicts are of something else, not attached")
        }
        if unknownCount > 0 {
            warnings.append("\(plural(unknownCount, "id")) \(unknownCount == 1 ? "is" : "are") not in the study (\(listed(unknown, unknownCount))): not attached; import the items first")
        }
        if !ignoredHumanColumns.isEmpty {
            warnings.append("human columns not read with --as-judge: \(ignoredHumanColumns.map(TextSanitizer.singleLine).joined(separator: ", "))")
        }
        let withOption = answers.filter { $0.item.criterion.option(matching: $0.answer) != nil }.count
        let line = "judge \(judge): \(plural(answers.count, "item")) matched (\(withOption) with an option, \(answers.count - withOption) without), "
            + "\(plural(saved, "verdict")) saved, \(answers.count - saved) already in its log"
        return (warnings, line)
    }

    /// Reads `request.inputs` as the importer does and matches every row with a judge to `study`'s items. A row
    /// without a judge column at all is an error: there would be nothing to attach.
    public static func read(_ request: ImportRequest, study: Study) throws -> JudgeAttachment {
        guard !request.inputs.isEmpty else { throw InputError(file: request.output, "no input files given") }
        let dataset = try study.dataset()
        let (inputs, excluded) = try InputFiles.expand(request.inputs, exclude: request.exclude)
        let (parsed, skipped, _, _) = try Importer.read(inputs, excluded: excluded, request: request)
        var attachment = JudgeAttachment(answers: [], unknown: [], unknownCount: 0, changed: [], changedCount: 0, conflicting: [],
                                         skipped: skipped + parsed.flatMap(\.skipped), ignoredHumanColumns: [])
        var kept: [String: Int] = [:]
        var humanColumns: Set<String> = []
        for file in parsed {
            for entry in file.entries {
                humanColumns.formUnion(entry.humanAnswers.filter { $0.raw != nil }.map(\.column))
                guard let judge = entry.item.judge else {
                    throw InputError(file: file.path, line: entry.line, "no judge answer column to attach (name it with --judge-column, or --map judge=COLUMN)")
                }
                guard let item = dataset[id: entry.item.id] else {
                    attachment.unknownCount += 1
                    if attachment.unknown.count < named { attachment.unknown.append(entry.item.id) }
                    continue
                }
                guard entry.item.computedContentHash == item.contentHash else {
                    attachment.changedCount += 1
                    if attachment.changed.count < named { attachment.changed.append(item.id) }
                    continue
                }
                if let first = kept[item.id] {
                    if !item.criterion.answersAgree(attachment.answers[first].answer, judge.answer) {
                        attachment.conflicting.append(SkipNote(
                            file: file.path, line: entry.line, kind: .row,
                            reason: "\(TextSanitizer.singleLine(item.id)): answer \"\(TextSanitizer.singleLine(judge.answer ?? "none"))\" differs from the one kept (\(attachment.answers[first].file):\(attachment.answers[first].line))"))
                    }
                    continue
                }
                kept[item.id] = attachment.answers.count
                attachment.answers.append(Answer(item: item, answer: judge.answer, model: judge.name, prompt: judge.prompt,
                                                 file: file.path, line: entry.line))
            }
        }
        attachment.ignoredHumanColumns = humanColumns.sorted()
        return attachment
    }
}
