// How the rater log files are listed and read (their names: `StudyLayout`; the replay: `StudyLabels`).
import Foundation

/// Finding and reading rater log files without opening them for writing.
public enum CurrentLabels {
    /// Each human rater's current labels in `folder`: rater → item id → current label event (retracted and
    /// stale labels absent), read through `StudyLabels`, the one replay of a study's logs.
    public static func load(folder: URL, dataset: Dataset) throws -> [String: [String: LabelEvent]] {
        try StudyLabels.load(folder: folder, dataset: dataset).current
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
        return names.filter { $0.hasSuffix("." + StudyLayout.logExtension) && !$0.hasPrefix(".") }.sorted().compactMap { name in
            let url = folder.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            return exists && !isFolder.boolValue ? url : nil
        }
    }

    /// A rater log's events read without opening it for writing; `tornLine` is set when its last line is torn.
    public static func readEvents(file: URL) throws -> (events: [LabelEvent], tornLine: Int?) {
        let data = try SafeFile.read(file.path)
        let scan = try LogScanner.scan(data, path: file.path, decode: LabelEventReader().decode)
        return (scan.records, scan.tornLine)
    }
}
