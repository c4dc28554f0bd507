import Foundation

/// Runs independent pieces of work on the machine's cores at once and collects their results in order.
///
/// For reading a large file in parts, or for independent bootstraps: each part gets its own index and writes only
/// its own slot, so the results do not depend on the order the parts finish in.
public enum ParallelWork {
    /// `body(part)` for each part in `0..<parts`, concurrently; the results in part order.
    public static func map<Value>(parts: Int, _ body: @Sendable (Int) -> Value) -> [Value] {
        let slots = Slots<Value>(count: parts)
        if parts == 1 {
            slots.set(0, body(0))
        } else if parts > 1 {
            DispatchQueue.concurrentPerform(iterations: parts) { part in slots.set(part, body(part)) }
        }
        return slots.values
    }

    /// How many parts a job of `count` records is worth splitting into: one below `minimum` records a part.
    public static func parts(for count: Int, minimum: Int = 10_000) -> Int {
        max(1, min(cores, count / minimum))
    }

    /// The most parts a job is split into: the machine's active cores.
    public static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

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
