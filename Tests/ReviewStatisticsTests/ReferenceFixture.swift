import Foundation
@testable import ReviewStatistics

/// One published agreement example from Fixtures/agreement-refs (copied from ../shared/agreement-refs).
struct ReferenceFixture: Sendable {
    var id: String
    var categories: [String]
    /// Raters × items category indices, `RatingTable.missing` for null.
    var data: [[Int32]]
    /// The source published a two-rater contingency table (complete data, two raters).
    var hasTable: Bool
    var customDistance: [Double]?
    /// Key → (printed value, tolerance).
    var expected: [String: (value: Double, tolerance: Double)]

    /// The fixture folder, found from this file's path so tests run from any working directory.
    static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/agreement-refs")

    /// Every fixture, loaded once.
    static let all: [String: ReferenceFixture] = {
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        var result: [String: ReferenceFixture] = [:]
        for file in files where file.pathExtension == "json" {
            if let fixture = try? ReferenceFixture(contentsOf: file) { result[fixture.id] = fixture }
        }
        return result
    }()

    init(contentsOf url: URL) throws {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        guard let json = object as? [String: Any], let id = json["id"] as? String,
              let rawCategories = json["categories"] as? [Any], let rawData = json["data"] as? [[Any]],
              let rawExpected = json["expected"] as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.lastPathComponent])
        }
        self.id = id
        categories = rawCategories.map(Self.label)
        data = rawData.map { row in
            row.map { cell in
                if cell is NSNull { return RatingTable.missing }
                return Int32(rawCategories.map(Self.label).firstIndex(of: Self.label(cell)) ?? -2)
            }
        }
        hasTable = json["table"] != nil
        customDistance = (json["custom_distance"] as? [[NSNumber]]).map { $0.flatMap { $0.map(\.doubleValue) } }
        let tolerances = json["tolerance"] as? [String: Any] ?? [:]
        var expected: [String: (Double, Double)] = [:]
        for (key, raw) in rawExpected {
            guard let number = raw as? NSNumber else { continue }
            let tolerance = (tolerances[key] as? NSNumber)?.doubleValue ?? Self.halfLastDigit(number.doubleValue)
            expected[key] = (number.doubleValue, tolerance)
        }
        self.expected = expected
    }

    /// A category or rating as text ("1" for the number 1, "1.5" for 1.5).
    static func label(_ value: Any) -> String {
        if let text = value as? String { return text }
        if let number = value as? NSNumber {
            let double = number.doubleValue
            return double == double.rounded() ? String(Int(double)) : String(double)
        }
        return "\(value)"
    }

    /// Half a unit in the last printed digit of `value` (the README's default tolerance).
    static func halfLastDigit(_ value: Double) -> Double {
        let printed = "\(value)"
        guard let dot = printed.firstIndex(of: "."), !printed.contains("e") else { return 0.5 }
        let decimals = printed.distance(from: dot, to: printed.endIndex) - 1
        return 0.5 * pow(10, -Double(decimals))
    }

    /// The ratings as an engine table (items i1…, raters r1…).
    var table: RatingTable {
        let raterCount = data.count
        let itemCount = data.first?.count ?? 0
        var codes = [Int32](repeating: RatingTable.missing, count: raterCount * itemCount)
        for rater in 0..<raterCount {
            for item in 0..<itemCount { codes[item * raterCount + rater] = data[rater][item] }
        }
        return RatingTable(items: (1...max(itemCount, 1)).prefix(itemCount).map { "i\($0)" },
                           raters: (1...max(raterCount, 1)).prefix(raterCount).map { "r\($0)" },
                           categories: categories, codes: codes)
    }
}

/// One printed value to reproduce: a test case.
struct ReferenceExpectation: Sendable, CustomStringConvertible {
    var fixture: String
    var key: String
    var value: Double
    var tolerance: Double
    var description: String { "\(fixture) \(key) = \(value) ± \(tolerance)" }

    static let all: [ReferenceExpectation] = ReferenceFixture.all.values
        .flatMap { fixture in fixture.expected.map { ReferenceExpectation(fixture: fixture.id, key: $0.key, value: $0.value.value, tolerance: $0.value.tolerance) } }
        .sorted { ($0.fixture, $0.key) < ($1.fixture, $1.key) }
}
