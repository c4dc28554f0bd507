import Foundation
import ReviewStatistics
import ReviewCore

/// Applies actions and write outcomes to the console state: (state, action, now) -> commands. No I/O here.
public enum ConsoleReducer {
    /// Applies one action and returns what the loop must do, in order.
    ///
    /// Writes are handed out one at a time, oldest first; a failed write is handed out again on the next action.
    public static func reduce(_ state: inout ConsoleState, _ action: ConsoleAction, now: Date) -> [ConsoleEffect] {
        if case .resize = action {} else {
            state.message = nil
            state.messageIsError = false
            let away = state.session.input(at: now)
            if away > 0 { state.discountTimeAway(away) }
        }
        var commands = apply(&state, action, now: now)
        if commands.contains(.quit) { return commands }
        guardArrival(&state)
        commands.insert(contentsOf: state.nextWrite(), at: 0)
        return commands
    }

    /// Opens the session at its first item: the protocol's prompts (a break is not due yet; the daily cap or
    /// a content notice may be).
    public static func start(_ state: inout ConsoleState) {
        guardArrival(&state)
    }

    /// Before an item is shown, the session protocol's prompts, in order: a break when one is due, the daily
    /// cap, the content notice. Each waits for Enter; the item stays hidden behind the notice until then.
    static func guardArrival(_ state: inout ConsoleState) {
        guard state.overlay == nil, state.prompt == nil, let key = state.currentKey, let item = state.currentItem,
              state.arrivalChecked != key else { return }
        if let prompt = state.session.prompt(arrivingAt: item.condition) {
            state.overlay = .session(prompt)
            return
        }
        state.arrivalChecked = key
    }

    /// Enter on a session prompt: go on (a break taken, the cap passed, the notice read, the practice feedback seen).
    private static func dismissSessionPrompt(_ state: inout ConsoleState, now: Date) {
        switch state.overlay {
        case .session(let prompt)?:
            state.session.dismiss(prompt)
            if let message = prompt.dismissedMessage { say(&state, message) }
            state.restartItemClock(now)
            // The notice is the last prompt before an item: once read, the item is shown.
            if case .contentNotice = prompt { state.arrivalChecked = state.currentKey }
        case .practiceFeedback?:
            state.overlay = nil
            step(&state, forward: true, now: now)
            return
        default:
            return
        }
        state.overlay = nil
    }

    /// The loop reports that the item's oldest pending event is durable.
    public static func saved(_ state: inout ConsoleState, itemID: String, now: Date) -> [ConsoleEffect] {
        guard state.markSaved(itemID: itemID) else { return [] }
        if state.messageIsError {
            // A failure message stays until nothing has failed any more.
            if state.failedSaves == 0 {
                state.message = nil
                state.messageIsError = false
            }
        } else if let message = state.message, !message.hasPrefix("saved") {
            // Keep what the rater was told (e.g. "judge revealed"), now that it is durable.
            state.message = "saved ✓ · " + message
        }
        return state.nextWrite()
    }

    /// The loop reports that writing the item's oldest pending event failed: keep it, say so, retry later.
    public static func saveFailed(_ state: inout ConsoleState, itemID: String, message: String, now: Date) -> [ConsoleEffect] {
        state.markFailed(itemID: itemID, message: message)
        state.message = "NOT SAVED: \(message) (kept; retried on the next key or R)"
        state.messageIsError = true
        return []
    }

    // MARK: - Actions

    private static func apply(_ state: inout ConsoleState, _ action: ConsoleAction, now: Date) -> [ConsoleEffect] {
        switch action {
        case .answer(let option):
            answer(&state, option: option, now: now)
        case .abstain:
            abstain(&state, now: now)
        case .agree, .disagree:
            guard let item = state.currentItem else { return [] }
            guard state.judgeRevealed else {
                say(&state, "answer first: the judge's verdict is hidden until you do", error: true)
                return []
            }
            switch derivedAnswer(for: item, agreeing: action == .agree) {
            case .success(let option): answer(&state, option: option, now: now)
            case .failure(let problem): say(&state, problem.message, error: true)
            }
        case .next:
            step(&state, forward: true, now: now)
        case .previous:
            step(&state, forward: false, now: now)
        case .flagUnsure:
            toggleFlag(&state, .unsure, now: now)
        case .flagDiscuss:
            toggleFlag(&state, .discuss, now: now)
        case .editNote:
            guard let key = state.currentKey else { return [] }
            let existing = state.draftNotes[key] ?? state.currentLabel?.note ?? ""
            state.prompt = ConsolePrompt(purpose: .note, text: existing)
        case .goToItem:
            state.prompt = ConsolePrompt(purpose: .goToItem)
        case .search:
            // A new search starts empty; the last one is one key (↑) away.
            state.prompt = ConsolePrompt(purpose: .search)
            if state.lastSearch != nil { say(&state, "↑ brings back \"\(TextSanitizer.singleLine(state.lastSearch ?? ""))\"") }
        case .recallLastSearch:
            guard var prompt = state.prompt, prompt.purpose == .search, let last = state.lastSearch else { return [] }
            prompt.text = last
            state.prompt = prompt
        case .searchNext, .searchPrevious:
            jumpToMatch(&state, forward: action == .searchNext, now: now)
        case .filter:
            state.overlay = .picker(filterMenu())
        case .undo:
            undo(&state, now: now)
        case .showAgreement:
            state.overlay = .agreement(AgreementReport.build(dataset: state.dataset, rater: state.rater, labels: state.currentLabels))
        case .showHelp:
            state.overlay = .help(scroll: 0)
        case .quit:
            // Notes typed before an answer live only in memory until the answer saves them: ask, as for labels.
            // A note being typed is a draft too.
            let typing = state.prompt.map { $0.purpose == .note && !$0.text.isEmpty } == true ? 1 : 0
            switch QuitRule.decide(unsaved: state.writes.count, drafts: state.draftNotes.count + typing) {
            case .quit: return [.quit]
            case .ask(let unsaved, let drafts): state.overlay = .confirmQuit(unsaved: unsaved, notes: drafts)
            }
        case .quitAnyway:
            return [.quit]
        case .scrollUp, .scrollDown, .pageUp, .pageDown, .scrollTop, .scrollBottom:
            scroll(&state, action)
        case .focusNext:
            let panes = visiblePanes(state)
            let index = panes.firstIndex(of: state.focus) ?? -1
            state.focus = panes[(index + 1) % panes.count]
        case .toggleContext:
            state.contextCollapsed.toggle()
            if state.contextCollapsed, state.focus == .context { state.focus = .response }
        case .toggleAppropriateAnswer:
            state.hideAppropriateAnswer.toggle()
        case .retrySaves:
            let failed = state.failedSaves
            if failed == 0 {
                say(&state, "nothing to retry: every label is saved")
            } else {
                say(&state, "retrying \(failed) unsaved label\(failed == 1 ? "" : "s")")
            }
            if case .confirmQuit = state.overlay { state.overlay = nil }
        case .back:
            back(&state)
        case .confirm:
            if Keymap.scope(of: state) == .sessionPrompt {
                dismissSessionPrompt(&state, now: now)
            } else {
                confirm(&state, now: now)
            }
        case .selectPrevious, .selectNext:
            guard case .picker(var picker) = state.overlay, !picker.entries.isEmpty else { return [] }
            let step = action == .selectNext ? 1 : picker.entries.count - 1
            picker.selected = (picker.selected + step) % picker.entries.count
            state.overlay = .picker(picker)
        case .type(let character):
            guard var prompt = state.prompt else { return [] }
            // Control characters never enter a note or search.
            guard !character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return [] }
            if prompt.text.count < 500 { prompt.text.append(character) }
            state.prompt = prompt
        case .deleteBackward:
            guard var prompt = state.prompt else { return [] }
            if !prompt.text.isEmpty { prompt.text.removeLast() }
            state.prompt = prompt
        case .resize(let size):
            state.size = size
        case .unboundKey:
            break
        }
        return []
    }

    private static func say(_ state: inout ConsoleState, _ message: String, error: Bool = false) {
        state.message = message
        state.messageIsError = error
    }

    // MARK: Labelling

    /// Whether a label may be recorded on `item`: not when the dataset file was edited by hand after it was
    /// written (its stored hash no longer matches its text), since the label would not say what the rater saw.
    private static func mayLabel(_ state: inout ConsoleState, _ item: Item) -> Bool {
        guard !item.textsLeftOut else {
            say(&state, ConsoleState.unreadableRefusal, error: true)
            return false
        }
        guard item.hashIsCurrent else {
            say(&state, "this item's text was edited in the dataset file after it was written (its sha256 no longer matches); re-import the file, then label it", error: true)
            return false
        }
        return true
    }

    /// Records that the rater cannot judge the item: done, with no answer; the judge is revealed as after an answer.
    private static func abstain(_ state: inout ConsoleState, now: Date) {
        guard let item = state.currentItem, let key = state.currentKey, mayLabel(&state, item) else { return }
        let previous = state.currentLabel
        if previous?.kind == .abstain {
            say(&state, "already marked cannot judge; an option key answers it instead")
            return
        }
        let judgeSeenFirst = state.judgeRevealed || state.judgeWasShown(itemID: item.id)
        let note = state.draftNotes[key] ?? previous?.note
        let event = LabelEvent.abstention(
            item: item, rater: state.rater, mode: state.mode, judgeSeenFirst: judgeSeenFirst, note: note, at: now,
            ms: max(0, Int((now.timeIntervalSince(state.shownAt) * 1000).rounded())), purpose: key.purpose)
        state.draftNotes[key] = nil
        state.record(event)
        if state.mode == .verdictShown && key.purpose != .practice {
            step(&state, forward: true, now: now)
        } else {
            say(&state, "cannot judge: recorded as done, left out of agreement; → goes on, an option key answers it instead")
        }
    }

    private static func answer(_ state: inout ConsoleState, option: String, now: Date) {
        guard let item = state.currentItem, let key = state.currentKey, mayLabel(&state, item) else { return }
        guard item.criterion.options.contains(option) else {
            say(&state, "\"\(option)\" is not an option of this criterion", error: true)
            return
        }
        let previous = state.currentLabel
        // From the rater's whole log: a repeat, or an item undone in an earlier session, had its verdict on screen.
        let revealedOnScreen = state.judgeRevealed
        let judgeSeenFirst = revealedOnScreen || state.judgeWasShown(itemID: item.id)
        if let previous, previous.answer == option {
            if state.mode == .verdictShown { step(&state, forward: true, now: now) }
            else { say(&state, "unchanged: \(option)") }
            return
        }
        let note = state.draftNotes[key] ?? previous?.note
        let event = LabelEvent.label(
            item: item, rater: state.rater, answer: option, mode: state.mode, judgeSeenFirst: judgeSeenFirst,
            revises: previous?.answer, note: note, flag: previous?.flag, at: now,
            ms: max(0, Int((now.timeIntervalSince(state.shownAt) * 1000).rounded())), purpose: key.purpose)
        state.draftNotes[key] = nil
        state.record(event)
        if key.purpose == .practice, previous == nil, let expected = state.goldAnswers[item.id] {
            // Feedback after each practice answer: the gold answer, and whether the verdicts match.
            let criterion = item.criterion
            let correct = criterion.answersAgree(option, expected)
            let number = (state.position < state.practiceCount ? state.position : 0) + 1
            state.overlay = .practiceFeedback(PracticeFeedback(
                given: option, expected: criterion.option(matching: expected) ?? expected, correct: correct,
                number: number, total: state.practiceCount))
        } else if state.mode == .verdictShown && key.purpose != .practice {
            step(&state, forward: true, now: now)
        } else if previous == nil && !revealedOnScreen {
            say(&state, "\(option) · judge revealed: → goes on, another option key revises")
        } else if previous == nil {
            say(&state, "\(option) · saved as given after the judge was seen")
        } else {
            say(&state, "revised to \(option)")
        }
    }

    /// Why an answer cannot be derived from agree / disagree.
    struct DerivationProblem: Error {
        var message: String
    }

    /// The option an agree or disagree implies, or why there is none.
    static func derivedAnswer(for item: Item, agreeing: Bool) -> Result<String, DerivationProblem> {
        let judgeVerdict = item.judgeVerdict
        guard judgeVerdict != .noVerdict else {
            return .failure(DerivationProblem(message: "the judge gave no verdict here: press an option key"))
        }
        if agreeing, let judgeAnswer = item.criterion.option(matching: item.judge?.answer) {
            return .success(judgeAnswer)
        }
        let target: Verdict = agreeing ? judgeVerdict : (judgeVerdict == .appropriate ? .inappropriate : .appropriate)
        let candidates = item.criterion.options.filter { item.criterion.verdict(for: $0) == target }
        guard candidates.count == 1, let only = candidates.first else {
            return .failure(DerivationProblem(message: "several options mean \(target.rawValue): press an option key"))
        }
        return .success(only)
    }

    /// The current label again with another note or flag: same answer, mode, timing and purpose, a new time.
    private static func amended(_ current: LabelEvent, answer: String, item: Item, rater: String, note: String?, flag: LabelFlag?,
                                now: Date) -> LabelEvent {
        LabelEvent.label(
            item: item, rater: rater, answer: answer, mode: current.mode, judgeSeenFirst: current.judgeSeenFirst,
            note: note, flag: flag, at: now, ms: current.ms, purpose: current.purpose)
    }

    private static func toggleFlag(_ state: inout ConsoleState, _ flag: LabelFlag, now: Date) {
        guard let item = state.currentItem, mayLabel(&state, item) else { return }
        guard let current = state.currentLabel, let answer = current.answer else {
            say(&state, "answer first, then flag", error: true)
            return
        }
        let newFlag: LabelFlag? = current.flag == flag ? nil : flag
        state.record(amended(current, answer: answer, item: item, rater: state.rater, note: current.note, flag: newFlag, now: now))
        say(&state, newFlag.map { "flagged \($0.rawValue)" } ?? "flag cleared")
    }

    private static func saveNote(_ state: inout ConsoleState, text: String, now: Date) {
        guard let item = state.currentItem, let key = state.currentKey, mayLabel(&state, item) else { return }
        let note: String? = text.trimmedOfWhitespace.isEmpty ? nil : text
        guard let current = state.currentLabel, let answer = current.answer else {
            state.draftNotes[key] = note
            say(&state, note == nil ? "note cleared" : "note kept: it is saved with your answer")
            return
        }
        guard note != current.note else { return }
        state.record(amended(current, answer: answer, item: item, rater: state.rater, note: note, flag: current.flag, now: now))
        say(&state, note == nil ? "note removed" : "note added")
    }

    private static func undo(_ state: inout ConsoleState, now: Date) {
        guard let key = state.undoStack.last, let current = state.label(for: key), let item = state.dataset[id: key.item] else {
            say(&state, "nothing to undo")
            return
        }
        let itemID = key.item
        let retraction = LabelEvent(
            kind: .retract, item: itemID, itemSHA256: item.computedContentHash, rater: state.rater, answer: nil, verdict: nil,
            judgeAgreement: nil, mode: current.mode, judgeSeenFirst: current.judgeSeenFirst, at: now, purpose: key.purpose)
        state.record(retraction)
        if let position = state.orderPosition(of: key) { state.move(to: position, now: now) }
        // Say what was undone: the answer, its verdict and the item, not just "a label".
        let answer = current.answer.map { "\"\(TextSanitizer.singleLine($0))\"" } ?? "the label"
        let verdict = (current.verdict ?? item.criterion.verdict(for: current.answer)).rawValue
        say(&state, "undone: your answer \(answer) (\(verdict)) on item \(state.position + 1), \(TextSanitizer.singleLine(String(itemID.prefix(40)))), is retracted")
    }

    // MARK: Moving

    private static func step(_ state: inout ConsoleState, forward: Bool, now: Date) {
        guard !state.order.isEmpty else { return }
        if state.filter != nil {
            let list = state.filterPositions
            let target = forward ? list.sortedFirst(after: state.position) : list.sortedLast(before: state.position)
            guard let target else {
                say(&state, forward ? "last item in the filter" : "first item in the filter")
                return
            }
            state.move(to: target, now: now)
            return
        }
        let target = state.position + (forward ? 1 : -1)
        guard target >= 0, target < state.order.count else {
            say(&state, forward ? "last item: all \(state.order.count) shown" : "first item")
            return
        }
        state.move(to: target, now: now)
    }

    private static func jumpToMatch(_ state: inout ConsoleState, forward: Bool, now: Date) {
        guard let text = state.searchText else {
            say(&state, "no search yet: press / to search")
            return
        }
        let matches = state.searchPositions
        guard !matches.isEmpty else {
            say(&state, "no match for \"\(text)\"", error: true)
            return
        }
        let target = forward
            ? (matches.sortedFirst(after: state.position) ?? matches[0])
            : (matches.sortedLast(before: state.position) ?? matches[matches.count - 1])
        state.move(to: target, now: now)
        let index = (matches.sortedIndex(of: target) ?? 0) + 1
        say(&state, "match \(index) of \(matches.count) for \"\(text)\"")
    }

    private static func runSearch(_ state: inout ConsoleState, text: String, now: Date) {
        let needle = text.trimmedOfWhitespace
        guard !needle.isEmpty else {
            state.setSearch(nil, positions: [])
            say(&state, "search cleared")
            return
        }
        // O(items), but only when the rater asks for it.
        var positions: [Int] = []
        for (position, itemIndex) in state.order.enumerated() where matches(ConsoleState.shown(state.dataset.items[itemIndex], at: itemIndex, in: state.dataset), needle) {
            positions.append(position)
        }
        state.setSearch(needle, positions: positions)
        // Stay on the item when it matches; else go to the next match.
        if let index = positions.sortedIndex(of: state.position) {
            say(&state, "match \(index + 1) of \(positions.count) for \"\(needle)\"")
        } else {
            jumpToMatch(&state, forward: true, now: now)
        }
    }

    /// Whether an item's visible text contains the search text (case and diacritics ignored).
    static func matches(_ item: Item, _ needle: String) -> Bool {
        let options: String.CompareOptions = [.caseInsensitive, .diacriticInsensitive]
        if item.stimulus.range(of: needle, options: options) != nil { return true }
        if let response = item.response, response.range(of: needle, options: options) != nil { return true }
        if item.condition.range(of: needle, options: options) != nil { return true }
        if item.subject.name.range(of: needle, options: options) != nil { return true }
        if item.criterion.question.range(of: needle, options: options) != nil { return true }
        if item.id == needle { return true }
        return item.context.contains { $0.content.range(of: needle, options: options) != nil }
    }

    // MARK: Overlays and prompts

    private static func filterMenu() -> ConsolePicker {
        ConsolePicker(
            purpose: .filterMenu, title: "Filter items",
            entries: ["all items (no filter)", "unlabeled", "flagged", "condition…", "model…", "judge verdict…"])
    }

    private static func back(_ state: inout ConsoleState) {
        if state.prompt != nil {
            state.prompt = nil
            return
        }
        if case .picker(let picker) = state.overlay, picker.purpose != .filterMenu {
            state.overlay = .picker(filterMenu())
            return
        }
        if state.overlay != nil {
            state.overlay = nil
            return
        }
        if state.filter != nil || state.searchText != nil {
            state.setFilter(nil, positions: [])
            state.setSearch(nil, positions: [])
            say(&state, "filter and search cleared")
        }
    }

    private static func confirm(_ state: inout ConsoleState, now: Date) {
        if let prompt = state.prompt {
            state.prompt = nil
            switch prompt.purpose {
            case .note:
                saveNote(&state, text: prompt.text, now: now)
            case .search:
                runSearch(&state, text: prompt.text, now: now)
            case .goToItem:
                let trimmed = prompt.text.trimmedOfWhitespace
                guard let number = Int(trimmed), number >= 1, number <= state.order.count else {
                    say(&state, "no item \"\(trimmed)\": enter a number from 1 to \(state.order.count)", error: true)
                    return
                }
                state.move(to: number - 1, now: now)
            }
            return
        }
        guard case .picker(let picker) = state.overlay, picker.selected < picker.entries.count else { return }
        let choice = picker.entries[picker.selected]
        switch picker.purpose {
        case .filterMenu:
            switch picker.selected {
            case 0:
                state.overlay = nil
                state.setFilter(nil, positions: [])
                say(&state, "showing all items")
            case 1: applyFilter(&state, .unlabeled, now: now)
            case 2: applyFilter(&state, .flagged, now: now)
            case 3:
                let values = distinctValues(state) { $0.condition }
                state.overlay = .picker(ConsolePicker(purpose: .filterCondition, title: "Filter by condition", entries: values))
            case 4:
                let values = distinctValues(state) { $0.subject.name }
                state.overlay = .picker(ConsolePicker(purpose: .filterModel, title: "Filter by model", entries: values))
            default:
                guard state.mode == .verdictShown else {
                    state.overlay = nil
                    say(&state, "the judge-verdict filter would unblind you: only in verdict mode", error: true)
                    return
                }
                state.overlay = .picker(ConsolePicker(
                    purpose: .filterJudgeVerdict, title: "Filter by judge verdict",
                    entries: Verdict.allCases.map(\.rawValue)))
            }
        case .filterCondition:
            applyFilter(&state, .condition(choice), now: now)
        case .filterModel:
            applyFilter(&state, .model(choice), now: now)
        case .filterJudgeVerdict:
            applyFilter(&state, .judgeVerdict(Verdict(rawValue: choice) ?? .noVerdict), now: now)
        }
    }

    private static func distinctValues(_ state: ConsoleState, _ value: (Item) -> String) -> [String] {
        var seen: Set<String> = []
        for itemIndex in state.order { seen.insert(value(state.dataset.items[itemIndex])) }
        return seen.sorted()
    }

    private static func applyFilter(_ state: inout ConsoleState, _ filter: ItemFilter, now: Date) {
        state.overlay = nil
        // O(items), but only when the rater chooses a filter.
        var positions: [Int] = []
        for (position, itemIndex) in state.order.enumerated() {
            let item = state.dataset.items[itemIndex]
            let keep: Bool
            switch filter {
            case .unlabeled: keep = state.key(at: position).flatMap(state.label(for:)) == nil
            case .flagged: keep = state.key(at: position).flatMap(state.label(for:))?.flag != nil
            case .condition(let value): keep = item.condition == value
            case .model(let value): keep = item.subject.name == value
            case .judgeVerdict(let verdict): keep = item.judgeVerdict == verdict
            }
            if keep { positions.append(position) }
        }
        guard let first = positions.first else {
            say(&state, "no items are \(filter.caption): filter not changed", error: true)
            return
        }
        state.setFilter(filter, positions: positions)
        let target = positions.sortedFirst(after: state.position - 1) ?? first
        state.move(to: target, now: now)
        say(&state, "filter \(filter.caption): \(positions.count) item\(positions.count == 1 ? "" : "s") (Esc clears)")
    }

    // MARK: Reading

    /// The panes that are on screen for the current item, in focus order.
    public static func visiblePanes(_ state: ConsoleState) -> [ConsolePane] {
        let hasContext = !(state.currentItem?.context.isEmpty ?? true)
        return ConsolePane.allCases.filter { $0 != .context || (hasContext && !state.contextCollapsed) }
    }

    private static func scroll(_ state: inout ConsoleState, _ action: ConsoleAction) {
        let page = max(1, state.pageLines)
        func moved(_ offset: Int, limit: Int?) -> Int {
            let raw: Int
            switch action {
            case .scrollUp: raw = offset - 1
            case .scrollDown: raw = offset + 1
            case .pageUp: raw = offset - page
            case .pageDown: raw = offset + page
            case .scrollTop: raw = 0
            default: raw = limit ?? offset + page
            }
            return max(0, min(raw, limit ?? Int.max))
        }
        if case .help(let offset) = state.overlay {
            state.overlay = .help(scroll: moved(offset, limit: state.helpScrollLimit))
            return
        }
        state.scroll[state.focus] = moved(state.scroll[state.focus] ?? 0, limit: state.scrollLimits[state.focus])
    }
}
