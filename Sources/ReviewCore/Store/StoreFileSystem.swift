import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: which call, on which path, and the errno it set.
public struct SystemCallError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The call that failed, e.g. `write` or `fsync`.
    public var call: String
    /// The path the call was about.
    public var path: String
    /// The errno value, e.g. `ENOSPC`.
    public var code: Int32
    /// Our own wording where the system's would mislead (e.g. "is a FIFO, not a regular file").
    public var explanation: String?

    /// A failure of `call` on `path` with errno `code`; `explanation` replaces the system's wording.
    public init(call: String, path: String, code: Int32, explanation: String? = nil) {
        self.call = call
        self.path = path
        self.code = code
        self.explanation = explanation
    }

    /// Why it failed: `explanation`, else the system's wording of the errno value, e.g. "No space left on device".
    public var reason: String { explanation ?? String(cString: strerror(code)) }

    /// `write /path: No space left on device`.
    public var description: String { "\(call) \(path): \(reason)" }
}

/// The file system calls the annotation store makes, behind a protocol so tests can simulate a full disk,
/// a read-only folder or a failing fsync without touching the real disk's state.
///
/// Every method throws `SystemCallError` on failure. File descriptors are plain POSIX descriptors.
public protocol StoreFileSystem: AnyObject {
    /// Creates one folder with exactly `permissions` (umask ignored). Throws with `EEXIST` when it exists.
    func makeFolder(_ path: String, permissions: mode_t) throws
    /// Opens a file; `flags` as for open(2), always close-on-exec. Returns the descriptor.
    ///
    /// Anything but a folder (`O_DIRECTORY`) must be a regular file reached without following a symbolic link
    /// in its last component: a link, FIFO, socket, device or folder in its place is refused (`SystemCallError`
    /// with an explanation), so the store never truncates, fills or appends to a file that is not its own.
    func open(_ path: String, flags: Int32, permissions: mode_t) throws -> Int32
    /// Sets a file's mode exactly (after creating it, so the umask does not narrow or widen it).
    func setPermissions(_ descriptor: Int32, path: String, permissions: mode_t) throws
    /// Reads the whole file from offset 0.
    func readAll(_ descriptor: Int32, path: String) throws -> Data
    /// One write(2) call; returns how many bytes were written (possibly fewer than asked).
    func write(_ descriptor: Int32, path: String, bytes: UnsafeRawBufferPointer) throws -> Int
    /// fsync(2): returns once the file's data and size are on stable storage.
    func fsync(_ descriptor: Int32, path: String) throws
    /// ftruncate(2).
    func truncate(_ descriptor: Int32, path: String, length: Int64) throws
    /// Takes an exclusive advisory lock (flock) without waiting; false when another open file holds it.
    func tryLockExclusive(_ descriptor: Int32, path: String) throws -> Bool
    /// rename(2): replaces `destination` with `source` in one step.
    func rename(_ source: String, to destination: String) throws
    /// unlink(2): removes a file (a temporary one the caller made).
    func unlink(_ path: String) throws
    /// Closes a descriptor (errors ignored: nothing can be done about them after fsync succeeded).
    func close(_ descriptor: Int32)
}

extension StoreFileSystem {
    /// Writes all of `data`, looping over short writes and EINTR.
    func writeAll(_ descriptor: Int32, path: String, data: Data) throws {
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
                let written = try write(descriptor, path: path, bytes: rest)
                // A zero-byte write of a non-empty buffer would loop forever; treat it as a full disk.
                guard written > 0 else { throw SystemCallError(call: "write", path: path, code: ENOSPC) }
                offset += written
            }
        }
    }

    /// Fsyncs a folder so that entries created in it survive a crash.
    func fsyncFolder(_ path: String) throws {
        let descriptor = try open(path, flags: O_RDONLY | O_DIRECTORY, permissions: 0)
        defer { close(descriptor) }
        try fsync(descriptor, path: path)
    }
}

/// The real file system, through POSIX calls.
public final class POSIXFileSystem: StoreFileSystem {
    /// The real file system (it has no state).
    public init() {}

    /// mkdir(2), then chmod(2) to the exact mode.
    public func makeFolder(_ path: String, permissions: mode_t) throws {
        guard mkdir(path, permissions) == 0 else { throw SystemCallError(call: "mkdir", path: path, code: errno) }
        guard chmod(path, permissions) == 0 else { throw SystemCallError(call: "chmod", path: path, code: errno) }
    }

    /// open(2) with O_CLOEXEC, retried on EINTR; files with O_NOFOLLOW and O_NONBLOCK (so a FIFO cannot hang the
    /// open), then checked with fstat to be regular, and set back to blocking.
    public func open(_ path: String, flags: Int32, permissions: mode_t) throws -> Int32 {
        let isFolder = flags & O_DIRECTORY != 0
        let guarded = isFolder ? flags : flags | O_NOFOLLOW | O_NONBLOCK
        var descriptor: Int32
        while true {
            descriptor = Glibc.open(path, guarded | O_CLOEXEC, permissions)
            if descriptor >= 0 { break }
            let code = errno
            if code == EINTR { continue }
            if !isFolder, [ELOOP, EISDIR, ENXIO, EOPNOTSUPP].contains(code), let kind = FileKind.ofPath(path), kind != .regular {
                throw SystemCallError(call: "open", path: path, code: code, explanation: kind.refusal)
            }
            throw SystemCallError(call: "open", path: path, code: code)
        }
        guard !isFolder else { return descriptor }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            _ = Glibc.close(descriptor)
            throw SystemCallError(call: "fstat", path: path, code: code)
        }
        let kind = FileKind(mode: info.st_mode)
        guard kind == .regular else {
            _ = Glibc.close(descriptor)
            throw SystemCallError(call: "open", path: path, code: EINVAL, explanation: kind.refusal)
        }
        if flags & O_NONBLOCK == 0 {
            let status = fcntl(descriptor, F_GETFL)
            if status >= 0 { _ = fcntl(descriptor, F_SETFL, status & ~O_NONBLOCK) }
        }
        return descriptor
    }

    /// rename(2).
    public func rename(_ source: String, to destination: String) throws {
        guard Glibc.rename(source, destination) == 0 else {
            throw SystemCallError(call: "rename", path: destination, code: errno)
        }
    }

    /// unlink(2).
    public func unlink(_ path: String) throws {
        guard Glibc.unlink(path) == 0 else { throw SystemCallError(call: "unlink", path: path, code: errno) }
    }

    /// fchmod(2).
    public func setPermissions(_ descriptor: Int32, path: String, permissions: mode_t) throws {
        guard fchmod(descriptor, permissions) == 0 else { throw SystemCallError(call: "chmod", path: path, code: errno) }
    }

    /// pread(2) from offset 0 until end of file.
    public func readAll(_ descriptor: Int32, path: String) throws -> Data {
        // One buffer of the file's size (from fstat), read into directly: a 600 MB dataset grown chunk by chunk
        // was copied over and over. A file that grows meanwhile still reads to its end.
        var status = stat()
        let expected = fstat(descriptor, &status) == 0 ? max(0, Int(status.st_size)) : 0
        var data = Data(count: expected + 1)
        var filled = 0
        while true {
            if filled == data.count { data.count = data.count * 2 }
            let count = data.withUnsafeMutableBytes { buffer -> Int in
                let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])
                return pread(descriptor, rest.baseAddress, rest.count, off_t(filled))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "read", path: path, code: errno)
            }
            if count == 0 { break }
            filled += count
        }
        data.count = filled
        return data
    }

    /// One write(2), retried on EINTR.
    public func write(_ descriptor: Int32, path: String, bytes: UnsafeRawBufferPointer) throws -> Int {
        while true {
            let written = Glibc.write(descriptor, bytes.baseAddress, bytes.count)
            if written >= 0 { return written }
            if errno == EINTR { continue }
            throw SystemCallError(call: "write", path: path, code: errno)
        }
    }

    /// fsync(2).
    public func fsync(_ descriptor: Int32, path: String) throws {
        guard Glibc.fsync(descriptor) == 0 else { throw SystemCallError(call: "fsync", path: path, code: errno) }
    }

    /// ftruncate(2).
    public func truncate(_ descriptor: Int32, path: String, length: Int64) throws {
        guard ftruncate(descriptor, off_t(length)) == 0 else {
            throw SystemCallError(call: "truncate", path: path, code: errno)
        }
    }

    /// flock(2) with LOCK_EX | LOCK_NB.
    public func tryLockExclusive(_ descriptor: Int32, path: String) throws -> Bool {
        while true {
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return true }
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return false }
            throw SystemCallError(call: "flock", path: path, code: errno)
        }
    }

    /// close(2).
    public func close(_ descriptor: Int32) {
        _ = Glibc.close(descriptor)
    }
}

/// What sits at a path, from its mode bits: the store accepts only regular files in its own places.
public enum FileKind: Sendable, Equatable {
    case regular, symbolicLink, folder, fifo, socket, characterDevice, blockDevice, other

    /// The kind that `mode` (st_mode) describes.
    public init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFLNK: self = .symbolicLink
        case S_IFDIR: self = .folder
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        default: self = .other
        }
    }

    /// What is at `path` itself (lstat: a link is a link); nil when nothing is there.
    public static func ofPath(_ path: String) -> FileKind? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return FileKind(mode: info.st_mode)
    }

    /// How the refusal reads after the path, e.g. "is a FIFO, not a regular file".
    public var refusal: String {
        switch self {
        case .regular: return "is a regular file"
        case .symbolicLink: return "is a symbolic link, not a regular file; judge-review does not follow links in its own files"
        case .folder: return "is a folder, not a regular file"
        case .fifo: return "is a FIFO, not a regular file"
        case .socket: return "is a socket, not a regular file"
        case .characterDevice, .blockDevice: return "is a device, not a regular file"
        case .other: return "is not a regular file"
        }
    }
}

/// Which file a path or descriptor is (device and inode), what kind, and how many names it has.
///
/// The store compares the identity of the file it holds open with what its path names before every append, so
/// a log replaced by rename (git pull, a sync tool, an editor's save) or by a link is noticed, never written past.
public struct FileIdentity: Sendable, Equatable {
    /// st_dev.
    public var device: UInt64
    /// st_ino.
    public var inode: UInt64
    /// What kind of file it is.
    public var kind: FileKind
    /// st_nlink: how many names the file has (more than one: a hard link elsewhere names it too).
    public var links: UInt64
    /// st_size.
    public var size: Int64

    /// The identity fstat gives for an open descriptor.
    public static func of(descriptor: Int32) -> FileIdentity? {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        return FileIdentity(info)
    }

    /// The identity lstat gives for a path itself (a link is a link); nil when nothing is there.
    public static func of(path: String) -> FileIdentity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return FileIdentity(info)
    }

    private init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        kind = FileKind(mode: info.st_mode)
        links = UInt64(info.st_nlink)
        size = Int64(info.st_size)
    }

    /// Whether both name the same file.
    public func isSameFile(as other: FileIdentity) -> Bool { device == other.device && inode == other.inode }
}
