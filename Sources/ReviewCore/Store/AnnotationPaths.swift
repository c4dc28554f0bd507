// Where annotation logs live, and the replay entry point other parts call (`CurrentLabels.load`).
import Foundation

/// Where a dataset's annotation logs live.
public enum AnnotationPaths {
    /// A rater's log file in a dataset's folder: `<folder>/<rater>.jsonl`.
    public static func logFile(folder: URL, rater: String) -> URL {
        folder.appendingPathComponent("\(rater).jsonl")
    }

    /// The adjudicators' folder of a dataset: `<folder>/adjudication/`.
    public static func adjudicationFolder(folder: URL) -> URL {
        folder.appendingPathComponent("adjudication", isDirectory: true)
    }
}

/// Each rater's current labels, from replaying their logs.
public enum CurrentLabels {
    /// Replays every rater log in `folder` against `dataset`: rater → item id → the item's current label event
    /// (retracted items absent; stale labels, whose item hash no longer matches, absent).
    ///
    /// Reads `<folder>/*.jsonl` only (not `adjudication/`, `.corrupt` or `.lock` files), without taking locks or
    /// repairing anything, so it is safe while raters are labelling. A torn last line (an append in progress or
    /// cut short) is skipped here and set aside when its rater next opens the log; any other unreadable line
    /// throws `InputError` naming file:line.
    public static func load(folder: URL, dataset: Dataset) throws -> [String: [String: LabelEvent]] {
        var labels: [String: [String: LabelEvent]] = [:]
        for replay in try replays(folder: folder, dataset: dataset) {
            labels[replay.rater] = replay.current
        }
        return labels
    }

    /// The replay of every rater log in `folder`, sorted by rater name.
    public static func replays(folder: URL, dataset: Dataset) throws -> [RaterReplay] {
        try raterLogFiles(folder: folder).map { file in
            let rater = file.deletingPathExtension().lastPathComponent
            return RaterReplay(rater: rater, events: try readEvents(file: file).events, dataset: dataset)
        }
    }

    /// The rater logs directly in `folder` (`*.jsonl`), sorted by name; empty when the folder does not exist.
    public static func raterLogFiles(folder: URL) throws -> [URL] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw InputError(file: folder.path, "cannot list the annotation folder: \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".jsonl") && !$0.hasPrefix(".") }.sorted().compactMap { name in
            let url = folder.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            return exists && !isFolder.boolValue ? url : nil
        }
    }

    /// A rater log's events read without opening it for writing; `tornLine` is set when its last line is torn.
    public static func readEvents(file: URL) throws -> (events: [LabelEvent], tornLine: Int?) {
        let data = try SafeFile.read(file.path)
        let decoder = LabelEvent.makeDecoder()
        let scan = try LogScanner.scan(data, path: file.path) { try decoder.decode(LabelEvent.self, from: $0) }
        return (scan.records, scan.tornLine)
    }
}
