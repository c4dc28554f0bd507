import Foundation
import Testing
@testable import ReviewCore

@Suite("Timestamp rounding")
struct TimestampTests {
    @Test("fractions round to the nearest millisecond", arguments: [
        (1_700_000_000.125, "2023-11-14T22:13:20.125Z"),
        (1_700_000_000.999, "2023-11-14T22:13:20.999Z"),
        (1_700_000_000.9996, "2023-11-14T22:13:21.000Z"),
        (1_700_000_000.0005, "2023-11-14T22:13:20.001Z"),
        (1_700_000_000.0004, "2023-11-14T22:13:20.000Z"),
        (1_700_000_000.001, "2023-11-14T22:13:20.001Z"),
        (1_794_819_600.0, "2026-11-16T09:00:00.000Z"),
        (1_794_819_659.9999, "2026-11-16T09:01:00.000Z"),
        (-0.25, "1969-12-31T23:59:59.750Z"),
    ])
    func rounding(seconds: Double, expected: String) {
        #expect(Timestamp.format(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("a formatted time parses back to the same millisecond and formats identically")
    func roundTrip() throws {
        for seconds in [1_700_000_000.125, 1_700_000_000.999, 1_794_924_013.457] {
            let text = Timestamp.format(Date(timeIntervalSince1970: seconds))
            let parsed = try #require(Timestamp.parse(text))
            #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.0005)
            #expect(Timestamp.format(parsed) == text)
        }
    }
}
