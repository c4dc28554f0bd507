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

    /// Starts `work` on another core now; its result is waited for when asked (`Pending.value`). For work that
    /// can run beside whatever the caller does next, a `ParallelWork.map` of the caller's included.
    public static func begin<Value: Sendable>(_ work: @escaping @Sendable () -> Value) -> Pending<Value> {
        let pending = Pending<Value>()
        pending.group.enter()
        DispatchQueue.global().async {
            pending.set(work())
            pending.group.leave()
        }
        return pending
    }

    /// The result of work started by `begin`.
    public final class Pending<Value: Sendable>: @unchecked Sendable {
        fileprivate let group = DispatchGroup()
        private let lock = NSLock()
        private var result: Value?

        fileprivate init() {}

        fileprivate func set(_ value: Value) { lock.withLock { result = value } }

        /// The work's result, waited for (set by the work before it finishes; nil only if it never ran).
        public var value: Value? {
            group.wait()
            return lock.withLock { result }
        }
    }

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
