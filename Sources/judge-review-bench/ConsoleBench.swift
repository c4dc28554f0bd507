// The label console's first frame on an existing study, repeated, so two builds can be compared on one machine
// in one run (the dataset benchmark makes its study first and times the first frame once).
//   swift run -c release judge-review-bench console --study DIR [--rater NAME] [--runs N]
import Foundation
import ReviewCore
import ReviewConsole
import ReviewUI
import TerminalBackend

/// Times the console's first frame (read the dataset, open the log, replay, render, draw) `runs` times.
enum ConsoleBench {
    static func run(_ arguments: [String]) {
        let usage = "judge-review-bench console --study DIR [--rater NAME] [--runs N]"
        guard let values = BenchArguments.values(arguments, names: ["--study", "--rater", "--runs"], usage: usage) else { return }
        guard let studyPath = values["--study"] else {
            print("usage: \(usage)")
            return
        }
        let rater = values["--rater"] ?? "annotator_1"
        let runs = max(1, values["--runs"].flatMap { Int($0) } ?? 5)
        let study = Study(folder: URL(fileURLWithPath: studyPath, isDirectory: true))
        var samples: [Double] = []
        do {
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                let opened = try ConsoleFirstFrame.open(study: study, rater: rater, size: TerminalSize(columns: 200, rows: 60))
                opened.terminal.stop()
                opened.log.close()
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
        } catch {
            print("console benchmark failed: \(error)")
            return
        }
        let sorted = samples.sorted()
        print(String(format: "label: first frame at 200x60, %d runs: min %.2f s, median %.2f s, max %.2f s", runs,
                     sorted[0], sorted[sorted.count / 2], sorted[sorted.count - 1]))
    }
}
