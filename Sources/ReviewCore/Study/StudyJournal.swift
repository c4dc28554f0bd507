import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A write-ahead record of a study write that spans several files (an import: `items.jsonl` and rater logs), so
/// that the write is all or none even when the process is killed between its files.
///
/// The writer, holding the study's lock: stages the new `items.jsonl` beside it (written and fsynced, not yet in
/// place), writes every log line it is about to append to a file of its own beside the journal, writes this journal
/// (the staged file's name, those files' names and each log's length before), renames the staged items into place,
/// appends the lines, and removes the journal and its files. The next
/// command that opens the study finds a journal only when that sequence was cut short, and completes it: the
/// staged items renamed into place if they are still beside it, and each log given the rest of its lines (what
/// it holds past its recorded length must be the start of them, else the completion stops and says so).
public struct StudyJournal: Codable, Sendable, Equatable {
    /// The journal's file name in the study folder.
    public static let fileName = StudyLayout.journalFileName

    /// One log's part of the write.
    public struct LogAppend: Codable, Sendable, Equatable {
        /// The log's path relative to the study folder (or absolute when outside it).
        public var file: String
        /// The rater whose log it is.
        public var rater: String
        /// The log's length before the write.
        public var lengthBefore: Int64
        /// The file (in the study folder) that holds the lines to append, each ending in a newline: raw bytes
        /// beside the journal, so a million labels are written once, not escaped into JSON.
        public var linesFile: String
        /// The lines themselves, while the writer holds them (not in the journal file).
        public var lines = Data()

        enum CodingKeys: String, CodingKey {
            case file, rater
            case lengthBefore = "length_before"
            case linesFile = "lines_file"
        }

        /// One log's part: append `lines` to `file` (relative to the study), `lengthBefore` bytes long now.
        public init(file: String, rater: String, lengthBefore: Int64, lines: Data, linesFile: String) {
            self.file = file
            self.rater = rater
            self.lengthBefore = lengthBefore
            self.lines = lines
            self.linesFile = linesFile
        }
    }

    /// The name of the file that holds the `index`th log's lines.
    public static func linesFileName(_ index: Int) -> String { "\(fileName).\(index).lines" }

    /// The file's schema version.
    public var schema = 1
    /// The command that wrote it, e.g. `import`.
    public var command: String
    /// When the write began.
    public var started: Date
    /// The staged `items.jsonl` (a file name in the study folder), nil when the items did not change.
    public var stagedItems: String?
    /// The log appends, in order.
    public var logs: [LogAppend]

    /// A journal of `command`'s write begun at `started`.
    public init(command: String, started: Date, stagedItems: String?, logs: [LogAppend]) {
        self.command = command
        self.started = started
        self.stagedItems = stagedItems
        self.logs = logs
    }

    /// The journal of `study`.
    public static func url(in study: Study) -> URL { study.folder.appendingPathComponent(fileName) }

    /// Whether `study` has an unfinished write.
    public static func isPresent(in study: Study) -> Bool { FileKind.ofPath(url(in: study).path) != nil }

    /// Writes the journal durably (temporary file, fsync, rename, folder fsync).
    public func write(to study: Study, permissions: mode_t) throws {
        // The lines first, each durable in its own file; the journal that names them last.
        try AtomicFile.writeAll(logs.map { ($0.lines, study.folder.appendingPathComponent($0.linesFile)) }, permissions: permissions)
        try AtomicFile.write(try StudySettings.encoder.encode(self) + Data([0x0A]), to: Self.url(in: study), permissions: permissions)
    }

    /// Removes the journal once its write is complete, durably.
    public static func remove(from study: Study) throws {
        let path = url(in: study).path
        // The journal goes first (it is what says a write is unfinished), then the files of lines it named.
        let named = (try? read(from: study))?.logs.map(\.linesFile) ?? []
        guard unlink(path) == 0 || errno == ENOENT else {
            throw InputError(file: path, "cannot remove the journal of a completed write: \(String(cString: strerror(errno)))")
        }
        try AtomicFile.fsyncDirectory(study.folder)
        for name in named { _ = unlink(study.folder.appendingPathComponent(name).path) }
    }

    /// Reads the journal of `study`.
    static func read(from study: Study) throws -> StudyJournal {
        let file = url(in: study)
        let data = try SafeFile.read(file.path)
        let journal: StudyJournal
        do {
            journal = try StudySettings.decoder.decode(StudyJournal.self, from: data)
        } catch {
            throw InputError(file: file.path, line: 1, "not a journal of judge-review: \(JSONLines.describe(error))")
        }
        guard journal.schema == 1 else {
            throw InputError(file: file.path, line: 1, "schema \(journal.schema) is not one this build reads; update judge-review")
        }
        return journal
    }

    /// Completes an unfinished write of `study`, if there is one, under the study's lock; returns one line saying
    /// what was completed, or nil when there was nothing to do.
    ///
    /// - Throws: `InputError` when the write cannot be completed (a log changed in a way the journal does not
    ///   explain): the journal stays, so nothing is lost and the next attempt can try again.
    public static func completeUnfinished(_ study: Study, options: StoreOptions = StoreOptions()) throws -> String? {
        guard isPresent(in: study) else { return nil }
        let lock = try StudyLock(study, options: options)
        defer { lock.release() }
        return try completeUnfinished(study, holdingLock: lock, options: options)
    }

    /// `completeUnfinished` for a writer that already holds the study's lock.
    public static func completeUnfinished(_ study: Study, holdingLock lock: StudyLock, options: StoreOptions) throws -> String? {
        // Another command may have completed it while this one waited for the lock. Files of lines a writer killed
        // before its journal was written are left over: nothing refers to them.
        guard isPresent(in: study) else {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: study.folder.path)) ?? []
            for name in names where name.hasPrefix(fileName + ".") && name.hasSuffix(".lines") {
                _ = unlink(study.folder.appendingPathComponent(name).path)
            }
            return nil
        }
        let journal = try read(from: study)
        var placedItems = false
        if let staged = journal.stagedItems {
            let stagedURL = study.folder.appendingPathComponent(staged)
            if FileKind.ofPath(stagedURL.path) == .regular {
                try StagedFile(url: study.itemsFile, temporary: stagedURL.path, fileSystem: POSIXFileSystem()).commit()
                placedItems = true
            }
        }
        var appended = 0
        for entry in journal.logs {
            let file = URL(fileURLWithPath: entry.file, relativeTo: study.folder).standardizedFileURL
            let log = try RaterLog(folder: file.deletingLastPathComponent(), rater: entry.rater, options: options)
            defer { log.close() }
            let bytes = try SafeFile.read(study.folder.appendingPathComponent(entry.linesFile).path)
            let now = try SafeFile.read(file.path)
            let written = now.count - Int(entry.lengthBefore)
            guard written >= 0, written <= bytes.count,
                  now.suffix(from: now.startIndex + Int(entry.lengthBefore)) == bytes.prefix(written) else {
                throw InputError(
                    file: file.path,
                    "changed in a way the unfinished \(journal.command) of \(Timestamp.format(journal.started)) does not explain; its remaining lines were not appended (journal kept at \(url(in: study).path))")
            }
            let rest = bytes.suffix(from: bytes.startIndex + written)
            guard !rest.isEmpty else { continue }
            try log.log.append(encodedLines: Data(rest))
            appended += rest.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        try remove(from: study)
        var parts: [String] = []
        if placedItems { parts.append("items.jsonl put in place") }
        parts.append("\(appended) label event\(appended == 1 ? "" : "s") appended")
        return "completed the \(journal.command) that was interrupted at \(Timestamp.format(journal.started)): \(parts.joined(separator: ", "))"
    }
}

extension StudyJournal {
    /// `file`'s path relative to the study folder when it lies inside it, else its absolute path.
    public static func relativePath(_ file: URL, in study: Study) -> String {
        let path = file.standardizedFileURL.path
        let prefix = study.folder.path.hasSuffix("/") ? study.folder.path : study.folder.path + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
