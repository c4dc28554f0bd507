import Foundation

/// The numeric positions of the categories and the weight and distance matrices built on them.
///
/// Categories that all parse as numbers keep their values (so a ratio scale keeps its origin);
/// otherwise category `i` sits at `i + 1`, which keeps the order and makes the ratio metric defined.
struct CategoryScale: Sendable, Equatable {
    /// One position per category, in category order.
    var values: [Double]

    /// The number of categories.
    var count: Int { values.count }

    init(categories: [String]) {
        let parsed = categories.map(CategoryNumber.value)
        if !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) {
            values = parsed.compactMap { $0 }
        } else {
            values = categories.indices.map { Double($0 + 1) }
        }
    }

    init(values: [Double]) {
        self.values = values
    }

    /// Weights with 1 on the diagonal and 0 elsewhere: the unweighted coefficients.
    static func identity(_ q: Int) -> [Double] {
        var weights = [Double](repeating: 0, count: q * q)
        for k in 0..<q { weights[k * q + k] = 1 }
        return weights
    }

    /// Linear weights 1 − |x_k − x_l| / (x_max − x_min) (Cicchetti & Allison 1971; Gwet 2014).
    func linearWeights() -> [Double] {
        let range = spread()
        return matrix { k, l in range > 0 ? 1 - abs(values[k] - values[l]) / range : (k == l ? 1 : 0) }
    }

    /// Quadratic weights 1 − (x_k − x_l)² / (x_max − x_min)² (Fleiss & Cohen 1973; Gwet 2014).
    func quadraticWeights() -> [Double] {
        let range = spread()
        return matrix { k, l in
            range > 0 ? 1 - (values[k] - values[l]) * (values[k] - values[l]) / (range * range) : (k == l ? 1 : 0)
        }
    }

    /// Gwet's (2014) ordinal weights: 1 − C(|k−l|+1, 2) / max, on category ranks (not Krippendorff's ordinal metric).
    func gwetOrdinalWeights() -> [Double] {
        let q = count
        let raw = matrix { k, l in
            let span = Double(abs(k - l) + 1)
            return span * (span - 1) / 2
        }
        let largest = raw.max() ?? 0
        guard q > 1, largest > 0 else { return Self.identity(q) }
        return raw.map { 1 - $0 / largest }
    }

    /// Gwet's (2014) ratio weights: 1 − ((x_k − x_l)/(x_k + x_l))² / ((x_max − x_min)/(x_max + x_min))².
    func ratioWeights() -> [Double] {
        guard let low = values.min(), let high = values.max(), high + low != 0, high != low else {
            return Self.identity(count)
        }
        let scale = ((high - low) / (high + low)) * ((high - low) / (high + low))
        return matrix { k, l in
            if k == l { return 1 }
            let sum = values[k] + values[l]
            guard sum != 0 else { return 0 }
            let ratio = (values[k] - values[l]) / sum
            return 1 - ratio * ratio / scale
        }
    }

    /// The weights Gwet's AC2 uses at a measurement level (nominal: identity).
    func weights(for level: MeasurementLevel) -> [Double] {
        switch level {
        case .nominal: return Self.identity(count)
        case .ordinal: return gwetOrdinalWeights()
        case .interval: return quadraticWeights()
        case .ratio: return ratioWeights()
        }
    }

    private func spread() -> Double {
        guard let low = values.min(), let high = values.max() else { return 0 }
        return high - low
    }

    private func matrix(_ entry: (Int, Int) -> Double) -> [Double] {
        let q = count
        var result = [Double](repeating: 0, count: q * q)
        for k in 0..<q {
            for l in 0..<q { result[k * q + l] = entry(k, l) }
        }
        return result
    }
}

/// Krippendorff's difference functions δ²(c, k) for alpha (Krippendorff 2004, ch. 11; 2011).
enum KrippendorffMetric: Sendable, Equatable {
    case nominal, ordinal, interval, ratio
    /// A given q×q distance matrix, row-major (e.g. 1 − a weight matrix).
    case custom([Double])

    init(_ level: MeasurementLevel) {
        switch level {
        case .nominal: self = .nominal
        case .ordinal: self = .ordinal
        case .interval: self = .interval
        case .ratio: self = .ratio
        }
    }

    /// The q×q distance matrix; the ordinal metric needs the pairable-value totals `marginals`.
    func distances(scale: CategoryScale, marginals: [Double]) -> [Double] {
        let q = scale.count
        var result = [Double](repeating: 0, count: q * q)
        for c in 0..<q {
            for k in 0..<q where c != k {
                let value: Double
                switch self {
                case .nominal:
                    value = 1
                case .interval:
                    let difference = scale.values[c] - scale.values[k]
                    value = difference * difference
                case .ratio:
                    let sum = scale.values[c] + scale.values[k]
                    let ratio = sum == 0 ? 0 : (scale.values[c] - scale.values[k]) / sum
                    value = ratio * ratio
                case .ordinal:
                    // Ranks, not values: the total of pairable values from c through k, minus half the ends.
                    let low = min(c, k), high = max(c, k)
                    var between = 0.0
                    for g in low...high { between += marginals[g] }
                    let span = between - (marginals[c] + marginals[k]) / 2
                    value = span * span
                case .custom(let matrix):
                    value = matrix.count == q * q ? matrix[c * q + k] : 1
                }
                result[c * q + k] = value
            }
        }
        return result
    }
}

/// The one rule for when a category name is a number (for ordering and for interval and ratio metrics).
///
/// A plain decimal (`3`, `-1.5`, `2e3`) that is finite; not `nan`, `inf`, `1e400` (which overflows), or the hex
/// and other forms `Double.init` also accepts.
public enum CategoryNumber {
    /// The category's value when it is such a number, else nil.
    public static func value(_ name: String) -> Double? {
        let text = name.trimmedOfWhitespace
        var digits = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9": digits += 1
            case "+", "-", ".", "e", "E": continue
            default: return nil
            }
        }
        guard digits > 0, let number = Double(text), number.isFinite else { return nil }
        return number
    }
}
