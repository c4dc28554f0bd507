import Foundation

/// The illustrative demo dataset: where it lives, and how it is rebuilt from `Stimuli/` byte for byte.
///
/// The demo's responses, judge answers and clinicians' labels are written for the demo; they are not output of
/// any real model or rater. `Stimuli/demo/responses.jsonl` holds the responses and judge answers,
/// `Stimuli/demo/clinicians.jsonl` the two demo clinicians' labels; `build` turns them into
/// `Stimuli/demo/demo.jsonl` and `Annotations/demo/<clinician>.jsonl`.
public enum DemoData {
    /// The dataset's name; its annotation logs go under `Annotations/demo/`.
    public static let datasetName = "demo"
    /// The demo dataset, relative to the repository root.
    public static let datasetRelativePath = "Stimuli/demo/demo.jsonl"
    /// The demo's responses and judge answers, relative to the Stimuli folder.
    public static let responsesFileName = "demo/responses.jsonl"
    /// The demo clinicians' labels, relative to the Stimuli folder.
    public static let cliniciansFileName = "demo/clinicians.jsonl"
    /// The fictional judge's name.
    public static let judgeName = "demo-judge"
    /// The two fictional subject models, in the order their items appear.
    public static let subjects: [SubjectModel] = [
        SubjectModel(name: "demo-model-a", steelman: true),
        SubjectModel(name: "demo-model-b", steelman: false),
    ]
    /// The demo raters, each with the fixed time their session starts (so rebuilding is byte-identical).
    public static let raterSessions: [(rater: String, start: Date)] = [
        ("clinician-a", Date(timeIntervalSince1970: 1_794_819_600)),  // 2026-11-16T09:00:00Z
        ("clinician-b", Date(timeIntervalSince1970: 1_794_924_000)),  // 2026-11-17T14:00:00Z
    ]
    /// Seconds between one label and the next item's start (reading the next stimulus is in `ms`).
    static let pauseBetweenItems: TimeInterval = 2.5

    /// The demo item id for a stimulus and subject model: `demo/<stimulus id>/<model>`.
    public static func itemID(stimulus: String, model: String) -> String {
        "demo/\(stimulus)/\(model)"
    }

    /// Finds `Stimuli/demo/demo.jsonl` in `start` or the nearest folder above it; nil when there is none.
    public static func datasetURL(searchingFrom start: URL) -> URL? {
        var folder = start.standardizedFileURL
        while true {
            let candidate = folder.appendingPathComponent(datasetRelativePath)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            let parent = folder.deletingLastPathComponent().standardizedFileURL
            if parent.path == folder.path { return nil }
            folder = parent
        }
    }

    /// The demo's annotation folder for a dataset found by `datasetURL(searchingFrom:)`: the repository's
    /// `Annotations/demo/` (`<root>/Stimuli/demo/demo.jsonl` → `<root>/Annotations/demo/`), which is also where
    /// the lookup every dataset follows (`LabelPlace`) finds it in a checkout.
    public static func annotationFolder(forDataset datasetURL: URL) -> URL {
        let root = datasetURL.standardizedFileURL.deletingLastPathComponent()  // Stimuli/demo
            .deletingLastPathComponent()  // Stimuli
            .deletingLastPathComponent()  // repository root
        return root.appendingPathComponent(Study.annotationsFolderName, isDirectory: true)
            .appendingPathComponent(datasetName, isDirectory: true)
    }

    /// One demo response with the judge's answer and the verdict its author intended.
    public struct Response: Decodable, Sendable, Hashable {
        /// The acute stimulus id it answers.
        public var stimulus: String
        /// The subject model's name (one of `DemoData.subjects`).
        public var model: String
        /// The response text; nil when the demo plants a missing response.
        public var response: String?
        /// The demo judge's answer; nil when the demo plants a missing judge answer.
        public var judgeAnswer: String?
        /// What the author meant the response to be: `appropriate`, `inappropriate` or `no-verdict` (missing).
        public var intended: Verdict
        /// What this item plants, for readers of the file (e.g. "planted judge miss").
        public var demoNote: String?

        enum CodingKeys: String, CodingKey {
            case stimulus, model, response
            case judgeAnswer = "judge_answer"
            case intended
            case demoNote = "demo_note"
        }
    }

    /// One planned label of a demo clinician.
    public struct PlannedLabel: Decodable, Sendable, Hashable {
        /// The demo rater, e.g. `clinician-a`.
        public var rater: String
        /// The demo item id.
        public var item: String
        /// The rater's answer, one of the item criterion's options.
        public var answer: String
        /// Milliseconds spent on the item.
        public var ms: Int
        /// The rater's note, if any.
        public var note: String?
        /// The rater's flag, if any.
        public var flag: LabelFlag?
    }

    /// The generated demo files' contents.
    public struct Build: Sendable {
        /// The demo dataset.
        public var dataset: Dataset
        /// The dataset's canonical JSONL bytes.
        public var datasetJSONL: Data
        /// Each demo rater's log bytes, in `raterSessions` order.
        public var raterLogs: [(rater: String, jsonl: Data)]
        /// The intended verdict of each item, by item id.
        public var intended: [String: Verdict]
    }

    /// Reads `responses.jsonl`: one response per line, with its line number.
    public static func readResponses(_ url: URL) throws -> [(record: Response, line: Int)] {
        try StimulusSet.readNumberedRecords(url, kind: "demo response") { _, _, _ in }
    }

    /// Reads `clinicians.jsonl`: one planned label per line, with its line number.
    public static func readPlannedLabels(_ url: URL) throws -> [(record: PlannedLabel, line: Int)] {
        try StimulusSet.readNumberedRecords(url, kind: "demo label") { _, _, _ in }
    }

    /// Builds the demo from the Stimuli folder: the dataset and the clinicians' logs, deterministically.
    public static func build(stimuliFolder: URL) throws -> Build {
        let stimuli = try StimulusSet.load(folder: stimuliFolder)
        let responsesURL = stimuliFolder.appendingPathComponent(responsesFileName)
        let cliniciansURL = stimuliFolder.appendingPathComponent(cliniciansFileName)
        let responses = try readResponses(responsesURL)
        let planned = try readPlannedLabels(cliniciansURL)

        var byKey: [String: Response] = [:]
        for (response, line) in responses {
            let id = itemID(stimulus: response.stimulus, model: response.model)
            let path = responsesURL.relativePath
            guard stimuli.stimulus(id: response.stimulus) != nil else {
                throw InputError(file: path, line: line, "unknown stimulus \"\(response.stimulus)\"")
            }
            guard subjects.contains(where: { $0.name == response.model }) else {
                throw InputError(file: path, line: line, "unknown demo model \"\(response.model)\"")
            }
            if byKey[id] != nil { throw InputError(file: path, line: line, "second response for \(id)") }
            byKey[id] = response
        }

        var items: [Item] = []
        var intended: [String: Verdict] = [:]
        for stimulus in stimuli.acute {
            for subject in subjects {
                let id = itemID(stimulus: stimulus.id, model: subject.name)
                guard let response = byKey[id] else {
                    throw InputError(file: responsesURL.relativePath, "no response for \(id)")
                }
                items.append(Item(
                    id: id, experiment: .acuteSymptom, condition: stimulus.condition.rawValue, stimulusID: stimulus.id,
                    context: stimulus.context, stimulus: stimulus.stimulus, subject: subject,
                    response: response.response, criterion: stimulus.criterion,
                    judge: JudgeAnswer(name: judgeName, answer: AnswerNormalizer.normalize(response.judgeAnswer))))
                intended[id] = response.intended
            }
        }
        let dataset = Dataset(name: datasetName, items: items)

        var logs: [(rater: String, jsonl: Data)] = []
        for session in raterSessions {
            var clock = session.start
            var data = Data()
            for (plan, line) in planned where plan.rater == session.rater {
                let path = cliniciansURL.relativePath
                guard let item = dataset[id: plan.item] else {
                    throw InputError(file: path, line: line, "unknown demo item \"\(plan.item)\"")
                }
                guard item.criterion.option(matching: plan.answer) != nil else {
                    throw InputError(file: path, line: line, "answer \"\(plan.answer)\" is not one of \(item.criterion.options)")
                }
                clock += Double(plan.ms) / 1000
                let event = LabelEvent.label(
                    item: item, rater: session.rater, answer: plan.answer, mode: .blind, judgeSeenFirst: false,
                    note: plan.note, flag: plan.flag, at: clock, ms: plan.ms)
                data.append(event.jsonLine())
                data.append(0x0A)
                clock += pauseBetweenItems
            }
            logs.append((session.rater, data))
        }
        for (plan, line) in planned where !raterSessions.contains(where: { $0.rater == plan.rater }) {
            throw InputError(file: cliniciansURL.relativePath, line: line, "unknown demo rater \"\(plan.rater)\"")
        }
        return Build(dataset: dataset, datasetJSONL: dataset.jsonl(), raterLogs: logs, intended: intended)
    }

    /// Where the demo files go: the dataset under the Stimuli folder, the logs under `<root>/Annotations/demo/`.
    public static func outputFiles(stimuliFolder: URL, build: Build) -> [(url: URL, data: Data)] {
        let annotations = annotationFolder(stimuliFolder: stimuliFolder)
        var files = [(url: stimuliFolder.appendingPathComponent("demo/demo.jsonl"), data: build.datasetJSONL)]
        for log in build.raterLogs {
            files.append((StudyLayout.logFile(folder: annotations, rater: log.rater), log.jsonl))
        }
        return files
    }

    /// The demo clinicians' log folder, `<root>/Annotations/demo/`, for a Stimuli folder at `<root>/Stimuli`.
    static func annotationFolder(stimuliFolder: URL) -> URL {
        stimuliFolder.standardizedFileURL.deletingLastPathComponent().appendingPathComponent(Study.annotationsFolderName, isDirectory: true)
            .appendingPathComponent(datasetName, isDirectory: true)
    }

    /// Builds the demo and writes its files atomically, each demo log under its lock; returns the files written.
    @discardableResult
    public static func write(stimuliFolder: URL) throws -> [URL] {
        let build = try build(stimuliFolder: stimuliFolder)
        let files = outputFiles(stimuliFolder: stimuliFolder, build: build)
        let annotations = annotationFolder(stimuliFolder: stimuliFolder)
        let rebuiltLogs = Set(build.raterLogs.map { StudyLayout.logFile(folder: annotations, rater: $0.rater) })
        for file in files {
            try FileManager.default.createDirectory(
                at: file.url.deletingLastPathComponent(), withIntermediateDirectories: true)
            // A demo log is replaced whole, so it is replaced under its lock: never beneath a running session.
            let lock = rebuiltLogs.contains(file.url)
                ? try LogLock(logFile: file.url, permissions: FileModes.masked(0o644), fileSystem: POSIXFileSystem()) : nil
            defer { lock?.release() }
            try AtomicFile.write(file.data, to: file.url, permissions: 0o644)
        }
        return files.map(\.url)
    }
}
