import Foundation

/// One rater's line in `judge-review status`: progress, flags, stale labels, last activity and log health.
public struct RaterStatus: Sendable, Equatable {
    /// The rater (the log file's name without `.jsonl`).
    public var rater: String
    /// Items with a current, non-stale label.
    public var labeled: Int
    /// Items in the dataset.
    public var total: Int
    /// Current labels carrying a flag (`unsure`, `discuss`).
    public var flagged: Int
    /// Of the labelled items, those the rater cannot judge (abstentions: done, left out of agreement).
    public var abstained = 0
    /// Latest labels whose item changed or left the dataset, with their item and what happened to it.
    public var staleItems: [StaleLabel] = []
    /// How many labels are stale.
    public var stale: Int { staleItems.count }
    /// Time of the latest event.
    public var lastActivity: Date?
    /// Lines set aside in `<rater>.jsonl.corrupt` by earlier recoveries.
    public var setAside: Int
    /// Line number of a torn last line not yet set aside (the rater's next session will); nil when none.
    public var tornLine: Int?
    /// Why the log cannot be read (an unreadable line in the middle, a newer schema), one line; nil when readable.
    public var error: String?

    /// Whether the log needs attention: unreadable, or ending in a torn line.
    public var isCorrupt: Bool { error != nil || tornLine != nil }
}

/// What `judge-review status` shows for a dataset's annotation folder.
public struct StatusReport: Sendable {
    /// The dataset's name.
    public var datasetName: String
    /// The folder the logs were read from.
    public var folder: URL
    /// Items in the dataset.
    public var total: Int
    /// One entry per rater log, sorted by rater.
    public var raters: [RaterStatus]

    /// Reads every rater log in `folder` (read-only, no locks taken) and summarises it against `dataset`.
    public static func build(folder: URL, dataset: Dataset) throws -> StatusReport {
        build(labels: try StudyLabels.load(folder: folder, dataset: dataset, strict: false))
    }

    /// Summarises labels read with `StudyLabels.load(strict: false)` (unreadable logs kept with their error).
    public static func build(labels: StudyLabels) -> StatusReport {
        let dataset = labels.dataset, folder = labels.folder
        var raters: [RaterStatus] = []
        for log in labels.logs {
            var status = RaterStatus(
                rater: log.rater, labeled: 0, total: dataset.items.count, flagged: 0, lastActivity: nil,
                setAside: log.setAside, tornLine: log.tornLine, error: log.error)
            if let replay = log.replay {
                status.labeled = replay.labeledCount
                status.flagged = replay.flaggedCount
                status.abstained = replay.abstainedCount
                status.staleItems = replay.stale
                status.lastActivity = replay.lastActivity
            }
            raters.append(status)
        }
        return StatusReport(datasetName: dataset.name, folder: folder, total: dataset.items.count, raters: raters)
    }

    /// Whether any log is unreadable or ends in a torn line (the command then exits non-zero).
    public var hasCorruptLog: Bool { raters.contains(where: \.isCorrupt) }

    /// The report as text lines: a heading, an aligned table, then one line per problem.
    public func lines() -> [String] {
        var out = ["\(datasetName): \(total) items, logs in \(folder.path)"]
        guard !raters.isEmpty else {
            out.append("no rater logs yet in \(folder.path): nobody has labelled this dataset there")
            return out
        }
        let header = ["rater", "labeled", "flagged", "stale", "set aside", "last activity (UTC)", "log"]
        let rows = raters.map { status -> [String] in
            if status.error != nil {
                return [status.rater, "-", "-", "-", "\(status.setAside)", "-", "CORRUPT"]
            }
            return [
                status.rater, "\(status.labeled)/\(status.total)", "\(status.flagged)", "\(status.stale)",
                "\(status.setAside)", status.lastActivity.map(StatusReport.formatTime) ?? "-",
                status.tornLine == nil ? "ok" : "TORN",
            ]
        }
        out += TextTable.render(header: header, rows: rows, rightAligned: [1, 2, 3, 4], rule: true)
        for status in raters {
            if status.abstained > 0 {
                out.append("\(status.rater): \(status.abstained) of the labeled items marked cannot judge (left out of agreement and the reference)")
            }
            if let error = status.error { out.append("\(status.rater): CORRUPT: \(error)") }
            if let line = status.tornLine {
                out.append("\(status.rater): line \(line) is torn (an interrupted write); it is set aside when \(status.rater)'s log is next opened")
            }
            for reason in [StaleLabel.Reason.itemChanged, .itemGone] {
                let items = status.staleItems.filter { $0.reason == reason }.map(\.event.item)
                guard !items.isEmpty else { continue }
                let shown = items.prefix(5).joined(separator: ", ") + (items.count > 5 ? ", … (\(items.count - 5) more)" : "")
                let why = reason == .itemChanged
                    ? "the item's text or criterion changed since it was labelled; label it again"
                    : "the item is no longer in the dataset"
                out.append("\(status.rater): \(items.count) stale label\(items.count == 1 ? "" : "s") (\(reason.rawValue)): \(shown); \(why)")
            }
        }
        return out
    }

    /// `2026-11-23 19:27:29` in UTC.
    static func formatTime(_ date: Date) -> String {
        let text = Timestamp.format(date)  // 2026-11-23T19:27:29.123Z
        return String(text.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}
