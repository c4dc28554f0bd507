import Foundation
import ReviewCore

/// Everything the adjudication console needs to start.
public struct AdjudicationConsoleConfiguration: Sendable {
    /// Shown in the header.
    public var datasetName: String
    /// Who decides; written into every event and used to draw the aliases.
    public var adjudicator: String
    /// The items to settle, in order.
    public var queue: AdjudicationQueue
    /// The filter to start with (from `--kind` / `--condition`).
    public var filter: AdjudicationFilter
    /// Items whose raters' names this adjudicator has already revealed (from their log).
    public var revealed: Set<String>

    /// A configuration; the filter defaults to everything, nothing revealed.
    public init(datasetName: String, adjudicator: String, queue: AdjudicationQueue, filter: AdjudicationFilter = AdjudicationFilter(), revealed: Set<String> = []) {
        self.datasetName = datasetName
        self.adjudicator = adjudicator
        self.queue = queue
        self.filter = filter
        self.revealed = revealed
    }
}

/// The adjudication screen as a pure program: a queue, then one item at a time with its raters under aliases.
///
/// Names stay hidden (R1, R2, ...) until `r`, whose reveal is appended to the adjudicator's log first; a decision
/// is an option key, then a required one-line rationale, then Enter; "saved" shows only after the loop reports it.
public struct AdjudicationConsole: ConsoleProgram {
    /// A write handed to the loop and not yet answered.
    enum PendingWrite: Equatable {
        case reveal(itemID: String)
        case decision(AdjudicationEvent, line: Data)
    }

    /// The configuration, with the queue's decisions and the filter kept current.
    public private(set) var configuration: AdjudicationConsoleConfiguration
    /// The screen on show.
    public private(set) var screen: AdjudicationScreen = .queue
    /// Indices into `configuration.queue.cases` that pass the filter, in queue order.
    public private(set) var visible: [Int] = []
    /// Position in `visible` of the selected (or open) item.
    public private(set) var selected = 0
    /// Items whose rater names are shown (their reveal is recorded).
    public private(set) var revealed: Set<String>
    /// The option chosen and the rationale typed so far, while the rationale prompt is open.
    public private(set) var pendingAnswer: String?
    /// The rationale typed so far.
    public private(set) var rationale = ""
    /// The one-line message above the key bar.
    public private(set) var message: String?
    /// Whether the help overlay is open.
    public private(set) var showingHelp = false
    /// A decision that could not be written, kept for a retry.
    var unsaved: (AdjudicationEvent, Data)?
    var pending: [PendingWrite] = []
    var scroll = 0
    var openedAt: Date
    var quitAsked = false

    /// Starts on the queue screen with the configured filter.
    public init(_ configuration: AdjudicationConsoleConfiguration, now: Date) {
        self.configuration = configuration
        self.revealed = configuration.revealed
        self.openedAt = now
        refilter()
    }

    // MARK: - State helpers

    /// The case selected in the queue or open on the item screen.
    public var currentCase: AdjudicationCase? {
        guard visible.indices.contains(selected) else { return nil }
        return configuration.queue.cases[visible[selected]]
    }

    var filter: AdjudicationFilter { configuration.filter }

    mutating func refilter() {
        let current = currentCase?.item.id
        visible = configuration.queue.cases.indices.filter { filter.matches(configuration.queue.cases[$0]) }
        selected = current.flatMap { id in visible.firstIndex { configuration.queue.cases[$0].item.id == id } } ?? 0
    }

    mutating func open(_ position: Int, now: Date) {
        selected = position
        screen = .item
        scroll = 0
        openedAt = now
        pendingAnswer = nil
        rationale = ""
    }

    // MARK: - Keys

    /// Applies a key: the rationale prompt takes keys first, then option keys, then the keymap table.
    public mutating func handle(key: Key, now: Date) -> [ConsoleEffect] {
        if key == .resize { return [] }
        if key == .control("c") { return [.quit] }
        if showingHelp {
            showingHelp = false
            return []
        }
        if pendingAnswer != nil { return handleRationale(key: key, now: now) }
        if key == .character("q") || key == .control("d") {
            if unsaved != nil && !quitAsked {
                quitAsked = true
                message = "a decision is NOT saved: Enter retries, q again quits without it"
                return []
            }
            return [.quit]
        }
        quitAsked = false
        if screen == .item, let entry = currentCase, case .character(let character) = key,
           let option = AdjudicationKeymap.optionKeys(for: entry.item.criterion).first(where: { $0.key == character })?.option {
            pendingAnswer = option
            rationale = ""
            message = nil
            return []
        }
        guard let action = AdjudicationKeymap.action(for: key, on: screen) else { return [] }
        return perform(action, now: now)
    }

    mutating func perform(_ action: AdjudicationAction, now: Date) -> [ConsoleEffect] {
        switch action {
        case .help:
            showingHelp = true
        case .quit:
            return [.quit]
        case .up:
            if screen == .queue { selected = max(0, selected - 1) } else { scroll = max(0, scroll - 1) }
        case .down:
            if screen == .queue { selected = min(max(0, visible.count - 1), selected + 1) } else { scroll += 1 }
        case .pageUp:
            if screen == .queue { selected = max(0, selected - 10) } else { scroll = max(0, scroll - 10) }
        case .pageDown:
            if screen == .queue { selected = min(max(0, visible.count - 1), selected + 10) } else { scroll += 10 }
        case .open:
            if visible.isEmpty {
                message = "nothing to open: no item passes the filter"
            } else {
                open(selected, now: now)
            }
        case .back:
            screen = .queue
        case .previous:
            if selected > 0 { open(selected - 1, now: now) } else { message = "first item of the queue" }
        case .next:
            if selected + 1 < visible.count { open(selected + 1, now: now) } else { message = "last item of the queue" }
        case .cycleKind:
            let kinds: [AdjudicationKind?] = [nil] + AdjudicationKind.allCases
            let current = configuration.filter.kinds.count == 1 ? configuration.filter.kinds.first : nil
            let index = kinds.firstIndex(of: current) ?? 0
            let next = kinds[(index + 1) % kinds.count]
            configuration.filter.kinds = next.map { [$0] } ?? []
            refilter()
        case .cycleCondition:
            let conditions: [String?] = [nil] + configuration.queue.conditions.map { $0.lowercased() }
            let current = configuration.filter.conditions.count == 1 ? configuration.filter.conditions.first : nil
            let index = conditions.firstIndex(of: current) ?? 0
            let next = conditions[(index + 1) % conditions.count]
            configuration.filter.conditions = next.map { [$0] } ?? []
            refilter()
        case .reveal:
            return reveal(now: now)
        case .retry:
            guard let (event, line) = unsaved else { return [] }
            unsaved = nil
            pending.append(.decision(event, line: line))
            message = "saving…"
            return [.appendDecision(itemID: event.item, line: line)]
        }
        return []
    }

    mutating func reveal(now: Date) -> [ConsoleEffect] {
        guard let entry = currentCase else { return [] }
        if revealed.contains(entry.item.id) {
            message = "names already revealed on this item"
            return []
        }
        if pending.contains(.reveal(itemID: entry.item.id)) { return [] }
        let event = AdjudicationEvent.reveal(
            item: entry.item, adjudicator: configuration.adjudicator, at: now, ms: milliseconds(since: openedAt, now: now))
        guard let line = try? event.encodedLine() else {
            message = "could not encode the reveal; names stay hidden"
            return []
        }
        pending.append(.reveal(itemID: entry.item.id))
        message = "recording the reveal…"
        return [.appendDecision(itemID: entry.item.id, line: line)]
    }

    mutating func handleRationale(key: Key, now: Date) -> [ConsoleEffect] {
        switch key {
        case .escape:
            pendingAnswer = nil
            rationale = ""
            message = "decision cancelled"
        case .backspace, .delete:
            if !rationale.isEmpty { rationale.removeLast() }
        case .enter:
            return commitDecision(now: now)
        case .character(let character) where !character.isNewline:
            if rationale.count < 1000 { rationale.append(character) }
            message = nil
        default:
            break
        }
        return []
    }

    mutating func commitDecision(now: Date) -> [ConsoleEffect] {
        guard let answer = pendingAnswer, let entry = currentCase else { return [] }
        let considered = entry.labels.map {
            ConsideredAnswer(rater: $0.alias, answer: $0.event.answer, verdict: $0.event.verdict ?? entry.item.criterion.verdict(for: $0.event.answer))
        }
        do {
            let event = try AdjudicationEvent.decision(
                item: entry.item, adjudicator: configuration.adjudicator, answer: answer, rationale: rationale,
                considered: considered, namesRevealed: revealed.contains(entry.item.id), at: now,
                ms: milliseconds(since: openedAt, now: now))
            let line = try event.encodedLine()
            pendingAnswer = nil
            rationale = ""
            pending.append(.decision(event, line: line))
            message = "saving…"
            return [.appendDecision(itemID: entry.item.id, line: line)]
        } catch let error as AdjudicationEventError {
            message = "\(error.message): type it, Enter saves, Esc cancels"
        } catch {
            message = "could not encode the decision: \(error)"
        }
        return []
    }

    func milliseconds(since start: Date, now: Date) -> Int {
        max(0, Int((now.timeIntervalSince(start) * 1000).rounded()))
    }

    // MARK: - Outcomes

    /// Applies the outcome of the oldest write handed to the loop (writes are answered in order).
    public mutating func handle(outcome: EffectOutcome, now: Date) -> [ConsoleEffect] {
        guard !pending.isEmpty else { return [] }
        let write = pending.removeFirst()
        switch (write, outcome) {
        case (.reveal(let itemID), .saved):
            revealed.insert(itemID)
            message = "names revealed (recorded in your log)"
        case (.reveal, .saveFailed(_, let reason)):
            message = "reveal NOT recorded (\(reason)); names stay hidden"
        case (.decision(let event, _), .saved):
            if let index = configuration.queue.cases.firstIndex(where: { $0.item.id == event.item }) {
                configuration.queue.cases[index].decision = event
            }
            message = "saved: \(event.answer ?? "") on \(event.item)"
            advance(after: event.item, now: now)
        case (.decision(let event, let line), .saveFailed(_, let reason)):
            unsaved = (event, line)
            message = "NOT saved (\(reason)); kept in memory, Enter retries"
        }
        return []
    }

    /// After a decision on the open item, opens the next open item of the filtered queue.
    mutating func advance(after itemID: String, now: Date) {
        guard screen == .item, currentCase?.item.id == itemID else { return }
        let cases = configuration.queue.cases
        if let next = visible.indices.first(where: { $0 > selected && !cases[visible[$0]].isDone })
            ?? visible.indices.first(where: { !cases[visible[$0]].isDone }) {
            open(next, now: now)
        } else {
            screen = .queue
            message = (message ?? "") + " · every item shown is decided"
        }
    }
}

extension AdjudicationConsole {
    /// Whether a decision failed to save and waits for a retry (Enter).
    public var hasUnsavedDecision: Bool { unsaved != nil }
}
