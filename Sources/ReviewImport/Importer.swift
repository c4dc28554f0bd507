import Foundation
import ReviewCore

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
    /// The time stamped on imported label events.
    public var now: Date

    /// A request with the command line's values; `now` defaults to the current time.
    public init(inputs: [String], output: String, annotations: String? = nil, model: String? = nil, steelman: Bool? = nil, now: Date = Date()) {
        self.inputs = inputs
        self.output = output
        self.annotations = annotations
        self.model = model
        self.steelman = steelman
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
    /// One `imported` label event per answered cell, in file order.
    public var events: [LabelEvent]
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

    /// Items whose judge answer is one of the options.
    public var itemsWithVerdict: Int { dataset.items.filter { $0.judgeVerdict != .noVerdict }.count }
    /// Items with no judge column at all.
    public var itemsWithoutJudge: Int { dataset.items.filter { $0.judge == nil }.count }
    /// Items whose judge gave no answer.
    public var itemsWithMissingJudgeAnswer: Int { dataset.items.filter { $0.judge != nil && $0.judge?.answer == nil }.count }
    /// Items whose judge answered something that is not an option.
    public var itemsWithUnknownJudgeAnswer: Int {
        dataset.items.filter { $0.judge?.answer != nil && $0.judgeVerdict == .noVerdict }.count
    }
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
        var seenPaths: Set<String> = []
        for path in request.inputs {
            let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
            guard seenPaths.insert(resolved).inserted else { throw InputError(file: path, "given twice") }
            if resolved == outputURL.standardizedFileURL.resolvingSymlinksInPath().path {
                throw InputError(file: path, "is also the output (--to); write the dataset to another file")
            }
        }
        var parsed = try request.inputs.map {
            try SourceFileReader.read(path: $0, modelOverride: request.model, steelmanOverride: request.steelman)
        }
        let prefixes = stableIDs(&parsed)
        let folder: URL
        let existing: Dataset
        if let study {
            existing = try study.dataset()
            folder = request.annotations.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? study.annotationFolder
        } else {
            // A bare dataset file is written anew from its inputs.
            existing = Dataset(name: Dataset.name(for: outputURL), items: [])
            folder = try LabelPlace.resolve(outputURL.path, annotations: request.annotations).annotationFolder
            try OutputGuard(annotationFolder: folder).check(output: request.output)
        }
        let (dataset, mergeNotes) = try merged(parsed, into: existing)

        var skipped = parsed.flatMap(\.skipped) + mergeNotes
        var raters: [ImportedRaterLabels] = []
        var acceptedNames: Set<String> = []  // a column's name is checked once, not once a row
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
                    raters[index].events.append(LabelEvent.label(
                        item: entry.item, rater: answer.rater, answer: raw, mode: .imported, judgeSeenFirst: false,
                        at: request.now))
                }
            }
        }
        if FileManager.default.fileExists(atPath: folder.path), !isDirectory(folder.path), !raters.isEmpty {
            throw InputError(file: folder.path, "is a file, expected the dataset's annotation folder")
        }
        let reports = parsed.enumerated().map { index, file in
            ImportedFileReport(path: file.path, layout: file.layout, items: file.entries.count, subject: file.subject, idPrefix: prefixes[index])
        }
        return ImportPlan(
            request: request, dataset: dataset, datasetURL: outputURL, intoStudy: study != nil, annotationFolder: folder,
            files: reports, raters: raters, skipped: skipped)
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
            guard case .paperRows(let columns) = files[index].layout, columns.idColumn == "key",
                  let subject = files[index].subject else { return nil }
            let prefix = subject.model + (subject.steelman == true ? "/steel-man" : "")
            for entry in files[index].entries.indices {
                files[index].entries[entry].item.id = "\(prefix)/\(files[index].entries[entry].item.id)"
            }
            return prefix
        }
    }

    /// The study's items with the imported ones: an id met again replaces the item in place (a corrected
    /// file), a new id is appended; the same id twice in this import must be the same response (line endings
    /// aside), else it is an error naming both places.
    /// A judge answer that differs (beyond case and spaces) between the two places is kept from the first and
    /// the other is noted, never silently dropped.
    static func merged(_ files: [ParsedFile], into existing: Dataset) throws -> (Dataset, [SkipNote]) {
        var notes: [SkipNote] = []
        var items = existing.items
        var position = existing.indexByID
        var firstSeen: [String: (file: String, line: Int)] = [:]
        for file in files {
            for entry in file.entries {
                let id = entry.item.id
                if let first = firstSeen[id] {
                    let earlier = items[position[id] ?? 0]
                    guard earlier.contentHash == entry.item.contentHash else {
                        throw InputError(file: file.path, line: entry.line,
                                         "item \"\(id)\" differs from the one at \(first.file):\(first.line) (another response under the same key and model)")
                    }
                    let kept = earlier.judge?.answer.flatMap(AnswerNormalizer.normalize)
                    let other = entry.item.judge?.answer.flatMap(AnswerNormalizer.normalize)
                    if let other, kept != other {
                        notes.append(SkipNote(
                            file: file.path, line: entry.line, kind: .cell,
                            reason: "judge answer \"\(other)\" differs from \"\(kept ?? "none")\" for the same response at \(first.file):\(first.line); the first is kept"))
                    }
                    continue
                }
                firstSeen[id] = (file.path, entry.line)
                if let at = position[id] {
                    items[at] = entry.item
                } else {
                    position[id] = items.count
                    items.append(entry.item)
                }
            }
        }
        return (Dataset(name: existing.name, items: items), notes)
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
    /// Opens (and locks) every rater log the import writes, then writes the dataset (temporary file + rename),
    /// then appends the new label events.
    ///
    /// A log that cannot be opened (a link, FIFO or folder in its place, another session holding it) stops the
    /// import before the dataset is written; the logs are held locked while the dataset is replaced.
    public func write(options: StoreOptions = StoreOptions()) throws -> ImportOutcome {
        var opened: [(ImportedRaterLabels, RaterLog)] = []
        defer { for (_, log) in opened { log.close() } }
        for rater in raters where !rater.events.isEmpty {
            opened.append((rater, try RaterLog(folder: annotationFolder, rater: rater.rater, options: options)))
        }
        let existed = SafeFile.exists(datasetURL.path)
        let changed = try dataset.write(to: datasetURL, permissions: intoStudy ? options.filePermissions : 0o644)
        var logs: [WrittenLog] = []
        for (rater, log) in opened {
            let change: RaterLog.Change
            do {
                change = try log.appendChanges(rater.events)
            } catch {
                // The dataset is already in place; a re-run appends only what is still missing.
                throw LabelLogWriteError(file: log.log.file.path, reason: "\(error)")
            }
            logs.append(WrittenLog(
                rater: rater.rater, file: log.log.file,
                labels: rater.events.count, appended: change.appended, rebased: change.rebased))
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

    /// One line naming the log, the reason, and that a re-run completes the logs.
    public var description: String {
        let oneLine = reason.replacingOccurrences(of: "\n", with: " ")
        return "\(file): cannot write the label log (\(oneLine)); the dataset was written, re-run the import to complete the logs"
    }
}
