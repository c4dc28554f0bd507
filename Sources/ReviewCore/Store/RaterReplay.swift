import Foundation

/// A label that cannot be applied because its item changed or left the dataset since it was given.
public struct StaleLabel: Sendable, Hashable {
    /// Why the label no longer applies.
    public enum Reason: String, Sendable, Hashable {
        /// The item's content hash differs from the one the rater saw.
        case itemChanged = "item changed"
        /// The dataset no longer has an item with this id.
        case itemGone = "item gone"
    }

    /// The rater's latest label event for the item.
    public var event: LabelEvent
    /// Why it no longer applies.
    public var reason: Reason
}

/// A rater's state rebuilt from their log: current labels, notes, flags, revisions and stale labels.
///
/// Events are replayed in log order (not by timestamp, which a wrong clock could reorder): the latest event for an
/// item wins and a retraction removes the label. A label whose item hash no longer matches the dataset is reported
/// in `stale` and not applied. Practice and repeat events (`purpose`) never touch the live labels: they are
/// replayed by the same rule into `practiceAndRepeats`.
///
/// Current labels are kept by the item's position in the dataset (one small integer per item), not in a table
/// keyed by item id: a million items are replayed with one id lookup per event, and the reports that follow read
/// them by position (`current(at:)`).
public struct RaterReplay: Sendable {
    /// The rater.
    public let rater: String
    /// Latest labels that no longer apply (item changed or gone), in log order of the items' first events.
    public private(set) var stale: [StaleLabel] = []
    /// The time of the rater's latest event, if any.
    public private(set) var lastActivity: Date?
    /// How many items have a current label.
    public private(set) var labeledCount = 0
    /// The current practice and repeat labels (latest per item and purpose; a retraction removes), by label key.
    public private(set) var practiceAndRepeats: [LabelKey: LabelEvent] = [:]
    /// How many events were replayed.
    public var eventCount: Int { events.count }
    /// The events replayed, in log order (for measures of the labelling itself: effort, anchoring).
    public var loggedEvents: [LabelEvent] { events }
    /// The events replayed, in log order.
    private let events: [LabelEvent]
    /// For each dataset position, the index in `events` of the item's current label, or -1.
    private var currentIndex: [Int32]
    /// For each event (in log order), the dataset position of its item, or -1 when the dataset has no such item.
    public private(set) var eventPositions: [Int32] = []

    /// Replays `events` (one rater's log, oldest first) against `dataset`.
    ///
    /// - Parameter knownPositions: the dataset position of each of the first events (-1: no such item), as a
    ///   replay cache recorded them against this very dataset; the rest are looked up by id.
    public init(rater: String, events: [LabelEvent], dataset: Dataset, knownPositions: [Int32] = []) {
        self.rater = rater
        self.events = events
        // The latest event per dataset position, and per id for items the dataset no longer has.
        var latest = [Int32](repeating: -1, count: dataset.items.count)
        var latestGone: [String: Int] = [:]
        // Items in the order of their first events: a position, or -(n + 1) for the n-th gone item.
        var firstSeen: [Int] = []
        var goneIDs: [String] = []
        var positions = [Int32]()
        positions.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            if lastActivity.map({ event.at > $0 }) ?? true { lastActivity = event.at }
            let found: Int?
            if index < knownPositions.count {
                found = knownPositions[index] >= 0 ? Int(knownPositions[index]) : nil
            } else {
                found = dataset.indexByID[event.item]
            }
            positions.append(Int32(truncatingIfNeeded: found ?? -1))
            if event.purpose != nil {
                practiceAndRepeats[event.key] = event.settlesItem ? event : nil
                continue
            }
            if let position = found {
                if latest[position] < 0 { firstSeen.append(position) }
                latest[position] = Int32(truncatingIfNeeded: index)
            } else if latestGone.updateValue(index, forKey: event.item) == nil {
                goneIDs.append(event.item)
                firstSeen.append(-goneIDs.count)
            }
        }
        eventPositions = positions
        currentIndex = [Int32](repeating: -1, count: dataset.items.count)
        for entry in firstSeen {
            if entry < 0 {
                if let index = latestGone[goneIDs[-entry - 1]], events[index].settlesItem {
                    stale.append(StaleLabel(event: events[index], reason: .itemGone))
                }
                continue
            }
            let event = events[Int(latest[entry])]
            // A label or an abstention is current; an abstention has no answer, so every measure that reads
            // answers (agreement, the reference, rates) leaves it out by the one rule `kind == .label`.
            guard event.settlesItem else { continue }
            guard dataset.items[entry].contentHash == event.itemSHA256 else {
                stale.append(StaleLabel(event: event, reason: .itemChanged))
                continue
            }
            currentIndex[entry] = latest[entry]
            labeledCount += 1
        }
    }

    /// The current label of the item at `position` in the dataset replayed against, or nil.
    @inline(__always)
    public func current(at position: Int) -> LabelEvent? {
        guard currentIndex.indices.contains(position) else { return nil }
        let index = currentIndex[position]
        return index < 0 ? nil : events[Int(index)]
    }

    /// Item id → the current label event, for items in the dataset whose content is unchanged.
    ///
    /// Built on each call; the hot paths read `current(at:)` instead.
    public var current: [String: LabelEvent] {
        var result: [String: LabelEvent] = [:]
        result.reserveCapacity(labeledCount)
        for index in currentIndex where index >= 0 {
            let event = events[Int(index)]
            result[event.item] = event
        }
        return result
    }

    /// Every live event for `item` (labels and retractions), oldest first.
    public func history(of item: String) -> [LabelEvent] {
        events.filter { $0.item == item && $0.purpose == nil }
    }

    /// The note on each currently labelled item that has one.
    public var notes: [String: String] {
        current.compactMapValues { $0.note.flatMap { $0.isEmpty ? nil : $0 } }
    }

    /// How many items the rater cannot judge (a current abstention).
    public var abstainedCount: Int {
        currentIndex.reduce(0) { count, index in index >= 0 && events[Int(index)].kind == .abstain ? count + 1 : count }
    }

    /// The rater's first live answer on each item (before any revision or undo), in one pass over the log: what a
    /// hidden repeat is compared with (a revision made after the judge was revealed cannot enter intra-rater
    /// agreement), what `--answers first` reads, and the blind answer the anchoring counts start from.
    public var firstLabels: [String: LabelEvent] {
        var first: [String: LabelEvent] = [:]
        for event in events where event.purpose == nil && event.kind == .label && first[event.item] == nil { first[event.item] = event }
        return first
    }

    /// How many current labels carry a flag.
    public var flaggedCount: Int {
        currentIndex.reduce(0) { count, index in index >= 0 && events[Int(index)].flag != nil ? count + 1 : count }
    }

    /// The flag on each currently labelled item that has one.
    public var flags: [String: LabelFlag] {
        current.compactMapValues(\.flag)
    }

    /// The label events for `item` that revise an earlier answer (after the judge's verdict was revealed), oldest first.
    public func revisions(of item: String) -> [LabelEvent] {
        history(of: item).filter { $0.kind == .label && $0.revises != nil }
    }

    /// The index into `order` of the first item with no current label, or nil when all are labelled.
    ///
    /// - Parameters:
    ///   - order: item positions (indices into `dataset.items`) in this rater's order.
    ///   - dataset: the dataset `order` indexes.
    public func firstUnlabeled(in order: [Int], dataset: Dataset) -> Int? {
        order.firstIndex { position in
            guard dataset.items.indices.contains(position) else { return false }
            return current(at: position) == nil
        }
    }
}
