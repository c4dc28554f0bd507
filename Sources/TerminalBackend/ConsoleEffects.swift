import Foundation
import ReviewConsole
import ReviewCore

/// Carries out both consoles' effects: each typed record goes to its log, and only a durable append is `.saved`.
///
/// The store keeps nothing of a failed write (the console's queue holds it and sends it again), so every
/// effect is one plain append.
public enum ConsoleEffects {
    /// Appends a label to `labels` or a decision to `decisions`; a record for a log not given is refused.
    public static func perform(
        _ effect: ConsoleEffect, labels: RaterLog? = nil, decisions: AdjudicationLog? = nil, lastFailure: inout String?
    ) -> EffectOutcome? {
        let itemID: String
        do {
            switch effect {
            case .appendLabel(let event):
                itemID = event.item
                guard let labels else { return .saveFailed(itemID: itemID, message: "labels are not saved from this console") }
                try labels.append(event)
            case .appendDecision(let event):
                itemID = event.item
                guard let decisions else { return .saveFailed(itemID: itemID, message: "adjudication decisions are not saved from this console") }
                try decisions.append(event)
            case .quit:
                return nil
            }
        } catch {
            lastFailure = "\(error)"
            return .saveFailed(itemID: effect.itemID ?? "", message: "\(error)")
        }
        return .saved(itemID: itemID)
    }
}

extension ConsoleEffects {
    /// One last try, at exit, for the records the console still holds (its write queue is the only place they
    /// live): all of them in one append; returns what is still not saved.
    public static func lastTry<Record>(_ records: [Record], log: AppendOnlyLog<Record>, lastFailure: inout String?) -> [Record] {
        guard !records.isEmpty else { return [] }
        do {
            try log.append(contentsOf: records)
            return []
        } catch {
            lastFailure = "\(error)"
            return records
        }
    }
}

extension ConsoleEffect {
    /// The item an append is about; nil for quit.
    public var itemID: String? {
        switch self {
        case .appendLabel(let event): event.item
        case .appendDecision(let event): event.item
        case .quit: nil
        }
    }
}
