import Foundation
import ReviewCore

/// Annotation store benchmarks: time per durable append (write + fsync) and time to open and replay a log.
enum StoreBench {
    /// `store [--count N] [--folder DIR]`: appends N labels to a fresh log in DIR (default: a temporary folder).
    static func run(_ arguments: [String]) {
        var count = 1000
        var folderPath: String?
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--count" where index + 1 < arguments.count: count = Int(arguments[index + 1]) ?? count; index += 1
            case "--folder" where index + 1 < arguments.count: folderPath = arguments[index + 1]; index += 1
            default: print("unknown option \(arguments[index])"); return
            }
            index += 1
        }
        let base = folderPath.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FileManager.default.temporaryDirectory
        let folder = base.appendingPathComponent("store-bench-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let log = try RaterLog(folder: folder, rater: "bench")
            var times: [Double] = []
            times.reserveCapacity(count)
            for number in 0..<count {
                let event = LabelEvent(
                    item: "item-\(number)", itemSHA256: String(repeating: "a", count: 64), rater: "bench", answer: "yes",
                    verdict: .inappropriate, judgeAgreement: .agree, mode: .blind, judgeSeenFirst: false,
                    note: "a short note", at: Date(), ms: 1234)
                let start = DispatchTime.now().uptimeNanoseconds
                try log.append(event)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            log.close()
            times.sort()
            func percentile(_ p: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * p))] }
            let mean = times.reduce(0, +) / Double(times.count)
            print(String(format: "append+fsync on %@: %d appends, mean %.3f ms, median %.3f ms, p99 %.3f ms, max %.3f ms",
                         base.path, count, mean, percentile(0.5), percentile(0.99), times.last ?? 0))
            let start = DispatchTime.now().uptimeNanoseconds
            let reopened = try RaterLog(folder: folder, rater: "bench")
            let openMs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            print(String(format: "open + read of a %d-line log: %.1f ms", reopened.events.count, openMs))
        } catch {
            print("store benchmark failed: \(error)")
        }
    }
}
