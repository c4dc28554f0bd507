import Foundation
import Testing
@testable import ReviewCore
@testable import ReviewConsole
@testable import ReviewUI

/// A state on the fixture dataset under `rules`, with optional practice items and repeats.
private func session(
    _ rules: SessionProtocol, history: [LabelEvent] = [], practice: [RaterPractice] = [], repeats: [(item: Int, after: Int)] = [],
    mode: LabelMode = .blind, now: Date = Fixtures.start
) -> ConsoleState {
    let dataset = Fixtures.dataset()
    var state = ConsoleState(dataset: dataset, rater: "alice", mode: mode, order: Array(dataset.items.indices), history: history,
                             session: rules, practice: practice, repeats: repeats, now: now)
    ConsoleReducer.start(&state)
    return state
}

/// Maps a key through the keymap and applies it at `seconds`, acknowledging every write; returns the events written.
@discardableResult
private func key(_ state: inout ConsoleState, _ key: Key, at seconds: TimeInterval) -> [LabelEvent] {
    guard let action = Keymap.action(for: key, in: state) else { return [] }
    var written: [LabelEvent] = []
    var queue = ConsoleReducer.reduce(&state, action, now: Fixtures.start.addingTimeInterval(seconds))
    while let command = queue.first {
        queue.removeFirst()
        guard case .appendLabel(let event) = command else { continue }
        written.append(event)
        queue += ConsoleReducer.saved(&state, itemID: event.item, now: Fixtures.start)
    }
    return written
}

private func rules(_ change: (inout SessionProtocol) -> Void) -> SessionProtocol {
    var rules = SessionProtocol.off
    change(&rules)
    return rules
}

@Suite("Session protocol: breaks, daily cap, content notice, practice, repeats")
struct SessionProtocolTests {
    @Test("a break prompt after the configured number of items; answer keys do nothing behind it; Enter goes on")
    func breakAfterItems() {
        var state = session(rules { $0.breakAfterItems = 2 })
        key(&state, .character("y"), at: 5)
        key(&state, .right, at: 6)
        #expect(state.overlay == nil)
        key(&state, .character("n"), at: 8)
        key(&state, .right, at: 9)
        guard case .session(.breakDue(let reason))? = state.overlay else {
            Issue.record("no break prompt after 2 items: \(String(describing: state.overlay))")
            return
        }
        #expect(reason.contains("2 items"))
        #expect(key(&state, .character("y"), at: 10).isEmpty && state.currentLabel == nil)
        key(&state, .enter, at: 11)
        #expect(state.overlay == nil && state.position == 2)
        key(&state, .character("y"), at: 12)
        key(&state, .right, at: 13)
        #expect(state.overlay == nil, "the count starts again after a break")
    }

    @Test("minutes count only time at the keyboard: gaps longer than the idle limit are time away")
    func breakAfterMinutes() {
        var active = session(rules { $0.breakAfterMinutes = 45; $0.idleMinutes = 5 })
        // Keys every four minutes: 48 minutes at the keyboard by the twelfth.
        for step in 1...11 { key(&active, .down, at: TimeInterval(step * 240)) }
        key(&active, .right, at: 12 * 240)
        if case .session(.breakDue)? = active.overlay {} else { Issue.record("no break prompt after 48 active minutes") }

        var away = session(rules { $0.breakAfterMinutes = 45; $0.idleMinutes = 5 })
        // Keys every ten minutes for two hours: every gap is time away.
        for step in 1...12 { key(&away, .down, at: TimeInterval(step * 600)) }
        key(&away, .right, at: 13 * 600)
        #expect(away.overlay == nil && away.session.activeSeconds == 0)
    }

    @Test("time away is not counted as time on the item")
    func timeAwayLeftOut() throws {
        var state = session(rules { $0.idleMinutes = 5 })
        key(&state, .down, at: 60)
        let event = try #require(key(&state, .character("y"), at: 60 + 600).first)
        #expect(event.ms == 60_000)
    }

    @Test("the daily cap asks once, counting today's items from the log")
    func dailyCap() {
        let dataset = Fixtures.dataset()
        let earlier = [Fixtures.label(dataset.items[0], "no", at: -60), Fixtures.label(dataset.items[1], "no", at: -50),
                       Fixtures.label(dataset.items[1], "yes", at: -40)]
        var state = session(rules { $0.dailyCap = 3 }, history: earlier)
        #expect(state.overlay == nil, "two items today, cap three")
        key(&state, .character("y"), at: 5)
        key(&state, .right, at: 6)
        #expect(state.overlay == .session(.dailyCap(itemsToday: 3)))
        key(&state, .character("n"), at: 7)
        #expect(state.currentLabel == nil)
        key(&state, .enter, at: 8)
        key(&state, .character("y"), at: 9)
        key(&state, .right, at: 10)
        #expect(state.overlay == nil, "asked once a session")
    }

    @Test("content notice once a session: before the first acute-risk item, with the item hidden until Enter")
    func noticeOncePerSession() {
        var state = session(rules { $0.contentNotice = .session })
        #expect(state.overlay == .session(.contentNotice(condition: "suicidal ideation")))
        let text = Snapshot.text(of: ConsoleRenderer.render(state, size: TerminalSize(columns: 80, rows: 24)))
        #expect(text.contains("Content notice") && !text.contains("highest up"))
        #expect(key(&state, .character("y"), at: 2).isEmpty)
        key(&state, .enter, at: 3)
        #expect(state.overlay == nil)
        key(&state, .right, at: 4)
        #expect(state.overlay == nil, "shown once a session")
    }

    @Test("content notice per item: before every item of a notice condition, not before others")
    func noticePerItem() {
        var state = session(rules { $0.contentNotice = .item; $0.noticeConditions = ["mania"] })
        #expect(state.overlay == nil, "suicidal ideation is not in this study's notice list")
        key(&state, .right, at: 2)
        #expect(state.overlay == .session(.contentNotice(condition: "mania")))
        key(&state, .enter, at: 3)
        key(&state, .right, at: 4)
        #expect(state.overlay == nil)
        key(&state, .right, at: 5)
        #expect(state.overlay == .session(.contentNotice(condition: "mania")))
        // Esc means nothing behind the notice.
        key(&state, .escape, at: 6)
        #expect(state.overlay == .session(.contentNotice(condition: "mania")))
        // With a label not yet saved, q asks; staying (Esc) brings the notice back: the item is never shown unread.
        key(&state, .enter, at: 7)
        _ = ConsoleReducer.reduce(&state, .answer("yes"), now: Fixtures.start.addingTimeInterval(8))  // the write is never acknowledged
        key(&state, .left, at: 9)
        key(&state, .right, at: 10)
        #expect(state.overlay == .session(.contentNotice(condition: "mania")) && !state.writes.isEmpty)
        key(&state, .character("q"), at: 11)
        guard case .confirmQuit? = state.overlay else {
            Issue.record("q with an unsaved label did not ask: \(String(describing: state.overlay))")
            return
        }
        key(&state, .escape, at: 12)
        #expect(state.overlay == .session(.contentNotice(condition: "mania")))
    }

    @Test("practice: gold items first, blind even in verdict mode, feedback after each answer, kept apart from live labels")
    func practiceRound() throws {
        var state = session(.off, practice: [RaterPractice(itemIndex: 1, answer: "no"), RaterPractice(itemIndex: 0, answer: "no")],
                            mode: .verdictShown)
        #expect(state.order.prefix(2) == [1, 0] && state.order.count == 7 && state.practiceCount == 2)
        #expect(!state.judgeRevealed, "practice is blind")
        let practice = try #require(key(&state, .character("y"), at: 5).first)
        #expect(practice.purpose == .practice && practice.item == "i2" && practice.schema == 2)
        #expect(state.overlay == .practiceFeedback(PracticeFeedback(given: "yes", expected: "no", correct: false, number: 1, total: 2)))
        #expect(state.currentLabels["i2"] == nil, "a practice answer is not a live label")
        key(&state, .enter, at: 6)
        #expect(state.position == 1 && state.overlay == nil)
        key(&state, .character("n"), at: 7)
        #expect(state.overlay == .practiceFeedback(PracticeFeedback(given: "no", expected: "no", correct: true, number: 2, total: 2)))
        key(&state, .enter, at: 8)
        #expect(state.position == 2 && state.purpose(at: 2) == nil && state.judgeRevealed)
        // Reopened, the practice is done: the session starts at the first live item.
        let reopened = session(.off, history: [practice], practice: [RaterPractice(itemIndex: 1, answer: "no"), RaterPractice(itemIndex: 0, answer: "no")])
        #expect(reopened.position == 1 && reopened.currentLabels.isEmpty)
    }

    @Test("a hidden repeat comes after its live items, blind again, and never replaces the first label")
    func hiddenRepeat() throws {
        var state = session(.off, repeats: [(item: 0, after: 2)])
        #expect(state.order == [0, 1, 0, 2, 3, 4] && state.purpose(at: 2) == .repeat)
        key(&state, .character("y"), at: 5)
        key(&state, .right, at: 6)
        key(&state, .character("n"), at: 7)
        key(&state, .right, at: 8)
        #expect(state.position == 2 && !state.judgeRevealed && state.currentLabel == nil)
        let again = try #require(key(&state, .character("n"), at: 9).first)
        #expect(again.purpose == .repeat && again.item == "i1" && again.answer == "no")
        #expect(state.currentLabels["i1"]?.answer == "yes" && state.labeledCount == 3)
        // The one replay rule keeps it apart too.
        let replay = RaterReplay(rater: "alice", events: [Fixtures.label(state.dataset.items[0], "yes"), again], dataset: state.dataset)
        #expect(replay.current["i1"]?.answer == "yes" && replay.practiceAndRepeats[LabelKey(item: "i1", purpose: .repeat)]?.answer == "no")
        // Undo retracts the repeat, not the live label.
        let retraction = try #require(key(&state, .character("z"), at: 10).first)
        #expect(retraction.kind == .retract && retraction.purpose == .repeat && state.currentLabels["i1"]?.answer == "yes")
    }

    @Test("judge_seen_first comes from the whole log: an item undone in an earlier session stays revealed, and a repeat records the first showing")
    func judgeSeenFirstFromTheWholeLog() throws {
        let dataset = Fixtures.dataset()
        let earlier = Fixtures.label(dataset.items[0], "yes")
        let undone = LabelEvent(
            kind: .retract, item: earlier.item, itemSHA256: earlier.itemSHA256, rater: "alice", answer: nil, verdict: nil,
            judgeAgreement: nil, mode: .blind, judgeSeenFirst: false, at: Fixtures.start.addingTimeInterval(20))
        // The next session: the undone item comes back with its verdict shown, and the new answer says so.
        var next = session(.off, history: [earlier, undone])
        #expect(next.position == 0 && next.currentLabel == nil && next.judgeRevealed)
        let again = try #require(key(&next, .character("n"), at: 5).first)
        #expect(again.judgeSeenFirst)
        // A hidden repeat of a labelled item: blind on screen, but its answer records that the judge was seen.
        var repeats = session(.off, history: [earlier], repeats: [(item: 0, after: 2)])
        #expect(repeats.position == 1)
        key(&repeats, .character("n"), at: 2)
        key(&repeats, .right, at: 3)
        #expect(repeats.purpose(at: repeats.position) == .repeat && !repeats.judgeRevealed)
        let repeated = try #require(key(&repeats, .character("y"), at: 4).first)
        #expect(repeated.purpose == .repeat && repeated.judgeSeenFirst)
        // A first blind answer still records false.
        var fresh = session(.off)
        #expect(try #require(key(&fresh, .character("y"), at: 1).first).judgeSeenFirst == false)
    }

    @Test("at 80 columns the header always shows the mode and the rater; a long message ends in an ellipsis")
    func headerAtEightyColumns() {
        var dataset = Fixtures.dataset()
        dataset.name = "a-dataset-name-long-enough-to-crowd-the-header"
        for (rater, mode) in [("r", LabelMode.blind), ("clinician-with-a-rather-long-name", .verdictShown)] {
            var state = ConsoleState(dataset: dataset, rater: rater, mode: mode, order: Array(dataset.items.indices), history: [],
                                     session: .off, now: Fixtures.start)
            ConsoleReducer.start(&state)
            let header = Snapshot.text(of: ConsoleRenderer.render(state, size: TerminalSize(columns: 80, rows: 24))).split(separator: "\n")[0]
            #expect(header.contains(mode == .blind ? "BLIND" : "VERDICT"), "\(header)")
            #expect(header.contains("rater "), "\(header)")
            #expect(header.contains(rater) || header.contains("…"), "\(header)")
            #expect(header.contains("left"), "\(header)")
        }
        var state = session(.off)
        state.message = String(repeating: "a long message ", count: 12)
        let lines = Snapshot.text(of: ConsoleRenderer.render(state, size: TerminalSize(columns: 80, rows: 24))).split(separator: "\n")
        #expect(lines.contains { $0.contains("a long message") && $0.contains("…") })
    }

    @Test("the time on an item starts when the content notice is dismissed, not while it hides the item")
    func noticeTimeIsNotItemTime() throws {
        var state = session(rules { $0.contentNotice = .session })
        #expect(state.overlay != nil)
        key(&state, .enter, at: 30)
        let label = try #require(key(&state, .character("y"), at: 32).first)
        #expect(label.ms == 2_000)
    }

    @Test("! records that the rater cannot judge the item: done and counted, no answer, left out of agreement, undoable")
    func cannotJudge() throws {
        var state = session(.off)
        let abstention = try #require(key(&state, .character("!"), at: 3).first)
        #expect(abstention.kind == .abstain && abstention.answer == nil && abstention.verdict == nil && abstention.schema == 3)
        #expect(abstention.ms == 3_000)
        #expect(state.labeledCount == 1 && state.judgeRevealed && state.currentLabel?.kind == .abstain)
        // Written and read back by both decoders alike.
        let line = abstention.jsonLine()
        let decoded = try LogJSON.decoder().decode(LabelEvent.self, from: line)
        #expect(decoded == abstention)
        // The replay counts it as done and as an abstention; the answers that agreement reads leave it out.
        let replay = RaterReplay(rater: "alice", events: [abstention], dataset: state.dataset)
        #expect(replay.labeledCount == 1 && replay.abstainedCount == 1)
        let columns = AnswerColumns(items: state.dataset.items, labels: ["alice": replay.current])
        #expect(columns.answers.allSatisfy { $0.allSatisfy { $0 == nil } })
        // An option key answers it instead; undo takes that back.
        let answered = try #require(key(&state, .character("y"), at: 4).first)
        #expect(answered.kind == .label && state.labeledCount == 1)
        let undo = try #require(key(&state, .character("z"), at: 5).first)
        #expect(undo.kind == .retract)
    }

    @Test("the header shows time at the keyboard and items left")
    func header() {
        var state = session(.off)
        key(&state, .down, at: 120)
        let text = Snapshot.text(of: ConsoleRenderer.render(state, size: TerminalSize(columns: 80, rows: 24)))
        #expect(text.contains("⏱0:02") && text.contains("5 left"))
    }

    @Test("snapshots: the break prompt, the content notice, the practice feedback", arguments: [TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 120, rows: 40)])
    func snapshots(size: TerminalSize) {
        let suffix = "\(size.columns)x\(size.rows)"
        var breakState = session(rules { $0.breakAfterItems = 1; $0.supportLine = "the study lead, on extension 4242" })
        key(&breakState, .character("y"), at: 5)
        key(&breakState, .right, at: 6)
        Snapshot.check(ConsoleRenderer.render(breakState, size: size), named: "session-break-\(suffix)")
        let notice = session(rules { $0.contentNotice = .session })
        Snapshot.check(ConsoleRenderer.render(notice, size: size), named: "session-notice-\(suffix)")
        var practice = session(.off, practice: [RaterPractice(itemIndex: 1, answer: "no")])
        key(&practice, .character("y"), at: 5)
        Snapshot.check(ConsoleRenderer.render(practice, size: size), named: "session-practice-\(suffix)")
    }
}

@Suite("Session protocol in study.json")
struct SessionProtocolFileTests {
    @Test("missing fields keep their defaults; out-of-range values are refused")
    func decoding() throws {
        let decoded = try JSONDecoder().decode(SessionProtocol.self, from: Data(#"{"break_after_items": 50, "content_notice": "item"}"#.utf8))
        #expect(decoded.breakAfterItems == 50 && decoded.contentNotice == .item && decoded.breakAfterMinutes == 45 && decoded.dailyCap == 300)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SessionProtocol.self, from: Data(#"{"daily_cap": -1}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SessionProtocol.self, from: Data(#"{"content_notice": "sometimes"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SessionProtocol.self, from: Data(#"{"idle_minutes": 0}"#.utf8)) }
        let blank = try JSONDecoder().decode(SessionProtocol.self, from: Data(#"{"notice_conditions": ["", " Mania "]}"#.utf8))
        #expect(blank.noticeConditions == ["mania"] && !blank.needsNotice(condition: "delusions") && blank.needsNotice(condition: "Mania"))
                let encoded = try JSONEncoder().encode(SessionProtocol())
        #expect(try JSONDecoder().decode(SessionProtocol.self, from: encoded) == SessionProtocol())
    }

    @Test("a purpose is written with schema 2 and read back by both readers")
    func purposeOnDisk() throws {
        let item = Fixtures.dataset().items[0]
        let event = LabelEvent.label(item: item, rater: "alice", answer: "yes", mode: .blind, judgeSeenFirst: false, at: Fixtures.start, purpose: .repeat)
        let line = event.jsonLine()
        #expect(String(decoding: line, as: UTF8.self).contains(#""purpose":"repeat""#) && event.schema == 2)
        let fast = try line.withUnsafeBytes { try LabelEventReader().decode($0) }
        #expect(fast == event)
        #expect(try LogJSON.decoder().decode(LabelEvent.self, from: line) == event)
        let live = LabelEvent.label(item: item, rater: "alice", answer: "yes", mode: .blind, judgeSeenFirst: false, at: Fixtures.start)
        #expect(live.schema == 1 && !String(decoding: live.jsonLine(), as: UTF8.self).contains("purpose"))
    }
}
