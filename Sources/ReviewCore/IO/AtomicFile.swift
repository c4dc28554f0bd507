import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole files so that a reader sees either the old file or the complete new one, never half.
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `url`, fsyncs it, renames it over `url`, and fsyncs the folder.
    ///
    /// Refuses to replace anything but a regular file: renaming over a device, FIFO, folder or link would
    /// replace it (run as root, `--to /dev/null` would otherwise turn /dev/null into a file). Errors name `url`,
    /// never the temporary file, and leave no temporary file behind.
    ///
    /// - Parameters:
    ///   - permissions: mode of the new file, less what the umask takes away (`FileModes`); owner-only by default.
    ///   - fileSystem: the calls it makes; tests pass one that fails on purpose.
    public static func write(
        _ data: Data, to url: URL, permissions: mode_t = FileModes.file(), fileSystem: any StoreFileSystem = POSIXFileSystem()
    ) throws {
        let staged = try stage(data, for: url, permissions: permissions, fileSystem: fileSystem)
        try staged.commit()
    }

    /// Writes several files all or none: each is staged (written and fsynced beside its target) first, and only
    /// when every one is staged are they renamed into place. A failure leaves every target as it was (a rename
    /// that fails after earlier ones succeeded is the only exception, and is reported).
    public static func writeAll(
        _ files: [(data: Data, url: URL)], permissions: mode_t = FileModes.file(), fileSystem: any StoreFileSystem = POSIXFileSystem()
    ) throws {
        var staged: [StagedFile] = []
        do {
            for file in files { staged.append(try stage(file.data, for: file.url, permissions: permissions, fileSystem: fileSystem)) }
        } catch {
            staged.forEach { $0.discard() }
            throw error
        }
        for (index, file) in staged.enumerated() {
            do { try file.commit() } catch {
                staged[(index + 1)...].forEach { $0.discard() }
                throw error
            }
        }
    }

    /// Writes `data` durably to a temporary file beside `url` without touching `url`; `commit()` renames it
    /// into place, `discard()` removes it. Several staged files let a command write all of its outputs or none.
    public static func stage(
        _ data: Data, for url: URL, permissions: mode_t = FileModes.file(), fileSystem: any StoreFileSystem = POSIXFileSystem()
    ) throws -> StagedFile {
        let staged = try stage(for: url, unlessSame: false, permissions: permissions, fileSystem: fileSystem) { try $0.append(data) }
        guard let staged else { throw FileWriteError(message: "\(url.path): cannot write: nothing was staged", code: EIO) }
        return staged
    }

    /// Streams a new file's bytes (`write` appends them, a piece at a time) durably to a temporary file beside
    /// `url`, never holding the whole file in memory; with `unlessSame`, the bytes are compared with what `url`
    /// holds as they are written, and when they are the same the temporary file is removed unsynced and nil is
    /// returned (a re-import that changes nothing writes nothing).
    public static func stage(
        for url: URL, unlessSame: Bool, permissions: mode_t = FileModes.file(), fileSystem: any StoreFileSystem = POSIXFileSystem(),
        write: (inout StagingWriter) throws -> Void
    ) throws -> StagedFile? {
        try refuseUnlessRegular(url)
        let permissions = FileModes.masked(permissions)
        let directory = url.deletingLastPathComponent()
        removeLeftovers(in: directory, fileSystem: fileSystem)
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path
        let descriptor: Int32
        do {
            descriptor = try fileSystem.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL, permissions: permissions)
        } catch let error as SystemCallError {
            throw FileWriteError(message: "\(url.path): cannot write: \(error.reason)", code: error.code)
        }
        let existing = unlessSame && FileKind.ofPath(url.path) == .regular
            ? try? fileSystem.open(url.path, flags: O_RDONLY, permissions: 0) : nil
        defer { if let existing { fileSystem.close(existing) } }
        var writer = StagingWriter(descriptor: descriptor, path: temporary, existing: existing, existingPath: url.path, fileSystem: fileSystem)
        do {
            defer { fileSystem.close(descriptor) }
            try fileSystem.setPermissions(descriptor, path: temporary, permissions: permissions)
            try write(&writer)
            try writer.finish()
            if writer.sameAsExisting {
                try? fileSystem.unlink(temporary)
                return nil
            }
            try fileSystem.fsync(descriptor, path: temporary)
        } catch let error as SystemCallError {
            try? fileSystem.unlink(temporary)
            throw FileWriteError(message: "\(url.path): cannot write: \(error.reason)", code: error.code)
        } catch {
            try? fileSystem.unlink(temporary)
            throw error
        }
        return StagedFile(url: url, temporary: temporary, fileSystem: fileSystem)
    }

    /// Removes the temporary files a killed judge-review left in `folder` (`.<name>.<pid>.<random>.tmp` whose
    /// process no longer runs), so a kill never leaves a dataset-sized hidden file behind for good. Skipped while
    /// the folder holds a study journal: the file it names is the interrupted write's, to be completed.
    public static func removeLeftovers(in folder: URL, fileSystem: any StoreFileSystem = POSIXFileSystem()) {
        guard FileKind.ofPath(folder.appendingPathComponent(StudyJournal.fileName).path) == nil,
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let parts = name.split(separator: ".")
            guard parts.count >= 4, let pid = Int32(parts[parts.count - 3]), pid > 0,
                  UInt32(parts[parts.count - 2]) != nil else { continue }
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = folder.appendingPathComponent(name).path
            if FileKind.ofPath(path) == .regular { try? fileSystem.unlink(path) }
        }
    }

    /// Throws when something other than a regular file is at `url`: renaming over it would replace it.
    static func refuseUnlessRegular(_ url: URL) throws {
        if let kind = FileKind.ofPath(url.path), kind != .regular {
            throw FileWriteError(message: "\(url.path): \(kind.refusal); refusing to replace it", code: EEXIST)
        }
    }

    /// Fsyncs a directory so that a file created or renamed in it survives a crash.
    public static func fsyncDirectory(_ directory: URL, fileSystem: any StoreFileSystem = POSIXFileSystem()) throws {
        do {
            try fileSystem.fsyncFolder(directory.path)
        } catch let error as SystemCallError {
            throw FileWriteError(message: "\(directory.path): cannot fsync the folder: \(error.reason)", code: error.code)
        }
    }
}

/// Appends a staged file's bytes through a buffer of `StagingWriter.bufferSize`, comparing them (when asked)
/// with the file they would replace.
public struct StagingWriter {
    /// Bytes gathered before one write(2).
    static let bufferSize = 1 << 20
    private let descriptor: Int32
    private let path: String
    private let existing: Int32?
    private let existingPath: String
    private let fileSystem: any StoreFileSystem
    private var buffer: [UInt8] = []
    private var compareBuffer: [UInt8] = []
    /// Whether every byte so far equals the file being replaced (false when there is none to compare with).
    private(set) var sameAsExisting: Bool

    init(descriptor: Int32, path: String, existing: Int32?, existingPath: String, fileSystem: any StoreFileSystem) {
        self.descriptor = descriptor
        self.path = path
        self.existing = existing
        self.existingPath = existingPath
        self.fileSystem = fileSystem
        sameAsExisting = existing != nil
        buffer.reserveCapacity(Self.bufferSize + 4096)
    }

    /// Appends bytes; written a buffer at a time (a large piece, such as a journal's hundreds of MB of lines, is
    /// never copied whole into the buffer).
    public mutating func append<Bytes: Collection>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
        var rest = bytes[...]
        while !rest.isEmpty {
            let piece = rest.prefix(Swift.max(Self.bufferSize - buffer.count, 1))
            buffer.append(contentsOf: piece)
            rest = rest.dropFirst(piece.count)
            if buffer.count >= Self.bufferSize { try flush() }
        }
    }

    /// Appends one byte.
    public mutating func append(_ byte: UInt8) throws {
        buffer.append(byte)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        if sameAsExisting, let existing { sameAsExisting = try read(existing, count: buffer.count) == buffer }
        try buffer.withUnsafeBytes { try fileSystem.writeAll(descriptor, path: path, data: Data($0)) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is left; the comparison also needs the old file to end where the new one does.
    mutating func finish() throws {
        try flush()
        if sameAsExisting, let existing { sameAsExisting = try read(existing, count: 1).isEmpty }
    }

    /// Up to `count` bytes of the old file from where the comparison is (fewer at its end).
    private mutating func read(_ descriptor: Int32, count: Int) throws -> [UInt8] {
        if compareBuffer.count < count { compareBuffer = [UInt8](repeating: 0, count: count) }
        var total = 0
        while total < count {
            let got = compareBuffer.withUnsafeMutableBytes { raw in
                Glibc.read(descriptor, raw.baseAddress.map { $0 + total }, count - total)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "read", path: existingPath, code: errno)
            }
            if got == 0 { break }
            total += got
        }
        return Array(compareBuffer[0..<total])
    }
}

/// A complete, fsynced temporary file waiting to be renamed over its target.
public struct StagedFile {
    /// The file it will replace.
    public let url: URL
    let temporary: String
    let fileSystem: any StoreFileSystem

    /// The temporary file's name (in `url`'s folder).
    public var temporaryName: String { (temporary as NSString).lastPathComponent }

    /// Renames the temporary file over `url` and fsyncs the folder; on failure the temporary file is removed.
    public func commit() throws {
        do {
            try AtomicFile.refuseUnlessRegular(url)
        } catch {
            discard()
            throw error
        }
        do {
            try fileSystem.rename(temporary, to: url.path)
        } catch let error as SystemCallError {
            discard()
            throw FileWriteError(message: "\(url.path): cannot write: \(error.reason)", code: error.code)
        }
        try AtomicFile.fsyncDirectory(url.deletingLastPathComponent(), fileSystem: fileSystem)
    }

    /// Removes the temporary file; `url` is left as it was.
    public func discard() {
        try? fileSystem.unlink(temporary)
    }
}

/// A failed write, with the system's reason (e.g. "No space left on device").
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
    /// One line naming the file the user asked for and why it was not written.
    public var message: String
    /// The errno value, e.g. ENOSPC or EROFS.
    public var code: Int32
    /// The message, as printed.
    public var description: String { message }
}
