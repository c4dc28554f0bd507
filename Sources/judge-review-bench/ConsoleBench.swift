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
        var studyPath: String?
        var rater = "annotator_1"
        var runs = 5
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--study": studyPath = value
            case "--rater": rater = value
            case "--runs": runs = max(1, Int(value) ?? runs)
            default:
                print("usage: judge-review-bench console --study DIR [--rater NAME] [--runs N]")
                return
            }
            index += 2
        }
        guard let studyPath else {
            print("usage: judge-review-bench console --study DIR [--rater NAME] [--runs N]")
            return
        }
        let study = Study(folder: URL(fileURLWithPath: studyPath, isDirectory: true))
        var samples: [Double] = []
        do {
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                let dataset = try study.dataset()
                let log = try RaterLog(folder: study.annotationFolder, rater: rater)
                defer { log.close() }
                let size = TerminalSize(columns: 200, rows: 60)
                let configuration = LabelConsoleConfiguration(
                    dataset: dataset, rater: rater, mode: .blind,
                    order: ItemOrder.positions(count: dataset.items.count, shuffledWithSeed: nil), history: log.events)
                let console = LabelConsole(configuration, now: Date())
                let terminal = try NcursesTerminal(termType: "xterm-256color", inputPath: "/dev/null", outputPath: "/dev/null", size: size)
                terminal.draw(console.render(size: size))
                terminal.stop()
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
