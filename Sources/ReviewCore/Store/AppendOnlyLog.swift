import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One append-only JSONL file of records (label events, adjudication decisions), one writer at a time.
///
/// Opening takes the lock (`<file>.lock`), creates missing folders (0700), reads every record of an existing file,
/// and repairs a torn last line left by a crash: the line is appended to `<file>.corrupt` (fsynced)
/// and the log truncated back to the last good line, with a warning in `warnings`. An unreadable line
/// elsewhere is an `InputError` naming file:line and the log is not opened. A log that does not exist yet is made
/// (0600, its folder fsynced) by the first append, so opening a console never leaves an empty log behind.
///
/// `append` writes the whole line through an O_APPEND descriptor, fsyncs the file, and returns only then.
/// When the write fails (full disk, read-only folder, no permission) it throws `StoreError.notSaved`, the partial
/// line cut off, and keeps nothing: the caller holds what was not saved (the console's one write queue) and
/// appends it again, so no record is ever queued in two places.
public final class AppendOnlyLog<Record: Codable & Sendable> {
    /// The log file.
    public let file: URL
    /// Every record read at open and saved since, oldest first.
    public private(set) var records: [Record] = []
    /// Problems found and repaired at open (a torn last line set aside), one line each, for the caller to show.
    public private(set) var warnings: [String] = []
    /// The side file torn lines are moved to: `<file>.corrupt`.
    public var corruptFile: URL { AppendOnlyLog.corruptFile(for: file) }

    private let options: StoreOptions
    private let fileSystem: any StoreFileSystem
    private let encode: (Record) throws -> Data
    private var lock: LogLock?
    private var descriptor: Int32?
    /// Whether `close()` was called (a log not yet made has no descriptor but is open).
    private var closed = false
    /// The first append made the file, and its mode or its folder entry is not yet durable.
    private var madeNotSynced = false
    /// Length of the log up to the end of the last saved line; a failed write is cut back to it.
    private var savedLength: Int64 = 0
    /// A failed write may have left part of a line past `savedLength`; cut it off before the next write.
    private var tailMayBeDirty = false

    /// The side file for `file`'s torn lines: `<file>.corrupt`.
    public static func corruptFile(for file: URL) -> URL {
        file.deletingLastPathComponent().appendingPathComponent(file.lastPathComponent + ".corrupt")
    }

    /// Opens (creating if needed) the log at `file` for appending.
    ///
    /// - Parameter fileSystem: the calls the log makes; tests pass one that fails on purpose.
    /// - Throws: `StoreError.locked` when another writer has it open, `StoreError.openFailed`, or `InputError`
    ///   (file:line) for an unreadable record that is not a torn last line.
    public init(
        file: URL, options: StoreOptions = StoreOptions(), fileSystem: any StoreFileSystem = POSIXFileSystem(),
        encode: @escaping (Record) throws -> Data, decode: @escaping (UnsafeRawBufferPointer) throws -> Record
    ) throws {
        self.file = file
        self.options = options
        self.fileSystem = fileSystem
        self.encode = encode
        let folder = file.deletingLastPathComponent()
        do {
            try StoreFolders.create(folder, permissions: options.folderPermissions, fileSystem: fileSystem)
        } catch let error as SystemCallError {
            throw StoreError.openFailed(file: file.path, cause: error)
        }
        let lock = try LogLock(logFile: file, permissions: options.filePermissions, fileSystem: fileSystem)
        self.lock = lock
        do {
            guard let descriptor = try openExistingLogFile() else { return }
            self.descriptor = descriptor
            let data = try fileSystem.readAll(descriptor, path: file.path)
            let scan = try LogScanner.scan(data, path: file.path, decode: decode)
            records = scan.records
            savedLength = Int64(data.count)
            if let tornStart = scan.tornStart {
                try setAside(data[data.startIndex + tornStart..<data.endIndex], line: scan.tornLine ?? 0, reason: scan.tornReason ?? "")
                try fileSystem.truncate(descriptor, path: file.path, length: Int64(tornStart))
                try fileSystem.fsync(descriptor, path: file.path)
                savedLength = Int64(tornStart)
            } else if scan.missingFinalNewline {
                try fileSystem.writeAll(descriptor, path: file.path, data: Data([0x0A]))
                try fileSystem.fsync(descriptor, path: file.path)
                savedLength += 1
                warnings.append("\(file.path): the last line had no newline; added one (the record was kept)")
            }
        } catch let error as SystemCallError {
            close()
            throw StoreError.openFailed(file: file.path, cause: error)
        } catch {
            close()
            throw error
        }
    }

    /// Opens an existing log for reading and appending; nil when there is none yet.
    private func openExistingLogFile() throws -> Int32? {
        do {
            return try fileSystem.open(file.path, flags: O_RDWR | O_APPEND, permissions: 0)
        } catch let error as SystemCallError where error.code == ENOENT {
            return nil
        }
    }

    /// The descriptor to append through, making the log (0600, folder fsynced) on the first append.
    ///
    /// Once made, the file is this log's: a failed permission change or folder fsync is tried again on the next
    /// append, never by making the file a second time.
    private func appendDescriptor() throws -> Int32 {
        if closed { throw StoreError.closed(file: file.path) }
        if descriptor == nil {
            do {
                descriptor = try fileSystem.open(file.path, flags: O_RDWR | O_APPEND | O_CREAT | O_EXCL, permissions: options.filePermissions)
                madeNotSynced = true
            } catch let error as SystemCallError where error.code == EEXIST {
                // Made since open by something other than a judge-review writer (which would hold the lock): refuse,
                // rather than append to records this log never read.
                throw StoreError.notSaved(file: file.path, cause: error, records: 1)
            }
        }
        guard let descriptor else { throw StoreError.closed(file: file.path) }
        if madeNotSynced {
            try fileSystem.setPermissions(descriptor, path: file.path, permissions: options.filePermissions)
            try fileSystem.fsyncFolder(file.deletingLastPathComponent().path)
            madeNotSynced = false
        }
        return descriptor
    }

    /// Appends a torn line to `<file>.corrupt` and fsyncs it (and the folder when the side file is new).
    private func setAside(_ torn: Data, line: Int, reason: String) throws {
        let side = corruptFile.path
        var created = true
        var opened: Int32?
        do {
            opened = try fileSystem.open(side, flags: O_WRONLY | O_APPEND | O_CREAT | O_EXCL, permissions: options.filePermissions)
        } catch let error as SystemCallError where error.code == EEXIST {
            created = false
        }
        let descriptor = try opened ?? fileSystem.open(side, flags: O_WRONLY | O_APPEND, permissions: 0)
        defer { fileSystem.close(descriptor) }
        if created { try fileSystem.setPermissions(descriptor, path: side, permissions: options.filePermissions) }
        var entry = Data(torn)
        if entry.last != 0x0A { entry.append(0x0A) }
        try fileSystem.writeAll(descriptor, path: side, data: entry)
        try fileSystem.fsync(descriptor, path: side)
        if created { try fileSystem.fsyncFolder(file.deletingLastPathComponent().path) }
        warnings.append(
            "\(file.path):\(line): torn last line from an interrupted write (\(reason), \(torn.count) bytes) moved to \(side); it was never reported saved")
    }

    /// Appends one record; returns once it is durable (written and fsynced).
    ///
    /// - Throws: `StoreError.notSaved` (nothing was written; append it again to retry), or the encoder's error.
    public func append(_ record: Record) throws {
        try append(contentsOf: [record])
    }

    /// Appends records (one, or an import's many) in one write and one fsync, and returns once all are durable.
    ///
    /// All or none: when the write or fsync fails, the log is cut back to its last saved line and none of the
    /// records is kept; the caller still holds them and appends them again. A record that cannot be encoded is
    /// refused before anything is written.
    public func append(contentsOf batch: [Record]) throws {
        if closed { throw StoreError.closed(file: file.path) }
        guard !batch.isEmpty else { return }
        var bytes = Data()
        for record in batch {
            bytes.append(try encode(record))
            bytes.append(0x0A)
        }
        do {
            try writeLine(bytes, descriptor: try appendDescriptor())
        } catch let error as SystemCallError {
            throw StoreError.notSaved(file: file.path, cause: error, records: batch.count)
        }
        records.append(contentsOf: batch)
    }

    /// One write loop, then fsync. On failure the partial line is cut off, so the log never keeps half a line.
    private func writeLine(_ line: Data, descriptor: Int32) throws {
        if tailMayBeDirty {
            try fileSystem.truncate(descriptor, path: file.path, length: savedLength)
            tailMayBeDirty = false
        }
        do {
            tailMayBeDirty = true
            try fileSystem.writeAll(descriptor, path: file.path, data: line)
            try fileSystem.fsync(descriptor, path: file.path)
            tailMayBeDirty = false
            savedLength += Int64(line.count)
        } catch {
            // Best effort now; if the truncate fails too, the next write tries again first.
            if (try? fileSystem.truncate(descriptor, path: file.path, length: savedLength)) != nil {
                tailMayBeDirty = false
            }
            throw error
        }
    }

    /// Whether the log is open for appending.
    public var isOpen: Bool { !closed }

    /// Closes the log and releases the lock.
    public func close() {
        closed = true
        if let descriptor {
            fileSystem.close(descriptor)
            self.descriptor = nil
        }
        lock?.release()
        lock = nil
    }

    deinit { close() }
}

/// Creates a log's folder and its missing parents with the store's permissions, fsyncing each new entry's parent.
enum StoreFolders {
    /// `mkdir -p` with `permissions` on every folder it creates, durable before it returns.
    static func create(_ folder: URL, permissions: mode_t, fileSystem: any StoreFileSystem) throws {
        var missing: [URL] = []
        var current = folder.standardizedFileURL
        while !FileManager.default.fileExists(atPath: current.path) {
            missing.append(current)
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { break }
            current = parent
        }
        for created in missing.reversed() {
            do {
                try fileSystem.makeFolder(created.path, permissions: permissions)
            } catch let error as SystemCallError where error.code == EEXIST {
                continue  // another process made it meanwhile
            }
            try fileSystem.fsyncFolder(created.deletingLastPathComponent().path)
        }
    }
}
