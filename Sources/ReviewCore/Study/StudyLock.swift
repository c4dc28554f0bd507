import Foundation

/// The one lock for writers of a study's own files (`items.jsonl`, `sample.json`, `assignment.json`,
/// `study.json`): flock on `<study>/study.lock`, held from the first read a writer's decision rests on to its last
/// write, so two imports (or an import and a sample) never both read the old file and both replace it.
///
/// A second writer waits up to `waitingTime` for the first, then is refused with the holder named; the kernel drops
/// the lock when its holder dies, even by SIGKILL. Readers do not take it: every study file is replaced whole by
/// rename, so a reader sees the old file or the new one.
public final class StudyLock {
    private let lock: LogLock

    /// How long a writer waits for another before it is refused.
    public static let waitingTime: TimeInterval = 5

    /// Takes the study's lock, waiting up to `waiting` seconds for another writer.
    ///
    /// - Throws: `InputError` naming the study and who holds the lock, or why the lock file cannot be opened.
    public init(_ study: Study, waiting: TimeInterval = StudyLock.waitingTime, options: StoreOptions = StoreOptions()) throws {
        do {
            lock = try LogLock(
                lockFile: study.lockFile, guarding: study.folder, waiting: waiting, permissions: options.filePermissions,
                fileSystem: POSIXFileSystem())
        } catch StoreError.locked(_, let holder) {
            throw InputError(
                file: study.folder.path,
                "another command is writing this study (\(holder.phrase), for \(Int(waiting)) s); nothing was written, run this again when it has finished")
        } catch let error as StoreError {
            throw InputError(file: study.lockFile.path, "cannot take the study's lock: \(error)")
        }
    }

    /// Releases the lock (also done when the value is dropped).
    public func release() { lock.release() }
}

extension Study {
    /// Takes the study's lock for a command that writes its own files, and completes an interrupted write first
    /// (`StudyJournal`); `completed` says what that did. Hold the lock until the last write.
    public func lockForWriting(options: StoreOptions) throws -> (lock: StudyLock, completed: String?) {
        let lock = try StudyLock(self, options: options)
        do {
            return (lock, try StudyJournal.completeUnfinished(self, holdingLock: lock, options: options))
        } catch {
            lock.release()
            throw error
        }
    }
}
