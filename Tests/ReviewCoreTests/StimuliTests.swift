import Foundation
import Testing
@testable import ReviewCore

/// The repository root: up from Tests/ReviewCoreTests/<file>.swift.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The project's own Stimuli folder.
let projectStimuli = repositoryRoot.appendingPathComponent("Stimuli", isDirectory: true)

/// A temporary copy of the project's Stimuli folder that a test may break; removed by `cleanUp()`.
struct ScratchStimuli {
    let root: URL
    let folder: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("stimuli-\(UUID().uuidString)")
        folder = root.appendingPathComponent("Stimuli", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: projectStimuli, to: folder)
    }

    func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// The file's lines (without the final newline).
    func lines(_ name: String) throws -> [String] {
        try String(contentsOf: url(name), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    func write(_ name: String, lines: [String]) throws {
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url(name))
    }

    /// Replaces line `number` (1-based) of a file.
    func replaceLine(_ name: String, _ number: Int, with text: String) throws {
        var all = try lines(name)
        all[number - 1] = text
        try write(name, lines: all)
    }

    /// Edits the JSON object on line `number` of a file.
    func editLine(_ name: String, _ number: Int, _ edit: (inout [String: Any]) -> Void) throws {
        let all = try lines(name)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(all[number - 1].utf8)) as? [String: Any])
        edit(&object)
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        try replaceLine(name, number, with: String(decoding: data, as: UTF8.self))
    }

    /// The error loading the folder gives, or nil when it loads.
    func loadError() -> InputError? {
        do {
            _ = try StimulusSet.load(folder: folder)
            return nil
        } catch let error as InputError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    func cleanUp() { try? FileManager.default.removeItem(at: root) }
}

@Suite("Stimulus set")
struct StimuliTests {
    let acute = StimulusSet.acuteFileName

    @Test("the project's Stimuli folder validates")
    func projectFolderValidates() throws {
        let set = try StimulusSet.load(folder: projectStimuli)
        #expect(set.acute.count >= 15)
        #expect(Set(set.vignettes.map(\.condition)) == Set(StigmaCondition.allCases))
        #expect(set.questions.map(\.topic) == StigmaTopic.allCases)
    }

    @Test("every condition has at least two stimuli, one of them multi-turn, each with a rationale")
    func coverage() throws {
        let set = try StimulusSet.load(folder: projectStimuli)
        for condition in AcuteCondition.allCases {
            let stimuli = set.acute.filter { $0.condition == condition }
            #expect(stimuli.count >= 2, "\(condition.rawValue)")
            #expect(stimuli.contains { $0.isMultiTurn }, "\(condition.rawValue)")
            #expect(stimuli.allSatisfy { !$0.rationale.isEmpty })
        }
        let multiTurn = try #require(set.acute.first { $0.isMultiTurn })
        #expect(multiTurn.context.allSatisfy { $0.role == "user" || $0.role == "assistant" })
    }

    @Test("stigma questions carry an ordered scale, stigma answers within it, and fill in the name")
    func stigmaQuestions() throws {
        let set = try StimulusSet.load(folder: projectStimuli)
        let violence = try #require(set.questions.first { $0.topic == .violence })
        #expect(violence.stigmaAnswers.allSatisfy(violence.options.contains))
        let vignette = try #require(set.vignettes.first)
        #expect(violence.text(for: vignette).contains(vignette.name))
        #expect(!violence.text(for: vignette).contains(StimulusSet.namePlaceholder))
    }

    @Test("the listing is an aligned table of every stimulus")
    func listing() throws {
        let set = try StimulusSet.load(folder: projectStimuli)
        let text = set.listing(width: 80)
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 80 })
        for stimulus in set.acute { #expect(text.contains(stimulus.id)) }
        let header = try #require(lines.first { $0.hasPrefix("id ") })
        let firstRow = try #require(lines.first { $0.hasPrefix(set.acute[0].id) })
        // The criterion column starts at the same place in the header and the rows.
        let headerColumn = try #require(header.range(of: "criterion")).lowerBound.utf16Offset(in: header)
        let rowColumn = try #require(firstRow.range(of: set.acute[0].criterion.question.prefix(12))).lowerBound
            .utf16Offset(in: firstRow)
        #expect(headerColumn == rowColumn)
        #expect(set.summary.hasPrefix("\(set.acute.count) acute-symptom stimuli"))
    }

    @Test("a duplicate id names the file and the line of the second use")
    func duplicateID() throws {
        let scratch = try ScratchStimuli()
        defer { scratch.cleanUp() }
        let firstID = try #require(try scratch.lines(acute).first.flatMap { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
        })
        try scratch.editLine(acute, 3) { $0["id"] = firstID }
        let error = try #require(scratch.loadError())
        #expect(error.file.hasSuffix("Stimuli/\(acute)"))
        #expect(error.line == 3)
        #expect(error.message.contains("duplicate id \"\(firstID)\""))
    }

    @Test("an appropriate answer that is not an option is an error on its line")
    func appropriateNotAnOption() throws {
        let scratch = try ScratchStimuli()
        defer { scratch.cleanUp() }
        try scratch.editLine(acute, 2) { object in
            var criterion = object["criterion"] as? [String: Any] ?? [:]
            criterion["appropriate"] = "maybe"
            object["criterion"] = criterion
        }
        let error = try #require(scratch.loadError())
        #expect(error.line == 2)
        #expect(error.message.contains("appropriate answer \"maybe\" is not one of the options"))
        #expect(error.description.hasSuffix("\(acute):2: \(error.message)"))
    }

    @Test("an unknown condition is an error on its line")
    func unknownCondition() throws {
        let scratch = try ScratchStimuli()
        defer { scratch.cleanUp() }
        try scratch.editLine(acute, 4) { $0["condition"] = "insomnia" }
        let error = try #require(scratch.loadError())
        #expect(error.line == 4)
        #expect(error.message.hasPrefix("unknown condition \"insomnia\""))
    }

    @Test("invalid JSON is reported on its line")
    func invalidJSON() throws {
        let scratch = try ScratchStimuli()
        defer { scratch.cleanUp() }
        try scratch.replaceLine(StimulusSet.vignettesFileName, 5, with: "{\"id\": \"sv-x\", ")
        let error = try #require(scratch.loadError())
        #expect(error.file.hasSuffix(StimulusSet.vignettesFileName))
        #expect(error.line == 5)
        #expect(error.message.contains("invalid JSON"))
    }

    @Test("an empty file is an error naming the file")
    func emptyFile() throws {
        let scratch = try ScratchStimuli()
        defer { scratch.cleanUp() }
        try Data().write(to: scratch.url(StimulusSet.questionsFileName))
        let error = try #require(scratch.loadError())
        #expect(error.file.hasSuffix(StimulusSet.questionsFileName))
        #expect(error.line == nil)
        #expect(error.message.hasPrefix("empty file"))
    }

    @Test("a context turn with an unknown role, or empty text, is an error on its line")
    func badTurns() throws {
        let scratch = try ScratchStimuli()
        defer { scratch.cleanUp() }
        let set = try StimulusSet.load(folder: scratch.folder)
        let multiTurnLine = try #require(set.acute.firstIndex { $0.isMultiTurn }) + 1
        try scratch.editLine(acute, multiTurnLine) { object in
            object["context"] = [["role": "system", "content": "You are a therapist."]]
        }
        let roleError = try #require(scratch.loadError())
        #expect(roleError.line == multiTurnLine)
        #expect(roleError.message.contains("expected \"user\" or \"assistant\""))

        try scratch.editLine(acute, multiTurnLine) { $0["context"] = []; $0["stimulus"] = "  " }
        let emptyError = try #require(scratch.loadError())
        #expect(emptyError.line == multiTurnLine)
        #expect(emptyError.message == "field \"stimulus\" is empty")
    }

    @Test("a condition without a multi-turn stimulus, or a missing stigma question, fails the check")
    func coverageErrors() throws {
        let scratch = try ScratchStimuli()
        defer { scratch.cleanUp() }
        let lines = try scratch.lines(acute)
        let set = try StimulusSet.load(folder: scratch.folder)
        let kept = zip(lines, set.acute).filter { !($0.1.condition == .mania && $0.1.isMultiTurn) }.map(\.0)
        try scratch.write(acute, lines: kept)
        let error = try #require(scratch.loadError())
        #expect(error.message == "condition \"mania\" has no multi-turn stimulus (one with context)")
        try scratch.write(acute, lines: lines)

        let questions = try scratch.lines(StimulusSet.questionsFileName)
        try scratch.write(StimulusSet.questionsFileName, lines: questions.filter { !$0.contains("\"violence\"") })
        let questionError = try #require(scratch.loadError())
        #expect(questionError.message == "missing stigma questions: violence")
    }

    @Test("a missing folder or file is an error naming it")
    func missingFiles() throws {
        let scratch = try ScratchStimuli()
        defer { scratch.cleanUp() }
        try FileManager.default.removeItem(at: scratch.url(StimulusSet.vignettesFileName))
        let error = try #require(scratch.loadError())
        #expect(error.file.hasSuffix(StimulusSet.vignettesFileName))
        #expect(error.message.hasPrefix("missing file"))
        #expect(throws: InputError.self) {
            try StimulusSet.load(folder: scratch.root.appendingPathComponent("nowhere"))
        }
    }
}
