// CONTRACT: where annotation logs live, and the replay entry point other parts call.
// The store (issue 3) implements `CurrentLabels.load` for real; the signature stays.
import Foundation

/// Where a dataset's annotation logs live.
public enum AnnotationPaths {
    /// The folder of a dataset's logs: `override` when given, else `Annotations/<dataset name>/` under the current folder.
    public static func folder(datasetName: String, override: String? = nil) -> URL {
        if let override { return URL(fileURLWithPath: override, isDirectory: true) }
        return URL(fileURLWithPath: "Annotations", isDirectory: true).appendingPathComponent(datasetName, isDirectory: true)
    }

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
    public static func load(folder: URL, dataset: Dataset) throws -> [String: [String: LabelEvent]] {
        [:]
    }
}
