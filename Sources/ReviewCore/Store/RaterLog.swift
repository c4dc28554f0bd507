import Foundation

/// A rater's annotation log for one dataset: `<folder>/<rater>.jsonl`, durable and locked (see `AppendOnlyLog`).
public final class RaterLog: LabelSink {
    /// The rater whose log this is.
    public let rater: String
    /// The underlying log of label events.
    public let log: AppendOnlyLog<LabelEvent>

    /// Opens the rater's log in a dataset's annotation folder, creating folder and file as needed.
    ///
    /// - Throws: `StoreError.locked` when another session has this rater's log open, `InputError` for an
    ///   unreadable line (file:line) or a schema newer than this build, `StoreError.openFailed` otherwise.
    public init(
        folder: URL, rater: String, options: StoreOptions = StoreOptions(),
        fileSystem: any StoreFileSystem = POSIXFileSystem()
    ) throws {
        self.rater = rater
        let encoder = LabelEvent.makeEncoder()
        let decoder = LabelEvent.makeDecoder()
        log = try AppendOnlyLog(
            file: AnnotationPaths.logFile(folder: folder, rater: rater), options: options, fileSystem: fileSystem,
            encode: { try encoder.encode($0) }, decode: { try decoder.decode(LabelEvent.self, from: $0) })
    }

    /// The rater's saved events so far, oldest first.
    public var events: [LabelEvent] { log.records }

    /// Events not yet saved because a write failed; `retryPending()` saves them.
    public var pending: [LabelEvent] { log.pending }

    /// What was repaired at open (a torn last line set aside), one line each, to show the user.
    public var warnings: [String] { log.warnings }

    /// Appends a label or retraction; returns once it is durable.
    ///
    /// - Throws: `StoreError.notSaved` when the write failed; the event is then kept in `pending`.
    public func append(_ event: LabelEvent) throws {
        try log.append(event)
    }

    /// Saves the events kept in memory after a failed write, oldest first.
    public func retryPending() throws {
        try log.retryPending()
    }

    /// The rater's current labels, notes, flags and stale labels from the saved events, against `dataset`.
    public func replay(against dataset: Dataset) -> RaterReplay {
        RaterReplay(rater: rater, events: log.records, dataset: dataset)
    }

    /// Closes the log and releases its lock.
    public func close() {
        log.close()
    }

    /// Appends only those events whose answer differs from the rater's current label (for re-imports).
    /// Returns how many were appended.
    @discardableResult
    public func appendChanges(_ events: [LabelEvent]) throws -> Int {
        var current: [String: String?] = [:]
        for event in log.records { current[event.item] = event.kind == .label ? event.answer : nil }
        var appended = 0
        for event in events where current[event.item] != .some(event.answer) {
            try append(event)
            current[event.item] = event.answer
            appended += 1
        }
        return appended
    }
}
