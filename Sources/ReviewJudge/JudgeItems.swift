import Foundation
import ReviewCore

/// Why a judge run could not finish (requests that failed after every retry, a verdict that could not be saved).
public struct JudgeRunError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// A judge's default name: the model's, with every character a rater name may not hold made `-`.
public enum JudgeNaming {
    /// The name `judge` gives a judge of `model` when `--name` is not given.
    public static func defaultName(model: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        var name = String(model.map { allowed.contains($0) ? $0 : "-" })
        while name.hasPrefix(".") { name.removeFirst() }
        return String(name.prefix(64))
    }
}

/// The items a judge is asked about (`--items`).
public enum JudgeItems {
    /// The items chosen, in dataset order, and how many of them were left out for having no response.
    public struct Choice: Sendable {
        public var items: [Item]
        public var withoutResponse: Int
    }

    /// `all`, `sample` (the study's sample), `assigned` (the assignment's items) or the path of a file of item ids.
    public static func select(_ choice: String, dataset: Dataset, study: Study?) throws -> Choice {
        var ids: Set<String>?
        switch choice {
        case "all":
            ids = nil
        case "sample", "assigned":
            guard let study else { throw UsageError(option: "--items", "\(choice) needs a study") }
            if choice == "sample" {
                guard let sample = try ValidationSample.load(from: study) else {
                    throw UsageError(option: "--items", "the study has no sample yet (judge-review sample)")
                }
                ids = Set(sample.items.map(\.id))
            } else {
                guard let assignment = try RaterAssignment.load(from: study) else {
                    throw UsageError(option: "--items", "the study has no assignment yet (judge-review assign)")
                }
                ids = Set(assignment.queues.flatMap(\.items))
            }
        default:
            let text = String(decoding: try SafeFile.read(choice, followLinks: true), as: UTF8.self)
            var wanted: Set<String> = []
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let id = line.trimmedOfWhitespaceAndNewlines
                guard !id.isEmpty else { continue }
                guard dataset.indexByID[id] != nil else {
                    throw InputError(file: choice, line: number + 1, "no item \"\(TextSanitizer.singleLine(id))\" in the study")
                }
                wanted.insert(id)
            }
            ids = wanted
        }
        let items = dataset.items.filter { ids?.contains($0.id) ?? true }
        let answered = items.filter { !($0.response ?? "").trimmedOfWhitespaceAndNewlines.isEmpty }
        return Choice(items: answered, withoutResponse: items.count - answered.count)
    }
}

/// Requests as OpenAI Batch JSONL (`custom_id`, `method`, `url`, `body`), for providers' batch endpoints and vLLM's
/// `run_batch`, and their results read back into the judge's log.
public enum JudgeBatch {
    /// The batch line's id: judge, seed, sample, order, the start of the item's content hash and the item (last: it
    /// may hold any character), so the results can be read back to the exact options shown, and an item changed
    /// since is told apart.
    public static func customID(judge: String, seed: UInt64, request: JudgeRequest) -> String {
        "\(judge)|\(seed)|\(request.sample)|\(request.flipped ? "flipped" : "seeded")|\(request.itemSHA256.prefix(16))|\(request.itemID)"
    }

    /// One line per request.
    public static func requests(_ requests: [JudgeRequest], settings: JudgeSettings, seed: UInt64) throws -> Data {
        var data = Data()
        for request in requests {
            let body = try JSONSerialization.jsonObject(with: ChatCompletionsClient.body(
                model: settings.model, message: request.message, temperature: settings.temperature, maxTokens: settings.maxTokens, seed: nil))
            let line: [String: Any] = ["custom_id": customID(judge: settings.name, seed: seed, request: request), "method": "POST",
                                       "url": "/v1/chat/completions", "body": body]
            data.append(try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes]))
            data.append(0x0A)
        }
        return data
    }

    /// What reading a results file did.
    public struct Reading: Sendable {
        /// Verdicts per judge name, in file order.
        public var verdicts: [String: [JudgeVerdict]] = [:]
        /// Lines whose request failed at the provider (error, or a status other than 200): not saved.
        public var failed: [String] = []
        /// Lines for an item that changed since the batch was written, or is no longer in the study: not saved.
        public var stale: Int = 0
    }

    /// Reads a provider's (or vLLM `run_batch`'s) output: one `{custom_id, response: {status_code, body}, error}` per
    /// line. The options each item was shown are rebuilt from the id's seed with `prompt`'s template (the one the
    /// batch was written with); a line that cannot be read is an error naming file and line.
    public static func results(_ data: Data, path: String, dataset: Dataset, template: String, useStoredPrompts: Bool,
                               now: Date = Date()) throws -> Reading {
        var reading = Reading()
        var prompts: [UInt64: JudgePrompt] = [:]  // one builder per seed, not one per line
        let text = String(decoding: data, as: UTF8.self)
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard !line.trimmedOfWhitespaceAndNewlines.isEmpty else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let customID = object["custom_id"] as? String else {
                throw InputError(file: path, line: number, "not a batch result line (expected an object with custom_id)")
            }
            let parts = customID.split(separator: "|", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 6, let seed = UInt64(parts[1]), let sample = Int(parts[2]), ["seeded", "flipped"].contains(parts[3]) else {
                throw InputError(file: path, line: number, "custom_id \"\(TextSanitizer.singleLine(customID))\" is not one judge-review wrote (judge|seed|sample|seeded or flipped|hash|item)")
            }
            let response = object["response"] as? [String: Any]
            let status = response?["status_code"] as? Int
            let body = response?["body"] as? [String: Any]
            if let error = object["error"] as? [String: Any] {
                reading.failed.append("\(parts[5]): \(TextSanitizer.singleLine(error["message"] as? String ?? "error"))")
                continue
            }
            guard status == 200, let body, let bodyData = try? JSONSerialization.data(withJSONObject: body),
                  let completion = ChatCompletionsClient.parse(bodyData, ms: 0, attempts: 1) else {
                reading.failed.append("\(parts[5]): status \(status.map(String.init) ?? "missing")")
                continue
            }
            guard let item = dataset[id: parts[5]], item.contentHash.hasPrefix(parts[4]) else {
                reading.stale += 1
                continue
            }
            let prompt = try prompts[seed] ?? JudgePrompt(template: template, seed: seed, useStoredPrompts: useStoredPrompts)
            prompts[seed] = prompt
            let request = prompt.request(item, sample: sample, flipped: parts[3] == "flipped")
            let answer = JudgeAnswerParser.option(in: completion.text, options: request.options)
            let verdict = JudgeVerdict(
                item: item.id, itemSHA256: item.contentHash, judge: parts[0], model: body["model"] as? String ?? "unknown",
                sample: sample, flipped: request.flipped, options: request.options, answer: answer,
                status: answer == nil ? .unparseable : .answered, output: completion.text, promptTokens: completion.promptTokens,
                completionTokens: completion.completionTokens, ms: nil, attempts: 1, temperature: nil, maxTokens: nil, seed: seed,
                templateSHA256: request.stored ? nil : prompt.templateSHA256, storedPrompt: request.stored ? true : nil,
                messageSHA256: request.messageSHA256, toolVersion: ToolVersion.current, at: now, endpoint: .batch,
                source: URL(fileURLWithPath: path).lastPathComponent)
            reading.verdicts[parts[0], default: []].append(verdict)
        }
        return reading
    }
}
