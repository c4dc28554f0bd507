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
/// in `stale` and not applied.
public struct RaterReplay: Sendable {
    /// The rater.
    public let rater: String
    /// Item id → the current label event, for items in the dataset whose content is unchanged.
    public private(set) var current: [String: LabelEvent] = [:]
    /// Latest labels that no longer apply (item changed or gone), in log order of the items' first events.
    public private(set) var stale: [StaleLabel] = []
    /// The time of the rater's latest event, if any.
    public private(set) var lastActivity: Date?
    /// How many events were replayed.
    public var eventCount: Int { events.count }
    /// The events replayed, in log order.
    private let events: [LabelEvent]
    /// For each event, the index of the item's event before it (nil for its first): the item's history as a
    /// chain, so that replaying a million events builds one table, not an array per item.
    private let previousForItem: [Int?]
    /// Item id → the index of its latest event.
    private let latestForItem: [String: Int]

    /// Replays `events` (one rater's log, oldest first) against `dataset`.
    public init(rater: String, events: [LabelEvent], dataset: Dataset) {
        self.rater = rater
        self.events = events
        var latest: [String: Int] = [:]
        latest.reserveCapacity(events.count)
        var previous = [Int?](repeating: nil, count: events.count)
        var firstEvents: [Int] = []
        for (index, event) in events.enumerated() {
            if let before = latest.updateValue(index, forKey: event.item) {
                previous[index] = before
            } else {
                firstEvents.append(index)
            }
            if lastActivity.map({ event.at > $0 }) ?? true { lastActivity = event.at }
        }
        previousForItem = previous
        latestForItem = latest
        current.reserveCapacity(firstEvents.count)
        for first in firstEvents {
            let id = events[first].item
            guard let index = latest[id] else { continue }
            let event = events[index]
            guard event.kind == .label else { continue }
            guard let item = dataset[id: id] else {
                stale.append(StaleLabel(event: event, reason: .itemGone))
                continue
            }
            guard item.contentHash == event.itemSHA256 else {
                stale.append(StaleLabel(event: event, reason: .itemChanged))
                continue
            }
            current[id] = event
        }
    }

    /// Every event for `item` (labels and retractions), oldest first.
    public func history(of item: String) -> [LabelEvent] {
        var chain: [LabelEvent] = []
        var next = latestForItem[item]
        while let index = next {
            chain.append(events[index])
            next = previousForItem[index]
        }
        return chain.reversed()
    }

    /// The note on each currently labelled item that has one.
    public var notes: [String: String] {
        current.compactMapValues { $0.note.flatMap { $0.isEmpty ? nil : $0 } }
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
            return current[dataset.items[position].id] == nil
        }
    }
}
