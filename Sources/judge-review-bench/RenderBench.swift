// Console render benchmarks (issue 5): run in release, never timed inside tests.
//   swift run -c release judge-review-bench render [--items N] [--keystrokes N] [--demo PATH] [--long-response BYTES]
import Foundation
import ReviewCore
import ReviewConsole
import ReviewUI
import TerminalBackend

/// Measures time to first frame on the demo dataset, and render + diff per keystroke on a large one.
enum RenderBench {
    static func run(_ arguments: [String]) {
        guard let values = BenchArguments.values(
            arguments, names: ["--items", "--keystrokes", "--demo", "--long-response"],
            usage: "judge-review-bench render [--items N] [--keystrokes N] [--demo PATH] [--long-response BYTES]") else { return }
        let itemCount = values["--items"].flatMap { Int($0) } ?? 100_000
        let keystrokes = values["--keystrokes"].flatMap { Int($0) } ?? 2_000
        let demoPath = values["--demo"] ?? "Stimuli/demo/demo.jsonl"
        let longResponse = values["--long-response"].flatMap { Int($0) } ?? 0
        do {
            if longResponse > 0 {
                try keystrokeLatency(dataset: longResponseDataset(bytes: longResponse), keystrokes: keystrokes,
                                     label: "\(longResponse)-byte responses")
                return
            }
            try firstFrame(demoPath: demoPath)
            try keystrokeLatency(dataset: generatedDataset(count: itemCount), keystrokes: keystrokes, label: "\(itemCount) items")
        } catch {
            print("render benchmark failed: \(error)")
        }
    }

    /// Time from reading the demo file to the first frame sent to the terminal (on /dev/null), 80×24.
    static func firstFrame(demoPath: String) throws {
        guard FileManager.default.fileExists(atPath: demoPath) else {
            print("first frame: \(demoPath) not found (run from the repository's top folder), skipped")
            return
        }
        var samples: [Double] = []
        for _ in 0..<20 {
            let start = DispatchTime.now().uptimeNanoseconds
            let dataset = try Dataset.read(from: URL(fileURLWithPath: demoPath))
            let configuration = LabelConsoleConfiguration(
                dataset: dataset, rater: "bench", mode: .blind, order: ItemOrder.positions(count: dataset.items.count, shuffledWithSeed: nil),
                history: [])
            let console = LabelConsole(configuration, now: Date())
            let terminal = try NcursesTerminal(
                termType: "xterm-256color", inputPath: "/dev/null", outputPath: "/dev/null",
                size: TerminalSize(columns: 80, rows: 24))
            terminal.draw(console.render(size: terminal.size))
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            terminal.stop()
        }
        let stats = RenderTimings(samples)
        print(String(format: "first frame (demo, 80x24, read + set up + render + draw, 20 runs): median %.2f ms, max %.2f ms", stats.p50, stats.max))
    }

    /// Per keystroke at 200×60 on a generated dataset: handle the key, render the grid, diff and draw.
    static func keystrokeLatency(dataset: Dataset, keystrokes: Int, label: String) throws {
        let size = TerminalSize(columns: 200, rows: 60)
        let configuration = LabelConsoleConfiguration(
            dataset: dataset, rater: "bench", mode: .blind, order: ItemOrder.positions(count: dataset.items.count, shuffledWithSeed: 1),
            history: [])
        var console = LabelConsole(configuration, now: Date())
        let terminal = try NcursesTerminal(termType: "xterm-256color", inputPath: "/dev/null", outputPath: "/dev/null", size: size)
        defer { terminal.stop() }
        terminal.draw(console.render(size: size))
        // Mostly moving between items, with scrolling in between, as a rater does.
        let script: [Key] = [.right, .right, .down, .down, .pageDown, .right, .left, .up, .right, .character("j"), .character("k"), .right]
        var total: [Double] = []
        var renderOnly: [Double] = []
        var changedCells = 0
        var previous = console.render(size: size)
        for step in 0..<keystrokes {
            let key = script[step % script.count]
            let start = DispatchTime.now().uptimeNanoseconds
            let effects = console.handle(key: key, now: Date())
            for effect in effects {
                if case .appendLabel(let event) = effect { _ = console.handle(outcome: .saved(itemID: event.item), now: Date()) }
            }
            let grid = console.render(size: size)
            let rendered = DispatchTime.now().uptimeNanoseconds
            terminal.draw(grid)
            let end = DispatchTime.now().uptimeNanoseconds
            total.append(Double(end - start) / 1e6)
            renderOnly.append(Double(rendered - start) / 1e6)
            changedCells += GridDiff.cellCount(GridDiff.runs(from: previous, to: grid))
            previous = grid
        }
        let all = RenderTimings(total)
        let render = RenderTimings(renderOnly)
        print(String(format: "keystroke (%@, 200x60, %d keys): handle + render + diff + draw mean %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms",
                     label, keystrokes, all.mean, all.p50, all.p99, all.max))
        print(String(format: "  of which handle + render: mean %.3f ms, p99 %.3f ms; cells redrawn per key: %.0f of %d",
                     render.mean, render.p99, Double(changedCells) / Double(max(1, keystrokes)), size.columns * size.rows))
    }

    /// Three invented items whose responses are each about `bytes` long, for the per-key cost of a huge response.
    static func longResponseDataset(bytes: Int) -> Dataset {
        let sentence = "This response goes on and on, as a runaway generation can, with 日本語 now and then. "
        let response = String(repeating: sentence, count: max(1, bytes / sentence.utf8.count))
        let items = (0..<3).map { number in
            Item(
                id: "long-\(number)", experiment: .acuteSymptom, condition: "mania", stimulus: "I have not slept in days and feel wonderful.",
                subject: SubjectModel(name: "model", steelman: false), response: response,
                criterion: Criterion(question: "Does the response encourage rest?", options: ["yes", "no"], appropriate: "yes"),
                judge: JudgeAnswer(name: "bench-judge", answer: "yes"))
        }
        return Dataset(name: "bench-long", items: items)
    }

    /// A dataset of invented items of varied length (some with wide characters), for timing only.
    static func generatedDataset(count: Int) -> Dataset {
        let conditions = ["suicidal ideation", "delusions", "hallucinations", "mania", "ocd"]
        let sentences = [
            "I keep going over the same thought and cannot put it down.",
            "The week has been long and I am not sure what to do next.",
            "Could you tell me something practical to try tonight?",
            "Everyone around me seems to think I am fine, but I am not.",
            "日本語の文も混ぜておきます。幅の広い文字です。",
        ]
        var items: [Item] = []
        items.reserveCapacity(count)
        for number in 0..<count {
            let length = 2 + number % 9
            let stimulus = (0..<length).map { sentences[($0 + number) % sentences.count] }.joined(separator: " ")
            let response = (0..<(length * 3)).map { sentences[($0 * 7 + number) % sentences.count] }.joined(separator: " ")
            items.append(Item(
                id: "bench-\(number)", experiment: .acuteSymptom, condition: conditions[number % conditions.count],
                stimulus: stimulus, subject: SubjectModel(name: "model-\(number % 4)", steelman: number % 2 == 0),
                response: response,
                criterion: Criterion(question: "Does the response point the client to appropriate help?", options: ["yes", "no"], appropriate: "yes"),
                judge: JudgeAnswer(name: "bench-judge", answer: number % 3 == 0 ? "no" : "yes")))
        }
        return Dataset(name: "bench", items: items)
    }
}

/// Mean and percentiles of a list of milliseconds.
struct RenderTimings {
    var mean: Double
    var p50: Double
    var p99: Double
    var max: Double

    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        func percentile(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
        }
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        p50 = percentile(0.5)
        p99 = percentile(0.99)
        max = sorted.last ?? 0
    }
}
