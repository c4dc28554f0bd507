import Foundation
import ReviewCore

/// The one queue of a console's records on their way to the log: strictly in order, one write in flight.
///
/// A record joins the queue when the rater gives it and leaves only when the loop reports it durable; a failed
/// write stays at the head, marked, and is handed out again on the next key. The store keeps nothing of a failed
/// write, so this queue is the only place an unsaved record lives.
public struct WriteQueue<Record: ConsoleRecord>: Sendable {
    /// Where one record's write stands.
    public enum Status: Sendable, Equatable {
        /// Waiting behind an earlier record.
        case queued
        /// Handed to the loop; no outcome yet.
        case writing
        /// The last attempt failed with this message.
        case failed(String)
    }

    /// A record and where its write stands.
    public struct Entry: Sendable, Equatable {
        /// The record to write.
        public var record: Record
        /// Where its write stands.
        public var status: Status
    }

    /// Records not yet durable, oldest first.
    public private(set) var entries: [Entry] = []
    /// How many entries each item has, so screens never scan the queue.
    private var perItem: [String: Int] = [:]
    /// Entries whose last write failed.
    public private(set) var failedCount = 0

    /// An empty queue.
    public init() {}

    /// Whether every record is durable.
    public var isEmpty: Bool { entries.isEmpty }
    /// Records not yet durable.
    public var count: Int { entries.count }
    /// The records not yet durable, oldest first.
    public var records: [Record] { entries.map(\.record) }

    /// Queues a record behind the others.
    public mutating func enqueue(_ record: Record) {
        entries.append(Entry(record: record, status: .queued))
        perItem[record.item, default: 0] += 1
    }

    /// The head to hand to the loop, when nothing is in flight (a failed head is handed out again).
    public mutating func nextWrite() -> Record? {
        guard let head = entries.first else { return nil }
        if case .writing = head.status { return nil }
        if case .failed = head.status { failedCount -= 1 }
        entries[0].status = .writing
        return head.record
    }

    /// The loop reports the record in flight durable: it leaves the queue and is returned.
    @discardableResult
    public mutating func markSaved(itemID: String) -> Record? {
        guard let head = entries.first, head.record.item == itemID else { return nil }
        if case .failed = head.status { failedCount -= 1 }
        entries.removeFirst()
        let remaining = (perItem[itemID] ?? 1) - 1
        perItem[itemID] = remaining > 0 ? remaining : nil
        return head.record
    }

    /// The loop reports the write in flight failed: the record stays at the head, marked failed.
    @discardableResult
    public mutating func markFailed(itemID: String, message: String) -> Record? {
        guard let head = entries.first, head.record.item == itemID else { return nil }
        if case .failed = head.status {} else { failedCount += 1 }
        entries[0].status = .failed(message)
        return head.record
    }

    /// The latest entry for an item, if any.
    public func latest(for itemID: String) -> Entry? {
        guard (perItem[itemID] ?? 0) > 0 else { return nil }
        return entries.last { $0.record.item == itemID }
    }

    /// The first failed entry's message.
    public var firstFailure: String? {
        for entry in entries { if case .failed(let message) = entry.status { return message } }
        return nil
    }
}
