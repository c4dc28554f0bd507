import Foundation
import ReviewCore

/// What a console's reducer asks the loop to do outside the pure state: append a record durably, or quit.
///
/// Both consoles hand out typed records; the loop's perform function writes them to the right log (which encodes
/// them once, as it encodes every record).
public enum ConsoleEffect: Sendable, Equatable {
    /// Append a rater's label event to that rater's log (write + fsync) and report the outcome.
    case appendLabel(LabelEvent)
    /// Append an adjudication event (a decision or a reveal) to the adjudicator's log and report the outcome.
    case appendDecision(AdjudicationEvent)
    /// Leave the console and restore the terminal.
    case quit
}

/// The outcome of an append, fed back to the console that asked for it.
public enum EffectOutcome: Sendable, Equatable {
    /// The record is durable (written and fsynced); only now may the screen say "saved".
    case saved(itemID: String)
    /// The write failed and nothing was written; the console keeps the record for a retry.
    case saveFailed(itemID: String, message: String)
}

/// A record a console writes, named by the item it is about.
public protocol ConsoleRecord: Sendable, Equatable {
    /// The item's id.
    var item: String { get }
}

extension LabelEvent: ConsoleRecord {}
extension AdjudicationEvent: ConsoleRecord {}
