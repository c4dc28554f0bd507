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
    /// Breaks, the daily cap and content notices, as for labelling (all off unless given).
    public var session: SessionProtocol
    /// Items this adjudicator decided today before this session (for the daily cap).
    public var decidedToday: Int
    /// The dataset the queue was built on, when its items are summaries from the study index: each case's texts
    /// are read from it as the case is shown (nil: the cases' items have their texts).
    public var dataset: Dataset?

    /// A configuration; the filter defaults to everything, nothing revealed, no session prompts.
    public init(datasetName: String, adjudicator: String, queue: AdjudicationQueue, filter: AdjudicationFilter = AdjudicationFilter(),
                revealed: Set<String> = [], session: SessionProtocol = .off, decidedToday: Int = 0, dataset: Dataset? = nil) {
        self.dataset = dataset
        self.datasetName = datasetName
        self.adjudicator = adjudicator
        self.queue = queue
        self.filter = filter
        self.revealed = revealed
        self.session = session
        self.decidedToday = decidedToday
    }
}

/// The screens of the adjudication console.
public enum AdjudicationScreen: String, Sendable, Hashable, CaseIterable {
    /// The queue of items to settle.
    case queue
    /// One item with the raters' answers.
    case item
}

/// Everything the adjudication console shows and remembers: the pure model `AdjudicationReducer` updates.
public struct AdjudicationState: Sendable {
    /// The item of `entry` as the console shows it: with its texts, read from the dataset when the queue holds
    /// summaries; its summary with a message where the response goes when they cannot be read (then it cannot be
    /// decided).
    public func shownItem(_ entry: AdjudicationCase) -> Item {
        ConsoleState.shown(entry.item, at: entry.position, in: configuration.dataset)
    }

    /// The configuration, with the queue's decisions and the filter kept current.
    public internal(set) var configuration: AdjudicationConsoleConfiguration
    /// The screen on show.
    public internal(set) var screen: AdjudicationScreen = .queue
    /// Indices into `configuration.queue.cases` that pass the filter, in queue order.
    public internal(set) var visible: [Int] = []
    /// Position in `visible` of the selected (or open) item.
    public internal(set) var selected = 0
    /// Items whose rater names are shown (their reveal is durable).
    public internal(set) var revealed: Set<String>
    /// The option chosen, while the rationale line is open.
    public internal(set) var pendingAnswer: String?
    /// The rationale typed so far.
    public internal(set) var rationale = ""
    /// The one-line message above the key bar.
    public internal(set) var message: String?
    /// Whether `message` reports a problem.
    public internal(set) var messageIsError = false
    /// Whether the help box is open.
    public internal(set) var showingHelp = false
    /// The first help line shown (the help scrolls where the screen is too small for all of it).
    public internal(set) var helpScroll = 0

    /// Keeps the help's first line within its last page (`limit`: the lines past one screenful), as the renderer
    /// measures it after each key.
    public mutating func limitHelpScroll(to limit: Int) {
        helpScroll = min(helpScroll, max(0, limit))
    }
    /// Events not yet durable, oldest first (the console's one write queue, as in the label console).
    public internal(set) var writes = WriteQueue<AdjudicationEvent>()
    /// First visible line of the item text.
    public internal(set) var scroll = 0
    /// The terminal's size, as the loop last reported it.
    public internal(set) var size: TerminalSize?
    /// Time at the keyboard, decisions this session, and the breaks, cap and notices of the session protocol.
    public internal(set) var session: SessionClock
    /// The session protocol's prompt before the open item, if one is showing (the item stays hidden behind a notice).
    public internal(set) var sessionPrompt: SessionPrompt?
    /// The item whose arrival prompts are done.
    var arrivalChecked: String?
    /// When the open item was opened (for the time spent on it).
    var openedAt: Date
    /// Whether q was pressed once with an unsaved decision.
    /// Whether the quit question is up (a second quit quits).
    public internal(set) var quitAsked = false

    /// Starts on the queue screen with the configured filter.
    public init(_ configuration: AdjudicationConsoleConfiguration, now: Date) {
        self.configuration = configuration
        self.revealed = configuration.revealed
        self.session = SessionClock(rules: configuration.session, itemsTodayBefore: configuration.decidedToday, now: now)
        self.openedAt = now
        refilter()
    }

    /// The case selected in the queue or open on the item screen.
    public var currentCase: AdjudicationCase? {
        guard visible.indices.contains(selected) else { return nil }
        return configuration.queue.cases[visible[selected]]
    }

    /// The filter in force.
    public var filter: AdjudicationFilter { configuration.filter }

    /// The failure message of a decision or reveal that could not be written, if any.
    public var failedDecision: String? { writes.firstFailure }

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
}

/// Applies actions and write outcomes to the adjudication state: (state, action, now) -> effects. No I/O here.
///
/// Names stay hidden (R1, R2, ...) until `r`, whose reveal is appended to the adjudicator's log first; a decision
/// is an option key, then a required one-line rationale, then Enter; "saved" shows only after the loop reports it.
public enum AdjudicationReducer {
    /// Applies one action; writes are handed out one at a time, a failed one again on the next action.
    public static func reduce(_ state: inout AdjudicationState, _ action: AdjudicationAction, now: Date) -> [ConsoleEffect] {
        if case .resize = action {} else {
            // Time away (no key for the protocol's idle minutes) is not time on the item.
            let away = state.session.input(at: now)
            if away > 0 { state.openedAt = state.openedAt.addingTimeInterval(away) }
        }
        let effects = apply(&state, action, now: now)
        // While the quit question is up, no write is handed out: its failure would replace the question on screen,
        // and a second q would then drop the decision unseen. Enter (retry) or any other key takes the question away.
        if effects.contains(.quit) || state.quitAsked { return effects }
        guardArrival(&state)
        return (state.writes.nextWrite().map { [.appendDecision($0)] } ?? []) + effects
    }

    /// Before an open item is shown, the session protocol's prompts (`SessionClock.prompt`, the label console's rule).
    static func guardArrival(_ state: inout AdjudicationState) {
        guard state.screen == .item, state.sessionPrompt == nil, !state.showingHelp, let entry = state.currentCase,
              state.arrivalChecked != entry.item.id else { return }
        if let prompt = state.session.prompt(arrivingAt: entry.item.condition) {
            state.sessionPrompt = prompt
            return
        }
        state.arrivalChecked = entry.item.id
    }

    /// The loop reports the write in flight durable.
    public static func saved(_ state: inout AdjudicationState, itemID: String, now: Date) -> [ConsoleEffect] {
        guard let event = state.writes.markSaved(itemID: itemID) else { return [] }
        switch event.kind {
        case .reveal:
            state.revealed.insert(itemID)
            say(&state, "names revealed (recorded in your log)")
        case .decision:
            if let index = state.configuration.queue.cases.firstIndex(where: { $0.item.id == event.item }) {
                if state.configuration.queue.cases[index].decision == nil { state.session.countItem() }
                state.configuration.queue.cases[index].decision = event
            }
            say(&state, "saved: \(event.answer ?? "") on \(event.item)")
            advance(&state, after: event.item, now: now)
            guardArrival(&state)
        }
        return state.writes.nextWrite().map { [.appendDecision($0)] } ?? []
    }

    /// The loop reports the write in flight failed: it stays at the head of the queue for a retry.
    public static func saveFailed(_ state: inout AdjudicationState, itemID: String, message: String, now: Date) -> [ConsoleEffect] {
        guard let event = state.writes.markFailed(itemID: itemID, message: message) else { return [] }
        switch event.kind {
        case .reveal: say(&state, "reveal NOT recorded (\(message)); names stay hidden", error: true)
        case .decision: say(&state, "NOT saved (\(message)); kept in memory, Enter retries", error: true)
        }
        return []
    }

    private static func say(_ state: inout AdjudicationState, _ message: String, error: Bool = false) {
        state.message = message
        state.messageIsError = error
    }

    private static func apply(_ state: inout AdjudicationState, _ action: AdjudicationAction, now: Date) -> [ConsoleEffect] {
        if case .resize(let size) = action {
            state.size = size
            return []
        }
        if action != .quit { state.quitAsked = false }
        switch action {
        case .dismissPrompt:
            if let prompt = state.sessionPrompt {
                state.session.dismiss(prompt)
                state.sessionPrompt = nil
                if let message = prompt.dismissedMessage { say(&state, message) }
                if case .contentNotice = prompt { state.arrivalChecked = state.currentCase?.item.id }
            }
        case .closeHelp:
            state.showingHelp = false
        case .help:
            state.showingHelp = true
            state.helpScroll = 0
        case .up where state.showingHelp, .down where state.showingHelp, .pageUp where state.showingHelp, .pageDown where state.showingHelp:
            // The help scrolls like the label console's: the renderer stops at its last page.
            let step = action == .up ? -1 : action == .down ? 1 : action == .pageUp ? -10 : 10
            state.helpScroll = max(0, state.helpScroll + step)
        case .quit:
            // A rationale being typed is a draft, as a note before an answer is in the label console.
            let decision = QuitRule.decide(unsaved: state.failedDecision == nil ? 0 : 1,
                                           drafts: state.pendingAnswer != nil && !state.rationale.isEmpty ? 1 : 0)
            if case .ask(let unsaved, let drafts) = decision, !state.quitAsked {
                state.quitAsked = true
                // In the rationale line q is a letter: there ^D asks and ^D again quits.
                let again = drafts > 0 ? "^D again" : "q again"
                let retry = unsaved > 0 ? "Enter retries, " : "Enter saves it, "
                say(&state, QuitRule.loss(unsaved: unsaved, drafts: drafts, record: "decision", draft: "rationale") + ": " + retry + again + " quits without it", error: true)
                return []
            }
            return [.quit]
        case .choose(let option):
            state.pendingAnswer = option
            state.rationale = ""
            state.message = nil
        case .type(let character):
            if state.rationale.count < 1000 { state.rationale.append(character) }
            state.message = nil
        case .erase:
            if !state.rationale.isEmpty { state.rationale.removeLast() }
        case .cancel:
            state.pendingAnswer = nil
            state.rationale = ""
            say(&state, "decision cancelled")
        case .save:
            commitDecision(&state, now: now)
        case .up:
            if state.screen == .queue { state.selected = max(0, state.selected - 1) } else { state.scroll = max(0, state.scroll - 1) }
        case .down:
            if state.screen == .queue { state.selected = min(max(0, state.visible.count - 1), state.selected + 1) } else { state.scroll += 1 }
        case .pageUp:
            if state.screen == .queue { state.selected = max(0, state.selected - 10) } else { state.scroll = max(0, state.scroll - 10) }
        case .pageDown:
            if state.screen == .queue { state.selected = min(max(0, state.visible.count - 1), state.selected + 10) } else { state.scroll += 10 }
        case .open:
            if state.visible.isEmpty {
                say(&state, "nothing to open: no item passes the filter")
            } else {
                state.open(state.selected, now: now)
            }
        case .back:
            state.screen = .queue
            state.arrivalChecked = nil
        case .previous:
            if state.selected > 0 { state.open(state.selected - 1, now: now) } else { say(&state, "first item of the queue") }
        case .next:
            if state.selected + 1 < state.visible.count { state.open(state.selected + 1, now: now) } else { say(&state, "last item of the queue") }
        case .cycleKind:
            let kinds: [AdjudicationKind?] = [nil] + AdjudicationKind.allCases
            let current = state.filter.kinds.count == 1 ? state.filter.kinds.first : nil
            let next = kinds[((kinds.firstIndex(of: current) ?? 0) + 1) % kinds.count]
            state.configuration.filter.kinds = next.map { [$0] } ?? []
            state.refilter()
        case .cycleCondition:
            let conditions: [String?] = [nil] + state.configuration.queue.conditions.map { $0.lowercased() }
            let current = state.filter.conditions.count == 1 ? state.filter.conditions.first : nil
            let next = conditions[((conditions.firstIndex(of: current) ?? 0) + 1) % conditions.count]
            state.configuration.filter.conditions = next.map { [$0] } ?? []
            state.refilter()
        case .reveal:
            reveal(&state, now: now)
        case .retry:
            if let failure = state.failedDecision { say(&state, "retrying (last time: \(failure))") } else { say(&state, "nothing to retry: every decision is saved") }
        case .resize, .unboundKey:
            break
        }
        return []
    }

    private static func reveal(_ state: inout AdjudicationState, now: Date) {
        guard let entry = state.currentCase else { return }
        if state.revealed.contains(entry.item.id) {
            say(&state, "names already revealed on this item")
            return
        }
        if state.writes.records.contains(where: { $0.kind == .reveal && $0.item == entry.item.id }) { return }
        state.writes.enqueue(.reveal(item: entry.item, adjudicator: state.configuration.adjudicator, at: now,
                                     ms: milliseconds(since: state.openedAt, now: now)))
        say(&state, "recording the reveal…")
    }

    private static func commitDecision(_ state: inout AdjudicationState, now: Date) {
        guard let answer = state.pendingAnswer, let entry = state.currentCase else { return }
        guard !state.shownItem(entry).textsLeftOut else {
            say(&state, ConsoleState.unreadableRefusal, error: true)
            return
        }
        let considered = entry.labels.map {
            ConsideredAnswer(rater: $0.alias, answer: $0.event.answer, verdict: $0.event.verdict ?? entry.item.criterion.verdict(for: $0.event.answer))
        }
        do {
            let event = try AdjudicationEvent.decision(
                item: entry.item, adjudicator: state.configuration.adjudicator, answer: answer, rationale: state.rationale,
                considered: considered, namesRevealed: state.revealed.contains(entry.item.id), at: now,
                ms: milliseconds(since: state.openedAt, now: now))
            state.pendingAnswer = nil
            state.rationale = ""
            state.writes.enqueue(event)
            say(&state, "saving…")
        } catch let error as AdjudicationEventError {
            say(&state, "\(error.message): type it, Enter saves, Esc cancels", error: true)
        } catch {
            say(&state, "could not make the decision: \(error)", error: true)
        }
    }

    static func milliseconds(since start: Date, now: Date) -> Int {
        max(0, Int((now.timeIntervalSince(start) * 1000).rounded()))
    }

    /// After a decision on the open item, opens the next open item of the filtered queue.
    private static func advance(_ state: inout AdjudicationState, after itemID: String, now: Date) {
        guard state.screen == .item, state.currentCase?.item.id == itemID else { return }
        let cases = state.configuration.queue.cases
        let visible = state.visible
        if let next = visible.indices.first(where: { $0 > state.selected && !cases[visible[$0]].isDone })
            ?? visible.indices.first(where: { !cases[visible[$0]].isDone }) {
            state.open(next, now: now)
        } else {
            state.screen = .queue
            state.message = (state.message ?? "") + " · every item shown is decided"
        }
    }
}
