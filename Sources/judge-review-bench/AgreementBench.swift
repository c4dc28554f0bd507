import Foundation
import ReviewStatistics
import ReviewCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Agreement benchmarks: generated rating tables, wall time and peak memory per coefficient and bootstrap.
///
///     swift run -c release judge-review-bench agreement [--resamples 1000] [--seed 1] [--write-csv DIR]
///                                                       [--only 3x1000000|10x100000] [--full]
///
/// Tables: 3 raters × 1,000,000 items and 10 raters × 100,000 items, 3 categories, 10% missing ratings.
/// `--write-csv DIR` writes them as `item,r1,r2,...` (empty cell = missing) for the Python comparison script.
/// `--full` also times the whole summary (all coefficients, every pair, Conger's kappa) with the bootstrap.
enum AgreementBench {
    /// One benchmark table shape.
    struct Shape {
        var raters: Int
        var items: Int
        var name: String { "\(raters)x\(items)" }
    }

    static let shapes = [Shape(raters: 3, items: 1_000_000), Shape(raters: 10, items: 100_000)]

    static func run(_ arguments: [String]) {
        var resamples = 1000, seed: UInt64 = 1, csvFolder: String?, only: String?, full = false
        var index = 0
        func next() -> String? {
            index += 1
            return index < arguments.count ? arguments[index] : nil
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--resamples": resamples = next().flatMap { Int($0) } ?? resamples
            case "--seed": seed = next().flatMap { UInt64($0) } ?? seed
            case "--write-csv": csvFolder = next()
            case "--only": only = next()
            case "--full": full = true
            default:
                print("unknown option \(arguments[index]); options: --resamples N --seed N --write-csv DIR --only 3x1000000|10x100000 --full")
                exit(2)
            }
            index += 1
        }
        print("agreement benchmark: 3 categories, 10% missing, seed \(seed), \(resamples) resamples")
        for shape in shapes where only == nil || only == shape.name {
            var clock = Stopwatch()
            let table = generate(shape, seed: seed)
            clock.lap("\(shape.name) generate table")
            if let csvFolder {
                do {
                    let path = try writeCSV(table, folder: csvFolder, name: "agreement-\(shape.name).csv")
                    clock.lap("\(shape.name) write \(path)")
                } catch {
                    print("error: cannot write CSV to \(csvFolder): \(error)")
                    exit(1)
                }
            }
            let nominal = AgreementOptions(level: .nominal)
            let alpha = AgreementEngine.summarize(table, options: nominal, only: [.krippendorffAlpha], includePairs: false)
            clock.lap("\(shape.name) krippendorff alpha = \(format(alpha.overall[.krippendorffAlpha]?.value))")
            let fleiss = AgreementEngine.summarize(table, options: nominal, only: [.fleissKappa], includePairs: false)
            clock.lap("\(shape.name) fleiss kappa = \(format(fleiss.overall[.fleissKappa]?.value))")
            let bootstrapOptions = AgreementOptions(level: .nominal, resamples: resamples, seed: seed)
            let both = AgreementEngine.summarize(table, options: bootstrapOptions, only: [.krippendorffAlpha, .fleissKappa], includePairs: false)
            let interval = both.overall[.krippendorffAlpha]
            clock.lap("\(shape.name) bootstrap \(resamples)x alpha+fleiss, alpha CI [\(format(interval?.ciLow)), \(format(interval?.ciHigh))]")
            if full {
                let conger = AgreementEngine.summarize(table, options: bootstrapOptions, only: [.congerKappa], includePairs: false)
                clock.lap("\(shape.name) conger kappa \(format(conger.overall[.congerKappa]?.value)) + \(resamples)x bootstrap")
                let pairs = AgreementEngine.summarize(table, options: bootstrapOptions, only: [], includePairs: true)
                clock.lap("\(shape.name) \(pairs.pairs.count) pairs, every two-rater coefficient + \(resamples)x bootstrap")
                let summary = AgreementEngine.summarize(table, options: bootstrapOptions)
                clock.lap("\(shape.name) full summary (overall + pairs + conger) + \(resamples)x bootstrap")
                _ = summary
            }
        }
    }

    /// Items with a latent true category; each rater reports it with probability 0.7, else a uniform category;
    /// each rating is missing with probability 0.1. Deterministic for a seed (SplitMix64).
    static func generate(_ shape: Shape, seed: UInt64) -> RatingTable {
        var generator = SplitMix64(seed: seed)
        func random() -> Double { Double(generator.next() >> 11) * 0x1.0p-53 }
        var codes = [Int32](repeating: RatingTable.missing, count: shape.raters * shape.items)
        for item in 0..<shape.items {
            let truth = Int32(random() * 3)
            for rater in 0..<shape.raters {
                if random() < 0.1 { continue }
                codes[item * shape.raters + rater] = random() < 0.7 ? truth : Int32(random() * 3)
            }
        }
        return RatingTable(items: (0..<shape.items).map { "item\($0)" }, raters: (1...shape.raters).map { "r\($0)" },
                           categories: ["0", "1", "2"], codes: codes)
    }

    /// Writes `item,r1,...` rows (empty cell for missing) atomically; returns the path.
    static func writeCSV(_ table: RatingTable, folder: String, name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var text = "item," + table.raters.joined(separator: ",") + "\n"
        text.reserveCapacity(table.items.count * (table.raters.count * 2 + 12))
        let r = table.raters.count
        for (row, item) in table.items.enumerated() {
            text += item
            for rater in 0..<r {
                text += ","
                let code = table.codes[row * r + rater]
                if code >= 0 { text += table.categories[Int(code)] }
            }
            text += "\n"
        }
        let url = URL(fileURLWithPath: folder).appendingPathComponent(name)
        try AtomicFile.write(Data(text.utf8), to: url)
        return url.path
    }

    static func format(_ value: Double?) -> String {
        guard let value else { return "null" }
        return String(format: "%.6f", value)
    }

    /// Wall-clock laps with the process's peak resident memory.
    struct Stopwatch {
        var start = Date()

        mutating func lap(_ label: String) {
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "%-90@ %8.3f s   peak RSS %7.1f MB", label as NSString, seconds, peakMegabytes()))
            start = Date()
        }

        /// getrusage ru_maxrss (kilobytes on Linux, bytes on macOS).
        func peakMegabytes() -> Double {
            var usage = rusage()
            #if os(Linux)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            return Double(usage.ru_maxrss) / 1024
            #else
            getrusage(RUSAGE_SELF, &usage)
            return Double(usage.ru_maxrss) / 1_048_576
            #endif
        }
    }
}
