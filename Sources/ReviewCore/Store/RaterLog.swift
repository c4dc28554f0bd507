import Foundation

/// A rater's annotation log for one dataset: `<folder>/<rater>.jsonl`, durable and locked (see `AppendOnlyLog`).
public final class RaterLog: LabelSink {
    /// The rater whose log this is.
    public let rater: String
    /// The underlying log of label events.
    public let log: AppendOnlyLog<LabelEvent>
    /// Recorded on every event appended that names no writer of its own (`StoreOptions.writer`).
    private let writer: WriterIdentity?

    /// Opens the rater's log in a dataset's annotation folder, creating folder and file as needed.
    ///
    /// - Throws: `StoreError.locked` when another session has this rater's log open, `InputError` for an
    ///   unreadable line (file:line) or a schema newer than this build, `StoreError.openFailed` otherwise.
    ///
    /// - Parameter cache: the study and dataset whose replay cache of this log (`LogReplayCache`) may spare
    ///   decoding the log's first lines again (a console opening a long log).
    public init(
        folder: URL, rater: String, options: StoreOptions = StoreOptions(),
        fileSystem: any StoreFileSystem = POSIXFileSystem(), cache: (study: Study, dataset: Dataset)? = nil
    ) throws {
        self.rater = rater
        writer = options.writer
        try RaterName.check(rater, file: folder)
        let reader = LabelEventReader()
        let file = StudyLayout.logFile(folder: folder, rater: rater)
        log = try AppendOnlyLog(
            file: file, options: options, fileSystem: fileSystem,
            encode: { $0.jsonLine() }, decode: reader.decode,
            cachedPrefix: cache.flatMap { LogReplayCache.prefix(of: file, study: $0.study, dataset: $0.dataset) })
    }

    /// The rater's saved events so far, oldest first.
    public var events: [LabelEvent] { log.records }

    /// The dataset position of each of the first events, as the replay cache taken at open recorded them against
    /// the dataset given then (empty when the log was read whole): a console's replay looks up only the rest.
    public var knownPositions: [Int32] { log.cachedPositions }

    /// What was repaired at open (a torn last line set aside), one line each, to show the user.
    public var warnings: [String] { log.warnings }

    /// Appends a label or retraction; returns once it is durable.
    ///
    /// - Throws: `StoreError.notSaved` when the write failed; nothing was written, and the caller appends it again.
    public func append(_ event: LabelEvent) throws {
        try log.append(event.stamped(by: writer))
    }

    /// The rater's current labels, notes, flags and stale labels from the saved events, against `dataset`.
    public func replay(against dataset: Dataset) -> RaterReplay {
        RaterReplay(rater: rater, events: log.records, dataset: dataset)
    }

    /// Closes the log and releases its lock.
    public func close() {
        log.close()
    }

    /// What a re-import appended: new or changed labels, and of those, labels re-based onto changed content.
    public struct Change: Sendable, Equatable {
        /// Events appended.
        public var appended: Int
        /// Of those, labels whose answer was already current but for the item's old content (its hash changed).
        public var rebased: Int
    }

    /// Of an import's `events`, those to append: each compared with that column's own last imported answer for the
    /// item, never with a label a person gave since, so importing an unchanged file again changes nothing and never
    /// undoes a clinician's revision.
    ///
    /// - A new answer in the file (or an item the column never answered) is appended.
    /// - The same answer for changed content (the item's hash moved) is appended again, re-based, so the imported
    ///   label does not turn stale, unless a person's event on the item came after the import: theirs outranks it.
    ///
    /// The events are taken (`consuming`): each one appended is stamped with this copy's writer in place, so a
    /// million imported labels are not held twice.
    public func changes(_ events: consuming [LabelEvent]) -> (batch: [LabelEvent], change: Change) {
        var lastImported: [String: (answer: String?, hash: String)] = [:]
        lastImported.reserveCapacity(log.records.count + events.count)
        var personSince: Set<String> = []
        // Imports write live labels only: practice and repeat events (which `RaterReplay` keeps apart) are not the
        // label an import compares with.
        for event in log.records where event.purpose == nil {
            if event.mode == .imported && event.kind == .label {
                lastImported[event.item] = (event.answer, event.itemSHA256)
                personSince.remove(event.item)
            } else {
                personSince.insert(event.item)
            }
        }
        var change = Change(appended: 0, rebased: 0)
        var batch: [LabelEvent] = []
        for index in events.indices {
            let held = lastImported[events[index].item]
            if let held, held.answer == events[index].answer {
                if held.hash == events[index].itemSHA256 || personSince.contains(events[index].item) { continue }
                change.rebased += 1
            }
            events[index].stamp(by: writer)
            let event = events[index]
            batch.append(event)
            lastImported[event.item] = (event.answer, event.itemSHA256)
            if !personSince.isEmpty { personSince.remove(event.item) }
            change.appended += 1
        }
        return (batch, change)
    }
}
