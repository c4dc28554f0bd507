import Foundation

/// A portable, seeded pseudo-random generator: xoshiro256** (Blackman & Vigna 2018) seeded through SplitMix64,
/// so the same seed gives the same bootstrap on every machine and Swift version.
struct RandomSource: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator for `seed`; `stream` separates independent sequences drawn from one seed.
    init(seed: UInt64, stream: UInt64 = 0) {
        var mix = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = (mix.next(), mix.next(), mix.next(), mix.next())
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { (value << count) | (value >> (64 - count)) }

    /// Uniform on [0, 1) with 53 random bits.
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform on (0, 1), never 0, for logarithms.
    mutating func uniformPositive() -> Double { (Double(next() >> 11) + 0.5) * 0x1.0p-53 }

    /// Binomial(n, p), exactly: inversion when n·p is below 10, otherwise Hörmann's (1993) transformed rejection
    /// with squeeze (BTRS), which takes about one pair of uniforms a draw whatever n is.
    ///
    /// The beta splitting it replaced (Knuth) took two gamma draws for each halving of n: at a million items
    /// the bootstrap of `agreement --ratings` spent most of its time there.
    mutating func binomial(_ trials: Int, _ probability: Double) -> Int {
        guard trials > 0, probability > 0 else { return 0 }
        if probability >= 1 { return trials }
        let flipped = probability > 0.5
        let p = flipped ? 1 - probability : probability
        let successes = Double(trials) * p >= 10 ? transformedRejection(trials, p) : smallBinomial(trials, p)
        return flipped ? trials - successes : successes
    }

    /// BTRS (Hörmann 1993, "The generation of binomial random variates", J. Stat. Comput. Simul. 46), for
    /// n·p ≥ 10 and p ≤ 1/2: a candidate from a transformed uniform, accepted at once inside the squeeze, else by
    /// the exact ratio of binomial probabilities to the mode's (log-factorials through Stirling's series, whose
    /// tail is tabulated below 10 and within 3e-11 above).
    private mutating func transformedRejection(_ n: Int, _ p: Double) -> Int {
        let count = Double(n)
        let spread = (count * p * (1 - p)).squareRoot()
        let b = 1.15 + 2.53 * spread
        let a = -0.0873 + 0.0248 * b + 0.01 * p
        let c = count * p + 0.5
        let squeeze = 0.92 - 4.2 / b
        let odds = p / (1 - p)
        let alpha = (2.83 + 5.1 / b) * spread
        let mode = ((count + 1) * p).rounded(.down)
        while true {
            let u = uniformPositive() - 0.5
            var v = uniformPositive()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + c).rounded(.down)
            if k < 0 || k > count { continue }
            if us >= 0.07 && v <= squeeze { return Int(k) }
            v = log(v * alpha / (a / (us * us) + b))
            let bound = (mode + 0.5) * log((mode + 1) / (odds * (count - mode + 1)))
                + (count + 1) * log((count - mode + 1) / (count - k + 1))
                + (k + 0.5) * log(odds * (count - k + 1) / (k + 1))
                + Self.stirlingTail(mode) + Self.stirlingTail(count - mode) - Self.stirlingTail(k) - Self.stirlingTail(count - k)
            if v <= bound { return Int(k) }
        }
    }

    /// log(k!) − [(k + ½)·log(k + 1) − (k + 1) + ½·log(2π)]: tabulated for k < 10, Stirling's series above.
    private static func stirlingTail(_ k: Double) -> Double {
        if k < 10 { return stirlingTable[Int(k)] }
        let square = (k + 1) * (k + 1)
        return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / square) / square) / (k + 1)
    }

    private static let stirlingTable: [Double] = [
        0.08106146679532726, 0.04134069595540929, 0.02767792568499834, 0.02079067210376509, 0.01664469118982119,
        0.01387612882307075, 0.01189670994589177, 0.01041126526197209, 0.009255462182712733, 0.008330563433362871,
    ]

    /// Inversion by sequential search from 0 (n·p below 10, p ≤ 1/2).
    private mutating func smallBinomial(_ n: Int, _ p: Double) -> Int {
        guard n > 0, p > 0 else { return 0 }
        if p >= 1 { return n }
        // Search from the likelier end so (1 − p)^n cannot underflow.
        if p > 0.5 { return n - smallBinomial(n, 1 - p) }
        let q = 1 - p
        let ratio = p / q
        var probability = pow(q, Double(n))
        var u = uniform()
        var x = 0
        while u > probability, x < n {
            u -= probability
            x += 1
            probability *= ratio * Double(n - x + 1) / Double(x)
            if probability <= 0 { break }
        }
        return x
    }

    /// Multinomial(n, weights/Σweights) by sequential conditional binomials; writes counts into `counts`.
    mutating func multinomial(_ n: Int, weights: [Int], into counts: inout [Int]) {
        var remaining = n
        var remainingWeight = weights.reduce(0, +)
        for index in weights.indices {
            let weight = weights[index]
            guard remaining > 0, weight > 0 else {
                counts[index] = 0
                continue
            }
            // Integer weights keep the last positive state's conditional probability exactly 1.
            let draw = weight >= remainingWeight ? remaining : binomial(remaining, Double(weight) / Double(remainingWeight))
            counts[index] = draw
            remaining -= draw
            remainingWeight -= weight
        }
    }

    /// A uniform integer in 0..<bound (Lemire's multiply-shift; the tiny bias is irrelevant for resampling).
    mutating func index(below bound: Int) -> Int {
        Int(UInt64(bound).multipliedFullWidth(by: next()).high)
    }
}

/// Walker's alias table (Vose 1991) for O(1) categorical draws over states with integer weights.
///
/// Used when a state space is barely compressed (distinct patterns nearly as many as items, e.g. ten raters):
/// there the N categorical draws of a multinomial cost less than a chain of one binomial per state.
struct AliasTable: Sendable {
    private var threshold: [Double]
    private var alias: [Int32]

    init(weights: [Int]) {
        let count = weights.count
        let total = Double(weights.reduce(0, +))
        threshold = [Double](repeating: 1, count: count)
        alias = (0..<count).map { Int32($0) }
        guard count > 0, total > 0 else { return }
        var scaled = weights.map { Double($0) * Double(count) / total }
        var small: [Int] = [], large: [Int] = []
        for index in 0..<count { if scaled[index] < 1 { small.append(index) } else { large.append(index) } }
        while let light = small.popLast() {
            guard let heavy = large.last else {
                threshold[light] = 1
                continue
            }
            threshold[light] = scaled[light]
            alias[light] = Int32(heavy)
            scaled[heavy] -= 1 - scaled[light]
            if scaled[heavy] < 1 {
                large.removeLast()
                small.append(heavy)
            }
        }
        for heavy in large { threshold[heavy] = 1 }
    }

    /// Multinomial(n, weights) as n alias draws, written into `counts`.
    func multinomial(_ n: Int, random: inout RandomSource, into counts: inout [Int]) {
        for index in counts.indices { counts[index] = 0 }
        let count = threshold.count
        guard count > 0 else { return }
        for _ in 0..<n {
            let column = random.index(below: count)
            let chosen = random.uniform() < threshold[column] ? column : Int(alias[column])
            counts[chosen] += 1
        }
    }
}
