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

    /// A failure of `call` on `path` with errno `code`.
    public init(call: String, path: String, code: Int32) {
        self.call = call
        self.path = path
        self.code = code
    }

    /// The system's wording of the errno value, e.g. "No space left on device".
    public var reason: String { String(cString: strerror(code)) }

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

    /// open(2) with O_CLOEXEC, retried on EINTR.
    public func open(_ path: String, flags: Int32, permissions: mode_t) throws -> Int32 {
        while true {
            let descriptor = Glibc.open(path, flags | O_CLOEXEC, permissions)
            if descriptor >= 0 { return descriptor }
            if errno == EINTR { continue }
            throw SystemCallError(call: "open", path: path, code: errno)
        }
    }

    /// fchmod(2).
    public func setPermissions(_ descriptor: Int32, path: String, permissions: mode_t) throws {
        guard fchmod(descriptor, permissions) == 0 else { throw SystemCallError(call: "chmod", path: path, code: errno) }
    }

    /// pread(2) from offset 0 until end of file.
    public func readAll(_ descriptor: Int32, path: String) throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "read", path: path, code: errno)
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
            offset += off_t(count)
        }
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
