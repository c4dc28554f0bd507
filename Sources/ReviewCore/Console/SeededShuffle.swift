/// A small, portable pseudo-random generator (SplitMix64): the same seed gives the same numbers everywhere.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (bound > 0), by the multiply-high method (no platform-dependent library code).
    public mutating func below(_ bound: UInt64) -> UInt64 {
        next().multipliedFullWidth(by: bound).high
    }
}

/// Fisher–Yates shuffles driven by `SplitMix64`, reproducible on every machine and Swift version.
public enum SeededShuffle {
    /// `0..<count` shuffled with `seed`.
    public static func positions(count: Int, seed: UInt64) -> [Int] {
        var result = Array(0..<max(0, count))
        guard result.count > 1 else { return result }
        var generator = SplitMix64(seed: seed)
        for index in stride(from: result.count - 1, to: 0, by: -1) {
            let other = Int(generator.below(UInt64(index + 1)))
            result.swapAt(index, other)
        }
        return result
    }
}
