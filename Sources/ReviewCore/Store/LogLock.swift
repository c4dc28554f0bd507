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
        StudyLayout.lockFile(for: logFile)
    }

    /// Takes the lock for `logFile`, or throws `StoreError.locked` naming the holder's pid.
    convenience init(logFile: URL, permissions: mode_t, fileSystem: any StoreFileSystem) throws {
        try self.init(lockFile: LogLock.lockFile(for: logFile), guarding: logFile, permissions: permissions, fileSystem: fileSystem)
    }

    /// Takes the lock in `lockFile` for what `guarded` names, trying for `waiting` seconds while another holds it,
    /// or throws `StoreError.locked` naming the holder.
    init(lockFile: URL, guarding guarded: URL, waiting: TimeInterval = LogLock.settleTime, permissions: mode_t,
         fileSystem: any StoreFileSystem) throws {
        path = lockFile.path
        self.fileSystem = fileSystem
        let descriptor: Int32
        do {
            descriptor = try LogLock.openLockFile(path, permissions: permissions, fileSystem: fileSystem)
        } catch let error as SystemCallError {
            throw StoreError.openFailed(file: guarded.path, cause: error)
        }
        do {
            guard try LogLock.lockWithin(descriptor: descriptor, path: path, waiting: waiting, fileSystem: fileSystem) else {
                let recorded = (try? fileSystem.readAll(descriptor, path: path)).flatMap(LogLock.pid(from:))
                let holder = LockHolder.find(descriptor: descriptor, recordedPID: recorded)
                fileSystem.close(descriptor)
                throw StoreError.locked(file: guarded.path, holder: holder)
            }
            // Record who holds it, for the next opener's error message. Failing to write it is not fatal.
            try? fileSystem.truncate(descriptor, path: path, length: 0)
            try? fileSystem.writeAll(descriptor, path: path, data: Data("\(getpid())\n".utf8))
        } catch let error as SystemCallError {
            fileSystem.close(descriptor)
            throw StoreError.openFailed(file: guarded.path, cause: error)
        }
        self.descriptor = descriptor
    }

    /// How long a lock found taken is tried again before it is reported: a process being spawned holds a copy of
    /// every descriptor until its exec closes them (O_CLOEXEC), and for that moment a lock just released still
    /// looks taken. A real holder keeps it far longer.
    static let settleTime: TimeInterval = 0.25

    /// Takes the flock, trying again for `settleTime` while it is taken.
    static func lockWithin(
        descriptor: Int32, path: String, waiting: TimeInterval = settleTime, fileSystem: any StoreFileSystem
    ) throws -> Bool {
        let deadline = Date().addingTimeInterval(waiting)
        while true {
            if try fileSystem.tryLockExclusive(descriptor, path: path) { return true }
            if Date() >= deadline { return false }
            usleep(10_000)
        }
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
        String(decoding: data, as: UTF8.self).trimmedOfWhitespaceAndNewlines.split(separator: "\n").first
            .flatMap { Int32($0) }
    }

    /// Whether the lock file's path still names the file this lock holds (not removed, renamed or replaced since):
    /// a lock file deleted under a running session would let a second writer take a new one.
    var isInPlace: Bool {
        guard let descriptor, let held = FileIdentity.of(descriptor: descriptor),
              let named = FileIdentity.of(path: path) else { return false }
        return named.kind == .regular && held.isSameFile(as: named)
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

/// Who holds a log's lock: the kernel's answer (/proc/locks) where it has one, else the pid in the lock file.
///
/// The pid in the lock file is only what the last judge-review holder wrote; another program (`flock(1)`, an
/// editor, a sync tool) that takes the lock writes nothing, so the kernel's table is asked first.
public struct LockHolder: Sendable, Equatable {
    /// The holding process, when known.
    public var pid: Int32?
    /// Its program name (/proc/PID/comm), when it is still running.
    public var program: String?

    /// A holder with this pid and program name.
    public init(pid: Int32?, program: String?) {
        self.pid = pid
        self.program = program
    }

    /// Whether the holder is a judge-review process (the command, or its test and bench binaries).
    public var isJudgeReview: Bool { program?.hasPrefix("judge-review") ?? false }

    /// How the holder reads in an error, e.g. "process 123 (judge-review)" or "another program, flock (process 9)".
    public var phrase: String {
        switch (pid, program) {
        case let (pid?, program?) where isJudgeReview: return "process \(pid) (\(program))"
        case let (pid?, program?): return "another program, \(program) (process \(pid))"
        case let (pid?, nil): return "process \(pid), which is no longer running"
        default: return "another process"
        }
    }

    /// The holder of the flock on `descriptor`'s file.
    static func find(descriptor: Int32, recordedPID: Int32?) -> LockHolder {
        let pid = kernelHolder(descriptor: descriptor) ?? recordedPID
        return LockHolder(pid: pid, program: pid.flatMap(programName))
    }

    /// The pid /proc/locks gives for a FLOCK on the same device and inode; nil where there is no such table.
    static func kernelHolder(descriptor: Int32) -> Int32? {
        var info = stat()
        guard fstat(descriptor, &info) == 0,
              let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        let device = UInt64(info.st_dev)
        let major = ((device >> 8) & 0xFFF) | ((device >> 32) & ~UInt64(0xFFF))
        let minor = (device & 0xFF) | ((device >> 12) & ~UInt64(0xFF))
        let wanted = String(format: "%02llx:%02llx:%llu", major, minor, UInt64(info.st_ino))
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // "1: FLOCK  ADVISORY  WRITE 1234 00:2d:5678 0 EOF"; waiters have "->" after the number.
            guard fields.count >= 6, fields[1] == "FLOCK", fields[5] == wanted else { continue }
            return Int32(fields[4])
        }
        return nil
    }

    /// /proc/PID/comm, without its newline; nil when the process is gone.
    static func programName(_ pid: Int32) -> String? {
        guard let name = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return nil }
        let trimmed = name.trimmedOfWhitespaceAndNewlines
        return trimmed.isEmpty ? nil : TextSanitizer.singleLine(trimmed)
    }
}

extension LockHolder {
    /// Who holds the lock of `logFile` now (a console or a judge run writing it), or nil when nobody does. Takes
    /// the lock for a moment to find out, so a writer opening the log just then waits a moment, as for any other.
    public static func ofLog(_ logFile: URL) -> LockHolder? {
        let path = StudyLayout.lockFile(for: logFile).path
        let fileSystem = POSIXFileSystem()
        guard let descriptor = try? fileSystem.open(path, flags: O_RDONLY, permissions: 0) else { return nil }
        defer { fileSystem.close(descriptor) }
        if (try? LogLock.lockWithin(descriptor: descriptor, path: path, fileSystem: fileSystem)) != false { return nil }
        let recorded = (try? fileSystem.readAll(descriptor, path: path)).flatMap(LogLock.pid(from:))
        return LockHolder.find(descriptor: descriptor, recordedPID: recorded)
    }
}
