import Foundation
import ReviewCore

/// What a session saved and what it could not, for the exit line: counted from the log itself, so a label
/// retried three times before it was saved counts once, as saved.
public struct SessionTally: Sendable {
    /// Events the log held when the session opened it.
    public var savedBefore: Int
    /// The store's last refusal, for the exit line (the screen that showed it is gone).
    public var lastFailure: String?

    /// A tally for a log that held `savedBefore` events at open.
    public init(savedBefore: Int = 0) {
        self.savedBefore = savedBefore
    }

    /// `3 items labelled this session (5 saves, with revisions, flags and notes; 1 undone)`.
    public func summary(events: [LabelEvent]) -> String {
        let saved = events.dropFirst(savedBefore)
        // Items, not events: a revision, a flag or a note on an item is another event for the same item; practice
        // and repeat answers are counted apart (they are not labels of the study).
        let labelEvents = saved.filter { $0.settlesItem && $0.purpose == nil }
        let items = Set(labelEvents.map(\.item)).count
        let abstained = Set(labelEvents.filter { $0.kind == .abstain }.map(\.item)).count
        let undone = Set(saved.filter { $0.kind == .retract }.map(\.key)).count
        var text = "\(items) item\(items == 1 ? "" : "s") labelled this session"
        var details: [String] = []
        if labelEvents.count > items { details.append("\(labelEvents.count) saves, with revisions, flags and notes") }
        if abstained > 0 { details.append("\(abstained) marked cannot judge") }
        for purpose in LabelPurpose.allCases {
            let answered = Set(saved.filter { $0.kind == .label && $0.purpose == purpose }.map(\.item)).count
            if answered > 0 { details.append("\(answered) \(purpose == .practice ? "practice" : "repeat") answer\(answered == 1 ? "" : "s")") }
        }
        if undone > 0 { details.append("\(undone) undone") }
        if !details.isEmpty { text += " (\(details.joined(separator: "; ")))" }
        return text
    }

    /// The line about labels that were never saved and are lost with the process; nil when none are.
    public func lostSummary(unsaved: [LabelEvent]) -> String? {
        guard !unsaved.isEmpty else { return nil }
        let labels = unsaved.filter { $0.kind == .label }.count
        let retractions = unsaved.count - labels
        var parts: [String] = []
        if labels > 0 { parts.append("\(labels) label\(labels == 1 ? "" : "s")") }
        if retractions > 0 { parts.append("\(retractions) undo\(retractions == 1 ? "" : "s")") }
        let items = Set(unsaved.map(\.item)).sorted().prefix(5).map(TextSanitizer.singleLine).joined(separator: ", ")
        return "\(parts.joined(separator: " and ")) NOT SAVED and lost (items \(items)\(unsaved.count > 5 ? ", …" : ""))"
            + (lastFailure.map { ": \($0)" } ?? "") + "; label those items again once the disk accepts writes"
    }
}
