import Foundation
import ReviewStatistics
import Testing
@testable import ReviewCore
@testable import ReviewConsole
import ReviewTestSupport

/// Applies an action at `seconds` after the fixture start; returns the commands.
@discardableResult
private func act(_ state: inout ConsoleState, _ action: ConsoleAction, at seconds: TimeInterval = 5) -> [ConsoleEffect] {
    ConsoleReducer.reduce(&state, action, now: Fixtures.start.addingTimeInterval(seconds))
}

/// The events among commands.
private func appended(_ commands: [ConsoleEffect]) -> [LabelEvent] {
    commands.compactMap { if case .appendLabel(let event) = $0 { return event } else { return nil } }
}

/// Plays the loop's part: reports every append as durable, following any writes handed out next.
private func acknowledge(_ state: inout ConsoleState, _ commands: [ConsoleEffect]) -> [LabelEvent] {
    var written: [LabelEvent] = []
    var queue = appended(commands)
    while let event = queue.first {
        queue.removeFirst()
        written.append(event)
        queue += appended(ConsoleReducer.saved(&state, itemID: event.item, now: Fixtures.start))
    }
    return written
}

@Suite("Console reducer")
struct ConsoleReducerTests {
    // MARK: answer, agree, disagree

    @Test("blind: an option key saves a blind label, reveals the judge, and stays on the item")
    func answerBlind() throws {
        var state = Fixtures.state()
        #expect(!state.judgeRevealed)
        let commands = act(&state, .answer("yes"), at: 7.5)
        let event = try #require(appended(commands).first)
        #expect(event.item == "i1" && event.answer == "yes" && event.verdict == .inappropriate)
        #expect(event.mode == .blind && event.judgeSeenFirst == false && event.revises == nil)
        #expect(event.ms == 7500)
        #expect(event.judgeAgreement == .disagree)
        #expect(state.judgeRevealed && state.position == 0 && state.labeledCount == 1)
    }

    @Test("blind: a revision after the reveal keeps the first answer in `revises`")
    func reviseAfterReveal() throws {
        var state = Fixtures.state()
        _ = acknowledge(&state, act(&state, .answer("yes")))
        let revision = try #require(appended(act(&state, .answer("no"), at: 9)).first)
        #expect(revision.revises == "yes" && revision.answer == "no" && revision.judgeSeenFirst)
        #expect(state.labeledCount == 1 && state.currentLabel?.answer == "no")
    }

    @Test("verdict mode: an option key saves with the judge seen first and moves on")
    func answerVerdict() throws {
        var state = Fixtures.state(mode: .verdictShown)
        #expect(state.judgeRevealed)
        let event = try #require(appended(act(&state, .answer("no"))).first)
        #expect(event.mode == .verdictShown && event.judgeSeenFirst && event.judgeAgreement == .agree)
        #expect(state.position == 1)
    }

    @Test("verdict mode: agree and disagree derive the answer from the judge's verdict")
    func agreeDisagree() throws {
        var state = Fixtures.state(mode: .verdictShown)
        let agreed = try #require(appended(act(&state, .agree)).first)
        #expect(agreed.item == "i1" && agreed.answer == "no" && agreed.judgeAgreement == .agree)
        _ = acknowledge(&state, [.appendLabel(agreed)])
        let disagreed = try #require(appended(act(&state, .disagree)).first)
        #expect(disagreed.item == "i2" && disagreed.answer == "no" && disagreed.judgeAgreement == .disagree)
    }

    @Test("blind: agree before answering is refused without a label (the verdict is still hidden)")
    func agreeBlindHidden() {
        var state = Fixtures.state()
        #expect(appended(act(&state, .agree)).isEmpty)
        #expect(state.messageIsError && state.currentLabel == nil)
    }

    @Test("agree on an item without a judge verdict asks for an option key")
    func agreeWithoutVerdict() {
        var state = Fixtures.state(mode: .verdictShown)
        act(&state, .goToItem)
        for character in "5" { act(&state, .type(character)) }
        act(&state, .confirm)
        #expect(state.currentItem?.id == "i5")
        #expect(appended(act(&state, .agree)).isEmpty)
        #expect(state.message?.contains("no verdict") == true)
    }

    // MARK: next, previous

    @Test("next and previous step through the order and stop at the ends")
    func nextPrevious() {
        var state = Fixtures.state()
        act(&state, .previous)
        #expect(state.position == 0 && state.message == "first item")
        act(&state, .next)
        act(&state, .next)
        #expect(state.position == 2)
        act(&state, .previous)
        #expect(state.position == 1)
        for _ in 0..<10 { act(&state, .next) }
        #expect(state.position == 4 && state.message?.contains("last item") == true)
    }

    @Test("the time spent is counted from when the item was shown")
    func timeFromShown() throws {
        var state = Fixtures.state()
        act(&state, .next, at: 20)
        let event = try #require(appended(act(&state, .answer("no"), at: 23)).first)
        #expect(event.ms == 3000)
    }

    // MARK: flags and notes

    @Test("u and d add events with the current answer and toggle the flag")
    func flags() throws {
        var state = Fixtures.state()
        act(&state, .flagUnsure)
        #expect(state.messageIsError && state.writes.isEmpty)
        _ = acknowledge(&state, act(&state, .answer("yes")))
        let unsure = try #require(appended(act(&state, .flagUnsure)).first)
        #expect(unsure.flag == .unsure && unsure.answer == "yes")
        _ = acknowledge(&state, [.appendLabel(unsure)])
        let discuss = try #require(appended(act(&state, .flagDiscuss)).first)
        #expect(discuss.flag == .discuss && discuss.answer == "yes")
        _ = acknowledge(&state, [.appendLabel(discuss)])
        let cleared = try #require(appended(act(&state, .flagDiscuss)).first)
        #expect(cleared.flag == nil)
    }

    @Test("c edits a one-line note: Enter saves it as an event, Esc cancels")
    func note() throws {
        var state = Fixtures.state()
        _ = acknowledge(&state, act(&state, .answer("no")))
        act(&state, .editNote)
        #expect(state.prompt?.purpose == .note)
        for character in "odd tone" { act(&state, .type(character)) }
        act(&state, .deleteBackward)
        let event = try #require(appended(act(&state, .confirm)).first)
        #expect(event.note == "odd ton" && event.answer == "no")
        act(&state, .editNote)
        act(&state, .type("x"))
        #expect(appended(act(&state, .back)).isEmpty)
        #expect(state.prompt == nil)
    }

    @Test("a note typed before answering is kept and saved with the answer")
    func draftNote() throws {
        var state = Fixtures.state()
        act(&state, .editNote)
        for character in "check" { act(&state, .type(character)) }
        #expect(appended(act(&state, .confirm)).isEmpty)
        let event = try #require(appended(act(&state, .answer("yes"))).first)
        #expect(event.note == "check")
    }

    @Test("control characters are not typed into a prompt")
    func typeControl() {
        var state = Fixtures.state()
        act(&state, .search)
        act(&state, .type("\u{1B}"))
        act(&state, .type("a"))
        #expect(state.prompt?.text == "a")
    }

    // MARK: go to, search, filter

    @Test("g goes to an item number; a bad number is an error")
    func goTo() {
        var state = Fixtures.state()
        act(&state, .goToItem)
        act(&state, .type("4"))
        act(&state, .confirm)
        #expect(state.position == 3)
        act(&state, .goToItem)
        act(&state, .type("9"))
        act(&state, .confirm)
        #expect(state.position == 3 && state.messageIsError)
    }

    @Test("/ searches the text; n and N step through the matches")
    func search() {
        var state = Fixtures.state()
        act(&state, .search)
        for character in "CLIMB" { act(&state, .type(character)) }
        act(&state, .confirm)
        #expect(state.searchPositions == [3] && state.position == 3)
        act(&state, .search)
        for _ in 0..<5 { act(&state, .deleteBackward) }
        for character in "model-b" { act(&state, .type(character)) }
        act(&state, .confirm)
        #expect(state.searchPositions == [1, 3])
        act(&state, .searchNext)
        #expect(state.position == 1)
        act(&state, .searchPrevious)
        #expect(state.position == 3)
        act(&state, .back)
        #expect(state.searchText == nil)
    }

    @Test("n without a search says how to search")
    func searchNextWithoutSearch() {
        var state = Fixtures.state()
        act(&state, .searchNext)
        #expect(state.message?.contains("press /") == true && state.position == 0)
    }

    @Test("f filters to unlabeled, flagged, condition and model; Esc clears")
    func filter() {
        var state = Fixtures.state(history: [Fixtures.label(Fixtures.dataset().items[0], "no", flag: .discuss)])
        #expect(state.position == 1)
        act(&state, .filter)
        act(&state, .selectNext)
        act(&state, .confirm)  // unlabeled
        #expect(state.filter == .unlabeled && state.filterPositions == [1, 2, 3, 4])
        act(&state, .filter)
        act(&state, .selectNext)
        act(&state, .selectNext)
        act(&state, .confirm)  // flagged
        #expect(state.filter == .flagged && state.position == 0)
        act(&state, .next)
        #expect(state.message == "last item in the filter")
        act(&state, .filter)
        for _ in 0..<3 { act(&state, .selectNext) }
        act(&state, .confirm)  // condition…
        guard case .picker(let picker) = state.overlay else { Issue.record("no condition picker"); return }
        #expect(picker.entries == ["delusions", "mania", "suicidal ideation"])
        act(&state, .selectNext)
        act(&state, .confirm)
        #expect(state.filter == .condition("mania") && state.filterPositions == [1, 3])
        act(&state, .filter)
        for _ in 0..<4 { act(&state, .selectNext) }
        act(&state, .confirm)
        act(&state, .selectPrevious)  // wraps to the last model
        act(&state, .confirm)
        #expect(state.filter == .model("model-c") && state.position == 4)
        act(&state, .back)
        #expect(state.filter == nil)
    }

    @Test("the judge-verdict filter is refused in blind mode and works in verdict mode")
    func judgeVerdictFilter() {
        var blind = Fixtures.state()
        act(&blind, .filter)
        for _ in 0..<5 { act(&blind, .selectNext) }
        act(&blind, .confirm)
        #expect(blind.filter == nil && blind.messageIsError)
        var verdict = Fixtures.state(mode: .verdictShown)
        act(&verdict, .filter)
        for _ in 0..<5 { act(&verdict, .selectNext) }
        act(&verdict, .confirm)
        act(&verdict, .selectNext)  // inappropriate
        act(&verdict, .confirm)
        #expect(verdict.filter == .judgeVerdict(.inappropriate) && verdict.filterPositions == [1, 3])
    }

    // MARK: undo

    @Test("z retracts the last label with a retract event and goes back to its item")
    func undo() throws {
        var state = Fixtures.state(mode: .verdictShown)
        _ = acknowledge(&state, act(&state, .answer("no")))
        #expect(state.position == 1 && state.labeledCount == 1)
        let retraction = try #require(appended(act(&state, .undo)).first)
        #expect(retraction.kind == .retract && retraction.item == "i1" && retraction.answer == nil)
        #expect(state.position == 0 && state.labeledCount == 0 && state.currentLabel == nil)
        _ = acknowledge(&state, [.appendLabel(retraction)])
        #expect(appended(act(&state, .undo)).isEmpty)
        #expect(state.message == "nothing to undo")
    }

    // MARK: screens

    @Test("a opens the agreement screen computed once from this rater's labels; Esc closes it")
    func agreement() {
        let items = Fixtures.dataset().items
        var state = Fixtures.state(history: [Fixtures.label(items[0], "no"), Fixtures.label(items[1], "no"), Fixtures.label(items[4], "yes")])
        act(&state, .showAgreement)
        guard case .agreement(let report) = state.overlay else { Issue.record("no agreement screen"); return }
        #expect(report.compared == 2 && report.excluded == 1)
        #expect(report.confusion == ConfusionMatrix(truePositive: 0, falsePositive: 1, falseNegative: 0, trueNegative: 1))
        #expect(report.conditions.map(\.condition) == ["mania", "suicidal ideation"])
        act(&state, .back)
        #expect(state.overlay == nil)
    }

    @Test("? opens the help; it scrolls within its limit; Esc closes it")
    func help() {
        var state = Fixtures.state()
        act(&state, .showHelp)
        #expect(state.overlay == .help(scroll: 0))
        state.helpScrollLimit = 3
        act(&state, .scrollDown)
        act(&state, .pageDown)
        #expect(state.overlay == .help(scroll: 3))
        act(&state, .scrollUp)
        #expect(state.overlay == .help(scroll: 2))
        act(&state, .back)
        #expect(state.overlay == nil)
    }

    @Test("q quits at once when everything is saved")
    func quit() {
        var state = Fixtures.state()
        #expect(act(&state, .quit) == [.quit])
    }

    @Test("q with unsaved labels asks first; y quits anyway, Esc stays")
    func quitWithUnsaved() {
        var state = Fixtures.state()
        let commands = act(&state, .answer("yes"))
        _ = ConsoleReducer.saveFailed(&state, itemID: "i1", message: "disk full", now: Fixtures.start)
        _ = commands
        let asked = act(&state, .quit)
        #expect(!asked.contains(.quit))
        #expect(state.overlay == .confirmQuit(unsaved: 1))
        act(&state, .back)
        #expect(state.overlay == nil)
        act(&state, .quit)
        #expect(act(&state, .quitAnyway) == [.quit])
    }

    // MARK: reading

    @Test("scrolling moves the focused pane within its limit and resets on a new item")
    func scrolling() {
        var state = Fixtures.state()
        state.scrollLimits = [.response: 12]
        state.pageLines = 5
        act(&state, .scrollDown)
        #expect(state.scroll[.response] == 1)
        act(&state, .pageDown)
        #expect(state.scroll[.response] == 6)
        act(&state, .scrollBottom)
        #expect(state.scroll[.response] == 12)
        act(&state, .pageDown)
        #expect(state.scroll[.response] == 12)
        act(&state, .pageUp)
        #expect(state.scroll[.response] == 7)
        act(&state, .scrollUp)
        #expect(state.scroll[.response] == 6)
        act(&state, .scrollTop)
        #expect(state.scroll[.response] == 0)
        act(&state, .scrollUp)
        #expect(state.scroll[.response] == 0)
        act(&state, .scrollDown)
        act(&state, .next)
        #expect(state.scroll.isEmpty)
    }

    @Test("Tab cycles the focus over the visible panes; x collapses the context")
    func focusAndContext() {
        var state = Fixtures.state(order: [2, 0, 1, 3, 4])
        #expect(state.currentItem?.id == "i3")
        #expect(ConsoleReducer.visiblePanes(state).first == .context)
        act(&state, .focusNext)
        #expect(state.focus == .criterion)
        for _ in 0..<3 { act(&state, .focusNext) }
        #expect(state.focus == .context)
        act(&state, .toggleContext)
        #expect(state.contextCollapsed && state.focus == .response)
        #expect(!ConsoleReducer.visiblePanes(state).contains(.context))
        act(&state, .toggleContext)
        #expect(!state.contextCollapsed)
    }

    @Test("H hides and shows the appropriate answer")
    func hideAppropriate() {
        var state = Fixtures.state()
        act(&state, .toggleAppropriateAnswer)
        #expect(state.hideAppropriateAnswer)
        act(&state, .toggleAppropriateAnswer)
        #expect(!state.hideAppropriateAnswer)
    }

    @Test("Escape backs out of every overlay and prompt")
    func escapeBacksOut() {
        var state = Fixtures.state()
        for open in [ConsoleAction.showHelp, .showAgreement, .filter, .editNote, .search, .goToItem] {
            act(&state, open)
            #expect(state.overlay != nil || state.prompt != nil)
            act(&state, .back)
            #expect(state.overlay == nil && state.prompt == nil)
        }
        act(&state, .filter)
        for _ in 0..<3 { act(&state, .selectNext) }
        act(&state, .confirm)
        act(&state, .back)  // condition list -> filter menu
        guard case .picker(let picker) = state.overlay else { Issue.record("expected the filter menu"); return }
        #expect(picker.purpose == .filterMenu)
        act(&state, .back)
        #expect(state.overlay == nil)
    }

    @Test("a hand-edited item (stored hash stale) is refused: no label, a message saying why")
    func handEditedItem() {
        var item = Fixtures.item("a")
        item.storedHash = Fixtures.item("a", response: "what the file said before").contentHash
        var state = Fixtures.state(dataset: Dataset(name: "d", items: [item]))
        let effects = ConsoleReducer.reduce(&state, .answer("no"), now: Fixtures.start)
        #expect(effects.isEmpty && state.messageIsError)
        #expect(state.message?.contains("edited in the dataset file") == true)
    }

    @Test("resize records the size (the layout clamps scrolling to it), changes nothing else and keeps the status message")
    func resize() {
        var state = Fixtures.state()
        act(&state, .next)
        state.message = "hello"
        act(&state, .resize(TerminalSize(columns: 100, rows: 30)))
        #expect(state.position == 1 && state.message == "hello" && state.size == TerminalSize(columns: 100, rows: 30))
    }

    // MARK: saving

    @Test("writes go out one at a time and 'saved' comes only from the outcome")
    func savesInOrder() {
        var state = Fixtures.state(mode: .verdictShown)
        let first = act(&state, .answer("yes"))
        #expect(appended(first).count == 1)
        // The second label waits behind the first until the first is durable.
        let second = act(&state, .answer("no"))
        #expect(appended(second).isEmpty && state.writes.count == 2)
        #expect(state.lastSaved == nil)
        let next = ConsoleReducer.saved(&state, itemID: "i1", now: Fixtures.start)
        #expect(appended(next).map(\.item) == ["i2"] && state.lastSaved == LabelKey(item: "i1"))
        #expect(ConsoleReducer.saved(&state, itemID: "i2", now: Fixtures.start).isEmpty && state.writes.isEmpty)
    }

    @Test("a failed save stays pending, is shown, and is retried on the next key or R")
    func saveFailedRetried() throws {
        var state = Fixtures.state()
        let event = try #require(appended(act(&state, .answer("yes"))).first)
        #expect(ConsoleReducer.saveFailed(&state, itemID: "i1", message: "read-only folder", now: Fixtures.start).isEmpty)
        #expect(state.failedSaves == 1 && state.message?.contains("read-only folder") == true && state.messageIsError)
        #expect(state.currentLabel?.answer == "yes")
        let retried = act(&state, .next)
        #expect(appended(retried) == [event])
        _ = ConsoleReducer.saveFailed(&state, itemID: "i1", message: "read-only folder", now: Fixtures.start)
        let explicit = act(&state, .retrySaves)
        #expect(appended(explicit) == [event] && state.message?.contains("retrying 1") == true)
        _ = ConsoleReducer.saved(&state, itemID: "i1", now: Fixtures.start)
        #expect(state.writes.isEmpty && state.failedSaves == 0)
    }

    // MARK: resume and order

    @Test("reopening replays the history and starts at the first unlabeled item")
    func resume() {
        let items = Fixtures.dataset().items
        let history = [Fixtures.label(items[0], "no"), Fixtures.label(items[1], "yes"), Fixtures.label(items[2], "no"),
                       LabelEvent(kind: .retract, item: "i2", itemSHA256: items[1].contentHash, rater: "alice", answer: nil,
                                  verdict: nil, judgeAgreement: nil, mode: .blind, judgeSeenFirst: false, at: Fixtures.start)]
        let state = Fixtures.state(history: history)
        #expect(state.position == 1 && state.labeledCount == 2)
        #expect(state.currentLabels["i3"]?.answer == "no")
    }

    @Test("cannot judge: an abstention is the item's current label, done, with no answer")
    func cannotJudge() {
        var state = Fixtures.state()
        let effects = ConsoleReducer.reduce(&state, .abstain, now: Fixtures.start)
        guard case .appendLabel(let event)? = effects.first else { Issue.record("expected an append"); return }
        #expect(event.kind == .abstain && event.answer == nil)
        #expect(state.currentLabels[event.item]?.kind == .abstain && state.labeledCount == 1)
        _ = ConsoleReducer.reduce(&state, .abstain, now: Fixtures.start)
        #expect(state.message?.contains("already marked cannot judge") == true)
    }

    @Test("a label whose item changed since is not current")
    func staleLabel() {
        var event = Fixtures.label(Fixtures.dataset().items[0], "no")
        event.itemSHA256 = "changed"
        let state = Fixtures.state(history: [event])
        #expect(state.labeledCount == 0 && state.position == 0)
    }

    @Test("every action in the keymap table has a reducer test here")
    func everyActionCovered() {
        let tested: Set<String> = [
            "answer", "agree", "disagree", "next", "previous", "flag-unsure", "flag-discuss", "note", "go-to-item",
            "search", "search-next", "search-previous", "filter", "undo", "agreement", "help", "quit", "scroll-up",
            "scroll-down", "page-up", "page-down", "scroll-top", "scroll-bottom", "focus-next", "toggle-context",
            "toggle-appropriate-answer", "retry-saves", "back", "confirm", "select-previous", "select-next", "type",
            "delete-backward", "quit-anyway", "resize", "recall-last-search", "cannot-judge",
        ]
        let inTable = Set(Keymap.table.map(\.action.name))
        #expect(inTable.subtracting(tested).isEmpty, "untested: \(inTable.subtracting(tested))")
    }
}

@Suite("Keymap")
struct KeymapTests {
    @Test("option keys use first letters and skip keys taken by commands")
    func optionKeys() {
        let yesNo = Keymap.optionKeys(for: Fixtures.yesNo)
        #expect(yesNo.map(\.key) == ["y", "n"])
        let scale = Criterion(question: "q", options: ["agree", "somewhat agree", "undecided", "strongly agree"], appropriate: "agree")
        let keys = Keymap.optionKeys(for: scale)
        // a, u are commands; "agree" falls back to a digit.
        #expect(keys.map(\.key) == ["1", "s", "2", "3"])
        #expect(Set(keys.map(\.key)).isDisjoint(with: Keymap.reservedCharacters))
    }

    @Test("keys map to actions by scope: options first, then the table; prompts take text")
    func dispatch() {
        var state = Fixtures.state()
        #expect(Keymap.action(for: .character("y"), in: state) == .answer("yes"))
        #expect(Keymap.action(for: .character("n"), in: state) == .answer("no"))
        #expect(Keymap.action(for: .control("n"), in: state) == .searchNext)
        #expect(Keymap.action(for: .right, in: state) == .next)
        #expect(Keymap.action(for: .character("?"), in: state) == .showHelp)
        #expect(Keymap.action(for: .character("~"), in: state) == nil)
        _ = ConsoleReducer.reduce(&state, .search, now: Fixtures.start)
        #expect(Keymap.action(for: .character("q"), in: state) == .type("q"))
        #expect(Keymap.action(for: .escape, in: state) == .back)
        #expect(Keymap.action(for: .enter, in: state) == .confirm)
    }

    @Test("no two bindings of a scope share a key")
    func noClashes() {
        for scope in KeyScope.allCases {
            var seen: Set<Key> = []
            for binding in Keymap.table where binding.scope == scope {
                guard case .fixed(let keys) = binding.keys else { continue }
                for key in keys {
                    #expect(!seen.contains(key), "\(key) bound twice in \(scope)")
                    seen.insert(key)
                }
            }
        }
    }

    @Test("the key bar lists only keys valid now")
    func keyBar() {
        var state = Fixtures.state()
        var labels = Keymap.keyBarEntries(for: state).map(\.label)
        #expect(labels.contains("yes") && labels.contains("no") && !labels.contains("unsure") && !labels.contains("agree"))
        _ = ConsoleReducer.reduce(&state, .answer("yes"), now: Fixtures.start)
        labels = Keymap.keyBarEntries(for: state).map(\.label)
        #expect(labels.contains("unsure") && labels.contains("agree") && labels.contains("undo"))
    }
}

@Suite("Search mode and the quit question")
struct SearchModeTests {
    @Test("after a search, n moves to the next match and never answers \"no\"; Esc ends the mode and n answers again")
    func searchNeverLabels() {
        var state = Fixtures.state()
        #expect(Keymap.action(for: .character("n"), in: state) == .answer("no"))
        _ = ConsoleReducer.reduce(&state, .search, now: Fixtures.start)
        for character in "energy" { _ = ConsoleReducer.reduce(&state, .type(character), now: Fixtures.start) }
        _ = ConsoleReducer.reduce(&state, .confirm, now: Fixtures.start)
        #expect(state.searchText == "energy")
        #expect(Keymap.action(for: .character("n"), in: state) == .searchNext)
        #expect(Keymap.action(for: .character("N"), in: state) == .searchPrevious)
        #expect(Keymap.action(for: .character("y"), in: state) == nil)
        let entries = Keymap.keyBarEntries(for: state)
        #expect(entries.first.map { $0.keys == "Esc" } == true)
        #expect(!entries.contains { $0.label == "no" || $0.label == "yes" })
        #expect(entries.contains { $0.keys == "n" && $0.label == "next match" })
        let commands = ConsoleReducer.reduce(&state, Keymap.action(for: .character("n"), in: state) ?? .unboundKey, now: Fixtures.start)
        #expect(!commands.contains { if case .appendLabel = $0 { return true } else { return false } })
        #expect(state.currentLabel == nil)
        _ = ConsoleReducer.reduce(&state, .back, now: Fixtures.start)
        #expect(state.searchText == nil)
        #expect(Keymap.action(for: .character("n"), in: state) == .answer("no"))
    }

    @Test("^D while a note is being typed asks first (the one quit rule of both consoles); with nothing typed it quits")
    func quitWhileTyping() {
        var state = Fixtures.state()
        _ = ConsoleReducer.reduce(&state, .editNote, now: Fixtures.start)
        #expect(Keymap.action(for: .control("d"), in: state) == .quit)
        #expect(ConsoleReducer.reduce(&state, .quit, now: Fixtures.start) == [.quit], "an empty note line loses nothing")
        var typing = Fixtures.state()
        _ = ConsoleReducer.reduce(&typing, .editNote, now: Fixtures.start)
        for character in "half" { _ = ConsoleReducer.reduce(&typing, .type(character), now: Fixtures.start) }
        #expect(ConsoleReducer.reduce(&typing, .quit, now: Fixtures.start).isEmpty)
        #expect(typing.overlay == .confirmQuit(unsaved: 0, notes: 1))
    }

    @Test("a note typed before answering is not dropped on q: the quit question says so")
    func draftNoteAsks() {
        var state = Fixtures.state()
        _ = ConsoleReducer.reduce(&state, .editNote, now: Fixtures.start)
        for character in "check later" { _ = ConsoleReducer.reduce(&state, .type(character), now: Fixtures.start) }
        _ = ConsoleReducer.reduce(&state, .confirm, now: Fixtures.start)
        let commands = ConsoleReducer.reduce(&state, .quit, now: Fixtures.start)
        #expect(commands.isEmpty)
        #expect(state.overlay == .confirmQuit(unsaved: 0, notes: 1))
    }
}

@Suite("Reopening search")
struct ReopenSearchTests {
    @Test("reopening / starts empty, and ↑ brings back the last search")
    func startsEmpty() {
        var state = Fixtures.state()
        _ = ConsoleReducer.reduce(&state, .search, now: Fixtures.start)
        for character in "energy" { _ = ConsoleReducer.reduce(&state, .type(character), now: Fixtures.start) }
        _ = ConsoleReducer.reduce(&state, .confirm, now: Fixtures.start)
        _ = ConsoleReducer.reduce(&state, .back, now: Fixtures.start)
        _ = ConsoleReducer.reduce(&state, .search, now: Fixtures.start)
        #expect(state.prompt?.text == "")
        #expect(Keymap.action(for: .up, in: state) == .recallLastSearch)
        _ = ConsoleReducer.reduce(&state, .recallLastSearch, now: Fixtures.start)
        #expect(state.prompt?.text == "energy")
    }
}

@Suite("Undo says what it undid")
struct UndoMessageTests {
    @Test("the message names the answer, its verdict and the item")
    func message() {
        var state = Fixtures.state()
        _ = ConsoleReducer.reduce(&state, .answer("yes"), now: Fixtures.start.addingTimeInterval(5))
        _ = ConsoleReducer.reduce(&state, .undo, now: Fixtures.start.addingTimeInterval(6))
        #expect(state.message == "undone: your answer \"yes\" (inappropriate) on item 1, i1, is retracted")
    }
}
