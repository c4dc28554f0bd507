import Foundation
import ReviewCore
import ReviewStatistics

/// What `judge-review import` was asked to do.
public struct ImportRequest: Sendable {
    /// Input files, in the order given.
    public var inputs: [String]
    /// The dataset file to write; its name without `.jsonl` is the dataset's name.
    public var output: String
    /// `--annotations DIR`: where the human label logs go instead of `Annotations/<dataset>/`.
    public var annotations: String?
    /// `--model NAME`: the subject model's name for every paper file, instead of the file name's.
    public var model: String?
    /// `--steelman on|off`: the steel-man setting for every paper file, instead of the file name's.
    public var steelman: Bool?
    /// `--map ...`: the columns of a pipeline's own CSV or JSONL; nil for the paper's layouts and canonical datasets.
    public var columnMap: ColumnMap?
    /// `--scorer NAME`: which scorer of an Inspect AI log is the judge, when a log has several.
    public var scorer: String?
    /// `--exclude PATTERN`: files found in a folder to leave out (shell patterns on the name or the path inside the folder).
    public var exclude: [String] = []
    /// `--stigma-coding FILE`, read: which stigma questions enter the stigma share, and which end of their scale
    /// is stigmatizing; nil: the questions are imported unscored.
    public var stigmaCoding: StigmaCoding? = nil
    /// `--judge-column COLUMN`: which `*_classification` column of a paper file is the judge, when it has several.
    public var judgeColumn: String?
    /// The time stamped on imported label events.
    public var now: Date

    /// A request with the command line's values; `now` defaults to the current time.
    public init(inputs: [String], output: String, annotations: String? = nil, model: String? = nil, steelman: Bool? = nil,
                columnMap: ColumnMap? = nil, scorer: String? = nil, judgeColumn: String? = nil, now: Date = Date()) {
        self.inputs = inputs
        self.output = output
        self.annotations = annotations
        self.model = model
        self.steelman = steelman
        self.columnMap = columnMap
        self.scorer = scorer
        self.judgeColumn = judgeColumn
        self.now = now
    }
}

/// What one input file contributed, for the summary.
public struct ImportedFileReport: Sendable {
    /// The file as given on the command line.
    public var path: String
    /// The layout recognised from its header or first object.
    public var layout: SourceLayout
    /// Items taken from the file (skipped rows not counted).
    public var items: Int
    /// The subject model and steel-man setting used for the file's items (nil for a canonical dataset).
    public var subject: SubjectSettings?
    /// The prefix put before the file's keys (`<model>` or `<model>/steel-man`); nil when ids were kept.
    public var idPrefix: String?
}

/// One human label column turned into a rater's events.
public struct ImportedRaterLabels: Sendable {
    /// The rater's name, e.g. `annotator_1`.
    public var rater: String
    /// The columns the labels came from.
    public var columns: [String]
    /// One `imported` label event per answered cell, in file order; handed to the rater's log by
    /// `ImportPlan.write` (empty afterwards: `labelCount` keeps how many there were).
    public var events: [LabelEvent]
    /// How many label events the columns gave.
    public var labelCount = 0
}

/// An import worked out in memory: nothing is written until `write()`.
public struct ImportPlan: Sendable {
    /// What was asked.
    public var request: ImportRequest
    /// Every item of every input, ids unique, in input order.
    public var dataset: Dataset
    /// Where the dataset will be written (`--to`, or a study's `items.jsonl`).
    public var datasetURL: URL
    /// Whether the dataset is a study's `items.jsonl` (written private, like the rest of the study).
    public var intoStudy: Bool = false
    /// The dataset's annotation folder, where rater logs go.
    public var annotationFolder: URL
    /// One report per input file, in input order.
    public var files: [ImportedFileReport]
    /// Rater logs to write, in the order their columns were found.
    public var raters: [ImportedRaterLabels]
    /// Rows and cells left out, with file, line and reason.
    public var skipped: [SkipNote]
    /// Responses met again in this import and merged into the item first read, by file.
    public var duplicates: [MergedDuplicates] = []
    /// Combined files (rows of several runs) and how their rows were matched to the runs.
    public var combinedFiles: [CombinedFileReport] = []
    /// Items of the study this import changes that somebody labelled (their labels are of the old content),
    /// with who, in study order.
    public var changedLabelled: [(id: String, raters: [String])] = []

    /// Items whose judge answer is one of the options.
    public var itemsWithVerdict: Int { judgeCounts.withVerdict }
    /// Items with no judge column at all.
    public var itemsWithoutJudge: Int { judgeCounts.withoutJudge }
    /// Items whose judge gave no answer.
    public var itemsWithMissingJudgeAnswer: Int { judgeCounts.missingAnswer }
    /// Items whose judge answered something that is not an option.
    public var itemsWithUnknownJudgeAnswer: Int { judgeCounts.unknownAnswer }

    /// The judge counts in one pass over the items (`offScale`: an option that is no verdict: off its scale,
    /// "Do not know", or on a scale no rate counts).
    var judgeCounts: (withVerdict: Int, withoutJudge: Int, missingAnswer: Int, unknownAnswer: Int, offScale: Int) {
        var counts = (withVerdict: 0, withoutJudge: 0, missingAnswer: 0, unknownAnswer: 0, offScale: 0)
        for item in dataset.items {
            guard let judge = item.judge else { counts.withoutJudge += 1; continue }
            if item.judgeVerdict != .noVerdict {
                counts.withVerdict += 1
            } else if judge.answer == nil {
                counts.missingAnswer += 1
            } else if item.criterion.option(matching: judge.answer) != nil {
                counts.offScale += 1
            } else {
                counts.unknownAnswer += 1
            }
        }
        return counts
    }
}

/// The items of one file that were already read from earlier files of the same import (a run's `.jsonl` and
/// `.csv`, its validation file): merged into the first, their human columns attached to it.
public struct MergedDuplicates: Sendable, Equatable {
    /// The file the repeats were met in.
    public var file: String
    /// How many of its items were repeats.
    public var count: Int
    /// The earlier files they were first read from, in import order.
    public var firstIn: [String]
}

/// What `ImportPlan.write()` did.
public struct ImportOutcome: Sendable {
    /// Whether a dataset file was already at the output path and has been replaced.
    public var replacedExistingDataset: Bool
    /// Whether the dataset file already held exactly these items, so it was not written.
    public var datasetUnchanged: Bool = false
    /// Per rater: the log file and how many events were appended (0 on a repeated import).
    public var logs: [WrittenLog]
}

/// One rater log the import wrote to.
public struct WrittenLog: Sendable {
    /// The rater, e.g. `annotator_1`.
    public var rater: String
    /// The log file, `<annotation folder>/<rater>.jsonl`.
    public var file: URL
    /// Labels the import carried for this rater.
    public var labels: Int
    /// Events actually appended: labels the log did not already hold with the same answer for the same content.
    public var appended: Int
    /// Of those, labels appended again because the item's content changed since the log's label (re-based).
    public var rebased: Int
}

/// `judge-review import`: reads the paper's files and canonical datasets into one dataset and rater logs.
public enum Importer {
    /// Plans and writes an import. Into a study it holds the study's lock from the first read of `items.jsonl` to
    /// the last log line (two imports at once would both read the old items and the last rename would win), and
    /// first completes an interrupted write of the study; `completed` says what that did.
    public static func run(
        _ request: ImportRequest, groupReadable: Bool
    ) throws -> (plan: ImportPlan, outcome: ImportOutcome, completed: String?) {
        guard let study = try studyTarget(request.output) else {
            var plan = try plan(request)
            let outcome = try plan.write(options: StoreOptions(groupReadable: groupReadable))
            return (plan, outcome, nil)
        }
        let options = study.storeOptions(groupReadable: groupReadable)
        let (lock, completed) = try study.lockForWriting(options: options)
        defer { lock.release() }
        var plan = try plan(request)
        let outcome = try plan.write(options: options)
        return (plan, outcome, completed)
    }

    /// Reads every input and builds the dataset and label events in memory; throws the first input error.
    ///
    /// Into a study (`--to` a study folder) the items join the study's `items.jsonl`: a paper row's id is its
    /// subject model and key (`gpt-4o/<key>`, `<model>/steel-man/<key>` with the steel-man prompt), whatever
    /// was imported with it, and the same response met twice (a run's JSONL and its validation CSV) is one item
    /// whose human columns attach to it. Into a bare dataset file, ids are the files' keys as before.
    public static func plan(_ request: ImportRequest) throws -> ImportPlan {
        let study = try studyTarget(request.output)
        let outputURL = try study.map(\.itemsFile) ?? checkedOutput(request)
        guard !request.inputs.isEmpty else { throw InputError(file: request.output, "no input files given") }
        let (inputs, excluded) = try InputFiles.expand(request.inputs, exclude: request.exclude)
        // Every input is read into memory: say so before a limit ends the process halfway.
        let inputBytes = inputs.reduce(0) { total, input in total + Int((try? FileManager.default.attributesOfItem(atPath: input.path)[.size] as? Int) ?? 0) }
        let existingBytes = study.flatMap { FileIdentity.of(path: $0.itemsFile.path) }.map { Int($0.size) } ?? 0
        try MemoryBudget.check(
            bytes: inputBytes + existingBytes * Int(MemoryBudget.studyFactor / MemoryBudget.importFactor), factor: MemoryBudget.importFactor,
            file: request.inputs[0])
        var seenPaths: Set<String> = []
        for input in inputs {
            let path = input.path
            let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
            guard seenPaths.insert(resolved).inserted else { throw InputError(file: path, "given twice") }
            if resolved == outputURL.standardizedFileURL.resolvingSymlinksInPath().path {
                throw InputError(file: path, "is also the output (--to); write the dataset to another file")
            }
        }
        var (parsed, skippedFiles, prefixes, combined) = try read(inputs, excluded: excluded, request: request)
        // Each item's hash once, on the cores: its dataset line, the merge and every label given to it reuse it.
        for file in parsed.indices { Item.computeHashes(&parsed[file].entries, item: \.item) }
        let folder: URL
        var existing: Dataset
        if let study {
            // Summaries from the study index when it serves: an item this import gives again is replaced whole, and
            // only the others are read in full (`readTexts`), so an unchanged re-import never parses the old file.
            existing = try study.dataset(settings: study.settings(), detail: .summaries)
            folder = request.annotations.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? study.annotationFolder
        } else {
            // A bare dataset file is written anew from its inputs.
            existing = Dataset(name: Dataset.name(for: outputURL), items: [])
            folder = try LabelPlace.resolve(outputURL.path, annotations: request.annotations).annotationFolder
            try OutputGuard(annotationFolder: folder).check(output: request.output)
        }
        let (dataset, mergeNotes, duplicates) = try merged(parsed, into: existing) { items in
            if let study { try Self.readTexts(of: &items, existing: existing, study: study) }
        }
        let changedLabelled = study == nil ? [] : try labelledChanges(from: existing, to: dataset, folder: folder)
        existing = Dataset(name: existing.name, items: [])  // the study's old items let go before the labels are made

        var skipped = skippedFiles + parsed.flatMap(\.skipped) + mergeNotes
        var raters: [ImportedRaterLabels] = []
        var acceptedNames: Set<String> = []  // a column's name is checked once, not once a row
        // The time as the log lines will say it (to the millisecond): the events held equal the lines read back.
        let labelledAt = Timestamp.asWritten(request.now)
        for file in parsed {
            for entry in file.entries {
                for answer in entry.humanAnswers {
                    if !acceptedNames.contains(answer.rater), let problem = RaterName.problem(with: answer.rater) {
                        let line: Int
                        if case .paperRows(let columns) = file.layout, columns.format != .jsonLines { line = 1 } else { line = entry.line }
                        throw InputError(file: file.path, line: line, "column \"\(TextSanitizer.singleLine(answer.column))\": \(problem)")
                    }
                    acceptedNames.insert(answer.rater)
                    let index: Int
                    if let existing = raters.firstIndex(where: { $0.rater == answer.rater }) {
                        index = existing
                    } else {
                        raters.append(ImportedRaterLabels(rater: answer.rater, columns: [], events: []))
                        index = raters.count - 1
                    }
                    if !raters[index].columns.contains(answer.column) { raters[index].columns.append(answer.column) }
                    guard let raw = answer.raw, AnswerNormalizer.normalize(raw) != nil else { continue }  // not labelled
                    guard entry.item.criterion.option(matching: raw) != nil else {
                        let options = entry.item.criterion.options.joined(separator: ", ")
                        skipped.append(SkipNote(
                            file: file.path, line: entry.line, kind: .cell,
                            reason: "\(answer.column) \"\(raw)\" is not one of the options (\(options)); not labelled"))
                        continue
                    }
                    // The label is of the item as kept (a duplicate's copy may have lost the majority).
                    let kept = dataset.indexByID[entry.item.id].map { dataset.items[$0] } ?? entry.item
                    raters[index].events.append(LabelEvent.label(
                        item: kept, rater: answer.rater, answer: raw, mode: .imported, judgeSeenFirst: false,
                        at: labelledAt))
                }
            }
        }
        for index in raters.indices { raters[index].labelCount = raters[index].events.count }
        if FileManager.default.fileExists(atPath: folder.path), !isDirectory(folder.path), !raters.isEmpty {
            throw InputError(file: folder.path, "is a file, expected the dataset's annotation folder")
        }
        let reports = parsed.enumerated().map { index, file in
            ImportedFileReport(path: file.path, layout: file.layout, items: file.entries.count,
                               subject: CombinedRows.isCombined(file) ? nil : file.subject, idPrefix: prefixes[index])
        }
        var plan = ImportPlan(
            request: request, dataset: dataset, datasetURL: outputURL, intoStudy: study != nil, annotationFolder: folder,
            files: reports, raters: raters, skipped: skipped, duplicates: duplicates)
        plan.combinedFiles = combined
        plan.changedLabelled = changedLabelled
        return plan
    }

    /// Reads every input file: a file met in a folder whose layout is not a result file's is skipped with a note
    /// (one named on the command line is an error), an error in one names the way to leave it out; then gives the
    /// rows their ids (`stableIDs`) and matches combined files to the runs (`CombinedRows`). Throws when no
    /// result file is among them.
    static func read(_ inputs: [InputFiles.Input], excluded: [String], request: ImportRequest) throws
        -> (parsed: [ParsedFile], skipped: [SkipNote], prefixes: [String?], combined: [CombinedFileReport]) {
        var parsed: [ParsedFile] = []
        var skipped = excluded.map { SkipNote(file: $0, line: 0, kind: .file, reason: "left out by --exclude") }
        for input in inputs {
            do {
                parsed.append(try SourceFileReader.read(path: input.path, request: request))
            } catch let unknown as UnknownLayout {
                // A file named on the command line must be readable; one met in a folder may be something else.
                guard input.foundInFolder else { throw unknown.error }
                skipped.append(SkipNote(file: input.path, line: 0, kind: .file, reason: unknown.error.message))
            } catch let error as InputError {
                throw InputFiles.withWayOn(error, input)
            }
        }
        guard !parsed.isEmpty else {
            throw InputError(file: request.inputs.first ?? request.output, "no result file among the \(inputs.count) files found: \(skipped.first?.reason ?? "")")
        }
        let prefixes = stableIDs(&parsed)
        let combined = CombinedRows.resolve(&parsed)
        return (parsed, skipped, prefixes, combined)
    }

    /// Replaces the summaries among `items` (the study's own items, at their places in `existing`) by the items in
    /// full: a few read one at a time at their recorded offsets, many by reading `items.jsonl` whole (in parts on the
    /// cores). An item that no longer reads back as indexed (the file changed under the lock) is an error.
    static func readTexts(of items: inout [Item], existing: Dataset, study: Study, oneByOne: Int = itemsReadOneByOne) throws {
        let positions = existing.items.indices.filter { items[$0].textsLeftOut }
        guard !positions.isEmpty else { return }
        if positions.count <= oneByOne {
            for position in positions {
                guard let full = existing.fullItem(at: position) else {
                    throw InputError(file: study.itemsFile.path, "item \"\(TextSanitizer.singleLine(existing.items[position].id))\" does not read back as the study index has it (was the file changed during the import?); nothing was written")
                }
                items[position] = full
            }
            return
        }
        let whole = try study.dataset()
        guard whole.items.count == existing.items.count else {
            throw InputError(file: study.itemsFile.path, "changed during the import; nothing was written")
        }
        for position in positions {
            guard whole.items[position].id == items[position].id else {
                throw InputError(file: study.itemsFile.path, "changed during the import; nothing was written")
            }
            items[position] = whole.items[position]
        }
    }

    /// Up to this many of the study's items are read one at a time (a few `pread`s); more, and the file is read whole.
    static let itemsReadOneByOne = 10_000

    /// The items of `existing` whose content `updated` changes and that some rater (a clinician, or an adjudicator)
    /// labelled: a re-import that makes labels stale is reported by item, never silent. The logs are read only when
    /// some item changed.
    static func labelledChanges(from existing: Dataset, to updated: Dataset, folder: URL) throws -> [(id: String, raters: [String])] {
        let changed = existing.items.indices.filter { position in
            var item = existing.items[position]
            guard var now = updated[id: item.id] else { return false }
            // Equal fields first (cheap); the hash only where something differs (it leaves out the judge and more).
            (item.judge, now.judge) = (nil, nil)
            return item != now && now.computedContentHash != item.contentHash
        }
        guard !changed.isEmpty, FileKind.ofPath(folder.path) == .folder else { return [] }
        let labels = try StudyLabels.load(folder: folder, dataset: existing, strict: false)
        var adjudicated: Set<String> = []
        for event in labels.adjudication.events { adjudicated.insert(event.item) }
        return changed.compactMap { position in
            let id = existing.items[position].id
            var raters = labels.logs.compactMap { log in log.replay?.current(at: position) == nil ? nil : log.rater }
            if adjudicated.contains(id) { raters.append("adjudication") }
            return raters.isEmpty ? nil : (id, raters)
        }
    }

    /// The study `--to` names, or nil when it names a dataset file; a folder that is not a study is an error.
    static func studyTarget(_ output: String) throws -> Study? {
        guard FileKind.ofPath(output) == .folder else { return nil }
        let study = Study(folder: URL(fileURLWithPath: output, isDirectory: true))
        guard FileKind.ofPath(study.settingsFile.path) == .regular else {
            throw InputError(file: output, "is a folder but not a study; run judge-review init \(output) first, or give a dataset .jsonl file")
        }
        return study
    }

    /// Gives every paper row an id of its own: its subject model, the steel-man prompt when it was on, and its
    /// key; returns each file's prefix (nil for canonical datasets and content-hash ids, which are kept).
    static func stableIDs(_ files: inout [ParsedFile]) -> [String?] {
        files.indices.map { index in
            // Keyed rows get the model before the key; stimulus-id rows (live bots) already have content-hash ids.
            guard case .paperRows(let columns) = files[index].layout, columns.idColumn == "key", !columns.isCombined,
                  let subject = files[index].subject else { return nil }
            let prefix = subject.model + (subject.steelman == true ? "/steel-man" : "")
                + (subject.contextualized == true ? "/context" : "")
            for entry in files[index].entries.indices {
                files[index].entries[entry].item.id = "\(prefix)/\(files[index].entries[entry].item.id)"
            }
            return prefix
        }
    }

    /// The study's items with the imported ones: an id met again replaces the item in place (a corrected
    /// file), a new id is appended. The same id twice in this import must be the same response: line endings
    /// and the order of the options aside, else it is an error naming both places. Copies that disagree only on
    /// the criterion's appropriate answer (an export that garbled it) are settled by the majority of the files,
    /// and each disagreement is noted; a tie is an error, since nothing says which is right.
    /// A judge answer that differs (beyond case and spaces) from the kept copy's is noted, never silently dropped.
    ///
    /// - Parameter withTexts: gives the study's items that are summaries (`existing` from the study index, its items
    ///   this import did not give again) their texts before the dataset is made.
    static func merged(
        _ files: [ParsedFile], into existing: Dataset, withTexts: (inout [Item]) throws -> Void = { _ in }
    ) throws -> (Dataset, [SkipNote], [MergedDuplicates]) {
        struct Occurrence { var file: Int; var entry: Int }
        // Each id's first place, in order; later places only for ids given more than once (one array an id, for
        // a million ids given once, was a tenth of an import).
        var firstPlace: [String: Int] = [:]
        var order: [(id: String, first: Occurrence)] = []
        var repeated: [Int: [Occurrence]] = [:]
        firstPlace.reserveCapacity(files.reduce(0) { $0 + $1.entries.count })
        for (fileIndex, file) in files.enumerated() {
            for (entryIndex, entry) in file.entries.enumerated() {
                let occurrence = Occurrence(file: fileIndex, entry: entryIndex)
                let (inserted, index) = firstPlace.insertIfAbsent(entry.item.id, order.count)
                if inserted {
                    order.append((entry.item.id, occurrence))
                } else {
                    repeated[index, default: [order[index].first]].append(occurrence)
                }
            }
        }
        func place(_ occurrence: Occurrence) -> String {
            "\(files[occurrence.file].path):\(files[occurrence.file].entries[occurrence.entry].line)"
        }
        func item(_ occurrence: Occurrence) -> Item { files[occurrence.file].entries[occurrence.entry].item }

        var notes: [SkipNote] = []
        var keptByID: [String: Item] = [:]
        var repeatsByFile: [Int: MergedDuplicates] = [:]
        var items = existing.items
        for (index, (id, first)) in order.enumerated() {
            let all = repeated[index] ?? [first]
            var kept = first
            if all.count > 1 {
                let response = sameResponseKey(item(first))
                for other in all.dropFirst() where sameResponseKey(item(other)) != response {
                    throw InputError(file: files[other.file].path, line: files[other.file].entries[other.entry].line,
                                     "item \"\(id)\" differs from the one at \(place(first)) (another response under the same key and model)")
                }
                kept = try majority(all, id: id, item: item, place: place)
                var keptItem = item(kept)
                // The judge's answer too is the files' most common one (the first copy's on a tie).
                var judgeCounts: [String: Int] = [:]
                for occurrence in all {
                    if let answer = item(occurrence).judge?.answer.flatMap(AnswerNormalizer.normalize) { judgeCounts[answer, default: 0] += 1 }
                }
                let firstAnswer = keptItem.judge?.answer.flatMap(AnswerNormalizer.normalize)
                if let best = judgeCounts.values.max(), judgeCounts[firstAnswer ?? ""] != best,
                   let common = all.lazy.compactMap({ item($0).judge?.answer.flatMap(AnswerNormalizer.normalize) }).first(where: { judgeCounts[$0] == best }) {
                    keptItem.judge?.answer = common
                }
                keptByID[id] = keptItem
                let keptAnswer = keptItem.judge?.answer.flatMap(AnswerNormalizer.normalize)
                for other in all where other.file != kept.file || other.entry != kept.entry {
                    let otherItem = item(other)
                    let line = files[other.file].entries[other.entry].line
                    if otherItem.criterion.appropriate != keptItem.criterion.appropriate {
                        notes.append(SkipNote(
                            file: files[other.file].path, line: line, kind: .cell,
                            reason: "appropriate answer \"\(otherItem.criterion.appropriate)\" differs from \"\(keptItem.criterion.appropriate)\" for the same response; the files' majority (\(place(kept))) is kept"))
                    }
                    if let answer = otherItem.judge?.answer.flatMap(AnswerNormalizer.normalize), answer != keptAnswer {
                        notes.append(SkipNote(
                            file: files[other.file].path, line: line, kind: .cell,
                            reason: "judge answer \"\(answer)\" differs from \"\(keptAnswer ?? "none")\", the most common among the copies of this response (\(place(kept))); that is kept"))
                    }
                }
                for other in all.dropFirst() {
                    var repeats = repeatsByFile[other.file] ?? MergedDuplicates(file: files[other.file].path, count: 0, firstIn: [])
                    repeats.count += 1
                    let firstFile = files[first.file].path
                    if !repeats.firstIn.contains(firstFile) { repeats.firstIn.append(firstFile) }
                    repeatsByFile[other.file] = repeats
                }
            }
            let chosen = keptByID[id] ?? item(kept)
            // `order` holds each id once: only the study's own ids can be met again.
            if let at = existing.indexByID[id] {
                items[at] = chosen
            } else {
                items.append(chosen)
            }
        }
        try withTexts(&items)
        let duplicates = repeatsByFile.keys.sorted().compactMap { repeatsByFile[$0] }
        return (Dataset(name: existing.name, items: items), notes, duplicates)
    }


    /// What must agree for two copies to be one response: the content hash with the options in a fixed order
    /// and the appropriate answer left out (both are settled separately).
    static func sameResponseKey(_ item: Item) -> String {
        var copy = item
        copy.criterion = Criterion(question: item.criterion.question, options: item.criterion.options.sorted(), appropriate: "")
        return copy.computedContentHash
    }

    /// The copy to keep among copies of one response: the first of those whose appropriate answer most files
    /// give; a tie between answers is an error naming the places.
    private static func majority<Occurrence>(
        _ all: [Occurrence], id: String, item: (Occurrence) -> Item, place: (Occurrence) -> String
    ) throws -> Occurrence {
        var counts: [String: Int] = [:]
        for occurrence in all { counts[item(occurrence).criterion.appropriate, default: 0] += 1 }
        guard counts.count > 1, let best = counts.values.max() else { return all[0] }
        let leaders = counts.filter { $0.value == best }.keys
        guard leaders.count == 1, let answer = leaders.first,
              let kept = all.first(where: { item($0).criterion.appropriate == answer }) else {
            let places = all.map { "\(place($0)) says \"\(item($0).criterion.appropriate)\"" }.joined(separator: ", ")
            throw InputError(file: place(all[0]), "item \"\(id)\": the copies disagree on the appropriate answer with no majority (\(places)); correct or leave out one file")
        }
        return kept
    }

    /// The output path checked before anything is read: a `.jsonl` name in an existing folder, not a folder.
    static func checkedOutput(_ request: ImportRequest) throws -> URL {
        let path = request.output
        guard path.lowercased().hasSuffix(".jsonl") else {
            throw InputError(file: path, "the output (--to) must be a .jsonl file")
        }
        if isDirectory(path) { throw InputError(file: path, "is a folder, expected the dataset .jsonl file to write") }
        let url = URL(fileURLWithPath: path)
        let parent = url.deletingLastPathComponent().path
        guard isDirectory(parent) else { throw InputError(file: path, "folder \(parent) does not exist") }
        return url
    }

    static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }
}

extension ImportPlan {
    /// Stages the dataset beside its file, opens (and locks) every rater log the import writes before anything is
    /// put in place (a log that cannot be opened, a link, FIFO or folder in its place or another session holding
    /// it, stops the import first and the staged file is removed), then puts the dataset in place (rename) and
    /// appends the new label events.
    ///
    /// Into a study the write is all or none across its files: the new items are staged beside `items.jsonl`, a
    /// journal records them and every line about to be appended, and only then are they put in place
    /// (`StudyJournal`); a kill between the files is completed by the next command that opens the study. The
    /// caller holds the study's lock from the plan on (`Importer.run`).
    ///
    /// Each rater's events are handed to its log (`RaterLog.changes` stamps them in place): afterwards `events` is
    /// empty and `labelCount` says how many there were, so a million labels are never held twice.
    public mutating func write(options: StoreOptions = StoreOptions()) throws -> ImportOutcome {
        var opened: [(rater: Int, log: RaterLog)] = []
        defer { for (_, log) in opened { log.close() } }
        let options = options.writer == nil && raters.contains(where: { !$0.events.isEmpty })
            ? try options.withWriter(in: annotationFolder) : options
        let existed = SafeFile.exists(datasetURL.path)
        // Streamed to the staged file and compared with the old one as it goes: neither the new dataset's bytes
        // nor the old file's are ever whole in memory (at a million items, each is about 600 MB).
        var fileMap: DatasetFileMap?
        let staged = try AtomicFile.stage(for: datasetURL, unlessSame: true, permissions: options.filePermissions) { writer in
            fileMap = try dataset.writeLines(into: &writer)
        }
        // Each log's changes as soon as it is open, so one rater's events are let go before the next log is read.
        // When the study's items are already these very bytes (nothing staged), each log's replay cache, made
        // against that file, spares decoding what it covers.
        var changes: [(batch: [LabelEvent], change: RaterLog.Change)] = []
        do {
            let cache = intoStudy && staged == nil
                ? fileMap.map { (study: Study(folder: datasetURL.deletingLastPathComponent()), dataset: dataset.held(as: $0)) } : nil
            for index in raters.indices where !raters[index].events.isEmpty {
                let log = try RaterLog(folder: annotationFolder, rater: raters[index].rater, options: options, cache: cache)
                opened.append((index, log))
                let events = raters[index].events
                raters[index].events = []
                changes.append(log.changes(consume events))
            }
        } catch {
            staged?.discard()
            throw error
        }
        let changed = staged != nil
        var lines: [Data] = []
        do {
            lines = try zip(opened, changes).map { try $0.0.log.log.encodedLines($0.1.batch) }
            if intoStudy {
                let study = Study(folder: datasetURL.deletingLastPathComponent())
                let appends = zip(opened, lines).filter { !$0.1.isEmpty }.enumerated().map { index, pair in
                    StudyJournal.LogAppend(
                        file: StudyJournal.relativePath(pair.0.log.log.file, in: study), rater: pair.0.log.rater,
                        lengthBefore: pair.0.log.log.length, lines: pair.1, linesFile: StudyJournal.linesFileName(index))
                }
                if staged != nil || !appends.isEmpty {
                    try StudyJournal(command: "import", started: request.now, stagedItems: staged?.temporaryName, logs: appends)
                        .write(to: study, permissions: options.filePermissions)
                }
            }
        } catch {
            staged?.discard()
            throw error
        }
        try staged?.commit()
        var logs: [WrittenLog] = []
        for (index, (rater, log)) in opened.enumerated() {
            let rater = raters[rater]
            let (batch, change) = changes[index]
            let bytes = lines[index]
            lines[index] = Data()  // each log's lines let go once appended: the index below is built without them
            do {
                try log.log.append(encodedLines: bytes, records: batch)
            } catch {
                // The dataset is already in place; the journal (in a study) or a re-run completes the logs.
                throw LabelLogWriteError(file: log.log.file.path, reason: "\(error)", journaled: intoStudy)
            }
            logs.append(WrittenLog(
                rater: rater.rater, file: log.log.file,
                labels: rater.labelCount, appended: change.appended, rebased: change.rebased))
        }
        if intoStudy { try StudyJournal.remove(from: Study(folder: datasetURL.deletingLastPathComponent())) }
        // The file now holds exactly the bytes written (or already held them): its study index, built now, and the
        // replay cache of each log written, from the events the open log holds.
        // All of them side by side, each its own file; the index (the longest) first, the caches on the other core.
        if intoStudy, let fileMap {
            let study = Study(folder: datasetURL.deletingLastPathComponent())
            let (dataset, held) = (dataset, dataset.held(as: fileMap))
            let logs = opened.indices.filter { changed || !changes[$0].batch.isEmpty }.map { (events: opened[$0].log.events, file: opened[$0].log.log.file) }
            _ = ParallelWork.map(parts: logs.count + 1) { part in
                if part == 0 {
                    StudyIndex.write(dataset, map: fileMap, study: study, unlessRecorded: true)
                } else {
                    LogReplayCache.storeHeld(events: logs[part - 1].events, file: logs[part - 1].file, study: study, dataset: held)
                }
            }
        }
        return ImportOutcome(replacedExistingDataset: existed && changed, datasetUnchanged: existed && !changed, logs: logs)
    }
}

/// A rater log that could not be written once the dataset was in place.
public struct LabelLogWriteError: Error, CustomStringConvertible, Sendable {
    /// The log file.
    public var file: String
    /// What went wrong, as the system or the store said it.
    public var reason: String
    /// Whether a study's journal holds the lines, so the next command that opens the study completes them.
    public var journaled = false

    /// One line naming the log, the reason, and that a re-run completes the logs.
    public var description: String {
        let oneLine = reason.replacingOccurrences(of: "\n", with: " ")
        let next = journaled
            ? "the next command that opens the study completes the logs from its journal"
            : "re-run the import to complete the logs"
        return "\(file): cannot write the label log (\(oneLine)); the dataset was written, \(next)"
    }
}


extension Dictionary {
    /// Inserts `value` for `key` unless the key is there; returns whether it inserted and the value now held.
    /// One hash lookup where `self[key] == nil` and an insert take two.
    fileprivate mutating func insertIfAbsent(_ key: Key, _ value: Value) -> (inserted: Bool, value: Value) {
        // Through the subscript's modify accessor: the key is hashed once.
        func fill(_ slot: inout Value?) -> (inserted: Bool, value: Value) {
            if let held = slot { return (false, held) }
            slot = value
            return (true, value)
        }
        return fill(&self[key])
    }
}
