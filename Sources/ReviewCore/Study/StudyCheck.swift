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

        public init(file: String, line: Int?, message: String) {
            self.file = file
            self.line = line
            self.message = message
        }

        public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
    }

    /// The items checked.
    public var items: Int
    /// The logs read: rater logs and adjudication logs.
    public var logs: Int
    /// Every problem, in the order the files were checked.
    public var problems: [Problem]

    /// The one-line verdict for scripts: `check: OK …` or `check: N problems …`.
    public var verdict: String {
        problems.isEmpty
            ? "check: OK (\(items) items, \(logs) log\(logs == 1 ? "" : "s"): every item matches its id's content, every label, decision, sample and assignment entry is of an item as it is)"
            : "check: \(problems.count) problem\(problems.count == 1 ? "" : "s") (\(items) items, \(logs) log\(logs == 1 ? "" : "s"))"
    }

    /// Checks `study`; a dataset that cannot be read at all is the one problem.
    public static func run(_ study: Study) -> StudyCheck {
        let dataset: Dataset
        do {
            dataset = try study.dataset()
        } catch {
            return StudyCheck(items: 0, logs: 0, problems: [Problem(file: study.itemsFile.path, line: nil, message: "\(error)")])
        }
        var problems: [Problem] = []
        // Items: the stored hash is the content's (an item changed under its id, by hand or by a merge, is not).
        for (index, item) in dataset.items.enumerated() where !item.hashIsCurrent {
            problems.append(Problem(file: study.itemsFile.path, line: index + 1,
                                    message: "item \"\(TextSanitizer.singleLine(item.id))\" is not the content its stored sha256 names (changed under its id); re-import its source, or restore the file"))
        }
        var logs = 0
        do {
            let labels = try StudyLabels.load(folder: study.annotationFolder, dataset: dataset, strict: false)
            for log in labels.logs {
                logs += 1
                let path = log.file.path
                if let error = log.error { problems.append(Problem(file: path, line: nil, message: "cannot be read: \(error)")) }
                if let torn = log.tornLine {
                    problems.append(Problem(file: path, line: torn, message: "torn last line (a write cut short); the rater's next session sets it aside"))
                }
                for stale in log.replay?.stale ?? [] {
                    let id = TextSanitizer.singleLine(stale.event.item)
                    switch stale.reason {
                    case .itemGone:
                        problems.append(Problem(file: path, line: nil, message: "a label for item \"\(id)\", which the study does not hold"))
                    case .itemChanged:
                        problems.append(Problem(file: path, line: nil, message: "the label for item \"\(id)\" is of other content than the item's now (the item changed under its id)"))
                    }
                }
            }
            logs += Set(labels.adjudication.events.map(\.adjudicator)).count
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
        return StudyCheck(items: dataset.items.count, logs: logs, problems: problems)
    }
}
