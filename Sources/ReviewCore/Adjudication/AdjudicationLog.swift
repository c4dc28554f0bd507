import Foundation

/// An adjudicator's own append-only log, `<annotations>/adjudication/<adjudicator>.jsonl`.
///
/// It is an `AppendOnlyLog` like a rater's log, so it gets the same durability (write + fsync),
/// locking (one writer) and permissions (0600 / 0700) from the store.
public final class AdjudicationLog {
    /// Who writes this log.
    public let adjudicator: String
    /// The underlying durable log.
    public let log: AppendOnlyLog<AdjudicationEvent>
    /// Recorded on every event appended that names no writer of its own (`StoreOptions.writer`).
    private let writer: WriterIdentity?

    /// Opens (creating as needed) the adjudicator's log under a dataset's annotation folder.
    public init(annotationFolder: URL, adjudicator: String, options: StoreOptions = StoreOptions()) throws {
        self.adjudicator = adjudicator
        writer = options.writer
        try RaterName.check(adjudicator, file: StudyLayout.adjudicationFolder(folder: annotationFolder))
        log = try AppendOnlyLog(
            file: AdjudicationLogs.file(annotationFolder: annotationFolder, adjudicator: adjudicator), options: options,
            encode: { try $0.encodedLine() }, decode: { try AdjudicationEvent.decode(line: Data($0)) })
    }

    /// The adjudicator's events so far, oldest first.
    public var events: [AdjudicationEvent] { log.records }

    /// Appends one event; returns once it is durable.
    public func append(_ event: AdjudicationEvent) throws {
        try log.append(event.stamped(by: writer))
    }

}

/// Every adjudicator's events for a dataset, read (not opened for writing), and what they settle.
public enum AdjudicationLogs {
    /// The log file of one adjudicator: `<annotations>/adjudication/<adjudicator>.jsonl`.
    public static func file(annotationFolder: URL, adjudicator: String) -> URL {
        StudyLayout.adjudicationFolder(folder: annotationFolder).appendingPathComponent("\(adjudicator).jsonl")
    }

    /// Events read from every adjudicator's log, plus warnings (a torn last line from a crash is reported, not applied).
    public struct Reading: Sendable {
        /// Every event, log by log (logs in name order), each log oldest first.
        public var events: [AdjudicationEvent]
        /// One line per problem that did not stop the reading, `file:line: message`.
        public var warnings: [String]
    }

    /// Reads every `*.jsonl` log in the dataset's adjudication folder; no folder means no events.
    ///
    /// A malformed line that is not the torn last line of a log throws `InputError` naming file and line.
    public static func readAll(annotationFolder: URL) throws -> Reading {
        let folder = StudyLayout.adjudicationFolder(folder: annotationFolder)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            return Reading(events: [], warnings: [])
        }
        var reading = Reading(events: [], warnings: [])
        for name in names.sorted() where name.hasSuffix(".jsonl") && !name.hasPrefix(".") {
            let part = try read(file: folder.appendingPathComponent(name))
            reading.events += part.events
            reading.warnings += part.warnings
        }
        return reading
    }

    /// Reads one adjudicator's log.
    public static func read(file: URL) throws -> Reading {
        let path = file.path
        let data = try SafeFile.read(path)
        // The same scanner and torn-line rule as the writer's, so a line the writer would set aside is never an error here.
        let scan = try LogScanner.scan(data, path: path) { try AdjudicationEvent.decode(line: Data($0)) }
        var reading = Reading(events: scan.records, warnings: [])
        if let line = scan.tornLine {
            reading.warnings.append("\(path):\(line): torn last line (interrupted write) not applied; the adjudicator's next session sets it aside")
        }
        return reading
    }

    /// The latest decision per item across all adjudicators (by time; on equal times the later one read wins).
    ///
    /// Decisions for items not in `dataset`, for a changed item (stale hash) or with an answer that is not an option are left out.
    public static func latestDecisions(_ events: [AdjudicationEvent], dataset: Dataset) -> [String: AdjudicationEvent] {
        var latest: [String: AdjudicationEvent] = [:]
        for event in events where event.kind == .decision {
            guard let item = dataset[id: event.item], item.contentHash == event.itemSHA256,
                  item.criterion.option(matching: event.answer) != nil else { continue }
            if let current = latest[event.item], current.at > event.at { continue }
            latest[event.item] = event
        }
        return latest
    }

    /// Item id → adjudicated answer, the latest decision across all adjudicators winning.
    ///
    /// This is what `agreement --reference adjudicated` and the gold export use.
    public static func resolution(annotationFolder: URL, dataset: Dataset) throws -> [String: String] {
        let reading = try readAll(annotationFolder: annotationFolder)
        return latestDecisions(reading.events, dataset: dataset).compactMapValues(\.answer)
    }
}
