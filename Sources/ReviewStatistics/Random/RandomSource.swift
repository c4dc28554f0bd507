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

    /// Standard normal by Marsaglia's polar method.
    mutating func normal() -> Double {
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0, s < 1 { return u * (-2 * log(s) / s).squareRoot() }
        }
    }

    /// Gamma(shape, 1) for shape ≥ 1 by Marsaglia & Tsang (2000).
    mutating func gamma(shape: Double) -> Double {
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniformPositive()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// Binomial(n, p), exactly: inversion when n·p is small, otherwise Knuth's (TAOCP vol. 2, 3.4.1)
    /// beta splitting, which halves n per step with the order statistic of a uniform sample.
    mutating func binomial(_ trials: Int, _ probability: Double) -> Int {
        var n = trials, p = probability, base = 0
        guard n > 0, p > 0 else { return 0 }
        if p >= 1 { return n }
        var flipped = false
        if p > 0.5 {
            p = 1 - p
            flipped = true
        }
        while n > 0, Double(n) * p >= 30 {
            let a = 1 + n / 2, b = n + 1 - a
            let ga = gamma(shape: Double(a)), gb = gamma(shape: Double(b))
            let x = ga / (ga + gb)
            if x >= p {
                n = a - 1
                p /= x
            } else {
                base += a
                n = b - 1
                p = (p - x) / (1 - x)
            }
        }
        let successes = base + smallBinomial(n, p)
        return flipped ? trials - successes : successes
    }

    /// Inversion by sequential search from 0 (n·p below 30, p ≤ 1/2 or close to it).
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
