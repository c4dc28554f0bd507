import Foundation
import Testing
import ReviewUI

/// Compares a rendered screen with a text file under `Tests/ReviewUITests/Snapshots/`.
///
/// A missing baseline is written and the test fails with "recorded new baseline"; with the environment
/// variable `RECORD_SNAPSHOTS=1` every baseline is re-recorded (and the test passes).
enum Snapshot {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    static func text(of grid: Grid) -> String {
        grid.lines.joined(separator: "\n") + "\n"
    }

    static func check(_ grid: Grid, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let file = folder.appendingPathComponent("\(name).txt")
        let actual = text(of: grid)
        let recording = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
        guard !recording, let expected = try? String(contentsOf: file, encoding: .utf8) else {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try actual.write(to: file, atomically: true, encoding: .utf8)
            } catch {
                Issue.record("cannot write baseline \(file.path): \(error)", sourceLocation: sourceLocation)
                return
            }
            if !recording {
                Issue.record("recorded new baseline \(file.lastPathComponent); check it and run again", sourceLocation: sourceLocation)
            }
            return
        }
        guard expected != actual else { return }
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var report = "snapshot \(name) differs (RECORD_SNAPSHOTS=1 re-records):"
        var shown = 0
        for index in 0..<max(expectedLines.count, actualLines.count) where shown < 6 {
            let e = index < expectedLines.count ? String(expectedLines[index]) : "<none>"
            let a = index < actualLines.count ? String(actualLines[index]) : "<none>"
            if e != a {
                report += "\n  line \(index + 1)\n    expected: \(e)\n    actual:   \(a)"
                shown += 1
            }
        }
        Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
    }
}
