// The warnings that mark an interval as one not to take at its word, written and recognised in one place.
import Foundation

/// The words that mark an interval as not to be trusted: every rendering (text, markdown, CSV, JSON, HTML) asks
/// here whether a note distrusts its interval, so all of them mark the same intervals.
///
/// A warning is a note segment (segments are separated by "; ") that starts with a capitalised marker or says the
/// interval cannot mean much; warnings are put first so that a rendering showing only a note's start shows them.
public enum IntervalTrust {
    /// Fewer clusters than this and an interval over clusters is not trusted (the coverage harness,
    /// scripts/coverage, finds the t-based intervals cover from here on; below, the design effect itself is too
    /// uncertain).
    public static let minimumClusters = 8
    /// Fewer labelled items (or rated items) than this and the interval carries a warning that it cannot mean much.
    public static let minimumItems = 30

    /// The warning of an interval over `count` clusters, nil when there are enough.
    public static func tooFewClusters(_ count: Int) -> String? {
        count < minimumClusters ? "TOO FEW CLUSTERS (\(count)) for a trustworthy interval" : nil
    }

    /// The warning of an interval from `count` `things` (e.g. "labelled item"), nil when there are enough.
    public static func tooFew(_ count: Int, _ things: String = "labelled item") -> String? {
        count < minimumItems ? "only \(count) \(things)\(count == 1 ? "" : "s"): the interval cannot mean much" : nil
    }

    /// The warning of an interval that could not be formed (the value stands without one), with why.
    public static func noInterval(_ why: String) -> String { "NO INTERVAL: " + why }

    /// The warning of an interval that was formed but must not be believed, with why.
    public static func notTrusted(_ why: String) -> String { "NOT TRUSTED: " + why }

    /// Whether one note segment is a warning.
    public static func isWarning(_ segment: String) -> Bool {
        let text = segment.trimmingCharacters(in: .whitespaces)
        return ["TOO FEW CLUSTERS", "NO INTERVAL", "NOT TRUSTED"].contains { text.hasPrefix($0) } || text.contains("cannot mean much")
    }

    /// Whether a note distrusts its interval (any of its segments is a warning).
    public static func distrusts(_ note: String?) -> Bool {
        (note ?? "").components(separatedBy: "; ").contains(where: isWarning)
    }

    /// Whether one note segment states an assumption the estimate rests on (an explicit transport).
    public static func isAssumption(_ segment: String) -> Bool {
        segment.trimmingCharacters(in: .whitespaces).hasPrefix("ASSUMES")
    }

    /// The note's segments with the warnings first, then the assumptions, then the rest, joined again.
    public static func warningsFirst(_ segments: [String]) -> String {
        let split = segments.flatMap { $0.components(separatedBy: "; ") }
        let warnings = split.filter(isWarning), assumptions = split.filter { !isWarning($0) && isAssumption($0) }
        return (warnings + assumptions + split.filter { !isWarning($0) && !isAssumption($0) }).joined(separator: "; ")
    }

    /// The first warning of a note, for renderings with room for one line.
    public static func firstWarning(_ note: String?) -> String? {
        (note ?? "").components(separatedBy: "; ").first(where: isWarning)
    }
}
