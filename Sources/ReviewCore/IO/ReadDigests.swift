import Crypto
import Foundation

/// One file as a command read it: its path, size and SHA-256, taken from the very bytes the command used.
public struct FileDigest: Sendable, Equatable {
    /// The path as it was read.
    public var path: String
    /// The file's size in bytes.
    public var bytes: Int
    /// Lowercase hex.
    public var sha256: String

    public init(path: String, bytes: Int, sha256: String) {
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
    }
}

/// Records every file `SafeFile` reads while it is active, with the digest of the bytes read, so that a report's
/// manifest names exactly what its numbers rest on without opening any file a second time.
///
/// Off unless a command runs its reading inside `recording(_:)`: other commands pay nothing. The recorder is the
/// process's, not a task-local value, because the logs are read on worker threads (`ParallelWork`) that a
/// task-local value does not reach; one command runs per process.
public final class ReadDigests: @unchecked Sendable {
    /// The recorder of the running command, if it records.
    public static var current: ReadDigests? {
        activeLock.withLock { active }
    }

    private static let activeLock = NSLock()
    nonisolated(unsafe) private static var active: ReadDigests?

    private let lock = NSLock()
    private var recorded: [FileDigest] = []
    private var seen: Set<String> = []

    public init() {}

    /// Runs `work` with a fresh recorder and returns its result with every file it read, in the order read.
    public static func recording<Result>(_ work: () throws -> Result) rethrows -> (result: Result, files: [FileDigest]) {
        let recorder = ReadDigests()
        let outer = activeLock.withLock { () -> ReadDigests? in
            defer { active = recorder }
            return active
        }
        defer { activeLock.withLock { active = outer } }
        let result = try work()
        return (result, recorder.files)
    }

    /// The files read so far, each once (the first reading), in the order read.
    public var files: [FileDigest] {
        lock.withLock { recorded }
    }

    /// A hasher for one reading of `path`: feed it the bytes in order, then `finish`.
    func start(_ path: String) -> Reading { Reading(path: path, recorder: self) }

    fileprivate func add(_ digest: FileDigest) {
        lock.withLock {
            if seen.insert(digest.path).inserted { recorded.append(digest) }
        }
    }

    /// The digest of one reading in progress.
    struct Reading {
        let path: String
        let recorder: ReadDigests
        private var hasher = SHA256()
        private var count = 0

        init(path: String, recorder: ReadDigests) {
            self.path = path
            self.recorder = recorder
        }

        mutating func update(_ bytes: UnsafeRawBufferPointer) {
            hasher.update(bufferPointer: bytes)
            count += bytes.count
        }

        func finish() {
            recorder.add(FileDigest(path: path, bytes: count, sha256: ContentHash.hex(hasher.finalize())))
        }
    }
}
