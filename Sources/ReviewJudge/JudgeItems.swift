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
/// `run_batch`.
public enum JudgeBatch {
    /// The batch line's id: judge, sample, order and item (the item last: it may hold any character).
    public static func customID(judge: String, request: JudgeRequest) -> String {
        "\(judge)|\(request.sample)|\(request.flipped ? "flipped" : "seeded")|\(request.itemID)"
    }

    /// One line per request.
    public static func requests(_ requests: [JudgeRequest], settings: JudgeSettings, seed: UInt64) throws -> Data {
        var data = Data()
        for request in requests {
            let body = try JSONSerialization.jsonObject(with: ChatCompletionsClient.body(
                model: settings.model, message: request.message, temperature: settings.temperature, maxTokens: settings.maxTokens, seed: nil))
            let line: [String: Any] = ["custom_id": customID(judge: settings.name, request: request), "method": "POST",
                                       "url": "/v1/chat/completions", "body": body]
            data.append(try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes]))
            data.append(0x0A)
        }
        return data
    }
}
