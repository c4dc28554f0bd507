// The annotation store's options. The log itself is in AppendOnlyLog.swift, the rater's log in RaterLog.swift,
// the file system calls in StoreFileSystem.swift, the lock in LogLock.swift, reading and recovery in LogScan.swift.
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the store creates folders and files.
public struct StoreOptions: Sendable, Equatable {
    /// Let the owner's group read the logs (folders 0750, files 0640) instead of 0700 / 0600.
    public var groupReadable: Bool
    /// Who writes: recorded on every label, decision and judge verdict appended (nil: not recorded).
    public var writer: WriterIdentity?

    /// Owner-only by default; `groupReadable` for a shared research group.
    public init(groupReadable: Bool = false, writer: WriterIdentity? = nil) {
        self.groupReadable = groupReadable
        self.writer = writer
    }

    /// Mode of new log, side and lock files: 0600, or 0640 when group-readable, within the umask (`FileModes`).
    public var filePermissions: mode_t { FileModes.file(groupReadable: groupReadable) }

    /// Mode of new folders: 0700, or 0750 when group-readable, within the umask (`FileModes`).
    public var folderPermissions: mode_t { FileModes.folder(groupReadable: groupReadable) }
}

/// Why the store could not open a log or save a record. Each case reads as one line for the user.
public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Another open file (usually another judge-review session, perhaps another program) holds the lock.
    case locked(file: String, holder: LockHolder)
    /// The log could not be created, read or repaired at open.
    case openFailed(file: String, cause: SystemCallError)
    /// `records` records could not be saved; nothing was written, and the caller keeps them to append again.
    case notSaved(file: String, cause: SystemCallError, records: Int)
    /// The log was closed; nothing more can be appended.
    case closed(file: String)
    /// The log's path no longer names the file this writer holds (replaced by rename, moved, linked, its lock
    /// removed): nothing was written, and the caller keeps the records until the path is safe to write again.
    case displaced(file: String, reason: String, records: Int)

    /// The error as one line for the user.
    public var description: String {
        switch self {
        case .locked(let file, let holder) where holder.isJudgeReview:
            return "\(file): already open in \(holder.phrase); one writer per rater and dataset, close the other session first"
        case .locked(let file, let holder):
            return "\(file): locked by \(holder.phrase); judge-review cannot write it until that lock is released"
        case .openFailed(let file, let cause):
            return "\(file): cannot open the annotation log: \(cause)"
        case .notSaved(let file, let cause, let records):
            let hint: String
            switch cause.code {
            case ENOSPC, EDQUOT: hint = "free some disk space, then retry"
            case EROFS: hint = "the folder is read-only; make it writable, then retry"
            case EACCES, EPERM: hint = "no permission to write; fix the permissions, then retry"
            default: hint = "fix the cause, then retry"
            }
            let count = records == 1 ? "1 record" : "\(records) records"
            return "\(file): NOT SAVED (\(cause.call): \(cause.reason)); \(count) not written, \(hint)"
        case .closed(let file):
            return "\(file): the log is closed"
        case .displaced(let file, let reason, let records):
            let count = records == 1 ? "1 record" : "\(records) records"
            return "\(file): NOT SAVED, \(reason); \(count) kept here, not written. Saving resumes once the file at that path holds what this session saved; otherwise quit and check that file"
        }
    }
}
