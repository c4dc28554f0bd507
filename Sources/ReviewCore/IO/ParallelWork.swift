import Foundation
import ReviewStatistics

/// A read-only buffer handed to the parts of a `ParallelWork` job; valid only while its owner keeps it alive,
/// which the job's caller does by waiting for every part.
public struct SharedBytes: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer

    public init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
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
