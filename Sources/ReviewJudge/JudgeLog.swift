import Foundation
import ReviewCore

/// One verdict a judge gave through an endpoint, with what it rests on: the options as shown, the raw output, the
/// model and sampling settings, tokens and latency. Never the API key or the endpoint's address.
public struct JudgeVerdict: Codable, Sendable, Equatable, WriterRecorded {
    /// How the output was read.
    public enum Status: String, Codable, Sendable {
        /// The first token named an option.
        case answered
        /// The output names no option; kept with its raw text, and a rerun does not ask again.
        case unparseable
    }

    /// Where a verdict came from: asked here, read from a provider's batch output, or attached from a file.
    public enum Endpoint: String, Codable, Sendable {
        /// `judge-review judge`: an OpenAI-compatible `POST /chat/completions`.
        case chatCompletions = "chat-completions"
        /// `import --batch-results`: the output of a batch `judge --write-batch` wrote.
        case batch
        /// `import --as-judge`: a verdict column of a results file (what the judge was asked is whatever the file says).
        case imported
    }

    /// The line's schema version.
    public var schema: Int = 1
    /// The item asked about, and its content hash when asked.
    public var item: String
    public var itemSHA256: String
    /// The judge's name in the study (`judge:<name>` as a rater).
    public var judge: String
    /// The endpoint's model.
    public var model: String
    /// Which repeat (`--samples`), and whether the options were in the reversed order (`--flip`).
    public var sample: Int
    public var flipped: Bool
    /// The options in the order shown (A, B, …).
    public var options: [String]
    /// The option chosen; nil when the output names none.
    public var answer: String?
    public var status: Status
    /// The judge's raw output.
    public var output: String
    /// The endpoint's token counts, when it gave them.
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// Milliseconds from sending the request to the answer (of the last attempt); nil for a batch result.
    public var ms: Int?
    /// Requests sent for this verdict (more than one after retries).
    public var attempts: Int
    /// The sampling settings; nil for a batch result (the batch file holds them, the results do not).
    public var temperature: Double?
    public var maxTokens: Int?
    /// The seed of the option orders.
    public var seed: UInt64
    /// The template's SHA-256; nil when the item's stored prompt was asked (`stored_prompt`).
    public var templateSHA256: String?
    /// Whether the item's stored judge prompt was asked verbatim (or with its option lines reversed).
    public var storedPrompt: Bool?
    /// The SHA-256 of the message asked (nil for an attached verdict whose file does not keep it), the tool's
    /// version, and when the verdict was saved.
    public var messageSHA256: String?
    public var toolVersion: String
    public var at: Date
    /// How the verdict was obtained; nil in logs written before it was recorded (all asked through an endpoint).
    public var endpoint: Endpoint? = nil
    /// The file a batch result or an attached verdict was read from (its name, not its folder).
    public var source: String? = nil
    /// Who wrote the line (site and copy of the study); nil in lines written before it was recorded.
    public var writer: WriterIdentity? = nil

    enum CodingKeys: String, CodingKey {
        case schema, item, judge, model, sample, flipped, options, answer, status, output, ms, attempts, temperature, seed, at, endpoint, source, writer
        case itemSHA256 = "item_sha256"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case maxTokens = "max_tokens"
        case templateSHA256 = "template_sha256"
        case storedPrompt = "stored_prompt"
        case messageSHA256 = "message_sha256"
        case toolVersion = "tool_version"
    }

    /// What a verdict answers: one item (as it was), one repeat, one option order.
    public struct Key: Hashable, Sendable {
        public var item: String
        public var itemSHA256: String
        public var sample: Int
        public var flipped: Bool

        public init(item: String, itemSHA256: String, sample: Int, flipped: Bool) {
            self.item = item
            self.itemSHA256 = itemSHA256
            self.sample = sample
            self.flipped = flipped
        }
    }

    /// A verdict attached from a results file (`import --as-judge`): the option the file gives (normalised; nil when
    /// it gives none or one that is not an option), the options in the criterion's order, no sampling settings.
    public static func attached(item: Item, answer raw: String?, judge: String, model: String, prompt: String?,
                                sourceFile: String, at: Date) -> JudgeVerdict {
        let answer = item.criterion.option(matching: raw)
        var verdict = JudgeVerdict(
            item: item.id, itemSHA256: item.contentHash, judge: judge, model: model, sample: 0, flipped: false,
            options: item.criterion.options, answer: answer, status: answer == nil ? .unparseable : .answered, output: raw ?? "",
            ms: nil, attempts: 0, temperature: nil, maxTokens: nil, seed: 0, templateSHA256: nil, storedPrompt: nil,
            messageSHA256: prompt.map { ContentHash.sha256Hex(Data($0.utf8)) }, toolVersion: ToolVersion.current, at: at)
        verdict.endpoint = .imported
        verdict.source = URL(fileURLWithPath: sourceFile).lastPathComponent
        return verdict
    }

    /// The question this verdict answers.
    public var key: Key { Key(item: item, itemSHA256: itemSHA256, sample: sample, flipped: flipped) }
}

/// A judge's append-only log, `Annotations/judges/<name>.jsonl`: the store's durability (write + fsync before a
/// verdict counts) and lock (one writer), as a rater's log.
public final class JudgeLog {
    /// The judge's name (the log's file name).
    public let name: String
    public let log: AppendOnlyLog<JudgeVerdict>
    /// Recorded on every verdict appended that names no writer of its own (`StoreOptions.writer`).
    private let writer: WriterIdentity?

    /// Opens (creating as needed) the log of judge `name` under an annotation folder.
    public init(annotationFolder: URL, name: String, options: StoreOptions = StoreOptions()) throws {
        try RaterName.check(name, file: annotationFolder.appendingPathComponent(StudyLayout.judgesFolderName))
        self.name = name
        writer = options.writer
        let decoder = LogJSON.decoder()
        let encoder = LogJSON.encoder()
        log = try AppendOnlyLog(
            file: StudyLayout.judgeLogFile(folder: annotationFolder, judge: name), options: options,
            encode: { try encoder.encode($0) }, decode: { try decoder.decode(JudgeVerdict.self, from: Data($0)) })
    }

    /// Every verdict so far, oldest first.
    public var verdicts: [JudgeVerdict] { log.records }

    /// The keys already answered (an unparseable answer counts: asking again would not be the same study).
    public var answered: Set<JudgeVerdict.Key> { Set(verdicts.map(\.key)) }

    /// Appends one verdict; returns once it is durable.
    public func append(_ verdict: JudgeVerdict) throws {
        try log.append(verdict.stamped(by: writer))
    }

    /// Appends, each durable before the next, the verdicts whose question the log has not answered yet, and with
    /// `updating` also those whose answer differs from the log's latest for that question (a corrected file);
    /// returns how many were appended.
    public func appendMissing(_ verdicts: [JudgeVerdict], updating: Bool = false) throws -> Int {
        var latest: [JudgeVerdict.Key: String?] = [:]
        for verdict in self.verdicts { latest[verdict.key] = verdict.answer }
        var appended = 0
        for verdict in verdicts {
            if let answer = latest[verdict.key], !updating || answer == verdict.answer { continue }
            try append(verdict)
            latest[verdict.key] = verdict.answer
            appended += 1
        }
        return appended
    }

    /// Closes the log and releases its lock.
    public func close() { log.close() }

    /// The verdicts of every judge log under `annotationFolder` (read, not opened for writing), by judge name.
    public static func readAll(annotationFolder: URL) throws -> [String: [JudgeVerdict]] {
        let folder = annotationFolder.appendingPathComponent(StudyLayout.judgesFolderName, isDirectory: true)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [:] }
        let decoder = LogJSON.decoder()
        var result: [String: [JudgeVerdict]] = [:]
        for name in names.sorted() where name.hasSuffix("." + StudyLayout.logExtension) && !name.hasPrefix(".") {
            let path = folder.appendingPathComponent(name).path
            let scan = try LogScanner.scan(try SafeFile.read(path), path: path) { try decoder.decode(JudgeVerdict.self, from: Data($0)) }
            result[String(name.dropLast(StudyLayout.logExtension.count + 1))] = scan.records
        }
        return result
    }

    /// The judge logs' problems for `judge-review check`: a log that cannot be read, a verdict for an item the
    /// study does not hold; the logs read beside them.
    public static func problems(annotationFolder: URL, dataset: Dataset) -> (logs: Int, problems: [StudyCheck.Problem]) {
        let folder = annotationFolder.appendingPathComponent(StudyLayout.judgesFolderName, isDirectory: true)
        do {
            let all = try readAll(annotationFolder: annotationFolder)
            var problems: [StudyCheck.Problem] = []
            for (name, verdicts) in all.sorted(by: { $0.key < $1.key }) {
                let file = StudyLayout.judgeLogFile(folder: annotationFolder, judge: name).path
                let conflicts = StudyCheck.conflictingAnswers(verdicts.map { ("\($0.item)\u{1F}\($0.sample)\u{1F}\($0.flipped)", $0.answer, $0.writer) })
                if let problem = LogWriters(verdicts.map(\.writer)).problem(
                    owner: "judge \(name)", file: file, conflictingItems: conflicts,
                    advice: "run this judge at one site only, and at another under a name of its own (judge --name)") {
                    problems.append(problem)
                }
                let unknown = Set(verdicts.map(\.item).filter { dataset.indexByID[$0] == nil }).sorted()
                if let first = unknown.first {
                    problems.append(StudyCheck.Problem(
                        file: file, line: nil,
                        message: "verdicts for \(unknown.count) item\(unknown.count == 1 ? "" : "s") the study does not hold (\(TextSanitizer.singleLine(first))\(unknown.count > 1 ? ", …" : ""))"))
                }
            }
            return (all.count, problems)
        } catch {
            return (0, [StudyCheck.Problem(file: folder.path, line: nil, message: "\(error)")])
        }
    }

    /// How a judge's verdicts were obtained, in words for the report: each way it was, with the files named.
    static func origin(of verdicts: [JudgeVerdict]) -> String {
        var ways: [String] = []
        func files(_ endpoint: JudgeVerdict.Endpoint) -> String {
            let names = Set(verdicts.filter { $0.endpoint == endpoint }.compactMap(\.source)).sorted()
            return names.isEmpty ? "" : " " + names.prefix(3).joined(separator: ", ") + (names.count > 3 ? ", …" : "")
        }
        if verdicts.contains(where: { $0.endpoint == nil || $0.endpoint == .chatCompletions }) {
            ways.append("asked through an OpenAI-compatible endpoint")
        }
        if verdicts.contains(where: { $0.endpoint == .batch }) { ways.append("read from batch results" + files(.batch)) }
        if verdicts.contains(where: { $0.endpoint == .imported }) { ways.append("attached from" + files(.imported)) }
        return ways.joined(separator: "; ")
    }

    /// Every judge log's answers for the analysis: per judge, each ask of each item as it is now (the latest such
    /// verdict winning; an output that named no option is no answer): the first ask in the seeded order is the
    /// judge's verdict, the repeats and the reversed order measure its consistency and position bias.
    public static func answers(annotationFolder: URL, dataset: Dataset) throws -> [JudgeAnswers] {
        try readAll(annotationFolder: annotationFolder).sorted { $0.key < $1.key }.map { name, verdicts in
            var repeats: [Int: [String: String]] = [:]
            var flipped: [String: String] = [:]
            for verdict in verdicts {
                guard let item = dataset[id: verdict.item], item.contentHash == verdict.itemSHA256 else { continue }
                if verdict.flipped {
                    if verdict.sample == 0 { flipped[verdict.item] = verdict.answer }
                } else {
                    repeats[verdict.sample, default: [:]][verdict.item] = verdict.answer
                }
            }
            return JudgeAnswers(name: name, model: verdicts.last?.model ?? name, answers: repeats[0] ?? [:], repeats: repeats, flipped: flipped,
                                origin: origin(of: verdicts))
        }
    }
}

extension StudyCheck {
    /// The whole check of a study: `StudyCheck.run` and the judges' logs (`JudgeLog.problems`).
    public static func withJudges(_ study: Study) -> StudyCheck {
        StudyCheck.run(study) { dataset in JudgeLog.problems(annotationFolder: study.annotationFolder, dataset: dataset) }
    }
}
