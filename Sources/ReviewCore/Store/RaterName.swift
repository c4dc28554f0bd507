import Foundation

/// The one rule for rater and adjudicator names, which become file names and appear in every report.
///
/// Every name is checked here, wherever it comes from (`--rater`, `--adjudicator`, an import's column header,
/// a log's file name), so no name can point a log outside its folder or carry terminal controls.
public enum RaterName {
    /// The longest name accepted, in characters.
    public static let maximumLength = 64

    /// Nil when `name` is fine, else why not: ASCII letters, digits, `-`, `_`, `.`; not starting with `.`;
    /// at most 64 characters; never `judge:...` (that prefix names the LLM judge).
    public static func problem(with name: String) -> String? {
        let shown = TextSanitizer.singleLine(name)
        if name.isEmpty { return "the rater name is empty" }
        if name.lowercased().hasPrefix(JudgeRater.prefix) {
            return "rater name \"\(shown)\" starts with \"\(JudgeRater.prefix)\", which is reserved for the LLM judge"
        }
        if name.count > maximumLength { return "rater name \"\(shown)\" is longer than \(maximumLength) characters" }
        if name.hasPrefix(".") { return "rater name \"\(shown)\" starts with \".\"; use letters, digits, '-', '_' or '.'" }
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            (scalar.properties.isAlphabetic && scalar.value < 0x80) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "_" || scalar == "."
        }
        if !allowed { return "rater name \"\(shown)\" may only hold letters, digits, '-', '_' and '.'" }
        return nil
    }

    /// Throws an `InputError` on `file` when `name` breaks the rule; stores call it before touching a file.
    public static func check(_ name: String, file: URL) throws {
        if let problem = problem(with: name) { throw InputError(file: file.path, problem) }
    }
}

/// How the LLM judge appears among the raters: `judge:<model>`.
public enum JudgeRater {
    /// The prefix that marks the judge's column, `judge:`.
    public static let prefix = "judge:"

    /// The judge's rater name for a judge model, e.g. `judge:gpt-4o`.
    public static func name(model: String) -> String { prefix + model }

    /// Whether a rater name is the judge's.
    public static func isJudge(_ rater: String) -> Bool { rater.hasPrefix(prefix) }

    /// The judges of `items` (nil: no judge), as models with their rater names in the order of the names; each
    /// distinct model named once, not a name made for each of a million items.
    public static func judges(_ items: some Sequence<JudgeAnswer?>) -> [(model: String, rater: String)] {
        var models: Set<String> = []
        var last: String?
        for model in items.lazy.compactMap({ $0?.name }) where model != last {
            models.insert(model)
            last = model
        }
        return models.map { (model: $0, rater: name(model: $0)) }.sorted { $0.rater < $1.rater }
    }
}
