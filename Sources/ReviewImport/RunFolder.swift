import Foundation
import ReviewStatistics
import ReviewCore

/// A run's settings read from the paper repository's folder name, e.g.
/// `contextualize=False&date=2025-01-19&model=meta-llama__Llama-2-70b-chat-hf&steel-man-prompt=True`.
///
/// The repository keeps each run in such a folder; the files inside (`2025-01-20.jsonl`, `classification_validation.csv`)
/// are named by date or purpose, not by model, so the folder is what says which model ran and how.
public struct RunFolder: Equatable, Sendable {
    /// The folder's own name (the settings), for messages.
    public var name: String
    /// The subject model (`__` in the folder name stands for `/`).
    public var model: String
    /// `steel-man-prompt`: the steel-man therapist system prompt on or off; nil when the folder does not say.
    public var steelman: Bool?
    /// `contextualize`: whether the stimulus was shown inside a therapy transcript; nil when not said (live bots).
    public var contextualized: Bool?
    /// `date`: the day the run was made.
    public var date: String?
    /// `filter-model`: the model that filtered the stimuli.
    public var filterModel: String?

    /// The settings of the nearest folder above `path` whose name is a run's settings; nil when there is none.
    /// A folder that looks like settings but has a malformed value is an error naming it.
    public static func enclosing(_ path: String) throws -> RunFolder? {
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        while folder.path != "/" && !folder.path.isEmpty {
            if let settings = try parse(folderName: folder.lastPathComponent, path: folder.path) { return settings }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { break }
            folder = parent
        }
        return nil
    }

    /// The settings in one folder name; nil when the name is not `key=value` pairs joined by `&` with a `model`.
    static func parse(folderName: String, path: String) throws -> RunFolder? {
        var values: [String: String] = [:]
        for pair in folderName.split(separator: "&", omittingEmptySubsequences: false) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            values[String(parts[0]).lowercased()] = String(parts[1])
        }
        guard let rawModel = values["model"] else { return nil }
        let model = rawModel.replacingOccurrences(of: "__", with: "/")
        guard !model.trimmedOfWhitespace.isEmpty else {
            throw InputError(file: path, "run folder setting model= is empty")
        }
        if let problem = problem(withModel: model) {
            throw InputError(file: path, "run folder setting model=\"\(TextSanitizer.singleLine(rawModel))\": \(problem)")
        }
        let date = values["date"]
        if let date, !isDay(date) {
            throw InputError(file: path, "run folder setting date=\"\(TextSanitizer.singleLine(date))\" is not a YYYY-MM-DD day")
        }
        return RunFolder(
            name: folderName, model: model,
            steelman: try flag("steel-man-prompt", values, path: path),
            contextualized: try flag("contextualize", values, path: path),
            date: date, filterModel: values["filter-model"])
    }

    /// A `True`/`False` setting (any case); nil when absent.
    private static func flag(_ key: String, _ values: [String: String], path: String) throws -> Bool? {
        guard let raw = values[key] else { return nil }
        switch raw.lowercased() {
        case "true": return true
        case "false": return false
        default: throw InputError(file: path, "run folder setting \(key)=\"\(TextSanitizer.singleLine(raw))\" is not True or False")
        }
    }

    /// Why a model name cannot be an item id's first part (it must print safely and stay one path of ids).
    private static func problem(withModel model: String) -> String? {
        if model.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "has control characters"
        }
        if model.count > 200 { return "is longer than 200 characters" }
        return nil
    }

    private static func isDay(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D else { return false }
        return bytes.enumerated().allSatisfy { index, byte in index == 4 || index == 7 || (0x30...0x39).contains(byte) }
    }
}
