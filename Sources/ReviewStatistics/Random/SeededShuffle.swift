// The one shuffle of the tool: Fisher–Yates on SplitMix64, so a recorded seed gives the same order on every machine
// and every Swift version (the standard library's `shuffle(using:)` and `random(in:using:)` promise neither).

extension SplitMix64 {
    /// `array` put in a uniformly random order (Fisher–Yates, from the last place down).
    public mutating func shuffle<Element>(_ array: inout [Element]) {
        guard array.count > 1 else { return }
        for index in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(index, Int(below(UInt64(index + 1))))
        }
    }

    /// A copy of `array` in a uniformly random order.
    public mutating func shuffled<Element>(_ array: [Element]) -> [Element] {
        var copy = array
        shuffle(&copy)
        return copy
    }

    /// Makes the first `count` places of `array` a uniform sample without replacement (a partial Fisher–Yates
    /// shuffle from the front); the rest is what was not drawn.
    public mutating func drawPrefix<Element>(_ array: inout [Element], count: Int) {
        for place in 0..<min(count, array.count) {
            array.swapAt(place, place + Int(below(UInt64(array.count - place))))
        }
    }

    /// A whole number in `range`, uniformly.
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(below(UInt64(range.upperBound - range.lowerBound) + 1))
    }
}

/// Seeded orders of item positions (the console's `--order shuffled`).
public enum SeededShuffle {
    /// `0..<count` shuffled with `seed`.
    public static func positions(count: Int, seed: UInt64) -> [Int] {
        var generator = SplitMix64(seed: seed)
        return generator.shuffled(Array(0..<max(0, count)))
    }
}
