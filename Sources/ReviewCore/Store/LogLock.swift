import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The advisory lock that keeps one writer per log: flock on `<log>.lock`, which holds the holder's pid.
///
/// flock locks belong to an open file description, so a second open in the same process is refused as well,
/// and the kernel drops the lock when the holder dies (even by SIGKILL): no stale lock to clean up by hand.
final class LogLock {
    /// The lock file, `<log file>.lock`.
    let path: String
    private let fileSystem: any StoreFileSystem
    private var descriptor: Int32?

    /// The lock file that guards `logFile`.
    static func lockFile(for logFile: URL) -> URL {
        logFile.deletingLastPathComponent().appendingPathComponent(logFile.lastPathComponent + ".lock")
    }

    /// Takes the lock for `logFile`, or throws `StoreError.locked` naming the holder's pid.
    init(logFile: URL, permissions: mode_t, fileSystem: any StoreFileSystem) throws {
        path = LogLock.lockFile(for: logFile).path
        self.fileSystem = fileSystem
        let descriptor: Int32
        do {
            descriptor = try LogLock.openLockFile(path, permissions: permissions, fileSystem: fileSystem)
        } catch let error as SystemCallError {
            throw StoreError.openFailed(file: logFile.path, cause: error)
        }
        do {
            guard try fileSystem.tryLockExclusive(descriptor, path: path) else {
                let holder = (try? fileSystem.readAll(descriptor, path: path)).flatMap(LogLock.pid(from:))
                fileSystem.close(descriptor)
                throw StoreError.locked(file: logFile.path, pid: holder)
            }
            // Record who holds it, for the next opener's error message. Failing to write it is not fatal.
            try? fileSystem.truncate(descriptor, path: path, length: 0)
            try? fileSystem.writeAll(descriptor, path: path, data: Data("\(getpid())\n".utf8))
        } catch let error as SystemCallError {
            fileSystem.close(descriptor)
            throw StoreError.openFailed(file: logFile.path, cause: error)
        }
        self.descriptor = descriptor
    }

    /// Opens the lock file, creating it with exactly `permissions` (whatever the umask) when it is new.
    private static func openLockFile(_ path: String, permissions: mode_t, fileSystem: any StoreFileSystem) throws -> Int32 {
        let descriptor: Int32
        do {
            descriptor = try fileSystem.open(path, flags: O_RDWR | O_CREAT | O_EXCL, permissions: permissions)
        } catch let error as SystemCallError where error.code == EEXIST {
            return try fileSystem.open(path, flags: O_RDWR, permissions: 0)
        }
        do {
            try fileSystem.setPermissions(descriptor, path: path, permissions: permissions)
        } catch {
            fileSystem.close(descriptor)
            throw error
        }
        return descriptor
    }

    /// The pid written in a lock file, if any.
    static func pid(from data: Data) -> Int32? {
        String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").first
            .flatMap { Int32($0) }
    }

    /// Releases the lock (closing the descriptor drops it). The lock file stays: removing it would race.
    func release() {
        if let descriptor {
            fileSystem.close(descriptor)
            self.descriptor = nil
        }
    }

    deinit { release() }
}
