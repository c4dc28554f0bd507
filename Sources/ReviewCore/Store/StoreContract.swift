// CONTRACT STUB: the annotation store (issue 3) replaces these bodies with the durable versions
// (advisory lock, fsync of file and folder, torn-line recovery, 0600/0700, pending retry).
// The public names and signatures below are what the importer, the console and adjudication call.
import Foundation

/// How the store creates folders and files.
public struct StoreOptions: Sendable, Equatable {
    /// Let the owner's group read the logs (folders 0750, files 0640) instead of 0700 / 0600.
    public var groupReadable: Bool

    public init(groupReadable: Bool = false) {
        self.groupReadable = groupReadable
    }
}

/// One append-only JSONL file of records (label events, adjudication decisions), one writer at a time.
public final class AppendOnlyLog<Record: Codable & Sendable> {
    /// The log file.
    public let file: URL
    /// Every record read at open and appended since, oldest first.
    public private(set) var records: [Record] = []
    private let encode: (Record) throws -> Data
    private let decode: (Data) throws -> Record

    /// Opens (creating if needed) the log at `file` for appending.
    public init(
        file: URL, options: StoreOptions = StoreOptions(),
        encode: @escaping (Record) throws -> Data, decode: @escaping (Data) throws -> Record
    ) throws {
        self.file = file
        self.encode = encode
        self.decode = decode
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        if let data = try? Data(contentsOf: file), let text = String(data: data, encoding: .utf8) {
            for (_, line) in JSONLines.lines(of: text) {
                records.append(try decode(Data(line.utf8)))
            }
        }
    }

    /// Appends one record; returns once it is durable.
    public func append(_ record: Record) throws {
        var line = try encode(record)
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: file.path) {
            FileManager.default.createFile(atPath: file.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        try handle.synchronize()
        records.append(record)
    }
}

/// A rater's annotation log for one dataset: `<folder>/<rater>.jsonl`.
public final class RaterLog: LabelSink {
    public let rater: String
    public let log: AppendOnlyLog<LabelEvent>

    /// Opens the rater's log in a dataset's annotation folder, creating folder and file as needed.
    public init(folder: URL, rater: String, options: StoreOptions = StoreOptions()) throws {
        self.rater = rater
        let encoder = LabelEvent.makeEncoder()
        let decoder = LabelEvent.makeDecoder()
        log = try AppendOnlyLog(
            file: AnnotationPaths.logFile(folder: folder, rater: rater), options: options,
            encode: { try encoder.encode($0) }, decode: { try decoder.decode(LabelEvent.self, from: $0) })
    }

    /// The rater's events so far, oldest first.
    public var events: [LabelEvent] { log.records }

    /// Appends a label or retraction; returns once it is durable.
    public func append(_ event: LabelEvent) throws {
        try log.append(event)
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
