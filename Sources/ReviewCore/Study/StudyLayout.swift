import Foundation

/// Every file and folder name of a study, in one place: the writers, the readers and the output guard all take
/// their names from here.
///
/// ```
/// <study>/
///   study.json                               the settings; marks the folder as a study (init)
///   items.jsonl                              the canonical dataset (import)
///   sample.json                              the validation sample (sample)
///   assignment.json                          who labels what (assign)
///   study.lock                               held by every writer of the files above
///   write.journal                            an unfinished all-or-none write (import), completed on next open
///   Annotations/<rater>.jsonl                one append-only log per clinician (label, import)
///   Annotations/<rater>.jsonl.lock           held by the log's one writer
///   Annotations/<rater>.jsonl.corrupt        torn lines set aside at open
///   Annotations/<rater>.order.json           the rater's item order (label without an assignment)
///   Annotations/.installation                this copy's id, recorded on every line written here (never shared)
///   Annotations/adjudication/<name>.jsonl    one per adjudicator (adjudicate)
///   Annotations/judges/<name>.jsonl          one per judge run through an endpoint (judge)
///   .index/items.index                       derived: the items' summaries and line offsets (StudyIndex)
///   .index/logs/<rater>.replay               derived: a rater log's events up to a length (LogReplayCache)
///   .index/index.lock                        held by the writer of a derived file
/// ```
///
/// The `.index` folder is derived from the files above and never shared (git ignores it): deleting it loses
/// nothing and costs one rebuild.
public enum StudyLayout {
    public static let settingsFileName = "study.json"
    public static let itemsFileName = "items.jsonl"
    public static let sampleFileName = "sample.json"
    public static let assignmentFileName = "assignment.json"
    public static let lockFileName = "study.lock"
    public static let journalFileName = "write.journal"
    public static let annotationsFolderName = "Annotations"
    public static let adjudicationFolderName = "adjudication"
    /// Under the annotation folder: one append-only log per judge run through `judge-review judge`.
    public static let judgesFolderName = "judges"
    /// The ending of every label or adjudication log.
    public static let logExtension = "jsonl"
    /// Beside a log: its lock, its set-aside torn lines; beside the logs: a rater's order settings.
    public static let logLockSuffix = ".lock"
    public static let corruptSuffix = ".corrupt"
    public static let orderFileSuffix = ".order.json"
    /// In the annotation folder: the id of this copy of the study (`WriterIdentity`), which git does not carry.
    public static let installationFileName = ".installation"
    /// The folder of the derived files (the study index and the log replay caches), and their names.
    public static let indexFolderName = ".index"
    public static let itemsIndexFileName = "items.index"
    public static let replayFolderName = "logs"
    public static let replayExtension = "replay"
    public static let indexLockFileName = "index.lock"

    /// The derived files' folder of a study: `<study>/.index/`.
    public static func indexFolder(study folder: URL) -> URL {
        folder.appendingPathComponent(indexFolderName, isDirectory: true)
    }

    /// The study index: `<study>/.index/items.index`.
    public static func itemsIndexFile(study folder: URL) -> URL {
        indexFolder(study: folder).appendingPathComponent(itemsIndexFileName)
    }

    /// A rater log's replay cache: `<study>/.index/logs/<rater>.replay`.
    public static func replayCacheFile(study folder: URL, rater: String) -> URL {
        indexFolder(study: folder).appendingPathComponent(replayFolderName, isDirectory: true)
            .appendingPathComponent(rater + "." + replayExtension)
    }

    /// The study's own files by name, with what each is: no output may replace one of them, in any study.
    public static let ownFiles: [(name: String, role: String)] = [
        (settingsFileName, "the study's settings"),
        (itemsFileName, "the study's items"),
        (sampleFileName, "the study's validation sample"),
        (assignmentFileName, "the study's rater assignment"),
        (lockFileName, "the study's lock"),
        (journalFileName, "the study's journal of an unfinished write"),
    ]

    /// A rater's log in an annotation folder: `<folder>/<rater>.jsonl`.
    public static func logFile(folder: URL, rater: String) -> URL {
        folder.appendingPathComponent(rater + "." + logExtension)
    }

    /// The adjudicators' folder of an annotation folder: `<folder>/adjudication/`.
    public static func adjudicationFolder(folder: URL) -> URL {
        folder.appendingPathComponent(adjudicationFolderName, isDirectory: true)
    }

    /// A judge's log in an annotation folder: `<folder>/judges/<name>.jsonl`.
    public static func judgeLogFile(folder: URL, judge: String) -> URL {
        folder.appendingPathComponent(judgesFolderName, isDirectory: true).appendingPathComponent(judge + "." + logExtension)
    }

    /// The lock file that guards a log: `<log>.lock`.
    public static func lockFile(for logFile: URL) -> URL {
        logFile.deletingLastPathComponent().appendingPathComponent(logFile.lastPathComponent + logLockSuffix)
    }

    /// The side file for a log's torn lines: `<log>.corrupt`.
    public static func corruptFile(for logFile: URL) -> URL {
        logFile.deletingLastPathComponent().appendingPathComponent(logFile.lastPathComponent + corruptSuffix)
    }

    /// A rater's order settings: `<folder>/<rater>.order.json`.
    public static func orderFile(folder: URL, rater: String) -> URL {
        folder.appendingPathComponent(rater + orderFileSuffix)
    }

    /// Whether a file name is one of the store's side files (a lock, torn lines, order settings).
    public static func isStoreSideFile(_ name: String) -> Bool {
        name.hasSuffix(logLockSuffix) || name.hasSuffix(corruptSuffix) || name.hasSuffix(orderFileSuffix)
    }
}
