import Foundation

/// What `judge-review check STUDY` verifies, after a merge or at any time: every file of the study reads, every
/// item is what its id says, and every label, decision, sample and assignment entry refers to an item the study
/// holds, as the content the rater saw. Read only: nothing is locked, repaired or written.
public struct StudyCheck: Sendable {
    /// One problem found, as a line naming the file (and line) it is in.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The file the problem is in.
        public var file: String
        /// The line, when the problem is on one.
        public var line: Int?
        /// What is wrong, and what to do about it.
        public var message: String
        /// Whether `sync` must not spread the study while it has this problem (a damaged or inconsistent file);
        /// false for a problem of how people worked (a log written at two sites), whose lines are all real labels
        /// and are safest shared.
        public var blocksSync: Bool

        public init(file: String, line: Int?, message: String, blocksSync: Bool = true) {
            self.file = file
            self.line = line
            self.message = message
            self.blocksSync = blocksSync
        }

        public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
    }

    /// The items checked.
    public var items: Int
    /// The logs read: rater logs and adjudication logs.
    public var logs: Int
    /// Every problem, in the order the files were checked.
    public var problems: [Problem]
    /// What is worth knowing but not wrong (labels of content an item no longer has, after a re-import).
    public var notes: [Problem] = []

    /// The one-line verdict for scripts: `check: OK …` or `check: N problems …`.
    public var verdict: String {
        problems.isEmpty
            ? "check: OK (\(items) items, \(logs) log\(logs == 1 ? "" : "s"): every item matches its id's content, every label, decision, sample and assignment entry is of an item as it is)"
            : "check: \(problems.count) problem\(problems.count == 1 ? "" : "s") (\(items) items, \(logs) log\(logs == 1 ? "" : "s"))"
    }

    /// Checks `study`; a dataset that cannot be read at all is the one problem. `more` checks what this module
    /// cannot read (the judges' logs) against the same items, read once.
    public static func run(
        _ study: Study, more: (Dataset) -> (logs: Int, problems: [Problem]) = { _ in (0, []) }
    ) -> StudyCheck {
        let dataset: Dataset
        do {
            dataset = try study.dataset()
        } catch {
            // A merge that kept two sites' imports gives ids twice: name every one, not only the first.
            let duplicates = Dataset.duplicateIDs(in: study.itemsFile)
            guard !duplicates.isEmpty else {
                return StudyCheck(items: 0, logs: 0, problems: [Problem(file: study.itemsFile.path, line: nil, message: "\(error)")])
            }
            return StudyCheck(items: 0, logs: 0, problems: duplicates.map { duplicate in
                let id = TextSanitizer.singleLine(duplicate.id)
                let message = duplicate.sameContent
                    ? "item \"\(id)\" is given again, the same content as on line \(duplicate.firstLine) (a merge kept both copies of one import); keep one site's \(StudyLayout.itemsFileName), for instance with `git checkout <commit> -- \(StudyLayout.itemsFileName)`, and check again"
                    : "item \"\(id)\" is given again with other content than on line \(duplicate.firstLine): two sites imported different items under one id; keep one site's \(StudyLayout.itemsFileName) (`git checkout <commit> -- \(StudyLayout.itemsFileName)`), import there what the other site imported, and check again"
                return Problem(file: study.itemsFile.path, line: duplicate.line, message: message)
            })
        }
        var problems: [Problem] = []
        // Items: the stored hash is the content's (an item changed under its id, by hand or by a merge, is not).
        for (index, item) in dataset.items.enumerated() where !item.hashIsCurrent {
            problems.append(Problem(file: study.itemsFile.path, line: index + 1,
                                    message: "item \"\(TextSanitizer.singleLine(item.id))\" is not the content its stored sha256 names (changed under its id); re-import its source, or restore the file"))
        }
        var logs = 0
        var notes: [Problem] = []
        do {
            let labels = try StudyLabels.load(folder: study.annotationFolder, dataset: dataset, strict: false)
            for log in labels.logs {
                logs += 1
                let path = log.file.path
                if let error = log.error { problems.append(Problem(file: path, line: nil, message: "cannot be read: \(error)")) }
                if let torn = log.tornLine {
                    problems.append(Problem(file: path, line: torn, message: "torn last line (a write cut short); the rater's next session sets it aside"))
                }
                let events = log.replay?.loggedEvents ?? []
                let writers = LogWriters(events.map(\.writer))
                if let problem = writers.problem(owner: log.rater, file: path, conflictingItems: conflictingItems(events)) {
                    problems.append(problem)
                }
                for stale in log.replay?.stale ?? [] {
                    let id = TextSanitizer.singleLine(stale.event.item)
                    let site = writers.writers.count > 1 ? stale.event.writer.map { ", written at \($0.caption)" } ?? "" : ""
                    switch stale.reason {
                    case .itemGone:
                        problems.append(Problem(file: path, line: nil, message: "a label for item \"\(id)\", which the study does not hold\(site)"))
                    case .itemChanged:
                        // A re-import that changed a labelled item leaves such labels (status shows them; the
                        // rater labels the item again): worth a note, not a fault.
                        notes.append(Problem(file: path, line: nil, message: "the label for item \"\(id)\" is of other content than the item's now\(site) (re-imported since, or the site that labelled it had imported other content under that id); the rater's next session asks again"))
                    }
                }
            }
            let byAdjudicator = Dictionary(grouping: labels.adjudication.events, by: \.adjudicator)
            logs += byAdjudicator.count
            for (adjudicator, events) in byAdjudicator.sorted(by: { $0.key < $1.key }) {
                let decisions = events.filter { $0.kind == .decision }
                let conflicts = conflictingAnswers(decisions.map { ($0.item, $0.answer, $0.writer) })
                if let problem = LogWriters(events.map(\.writer)).problem(
                    owner: adjudicator, file: AdjudicationLogs.file(annotationFolder: study.annotationFolder, adjudicator: adjudicator).path,
                    conflictingItems: conflicts) {
                    problems.append(problem)
                }
            }
            for warning in labels.adjudication.warnings { problems.append(Problem(file: StudyLayout.adjudicationFolder(folder: study.annotationFolder).path, line: nil, message: warning)) }
            if let error = labels.adjudicationError { problems.append(Problem(file: StudyLayout.adjudicationFolder(folder: study.annotationFolder).path, line: nil, message: error)) }
            for event in labels.adjudication.events where dataset.indexByID[event.item] == nil {
                problems.append(Problem(file: AdjudicationLogs.file(annotationFolder: study.annotationFolder, adjudicator: event.adjudicator).path,
                                        line: nil, message: "a decision for item \"\(TextSanitizer.singleLine(event.item))\", which the study does not hold"))
            }
        } catch {
            problems.append(Problem(file: study.annotationFolder.path, line: nil, message: "\(error)"))
        }
        // The sample and the assignment name only items the study holds.
        do {
            if let sample = try ValidationSample.load(from: study) {
                for entry in sample.items where dataset.indexByID[entry.id] == nil {
                    problems.append(Problem(file: ValidationSample.url(in: study).path, line: nil,
                                            message: "sampled item \"\(TextSanitizer.singleLine(entry.id))\" is not in the study"))
                }
            }
        } catch {
            problems.append(Problem(file: ValidationSample.url(in: study).path, line: nil, message: "\(error)"))
        }
        do {
            if let assignment = try RaterAssignment.load(from: study) {
                for queue in assignment.queues {
                    for item in queue.items where dataset.indexByID[item] == nil {
                        problems.append(Problem(file: RaterAssignment.url(in: study).path, line: nil,
                                                message: "item \"\(TextSanitizer.singleLine(item))\" assigned to \(queue.rater) is not in the study"))
                    }
                }
            }
        } catch {
            problems.append(Problem(file: RaterAssignment.url(in: study).path, line: nil, message: "\(error)"))
        }
        let extra = more(dataset)
        return StudyCheck(items: dataset.items.count, logs: logs + extra.logs, problems: problems + extra.problems, notes: notes)
    }

    /// Items whose live label (or abstention) differs between the copies that wrote a rater's log.
    static func conflictingItems(_ events: [LabelEvent]) -> Int {
        conflictingAnswers(events.filter { $0.purpose == nil }.map { event in
            (event.item, event.kind == .label ? event.answer : event.kind == .abstain ? "(abstained)" : nil, event.writer)
        })
    }

    /// Items whose latest answer at one copy differs from the latest at another (nil: withdrawn).
    public static func conflictingAnswers(_ answers: [(item: String, answer: String?, writer: WriterIdentity?)]) -> Int {
        var latest: [String: [String: String?]] = [:]
        for (item, answer, writer) in answers {
            guard let writer else { continue }
            latest[item, default: [:]][writer.installation] = answer
        }
        return latest.values.filter { Set($0.values.map { $0 ?? "" }).count > 1 }.count
    }
}
