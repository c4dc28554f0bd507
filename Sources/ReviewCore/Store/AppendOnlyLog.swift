import Foundation
import ReviewStatistics

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
///
/// One writer, checked twice: the log file itself is flocked as well as `<file>.lock` (a lock file deleted by a
/// clean-up cannot let a second writer in), and before every append the log's path must still name the file held
/// open (same device and inode, a regular file with one name) and the lock file must still be the one held. A log
/// replaced by rename (git pull, a sync tool, an editor), moved, linked or unlocked throws `StoreError.displaced`
/// and writes nothing; a later append re-attaches to the file now at the path only when that file holds every
/// byte this writer saved (a copy that lacks its last lines gets them back first). Bytes past what this writer
/// saved are cut off only when they can only be its own failed write.
public final class AppendOnlyLog<Record: Codable & Sendable> {
    /// The log file.
    public let file: URL
    /// Every record read at open and saved since, oldest first.
    public private(set) var records: [Record] = []
    /// The `positions` of the cached prefix taken at open (empty when the file was read whole).
    public private(set) var cachedPositions: [Int32] = []
    /// Problems found and repaired at open (a torn last line set aside), one line each, for the caller to show.
    public private(set) var warnings: [String] = []
    /// The side file torn lines are moved to: `<file>.corrupt`.
    public var corruptFile: URL { AppendOnlyLog.corruptFile(for: file) }

    private let options: StoreOptions
    private let fileSystem: any StoreFileSystem
    private let encode: @Sendable (Record) throws -> Data
    private let decode: (UnsafeRawBufferPointer) throws -> Record
    private var lock: LogLock?
    /// Why the path no longer names the file held open, once that was found; appends re-attach first.
    private var displacement: String?
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
        StudyLayout.corruptFile(for: file)
    }

    /// Opens (creating if needed) the log at `file` for appending.
    ///
    /// - Parameter fileSystem: the calls the log makes; tests pass one that fails on purpose.
    /// - Parameter cachedPrefix: the records of the log's first bytes as a cache holds them (`LogReplayCache`):
    ///   used only when the open file's first `length` bytes have its digest (checked as they are read), and then
    ///   only the rest is decoded; otherwise the whole file is.
    /// - Throws: `StoreError.locked` when another writer has it open, `StoreError.openFailed`, or `InputError`
    ///   (file:line) for an unreadable record that is not a torn last line.
    public init(
        file: URL, options: StoreOptions = StoreOptions(), fileSystem: any StoreFileSystem = POSIXFileSystem(),
        encode: @escaping @Sendable (Record) throws -> Data, decode: @escaping (UnsafeRawBufferPointer) throws -> Record,
        cachedPrefix: CachedLogPrefix<Record>? = nil
    ) throws {
        self.file = file
        self.options = options
        self.fileSystem = fileSystem
        self.encode = encode
        self.decode = decode
        let folder = file.deletingLastPathComponent()
        do {
            try StoreFolders.create(folder, permissions: options.folderPermissions, fileSystem: fileSystem)
        } catch let error as SystemCallError {
            throw StoreError.openFailed(file: file.path, cause: error)
        }
        let lock = try LogLock(logFile: file, permissions: options.filePermissions, fileSystem: fileSystem)
        self.lock = lock
        do {
            guard let descriptor = try openLogFileLocked(at: file.path) else { return }
            self.descriptor = descriptor
            // The bytes to decode start after a cached prefix the file still holds, else at the start.
            var data: Data
            var start = 0
            var linesBefore = 0
            if let cachedPrefix, let (rest, _) = try cachedPrefix.rest(of: descriptor, path: file.path) {
                data = rest
                start = cachedPrefix.length
                linesBefore = cachedPrefix.lines
                records = cachedPrefix.records
                cachedPositions = cachedPrefix.positions
            } else {
                data = try fileSystem.readAll(descriptor, path: file.path)
            }
            let scan = try LogScanner.scan(data, path: file.path, linesBefore: linesBefore, decode: decode)
            records += scan.records
            savedLength = Int64(start + data.count)
            if let tornStart = scan.tornStart {
                try setAside(data[data.startIndex + tornStart..<data.endIndex], line: scan.tornLine ?? 0, reason: scan.tornReason ?? "")
                try fileSystem.truncate(descriptor, path: file.path, length: Int64(start + tornStart))
                try fileSystem.fsync(descriptor, path: file.path)
                savedLength = Int64(start + tornStart)
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

    /// Opens an existing log for reading and appending and flocks it; nil when there is none yet.
    ///
    /// - Throws: `StoreError.locked` when another writer holds the log file itself (its lock file was removed
    ///   under it), `SystemCallError` for a file with a second name (a hard link would put labels outside the
    ///   tool's own files).
    private func openLogFileLocked(at path: String) throws -> Int32? {
        let descriptor: Int32
        do {
            descriptor = try fileSystem.open(path, flags: O_RDWR | O_APPEND, permissions: 0)
        } catch let error as SystemCallError where error.code == ENOENT {
            return nil
        }
        do {
            if let identity = FileIdentity.of(descriptor: descriptor), identity.links > 1 {
                throw SystemCallError(
                    call: "open", path: path, code: EMLINK,
                    explanation: "has \(identity.links) names (a hard link); judge-review appends only to a file that its own path alone names")
            }
            guard try LogLock.lockWithin(descriptor: descriptor, path: path, fileSystem: fileSystem) else {
                throw StoreError.locked(file: path, holder: LockHolder.find(descriptor: descriptor, recordedPID: nil))
            }
        } catch {
            fileSystem.close(descriptor)
            throw error
        }
        return descriptor
    }

    /// Why the log's path or lock no longer names what this writer holds; nil while both are in place.
    private func displacementReason() -> String? {
        guard lock?.isInPlace ?? false else {
            return "its lock file \(LogLock.lockFile(for: file).path) was removed or replaced while this session held it"
        }
        guard let descriptor else {
            return FileIdentity.of(path: file.path) == nil ? nil : "a file appeared at its path that this session did not make"
        }
        guard let named = FileIdentity.of(path: file.path) else { return "the file was moved or deleted while open" }
        if named.kind != .regular { return "its path \(named.kind.refusal)" }
        guard let held = FileIdentity.of(descriptor: descriptor), held.isSameFile(as: named) else {
            return "the file was replaced by another (a rename: git pull, a sync tool, an editor's save, mv) while open"
        }
        if named.links > 1 { return "the file was given a second name (a hard link) while open" }
        if !tailMayBeDirty, held.size != savedLength {
            return "another program changed the file while open (\(held.size) bytes where this session saved \(savedLength))"
        }
        return nil
    }

    /// Switches to the file now at the log's path when it holds every byte this writer saved (or a prefix of them,
    /// ending on a line, whose missing lines it appends first); otherwise the log stays displaced.
    private func reattach() throws {
        guard let reason = displacement else { return }
        let stillDisplaced = { (why: String) in
            StoreError.displaced(file: self.file.path, reason: "\(reason); \(why)", records: 1)
        }
        let newLock: LogLock
        if let lock, lock.isInPlace {
            newLock = lock
        } else {
            do {
                newLock = try LogLock(logFile: file, permissions: options.filePermissions, fileSystem: fileSystem)
            } catch let error as StoreError {
                throw stillDisplaced("cannot take its lock again (\(error))")
            }
        }
        // The path may still name the file held (another program appended to it): read it again in place.
        let held = descriptor.flatMap { FileIdentity.of(descriptor: $0) }
        let named = FileIdentity.of(path: file.path)
        var samePlace = false
        if let held, let named { samePlace = named.kind == .regular && named.links == 1 && held.isSameFile(as: named) }
        let adopted: Int32?
        do {
            adopted = samePlace ? descriptor : try openLogFileLocked(at: file.path)
        } catch {
            if newLock !== lock { newLock.release() }
            throw stillDisplaced("the file now there cannot be opened (\(error))")
        }
        var ours = Data()
        if let descriptor, savedLength > 0 {
            ours = (try? fileSystem.readAll(descriptor, path: file.path)) ?? Data()
            ours = ours.prefix(Int(savedLength))
        }
        let closeAdopted = { if let adopted, !samePlace { self.fileSystem.close(adopted) } }
        guard Int64(ours.count) == savedLength else {
            closeAdopted()
            if newLock !== lock { newLock.release() }
            throw stillDisplaced("what this session saved can no longer be read back to compare")
        }
        var theirs = Data()
        var gained: [Record] = []
        do {
            theirs = try adopted.map { try fileSystem.readAll($0, path: file.path) } ?? Data()
            if theirs.count >= ours.count, theirs.prefix(ours.count) == ours {
                let extra = theirs.suffix(from: theirs.startIndex + ours.count)
                if !extra.isEmpty {
                    let scan = try LogScanner.scan(Data(extra), path: file.path, decode: decode)
                    guard scan.tornStart == nil, !scan.missingFinalNewline else {
                        throw SystemCallError(call: "read", path: file.path, code: EINVAL, explanation: "its last line is torn")
                    }
                    gained = scan.records
                }
            } else if theirs.count < ours.count, ours.prefix(theirs.count) == theirs, theirs.last ?? 0x0A == 0x0A {
                guard let adopted else {
                    throw SystemCallError(call: "open", path: file.path, code: ENOENT, explanation: "no file is there")
                }
                try fileSystem.writeAll(adopted, path: file.path, data: Data(ours.suffix(from: ours.startIndex + theirs.count)))
                try fileSystem.fsync(adopted, path: file.path)
            } else {
                throw SystemCallError(
                    call: "read", path: file.path, code: EINVAL,
                    explanation: "the file now there does not hold the lines this session saved")
            }
        } catch {
            closeAdopted()
            if newLock !== lock { newLock.release() }
            throw stillDisplaced("\(error)")
        }
        if let descriptor, !samePlace { fileSystem.close(descriptor) }
        if newLock !== lock { lock?.release() }
        lock = newLock
        descriptor = adopted
        savedLength = max(savedLength, Int64(theirs.count))
        records.append(contentsOf: gained)
        tailMayBeDirty = false
        displacement = nil
        warnings.append("\(file.path): \(reason); re-attached to the file now at that path, which holds every saved line")
    }

    /// Throws `StoreError.displaced` (remembering why) when the path or lock no longer names what is held.
    private func checkPlace(records count: Int) throws {
        if displacement != nil {
            do { try reattach() } catch StoreError.displaced(let file, let reason, _) {
                throw StoreError.displaced(file: file, reason: reason, records: count)
            }
        }
        if let reason = displacementReason() {
            displacement = reason
            do { try reattach() } catch StoreError.displaced(let file, let reason, _) {
                throw StoreError.displaced(file: file, reason: reason, records: count)
            }
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
                let made = try fileSystem.open(file.path, flags: O_RDWR | O_APPEND | O_CREAT | O_EXCL, permissions: options.filePermissions)
                // New, so nobody else holds it; the flock keeps a writer that lost its lock file out.
                _ = try? fileSystem.tryLockExclusive(made, path: file.path)
                descriptor = made
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

    /// The log's length in bytes up to the end of its last saved line.
    public var length: Int64 { savedLength }

    /// Appends lines already encoded (each ending in a newline; a journal's record of them) in one write and one
    /// fsync, decoding them first so `records` stays the log's content; all or none, as `append(contentsOf:)`.
    public func append(encodedLines bytes: Data) throws {
        if closed { throw StoreError.closed(file: file.path) }
        guard !bytes.isEmpty else { return }
        try append(encodedLines: bytes, records: try decodedLines(bytes))
    }

    /// `append(encodedLines:)` for a writer that holds the records the lines encode (`encodedLines(_:)` made them):
    /// nothing is decoded again.
    public func append(encodedLines bytes: Data, records batch: [Record]) throws {
        if closed { throw StoreError.closed(file: file.path) }
        guard !bytes.isEmpty else { return }
        try write(bytes, records: batch)
    }

    /// The records in `bytes`, which must end on a whole line.
    private func decodedLines(_ bytes: Data) throws -> [Record] {
        let scan = try LogScanner.scan(bytes, path: file.path, decode: decode)
        guard scan.tornStart == nil, !scan.missingFinalNewline else {
            throw InputError(file: file.path, "lines to append end in a torn line; nothing was written")
        }
        return scan.records
    }

    /// Appends records (one, or an import's many) in one write and one fsync, and returns once all are durable.
    ///
    /// All or none: when the write or fsync fails, the log is cut back to its last saved line and none of the
    /// records is kept; the caller still holds them and appends them again. A record that cannot be encoded is
    /// refused before anything is written.
    public func append(contentsOf batch: [Record]) throws {
        if closed { throw StoreError.closed(file: file.path) }
        guard !batch.isEmpty else { return }
        try write(try encodedLines(batch), records: batch)
    }

    /// The lines of `batch`, encoded as `append(contentsOf:)` would write them.
    ///
    /// A large batch (an import's labels) is encoded in parts on the cores and joined in order: the same bytes,
    /// and the first record that cannot be encoded is the error.
    public func encodedLines(_ batch: [Record]) throws -> Data {
        let encode = self.encode
        let parts = ParallelWork.parts(for: batch.count, minimum: 4_096)
        var encoded = try ParallelWork.map(parts: parts) { part -> Result<Data, any Error> in
            Result {
                var bytes = Data()
                for index in (batch.count * part / parts)..<(batch.count * (part + 1) / parts) {
                    bytes.append(try encode(batch[index]))
                    bytes.append(0x0A)
                }
                return bytes
            }
        }.map { try $0.get() }
        // Each part let go once copied: the lines are in memory once, not twice (an import's are hundreds of MB).
        var bytes = Data()
        bytes.reserveCapacity(encoded.reduce(0) { $0 + $1.count })
        for index in encoded.indices {
            bytes.append(encoded[index])
            encoded[index] = Data()
        }
        return bytes
    }

    /// Writes `bytes` (the encoded `batch`) after the place check, and keeps the records once durable.
    private func write(_ bytes: Data, records batch: [Record]) throws {
        try checkPlace(records: batch.count)
        do {
            try writeLine(bytes, descriptor: try appendDescriptor())
        } catch let error as SystemCallError {
            if let displacement {
                throw StoreError.displaced(file: file.path, reason: displacement, records: batch.count)
            }
            throw StoreError.notSaved(file: file.path, cause: error, records: batch.count)
        }
        records.append(contentsOf: batch)
    }

    /// One write loop, then fsync. On failure the partial line is cut off, so the log never keeps half a line.
    private func writeLine(_ line: Data, descriptor: Int32) throws {
        if tailMayBeDirty {
            try cutOwnFailedWrite(descriptor: descriptor, atMost: pendingTailLimit)
        }
        do {
            tailMayBeDirty = true
            pendingTailLimit = Int64(line.count)
            try fileSystem.writeAll(descriptor, path: file.path, data: line)
            try fileSystem.fsync(descriptor, path: file.path)
            tailMayBeDirty = false
            savedLength += Int64(line.count)
        } catch {
            // Best effort now; if the cut is not possible, the next write tries again first.
            try? cutOwnFailedWrite(descriptor: descriptor, atMost: Int64(line.count))
            throw error
        }
    }

    /// The most bytes a failed write of this writer can have left past `savedLength`.
    private var pendingTailLimit: Int64 = 0

    /// Cuts the log back to `savedLength`, but only when the bytes past it can only be this writer's failed write:
    /// the path and lock are still this writer's and no more than `limit` bytes are there. Anything else is
    /// somebody's saved lines, never cut: the log is marked displaced instead.
    private func cutOwnFailedWrite(descriptor: Int32, atMost limit: Int64) throws {
        if let reason = displacementReason() {
            displacement = reason
            throw SystemCallError(call: "truncate", path: file.path, code: EBUSY, explanation: reason)
        }
        guard let held = FileIdentity.of(descriptor: descriptor) else {
            throw SystemCallError(call: "fstat", path: file.path, code: errno)
        }
        guard held.size >= savedLength, held.size - savedLength <= limit else {
            let reason = "the file holds \(held.size) bytes where this session saved \(savedLength); another program changed it"
            displacement = reason
            throw SystemCallError(call: "truncate", path: file.path, code: EBUSY, explanation: reason)
        }
        if held.size > savedLength {
            try fileSystem.truncate(descriptor, path: file.path, length: savedLength)
        }
        tailMayBeDirty = false
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

/// The records of a log's first `length` bytes (`lines` lines) as a cache holds them, with the XXH64 of those
/// bytes: what `AppendOnlyLog` may take instead of decoding them again.
public struct CachedLogPrefix<Record: Sendable>: Sendable {
    public var records: [Record]
    public var length: Int
    public var lines: Int
    public var digest: UInt64
    /// What the cache knows of each record beyond it (a label's dataset position), kept for the caller.
    public var positions: [Int32]

    public init(records: [Record], length: Int, lines: Int, digest: UInt64, positions: [Int32] = []) {
        self.records = records
        self.length = length
        self.lines = lines
        self.digest = digest
        self.positions = positions
    }

    /// What the open file holds after the prefix, when its first `length` bytes still have `digest` (hashed as
    /// they are read, through the same open file), with the hasher fed those bytes; nil when the file is shorter
    /// or they changed. The one check before cached records stand for a log's first lines.
    func rest(of descriptor: Int32, path: String) throws -> (rest: Data, prefix: XXH64)? {
        try matching(SafeFile.readAfter(descriptor: descriptor, path: path, prefixLength: length))
    }

    /// `rest(of:path:)` for the file at `path`, opened the safe way.
    func rest(ofFileAt path: String) throws -> (rest: Data, prefix: XXH64)? {
        try matching(SafeFile.readAfter(path, prefixLength: length))
    }

    private func matching(_ read: (prefix: XXH64, rest: Data)?) -> (rest: Data, prefix: XXH64)? {
        guard let read, read.prefix.finish() == digest else { return nil }
        return (read.rest, read.prefix)
    }
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
