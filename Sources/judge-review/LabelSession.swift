import ArgumentParser
import Foundation
import ReviewCore
import ReviewConsole
import ReviewUI
import TerminalBackend

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line error for the label and demo commands (ArgumentParser prints it and exits non-zero).
struct LabelCommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A rater's item order, remembered in `<folder>/<rater>.order.json` so reopening gives the same order.
///
/// File fields: `order` (`"file"` or `"shuffled"`), `seed` (unsigned integer, present when shuffled).
struct OrderSettings: Codable, Equatable {
    var order: String
    var seed: UInt64?

    static let file = OrderSettings(order: "file", seed: nil)

    /// The settings file of a rater.
    static func url(folder: URL, rater: String) -> URL {
        folder.appendingPathComponent("\(rater).order.json")
    }

    /// The stored settings, nil when there are none; a malformed file is a one-line error naming it.
    static func load(from url: URL) throws -> OrderSettings? {
        guard SafeFile.exists(url.path) else { return nil }
        let data = try SafeFile.read(url.path)
        do {
            let settings = try JSONDecoder().decode(OrderSettings.self, from: data)
            guard settings.order == "file" || (settings.order == "shuffled" && settings.seed != nil) else {
                throw InputError(file: url.path, line: 1, "expected {\"order\": \"file\"} or {\"order\": \"shuffled\", \"seed\": N}")
            }
            return settings
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(file: url.path, line: 1, "not an order settings file: \(JSONLines.describe(error))")
        }
    }

    /// What to use this session: the options given, else the stored settings, else file order.
    /// `--seed` alone implies `--order shuffled`; `--order shuffled` without a seed reuses the stored
    /// seed or draws a new one.
    static func resolve(order: String?, seed: UInt64?, stored: OrderSettings?, randomSeed: () -> UInt64) throws -> OrderSettings {
        switch order {
        case "file"?:
            if seed != nil { throw UsageError(option: "--seed", "only applies to --order shuffled") }
            return .file
        case "shuffled"?:
            return OrderSettings(order: "shuffled", seed: seed ?? stored?.seed ?? randomSeed())
        case nil:
            if let seed { return OrderSettings(order: "shuffled", seed: seed) }
            return stored ?? .file
        case let other?:
            throw UsageError(option: "--order", "must be file or shuffled, not \"\(other)\"")
        }
    }

    /// Writes the settings atomically.
    func write(to url: URL, groupReadable: Bool) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try AtomicFile.write(data, to: url, permissions: FileModes.file(groupReadable: groupReadable))
    }

    /// How the order reads in the exit summary.
    var summary: String {
        if let seed, order == "shuffled" { return "order shuffled, seed \(seed)" }
        return "file order"
    }
}

/// Everything a label session needs, from the command line.
struct LabelSessionOptions {
    var dataset: Dataset
    var rater: String
    var mode: ReviewMode
    var order: String?
    var seed: UInt64?
    var annotationsFolder: URL
    var hideAppropriate: Bool
    var groupReadable: Bool
    /// Breaks, the daily cap, content notices and whether to run the practice round.
    var session: SessionProtocol = .off
    /// The rater's queue from the study's assignment, as dataset positions; nil when the study assigns none.
    var assigned: AssignedOrder? = nil
}

/// A rater's items and order from the study's `assignment.json`.
struct AssignedOrder {
    var positions: [Int]
    var seed: UInt64
    /// The gold items of the practice round, with their answers.
    var practice: [RaterPractice] = []
    /// Hidden repeats: dataset position and the live items after which it is shown again.
    var repeats: [(item: Int, after: Int)] = []

    /// The rater's queue as dataset positions; nil when the study has no assignment. A rater the assignment does
    /// not name, or `--order`/`--seed` beside an assignment, is a one-line error.
    static func load(study: Study?, dataset: Dataset, rater: String, order: String?, seed: UInt64?) throws -> AssignedOrder? {
        guard let study, let assignment = try RaterAssignment.load(from: study) else { return nil }
        let file = RaterAssignment.url(in: study).path
        guard let queue = assignment.queue(of: rater) else {
            throw InputError(file: file, "rater \(rater) has no items in the study's assignment (raters: \(assignment.queues.map(\.rater).joined(separator: ", "))); add them with judge-review assign --rebalance")
        }
        if order != nil || seed != nil {
            throw InputError(file: file, "the study's assignment sets \(rater)'s items and order; --order and --seed do not apply")
        }
        func position(_ id: String) throws -> Int {
            guard let position = dataset.indexByID[id] else {
                throw InputError(file: file, "assigned item \(TextSanitizer.singleLine(id)) is not in the study's items")
            }
            return position
        }
        let positions = try queue.items.map(position)
        let answers = Dictionary(assignment.gold.map { ($0.id, $0.answer) }, uniquingKeysWith: { first, _ in first })
        let practice = try queue.gold.map { id -> RaterPractice in
            guard let answer = answers[id] else { throw InputError(file: file, "gold item \(TextSanitizer.singleLine(id)) has no answer in the assignment") }
            let index = try position(id)
            // The rule assign --gold applies: the answer must be one of the item's options.
            guard dataset.items[index].criterion.option(matching: answer) != nil else {
                throw InputError(file: file, "gold item \(TextSanitizer.singleLine(id)): \"\(TextSanitizer.singleLine(answer))\" is not one of its options (\(dataset.items[index].criterion.options.joined(separator: ", ")))")
            }
            return RaterPractice(itemIndex: index, answer: answer)
        }
        let repeats = try queue.repeats.map { (item: try position($0.item), after: $0.after) }
        return AssignedOrder(positions: positions, seed: assignment.seed, practice: practice, repeats: repeats)
    }
}

/// Opens the rater's log, sets up the order, runs the console and prints the summary.
enum LabelSession {
    static func run(_ options: LabelSessionOptions) throws {
        if let problem = RaterName.problem(with: options.rater) { throw UsageError(option: "--rater", problem) }
        // Option mistakes first, so they are reported even where there is no terminal.
        if options.assigned == nil {
            _ = try OrderSettings.resolve(order: options.order, seed: options.seed, stored: nil, randomSeed: { 1 })
        }
        // Check for a terminal before touching any file: a pipe or CI run gets one clear line.
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw LabelCommandError(ConsoleLoopError.notATerminal.description)
        }
        let folder = options.annotationsFolder
        let logFile = AnnotationPaths.logFile(folder: folder, rater: options.rater)
        let log: RaterLog
        do {
            log = try RaterLog(folder: folder, rater: options.rater, options: StoreOptions(groupReadable: options.groupReadable))
        } catch let error as InputError {
            throw error
        } catch let error as StoreError {
            // Already one line naming the file (e.g. "…: already open in process 123; … close the other session first").
            throw LabelCommandError(error.description)
        } catch {
            throw LabelCommandError("\(logFile.path): cannot open the annotation log: \(error)")
        }
        defer { log.close() }
        // Repairs made at open (a torn last line set aside) are shown after the console, where they stay readable.
        defer { for warning in log.warnings { CommandOutput.warning(warning) } }

        let order: [Int]
        let orderSummary: String
        if let assigned = options.assigned {
            order = assigned.positions
            orderSummary = "the study's assignment (\(order.count) items, seed \(assigned.seed))"
        } else {
            let settingsFile = OrderSettings.url(folder: folder, rater: options.rater)
            let stored = try OrderSettings.load(from: settingsFile)
            let settings = try OrderSettings.resolve(
                order: options.order, seed: options.seed, stored: stored, randomSeed: SeedArgument.drawn)
            if settings != stored {
                do { try settings.write(to: settingsFile, groupReadable: options.groupReadable) } catch {
                    throw LabelCommandError("\(settingsFile.path): cannot save the order settings: \(error)")
                }
            }
            order = ItemOrder.positions(count: options.dataset.items.count, shuffledWithSeed: settings.order == "shuffled" ? settings.seed : nil)
            orderSummary = settings.summary
        }
        let configuration = LabelConsoleConfiguration(
            dataset: options.dataset, rater: options.rater, mode: options.mode, order: order,
            history: log.events, hideAppropriateAnswer: options.hideAppropriate, session: options.session,
            practice: options.session.practice ? options.assigned?.practice ?? [] : [], repeats: options.assigned?.repeats ?? [])
        var console = LabelConsole(configuration, now: Date())
        var tally = SessionTally(savedBefore: log.events.count)
        try ConsoleLoop.run(&console) { effect in
            ConsoleEffects.perform(effect, labels: log, lastFailure: &tally.lastFailure)
        }
        // One last try for anything the disk refused (the console's queue is the only place it lives), now that
        // the rater has left the screen.
        let unsaved = ConsoleEffects.lastTry(console.state.writes.records, log: log.log, lastFailure: &tally.lastFailure)
        CommandOutput.line("\(tally.summary(log: log)) to \(logFile.path); \(orderSummary); \(console.state.session.activeText) at the keyboard")
        if let lost = tally.lostSummary(unsaved: unsaved) {
            CommandOutput.error(command: "label", lost)
            throw ExitCode.failure
        }
    }
}

/// What a session saved and what it could not, for the exit line: counted from the log itself, so a label
/// retried three times before it was saved counts once, as saved.
struct SessionTally {
    /// Events the log held when the session opened it.
    var savedBefore: Int
    /// The store's last refusal, for the exit line (the screen that showed it is gone).
    var lastFailure: String?

    /// A tally for a log that held `savedBefore` events at open.
    init(savedBefore: Int = 0) {
        self.savedBefore = savedBefore
    }

    /// `3 items labelled this session (5 saves, with revisions, flags and notes; 1 undone)`.
    func summary(log: RaterLog) -> String {
        let saved = log.events.dropFirst(savedBefore)
        // Items, not events: a revision, a flag or a note on an item is another event for the same item; practice
        // and repeat answers are counted apart (they are not labels of the study).
        let labelEvents = saved.filter { $0.settlesItem && $0.purpose == nil }
        let items = Set(labelEvents.map(\.item)).count
        let abstained = Set(labelEvents.filter { $0.kind == .abstain }.map(\.item)).count
        let undone = Set(saved.filter { $0.kind == .retract }.map(\.key)).count
        var text = "\(items) item\(items == 1 ? "" : "s") labelled this session"
        var details: [String] = []
        if labelEvents.count > items { details.append("\(labelEvents.count) saves, with revisions, flags and notes") }
        if abstained > 0 { details.append("\(abstained) marked cannot judge") }
        for purpose in LabelPurpose.allCases {
            let answered = Set(saved.filter { $0.kind == .label && $0.purpose == purpose }.map(\.item)).count
            if answered > 0 { details.append("\(answered) \(purpose == .practice ? "practice" : "repeat") answer\(answered == 1 ? "" : "s")") }
        }
        if undone > 0 { details.append("\(undone) undone") }
        if !details.isEmpty { text += " (\(details.joined(separator: "; ")))" }
        return text
    }

    /// The line about labels that were never saved and are lost with the process; nil when none are.
    func lostSummary(unsaved: [LabelEvent]) -> String? {
        guard !unsaved.isEmpty else { return nil }
        let labels = unsaved.filter { $0.kind == .label }.count
        let retractions = unsaved.count - labels
        var parts: [String] = []
        if labels > 0 { parts.append("\(labels) label\(labels == 1 ? "" : "s")") }
        if retractions > 0 { parts.append("\(retractions) undo\(retractions == 1 ? "" : "s")") }
        let items = Set(unsaved.map(\.item)).sorted().prefix(5).map(TextSanitizer.singleLine).joined(separator: ", ")
        return "\(parts.joined(separator: " and ")) NOT SAVED and lost (items \(items)\(unsaved.count > 5 ? ", …" : ""))"
            + (lastFailure.map { ": \($0)" } ?? "") + "; label those items again once the disk accepts writes"
    }
}

/// Carries out both consoles' effects: each typed record goes to its log, and only a durable append is `.saved`.
///
/// The store keeps nothing of a failed write (the console's queue holds it and sends it again), so every
/// effect is one plain append.
enum ConsoleEffects {
    /// Appends a label to `labels` or a decision to `decisions`; a record for a log not given is refused.
    static func perform(
        _ effect: ConsoleEffect, labels: RaterLog? = nil, decisions: AdjudicationLog? = nil, lastFailure: inout String?
    ) -> EffectOutcome? {
        let itemID: String
        do {
            switch effect {
            case .appendLabel(let event):
                itemID = event.item
                guard let labels else { return .saveFailed(itemID: itemID, message: "labels are not saved from this console") }
                try labels.append(event)
            case .appendDecision(let event):
                itemID = event.item
                guard let decisions else { return .saveFailed(itemID: itemID, message: "adjudication decisions are not saved from this console") }
                try decisions.append(event)
            case .quit:
                return nil
            }
        } catch {
            lastFailure = "\(error)"
            return .saveFailed(itemID: effect.itemID ?? "", message: "\(error)")
        }
        return .saved(itemID: itemID)
    }
}

extension ConsoleEffects {
    /// One last try, at exit, for the records the console still holds (its write queue is the only place they
    /// live): all of them in one append; returns what is still not saved.
    static func lastTry<Record>(_ records: [Record], log: AppendOnlyLog<Record>, lastFailure: inout String?) -> [Record] {
        guard !records.isEmpty else { return [] }
        do {
            try log.append(contentsOf: records)
            return []
        } catch {
            lastFailure = "\(error)"
            return records
        }
    }
}

extension ConsoleEffect {
    /// The item an append is about; nil for quit.
    var itemID: String? {
        switch self {
        case .appendLabel(let event): event.item
        case .appendDecision(let event): event.item
        case .quit: nil
        }
    }
}
