import Foundation

/// Runs independent pieces of work on the machine's cores at once and collects their results in order.
///
/// For reading a large file in parts: each part gets its own index and writes only its own slot.
enum ParallelWork {
    /// `body(part)` for each part in `0..<parts`, concurrently; the results in part order.
    static func map<Value>(parts: Int, _ body: @Sendable (Int) -> Value) -> [Value] {
        let slots = Slots<Value>(count: parts)
        if parts == 1 {
            slots.set(0, body(0))
        } else {
            DispatchQueue.concurrentPerform(iterations: parts) { part in slots.set(part, body(part)) }
        }
        return slots.values
    }

    /// How many parts a job of `count` records is worth splitting into: one below `minimum` records a part.
    static func parts(for count: Int, minimum: Int = 10_000) -> Int {
        max(1, min(cores, count / minimum))
    }

    /// The most parts a job is split into: the machine's active cores.
    static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    private final class Slots<Value>: @unchecked Sendable {
        private var slots: [Value?]
        private let lock = NSLock()

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ value: Value) {
            lock.lock()
            slots[index] = value
            lock.unlock()
        }

        var values: [Value] { lock.withLock { slots.compactMap { $0 } } }
    }
}

/// A read-only buffer handed to the parts of a `ParallelWork` job; valid only while its owner keeps it alive,
/// which the job's caller does by waiting for every part.
struct SharedBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
}

/// Elements built apart (on another thread, say) and moved into one array without copying each: a million
/// dataset items copied one by one, every string retained and released, cost a second.
final class ElementBuffer<Element>: @unchecked Sendable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    /// How many elements it holds.
    private(set) var count = 0

    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 1)
        base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Makes room for at least `needed` elements in one allocation (a good estimate up front saves the copies
    /// and fresh pages of doubling).
    func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        let grown = max(needed, capacity * 2)
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: grown)
        larger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity = grown
    }

    func append(_ element: Element) {
        if count == capacity { reserve(count + 1) }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Moves every element of `other` to the end of this one; `other` is left empty.
    func moveAll(from other: ElementBuffer<Element>) {
        reserve(count + other.count)
        (base + count).moveInitialize(from: other.base, count: other.count)
        count += other.count
        other.count = 0
    }

    /// The elements as an array, moved out; the buffer is left empty.
    func takeArray() -> [Element] {
        let moved = count
        count = 0
        return [Element](unsafeUninitializedCapacity: moved) { buffer, initialized in
            if let destination = buffer.baseAddress { destination.moveInitialize(from: base, count: moved) }
            initialized = moved
        }
    }
}
