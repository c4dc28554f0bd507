import Foundation

/// Where each item id sits in a dataset: the lookup every replay, queue and export makes from a label's item id to
/// the item.
///
/// A dataset read from its file builds a dictionary while it checks the ids for duplicates. A dataset made in memory
/// (an import) gets an open-addressing table over its ids (`init(ids:)`), the same table the study index stores
/// ready-made (`slots`), so a million ids are not hashed and inserted again on every command; a lookup hashes the id
/// once (FNV-1a) and confirms the id it finds.
public struct ItemPositions: Sendable {
    private enum Storage: Sendable {
        case dictionary([String: Int])
        /// `slots[hash & mask]` onwards (linearly): position + 1 of an item with that hash, 0 for empty.
        case table(slots: [UInt32], ids: [String])
    }

    private let storage: Storage

    /// Positions held in a dictionary.
    public init(_ dictionary: [String: Int]) {
        storage = .dictionary(dictionary)
    }

    /// The positions of `ids` (position = index in `ids`; an id given twice is at its first place), in a table
    /// built for them (`slots(for:)`).
    public init(ids: [String]) {
        storage = .table(slots: Self.slots(for: ids), ids: ids)
    }

    /// Positions in the index's table over `ids` (position = index in `ids`); nil when the table is not one for
    /// these ids (a damaged index).
    init?(slots: [UInt32], ids: [String]) {
        guard slots.count >= ids.count, slots.count.nonzeroBitCount == 1 else { return nil }
        storage = .table(slots: slots, ids: ids)
    }

    /// The position of the item with this id.
    public subscript(id: String) -> Int? {
        switch storage {
        case .dictionary(let dictionary):
            return dictionary[id]
        case .table(let slots, let ids):
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: Self.hash(id)) & mask
            for _ in 0..<slots.count {
                let entry = Int(slots[slot])
                if entry == 0 { return nil }
                if ids[entry - 1] == id { return entry - 1 }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    /// The table for `ids`: twice as many slots as ids, rounded up to a power of two; an id given twice gets the
    /// slot of its first place only.
    static func slots(for ids: [String]) -> [UInt32] {
        var size = 1
        while size < ids.count * 2 { size <<= 1 }
        var slots = [UInt32](repeating: 0, count: size)
        let mask = size - 1
        for (position, id) in ids.enumerated() {
            var slot = Int(truncatingIfNeeded: hash(id)) & mask
            var seen = false
            while slots[slot] != 0 {
                if ids[Int(slots[slot]) - 1] == id { seen = true; break }
                slot = (slot + 1) & mask
            }
            if !seen { slots[slot] = UInt32(position + 1) }
        }
        return slots
    }

    /// The table's slots when these positions are a table over exactly `ids` (the study index stores them
    /// instead of building them again).
    func slots(ifOver ids: [String]) -> [UInt32]? {
        guard case .table(let slots, let own) = storage, own.count == ids.count, own == ids else { return nil }
        return slots
    }

    @inline(__always)
    private static func hash(_ id: String) -> UInt64 {
        var id = id
        return id.withUTF8 { StableHash.fnv1a($0) }
    }
}
