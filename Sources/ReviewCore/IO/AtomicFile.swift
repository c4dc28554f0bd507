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
    /// replace it (run as root, `--to /dev/null` would otherwise turn /dev/null into a file).
    ///
    /// - Parameter permissions: mode of the new file (e.g. 0o600 for annotation data).
    public static func write(_ data: Data, to url: URL, permissions: mode_t = 0o644) throws {
        var existing = stat()
        if lstat(url.path, &existing) == 0, existing.st_mode & S_IFMT != S_IFREG {
            throw FileWriteError(message: "\(url.path): exists and is not a regular file; refusing to replace it", code: EEXIST)
        }
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw posixError("cannot create \(temporary.path)") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            try data.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress, buffer.count > 0 else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(fd, base + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw posixError("cannot write \(temporary.path)")
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw posixError("cannot fsync \(temporary.path)") }
            closed = true
            guard close(fd) == 0 else { throw posixError("cannot close \(temporary.path)") }
            guard rename(temporary.path, url.path) == 0 else { throw posixError("cannot rename onto \(url.path)") }
        } catch {
            unlink(temporary.path)
            throw error
        }
        try fsyncDirectory(directory)
    }

    /// Fsyncs a directory so that a file created or renamed in it survives a crash.
    public static func fsyncDirectory(_ directory: URL) throws {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError("cannot open folder \(directory.path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw posixError("cannot fsync folder \(directory.path)") }
    }

    static func posixError(_ what: String) -> FileWriteError {
        FileWriteError(message: "\(what): \(String(cString: strerror(errno)))", code: errno)
    }
}

/// A failed write, with the system's reason (e.g. "No space left on device").
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// The errno value, e.g. ENOSPC or EROFS.
    public var code: Int32
    public var description: String { message }
}
