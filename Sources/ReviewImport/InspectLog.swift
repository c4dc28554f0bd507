import Foundation
import ReviewCore

/// An Inspect AI eval log in its JSON format (`inspect eval --log-format json`, or `inspect log convert`): each
/// sample becomes an item, the chosen model-graded scorer's value the judge's verdict and its explanation the
/// judge's rationale.
///
/// What each part becomes: the sample's input (a text, or chat messages whose last user message is the stimulus
/// and whose earlier turns are its context; system messages are left out), the output's first choice (the
/// response), the sample's target (the criterion the grader checked, which becomes the criterion question),
/// `eval.model` (the subject model), the sample's `metadata.condition` and `metadata.stimulus_id`
/// when present, and the scorer's `value` read as a verdict: C (correct) and 1/true are appropriate, I and 0/false
/// inappropriate; P (partial) and N (no answer) are no verdict. An item's id is `<model>/<task>@<eval_id>/<sample>`
/// (`#<epoch>` after the second epoch): the run is part of its identity.
enum InspectLog {
    /// Log format versions this reader knows (the `version` field).
    static let knownVersions = 1...2

    /// The error for an Inspect `.eval` log: a zip whose parts are Zstandard-compressed, which no maintained Swift
    /// package reads (ZIPFoundation reads deflate only); Inspect itself converts it.
    static func evalArchiveError(_ path: String) -> UnknownLayout {
        UnknownLayout(error: InputError(file: path, "an Inspect AI .eval log (a zip of Zstandard-compressed parts, which judge-review cannot read); convert it to JSON first: inspect log convert \(path) --to json --output-dir DIR, then import DIR"))
    }

    /// Whether the file is an Inspect log: a JSON document (not JSON lines) with `eval` and `samples` or `version`.
    static func looksLikeLog(_ source: SourceText) -> Bool {
        guard source.path.lowercased().hasSuffix(".json") else { return false }
        let head = source.text.prefix(4096)
        return head.contains("\"eval\"") && (head.contains("\"version\"") || head.contains("\"samples\""))
    }

    /// The log's samples as items.
    static func read(_ source: SourceText, scorer: String?, modelOverride: String?, steelmanOverride: Bool?) throws -> ParsedFile {
        let path = source.path
        let document: FieldValue
        do {
            document = try JSONDecoder().decode(FieldValue.self, from: Data(source.text.utf8))
        } catch {
            throw InputError(file: path, line: 1, "not a JSON Inspect log: \(JSONLines.describe(error))")
        }
        guard case .object(let log) = document else { throw InputError(file: path, line: 1, "not an Inspect log: expected a JSON object") }
        guard case .number(let rawVersion)? = log["version"], rawVersion.rounded() == rawVersion,
              let version = Int(exactly: rawVersion), knownVersions.contains(version) else {
            let shown = log["version"]?.scalarText ?? "none"
            throw InputError(file: path, line: 1, "an Inspect log of version \(TextSanitizer.singleLine(shown)), which this reader does not know (it reads versions \(knownVersions.lowerBound)–\(knownVersions.upperBound)); convert it with a matching inspect or report it")
        }
        guard case .object(let eval)? = log["eval"], let evalModel = eval["model"]?.scalarText else {
            throw InputError(file: path, line: 1, "an Inspect log without eval.model")
        }
        guard case .list(let samples)? = log["samples"], !samples.isEmpty else {
            throw InputError(file: path, line: 1, "an Inspect log with no samples (a header-only log, or one written with --no-log-samples)")
        }
        let lines = SampleLines.startLines(in: source.text, count: samples.count)
        // A run is part of an item's identity: two runs of one task are two sets of items (`eval_id` is unique to
        // one eval; logs that lack it keep the task alone).
        let task = (eval["task"]?.scalarText ?? "task") + (eval["eval_id"]?.scalarText.map { "@" + $0 } ?? "")
        let scorerName = try chooseScorer(samples: samples, asked: scorer, path: path, lines: lines)
        let grader = graderModel(log: log, scorer: scorerName) ?? "\(scorerName) grader"
        let model = modelOverride ?? evalModel
        var rows: [SourceRow] = []
        for (index, sample) in samples.enumerated() {
            let line = lines[index]
            guard case .object(let fields) = sample else {
                throw InputError(file: path, line: line, "sample \(index + 1) is not an object")
            }
            rows.append(try row(fields, index: index, line: line, path: path, task: task, model: model,
                                scorer: scorerName, grader: grader))
        }
        let map = ColumnMap(
            columns: [.id: "id", .stimulus: "input", .response: "response", .model: "model", .condition: "condition",
                      .stimulusID: "stimulus_id", .judge: "verdict", .judgeModel: "grader", .rationale: "explanation",
                      .criterion: "target"],
            positiveMeans: .appropriate)
        let subject = SubjectSettings(model: model, steelman: steelmanOverride)
        let mapper = MappedRowMapper(map: map, subject: subject, defaultJudgeName: grader)
        return SourceFileReader.uniqueEntries(try rows.map(mapper.entry), path: path, layout: .inspectLog, subject: subject) { entry, first in
            "sample \"\(entry.item.id)\" again (first on line \(first))"
        }
    }

    /// The scorer to read: the one asked for, or the only one the samples carry.
    private static func chooseScorer(samples: [FieldValue], asked: String?, path: String, lines: [Int]) throws -> String {
        var names: [String] = []
        for sample in samples {
            guard case .object(let fields) = sample, case .object(let scores)? = fields["scores"] else { continue }
            for name in scores.keys.sorted() where !names.contains(name) { names.append(name) }
        }
        guard !names.isEmpty else { throw InputError(file: path, line: lines.first ?? 1, "no sample has scores (an unscored log: run inspect score first)") }
        if let asked {
            guard names.contains(asked) else {
                throw InputError(file: path, line: lines.first ?? 1, "--scorer \(TextSanitizer.singleLine(asked)): no such scorer (scorers here: \(names.joined(separator: ", ")))")
            }
            return asked
        }
        guard names.count == 1 else {
            throw InputError(file: path, line: lines.first ?? 1, "the log has several scorers (\(names.joined(separator: ", "))); choose the judge with --scorer NAME")
        }
        return names[0]
    }

    /// The grader model of a model-graded scorer: its `model` argument in `results.scores`, else the eval's
    /// `grader` model role; nil when the log does not say (the scorer then graded with the task's model).
    private static func graderModel(log: [String: FieldValue], scorer: String) -> String? {
        if case .object(let results)? = log["results"], case .list(let scores)? = results["scores"] {
            for case .object(let entry) in scores where entry["name"]?.scalarText == scorer {
                guard case .object(let params)? = entry["params"] else { continue }
                // The argument is the model's name, or the model written out as an object with its name.
                if let model = params["model"]?.scalarText { return model }
                if case .object(let model)? = params["model"], let name = model["model"]?.scalarText { return name }
            }
        }
        if case .object(let eval)? = log["eval"], case .object(let roles)? = eval["model_roles"],
           case .object(let grader)? = roles["grader"], let model = grader["model"]?.scalarText {
            return model
        }
        return nil
    }

    /// One sample flattened into the fields the map reads.
    private static func row(
        _ sample: [String: FieldValue], index: Int, line: Int, path: String, task: String, model: String,
        scorer: String, grader: String
    ) throws -> SourceRow {
        func fail(_ message: String) -> InputError { InputError(file: path, line: line, message) }
        // Inspect stores long texts once, in the sample's `attachments`, and writes `attachment://<hash>` in
        // their place; every text read here is resolved through them.
        var attachments: [String: String] = [:]
        if case .object(let stored)? = sample["attachments"] {
            for (key, value) in stored { if let text = value.scalarText { attachments[key] = text } }
        }
        let sample = sample.mapValues { resolving($0, attachments) }
        guard let id = sample["id"]?.scalarText else { throw fail("sample \(index + 1) has no id") }
        let epoch = sample["epoch"].flatMap(\.scalarText).flatMap { Int($0) } ?? 1
        var values: [String: FieldValue] = [
            "id": .text("\(task)/\(id)" + (epoch > 1 ? "#\(epoch)" : "")),
            "model": .text(model),
            "grader": .text(grader),
        ]
        guard let input = sample["input"] else { throw fail("sample \(id) has no input") }
        values["input"] = input
        if let target = sample["target"] {
            // The criterion the grader checked the response against (a text, or a list of texts).
            if case .list(let parts) = target {
                let texts = parts.compactMap(\.scalarText)
                if !texts.isEmpty { values["target"] = .text(texts.joined(separator: "; ")) }
            } else {
                values["target"] = target
            }
        }
        values["response"] = responseText(sample["output"]).map(FieldValue.text) ?? .null
        if case .object(let metadata)? = sample["metadata"] {
            if let condition = metadata["condition"] { values["condition"] = condition }
            if let stimulus = metadata["stimulus_id"] { values["stimulus_id"] = stimulus }
        }
        if case .object(let scores)? = sample["scores"], case .object(let score)? = scores[scorer] {
            values["verdict"] = verdictValue(score["value"])
            if let explanation = score["explanation"] { values["explanation"] = explanation }
        }
        return SourceRow(file: path, line: line, values: values)
    }

    /// A value with every `attachment://<hash>` text replaced by the attachment it names (unknown ones kept).
    private static func resolving(_ value: FieldValue, _ attachments: [String: String]) -> FieldValue {
        guard !attachments.isEmpty else { return value }
        switch value {
        case .text(let text) where text.hasPrefix("attachment://"):
            return attachments[String(text.dropFirst("attachment://".count))].map(FieldValue.text) ?? value
        case .list(let elements): return .list(elements.map { resolving($0, attachments) })
        case .object(let fields): return .object(fields.mapValues { resolving($0, attachments) })
        default: return value
        }
    }

    /// The model's answer: the first choice's message content (text parts joined); nil when it gave none.
    private static func responseText(_ output: FieldValue?) -> String? {
        guard case .object(let fields)? = output else { return nil }
        if case .list(let choices)? = fields["choices"], case .object(let first)? = choices.first,
           case .object(let message)? = first["message"], let text = MessageContent.text(of: message["content"]) {
            return text
        }
        return fields["completion"]?.scalarText
    }

    /// A score value as a verdict cell: C/I, numbers and booleans pass through; P (partial) and N (no answer)
    /// become blank (no verdict).
    private static func verdictValue(_ value: FieldValue?) -> FieldValue {
        switch value {
        case .text(let text)? where ["p", "n"].contains(text.lowercased()): return .null
        case .number(let number)? where number != 0 && number != 1: return .null
        case let value?: return value
        case nil: return .null
        }
    }
}

/// Where each element of a JSON document's top-level `samples` array starts, as 1-based lines (so errors about
/// a sample name its line).
enum SampleLines {
    static func startLines(in text: String, count: Int) -> [Int] {
        var lines: [Int] = []
        let bytes = Array(text.utf8)
        guard let arrayStart = samplesArrayStart(bytes) else { return Array(repeating: 1, count: count) }
        var line = 1 + bytes[..<arrayStart].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        var depth = 0
        var inString = false
        var escaped = false
        var index = arrayStart + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A { line += 1 }
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
            } else {
                switch byte {
                case 0x22: inString = true
                case 0x7B, 0x5B:
                    if depth == 0 { lines.append(line) }
                    depth += 1
                case 0x7D, 0x5D:
                    if depth == 0 { index = bytes.count; continue }
                    depth -= 1
                default: break
                }
            }
            index += 1
        }
        return lines.count == count ? lines : Array(repeating: 1, count: count)
    }

    /// The offset of the `[` after the top-level `"samples":` key.
    private static func samplesArrayStart(_ bytes: [UInt8]) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var stringStart = 0
        var lastKey: ArraySlice<UInt8> = []
        for (index, byte) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 {
                    inString = false
                    if depth == 1 { lastKey = bytes[(stringStart + 1)..<index] }
                }
                continue
            }
            switch byte {
            case 0x22: inString = true; stringStart = index
            case 0x7B: depth += 1
            case 0x5B:
                if depth == 1, Array(lastKey) == Array("samples".utf8) { return index }
                depth += 1
            case 0x7D, 0x5D: depth -= 1
            default: break
            }
        }
        return nil
    }
}
