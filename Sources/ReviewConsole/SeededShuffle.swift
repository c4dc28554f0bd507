import ReviewCore
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
