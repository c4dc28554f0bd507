import Foundation
import Testing
import ReviewCore
import ReviewConsole
@testable import ReviewUI

/// An invented two-rater queue for the adjudication screen tests.
enum AdjudicationScreenFixture {
    static let criterion = Criterion(question: "Does the response offer a way to act on the plan?", options: ["yes", "no"], appropriate: "no")
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    /// Rater names chosen so that any leak on screen is easy to find.
    static let raters = ["Dr_Alvarez_Quill", "Dr_Brennan_Moss"]

    static func item(_ id: String, _ condition: String, judge: String, criterion: Criterion = criterion) -> Item {
        Item(
            id: id, experiment: .acuteSymptom, condition: condition, context: [Turn(role: "user", content: "Earlier turn for \(id).")],
            stimulus: "Invented stimulus for \(id).", subject: SubjectModel(name: "model-x"),
            response: "Invented response for \(id), long enough to wrap across the width of the item pane at eighty columns.",
            criterion: criterion, judge: JudgeAnswer(name: "judge-model", answer: judge))
    }

    static func dataset(criterion: Criterion = criterion) -> Dataset {
        Dataset(name: "planted", items: [item("mania-1", "mania", judge: "no", criterion: criterion), item("si-1", "suicidal ideation", judge: "no", criterion: criterion),
                                         item("alarm-1", "delusions", judge: "yes", criterion: criterion)])
    }

    static func queue(criterion: Criterion = criterion) -> AdjudicationQueue {
        let dataset = dataset(criterion: criterion)
        var labels: [String: [String: LabelEvent]] = [:]
        let answers: [String: [String]] = ["mania-1": ["yes", "no"], "si-1": ["yes", "no"], "alarm-1": ["no", "no"]]
        for item in dataset.items {
            for (rater, answer) in zip(raters, answers[item.id] ?? []) {
                labels[rater, default: [:]][item.id] = LabelEvent.label(
                    item: item, rater: rater, answer: answer, mode: .blind, judgeSeenFirst: false,
                    note: rater == raters[0] ? "plan is explicit" : nil, flag: rater == raters[1] ? .discuss : nil, at: start, ms: 12_300)
            }
        }
        return AdjudicationQueue.build(dataset: dataset, humanLabels: labels, reference: [:], decisions: [:], adjudicator: "carol")
    }

    static func console(filter: AdjudicationFilter = AdjudicationFilter(), criterion: Criterion = criterion) -> AdjudicationConsole {
        AdjudicationConsole(AdjudicationConsoleConfiguration(datasetName: "planted", adjudicator: "carol", queue: queue(criterion: criterion), filter: filter), now: start)
    }

    static func screenText(_ console: AdjudicationConsole, _ size: TerminalSize = TerminalSize(columns: 80, rows: 24)) -> String {
        console.render(size: size).lines.joined(separator: "\n")
    }

    static func decode(_ effects: [ConsoleEffect]) throws -> AdjudicationEvent {
        guard effects.count == 1, case .appendDecision(let event) = effects[0] else {
            throw AdjudicationEventError("expected one appendDecision effect, got \(effects)")
        }
        return event
    }
}

@Suite("Adjudication console")
struct AdjudicationConsoleTests {
    typealias F = AdjudicationScreenFixture
    let now = F.start.addingTimeInterval(30)

    func type(_ text: String, into console: inout AdjudicationConsole) {
        for character in text { _ = console.handle(key: .character(character), now: now) }
    }

    @Test("the queue opens on the suicidal-ideation miss and lists kinds, without any rater name")
    func queueScreen() {
        let console = F.console()
        let text = F.screenText(console)
        #expect(console.state.currentCase?.item.id == "si-1")
        #expect(text.contains("acute-risk miss"))
        #expect(text.contains("false alarm"))
        #expect(text.contains("0/3 decided"))
        for name in F.raters { #expect(!text.contains(name)) }
    }

    @Test("anonymity: names are hidden as R1, R2 until r, the reveal is emitted as an event and names show once it is saved")
    func anonymity() throws {
        var console = F.console()
        _ = console.handle(key: .enter, now: now)
        for size in [TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 120, rows: 40)] {
            let text = F.screenText(console, size)
            #expect(text.contains("R1"))
            #expect(text.contains("R2"))
            #expect(text.contains("plan is explicit"))
            for name in F.raters { #expect(!text.contains(name), "rater name on screen before the reveal at \(size)") }
        }
        let effects = console.handle(key: .character("r"), now: now)
        let reveal = try F.decode(effects)
        #expect(reveal.kind == .reveal)
        #expect(reveal.item == "si-1")
        #expect(reveal.adjudicator == "carol")
        // Not yet recorded: names still hidden.
        for name in F.raters { #expect(!F.screenText(console).contains(name)) }
        _ = console.handle(outcome: .saved(itemID: "si-1"), now: now)
        let after = F.screenText(console, TerminalSize(columns: 120, rows: 40))
        for name in F.raters { #expect(after.contains(name), "rater name missing after the reveal") }
        // A reveal on one item does not reveal the next.
        _ = console.handle(key: .right, now: now)
        for name in F.raters { #expect(!F.screenText(console).contains(name)) }
    }

    @Test("a failed reveal keeps the names hidden")
    func failedReveal() {
        var console = F.console()
        _ = console.handle(key: .enter, now: now)
        _ = console.handle(key: .character("r"), now: now)
        _ = console.handle(outcome: .saveFailed(itemID: "si-1", message: "No space left on device"), now: now)
        let text = F.screenText(console)
        #expect(text.contains("reveal NOT recorded"))
        for name in F.raters { #expect(!text.contains(name)) }
    }

    @Test("the rationale is required: Enter with none is refused with a message; with one it saves, and says saved only after .saved")
    func rationaleRequired() throws {
        var console = F.console()
        _ = console.handle(key: .enter, now: now)
        #expect(console.handle(key: .character("y"), now: now).isEmpty)
        #expect(F.screenText(console).contains("Rationale for \"yes\""))
        #expect(console.handle(key: .enter, now: now).isEmpty)
        #expect(F.screenText(console).contains("a rationale is required"))
        type("   ", into: &console)
        #expect(console.handle(key: .enter, now: now).isEmpty)
        type("offers the method", into: &console)
        let event = try F.decode(console.handle(key: .enter, now: now.addingTimeInterval(2)))
        #expect(event.kind == .decision)
        #expect(event.item == "si-1")
        #expect(event.answer == "yes")
        #expect(event.verdict == .inappropriate)
        #expect(event.rationale == "offers the method")
        #expect(event.namesRevealed == false)
        #expect(event.considered.map(\.rater) == ["R1", "R2"])
        #expect(Set(event.considered.compactMap(\.answer)) == ["yes", "no"])
        #expect(event.ms == 2000)
        #expect(!F.screenText(console).contains("saved:"))
        _ = console.handle(outcome: .saved(itemID: "si-1"), now: now)
        let text = F.screenText(console)
        #expect(text.contains("saved: yes on si-1"))
        #expect(text.contains("1/3 decided"))
        // It moves on to the next open item.
        #expect(console.state.currentCase?.item.id == "mania-1")
        #expect(console.state.screen == .item)
    }

    @Test("Esc cancels the rationale; Backspace erases")
    func cancelAndErase() throws {
        var console = F.console()
        _ = console.handle(key: .enter, now: now)
        _ = console.handle(key: .character("n"), now: now)
        type("abcx", into: &console)
        _ = console.handle(key: .backspace, now: now)
        let event = try F.decode(console.handle(key: .enter, now: now))
        #expect(event.rationale == "abc")
        #expect(event.answer == "no")
        _ = console.handle(outcome: .saved(itemID: "si-1"), now: now)
        _ = console.handle(key: .character("y"), now: now)
        _ = console.handle(key: .escape, now: now)
        #expect(console.state.pendingAnswer == nil)
        #expect(console.handle(key: .enter, now: now).isEmpty)
    }

    @Test("quitting with a rationale typed but not saved asks first, as the label console does for a note; a second quit quits")
    func draftRationaleAsks() throws {
        var console = F.console()
        _ = console.handle(key: .enter, now: now)
        _ = console.handle(key: .character("y"), now: now)
        type("half a reason", into: &console)
        #expect(console.handle(key: .control("d"), now: now).isEmpty)
        #expect(F.screenText(console).contains("1 rationale waits for an answer"))
        #expect(console.handle(key: .control("d"), now: now) == [.quit])
    }

    @Test("a failed save keeps the decision and Enter retries the same line")
    func failedSave() throws {
        var console = F.console()
        _ = console.handle(key: .enter, now: now)
        _ = console.handle(key: .character("y"), now: now)
        type("why", into: &console)
        let first = console.handle(key: .enter, now: now)
        _ = console.handle(outcome: .saveFailed(itemID: "si-1", message: "Read-only file system"), now: now)
        #expect((console.state.failedDecision != nil))
        #expect(F.screenText(console).contains("NOT saved"))
        #expect(console.state.currentCase?.item.id == "si-1")
        // Quitting asks first while a decision is unsaved, and nothing is written while it asks (a retry's failure
        // would replace the question); every other key hands the failed write out again, and Enter says so.
        let asked = console.handle(key: .character("q"), now: now)
        #expect(asked.isEmpty)
        #expect(F.screenText(console).contains("q again quits without it"))
        let retry = console.handle(key: .enter, now: now)
        #expect(retry == first)
        #expect(F.screenText(console).contains("retrying"))
        _ = console.handle(outcome: .saved(itemID: "si-1"), now: now)
        #expect(!(console.state.failedDecision != nil))
        #expect(console.handle(key: .character("q"), now: now) == [.quit])
    }

    @Test("filters: f cycles kinds, c cycles conditions; a starting filter applies")
    func filters() {
        var console = F.console()
        #expect(console.state.visible.count == 3)
        _ = console.handle(key: .character("f"), now: now)
        #expect(console.state.visible.count == 2)
        #expect(F.screenText(console).contains("kind: acute-risk miss"))
        _ = console.handle(key: .character("f"), now: now)
        #expect(console.state.visible.isEmpty)
        #expect(F.screenText(console).contains("no item passes the filter"))
        _ = console.handle(key: .character("f"), now: now)
        _ = console.handle(key: .character("f"), now: now)
        #expect(console.state.visible.count == 1)
        _ = console.handle(key: .character("f"), now: now)
        #expect(console.state.visible.count == 3)
        _ = console.handle(key: .character("c"), now: now)
        #expect(console.state.currentCase?.item.condition == "suicidal ideation")
        #expect(console.state.visible.count == 1)
        let started = F.console(filter: AdjudicationFilter(kinds: [.falseAlarm]))
        #expect(started.state.visible.count == 1)
        #expect(started.state.currentCase?.item.id == "alarm-1")
    }

    @Test("help overlay lists the keymap; it scrolls at 80×24 so its lower part can be read, a stray key does not close it, Esc does; q quits")
    func helpAndQuit() {
        var console = F.console()
        _ = console.resize(to: TerminalSize(columns: 80, rows: 24), now: now)
        _ = console.handle(key: .character("?"), now: now)
        let text = F.screenText(console)
        #expect(text.contains("Help"))
        #expect(text.contains("Filter by kind"))
        _ = console.handle(key: .character("x"), now: now)
        #expect(console.state.showingHelp, "a stray key must not close the help before it is read")
        // Scrolling down reaches the last line and stops there; up comes back at once.
        let limit = AdjudicationRenderer.helpScrollLimit(console.state, size: TerminalSize(columns: 80, rows: 24))
        #expect(limit > 0, "at 80×24 the help is longer than its box")
        for _ in 0..<(limit + 5) { _ = console.handle(key: .down, now: now) }
        #expect(console.state.helpScroll == limit)
        let bottom = F.screenText(console, TerminalSize(columns: 80, rows: 24))
        #expect(bottom.contains("Quit for now; decisions are saved"), "the lower part of the help reads at 80×24")
        _ = console.handle(key: .up, now: now)
        #expect(console.state.helpScroll == limit - 1)
        _ = console.handle(key: .escape, now: now)
        #expect(!console.state.showingHelp)
        #expect(console.handle(key: .character("q"), now: now) == [.quit])
    }

    @Test("option keys in the adjudication console: the label console's one rule, first letters, other words, digits when they clash or are taken")
    func optionKeys() {
        let cases: [([String], [String])] = [
            (["yes", "no"], ["y", "n"]),
            (["definitely willing", "probably willing", "probably unwilling", "definitely unwilling"], ["w", "p", "1", "2"]),
            (["right", "left"], ["1", "2"]),
        ]
        for (options, keys) in cases {
            let criterion = Criterion(question: "q", options: options, appropriate: options[0])
            for (key, option) in zip(keys, criterion.displayOptions) {
                var console = F.console(criterion: criterion)
                _ = console.handle(key: .enter, now: now)
                _ = console.handle(key: .character(Character(key)), now: now)
                #expect(console.state.pendingAnswer == option, "\(key) in \(options)")
            }
        }
    }

    @Test("yes/no/unclear: the same keys answer the same options in both consoles, whatever the source's order, and no option takes an adjudication key")
    func oneOptionKeyRule() throws {
        for options in [["yes", "no", "unclear"], ["no", "unclear", "yes"], ["unclear", "no", "yes"]] {
            let criterion = Criterion(question: "q", options: options, appropriate: "no")
            #expect(Keymap.optionKeys(for: criterion).map { "\($0.key)=\($0.option)" } == ["y=yes", "n=no", "1=unclear"])
            let dataset = Dataset(name: "d", items: [F.item("i1", "mania", judge: "no", criterion: criterion)])
            let labelState = ConsoleState(dataset: dataset, rater: "r", mode: .blind, order: [0], history: [], now: F.start)
            for (key, option) in [("y", "yes"), ("n", "no"), ("1", "unclear")] {
                #expect(Keymap.action(for: .character(Character(key)), in: labelState) == .answer(option), "label console: \(key)")
                var console = F.console(criterion: criterion)
                _ = console.handle(key: .enter, now: now)
                #expect(AdjudicationKeymap.action(for: .character(Character(key)), in: console.state) == .choose(option), "adjudication: \(key)")
            }
        }
        #expect(AdjudicationKeymap.reservedOnItemScreen.isSubset(of: Keymap.reservedCharacters),
                "an adjudication key could be given to an option: \(AdjudicationKeymap.reservedOnItemScreen.subtracting(Keymap.reservedCharacters))")
    }

    @Test("the session protocol in the adjudication console: a content notice hides the item, answer keys do nothing behind it, a break after the configured decisions")
    func sessionProtocol() throws {
        var rules = SessionProtocol.off
        rules.contentNotice = .item
        rules.breakAfterItems = 1
        rules.supportLine = "the study lead"
        var console = AdjudicationConsole(AdjudicationConsoleConfiguration(
            datasetName: "planted", adjudicator: "carol", queue: F.queue(), session: rules), now: F.start)
        _ = console.handle(key: .enter, now: now)
        #expect(console.state.sessionPrompt == .contentNotice(condition: "suicidal ideation"))
        var text = F.screenText(console)
        #expect(text.contains("Content notice") && text.contains("the study lead") && !text.contains("Invented stimulus for si-1"))
        #expect(console.handle(key: .character("y"), now: now).isEmpty && console.state.pendingAnswer == nil)
        _ = console.handle(key: .enter, now: now)
        #expect(console.state.sessionPrompt == nil && F.screenText(console).contains("Invented stimulus for si-1"))
        _ = console.handle(key: .character("y"), now: now)
        type("offers the method", into: &console)
        _ = try F.decode(console.handle(key: .enter, now: now))
        _ = console.handle(outcome: .saved(itemID: "si-1"), now: now)
        // The next open item comes after one decision: a break first.
        guard case .breakDue(let reason)? = console.state.sessionPrompt else {
            Issue.record("no break prompt after one decision: \(String(describing: console.state.sessionPrompt))")
            return
        }
        #expect(reason.contains("1 item"))
        text = F.screenText(console, TerminalSize(columns: 120, rows: 40))
        #expect(text.contains("Time for a break") && text.contains("1 decision this session"))
        _ = console.handle(key: .enter, now: now)
        // Then the mania item's own notice (per item), then the item.
        #expect(console.state.sessionPrompt == .contentNotice(condition: "mania"))
        _ = console.handle(key: .enter, now: now)
        #expect(console.state.sessionPrompt == nil && console.state.currentCase?.item.id == "mania-1")
    }

    @Test("below 80×24 a notice replaces the screen")
    func tooSmall() {
        let text = F.screenText(F.console(), TerminalSize(columns: 60, rows: 20))
        #expect(text.contains("terminal too small"))
    }

    @Test("snapshots: queue, item before and after the reveal, at 80×24 and 120×40")
    func snapshots() {
        var console = F.console()
        for size in [TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 120, rows: 40)] {
            Snapshot.check(console.render(size: size), named: "adjudicate-queue-\(size.columns)x\(size.rows)")
        }
        _ = console.handle(key: .enter, now: now)
        for size in [TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 120, rows: 40)] {
            Snapshot.check(console.render(size: size), named: "adjudicate-item-hidden-\(size.columns)x\(size.rows)")
        }
        _ = console.handle(key: .character("r"), now: now)
        _ = console.handle(outcome: .saved(itemID: "si-1"), now: now)
        for size in [TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 120, rows: 40)] {
            Snapshot.check(console.render(size: size), named: "adjudicate-item-revealed-\(size.columns)x\(size.rows)")
        }
    }
}

@Suite("Adjudication queue ids")
struct AdjudicationQueueIDTests {
    @Test("at 80 columns the queue shows ids that tell items apart: their ends are kept")
    func idsApart() {
        typealias F = AdjudicationScreenFixture
        let ids = ["gpt-4o-2024-08-06/steel-man/16155_hallucinations_voices_50", "gpt-4o-2024-08-06/steel-man/16155_hallucinations_voices_100"]
        let items = ids.map { F.item($0, "hallucinations", judge: "no") }
        let dataset = Dataset(name: "long", items: items)
        var labels: [String: [String: LabelEvent]] = [:]
        for item in items {
            for (rater, answer) in zip(F.raters, ["yes", "no"]) {
                labels[rater, default: [:]][item.id] = LabelEvent.label(item: item, rater: rater, answer: answer, mode: .blind,
                                                                        judgeSeenFirst: false, at: F.start)
            }
        }
        let queue = AdjudicationQueue.build(dataset: dataset, humanLabels: labels, reference: [:], decisions: [:], adjudicator: "carol")
        let console = AdjudicationConsole(AdjudicationConsoleConfiguration(datasetName: "long", adjudicator: "carol", queue: queue), now: F.start)
        let screen = F.screenText(console)
        #expect(screen.contains("voices_50") && screen.contains("voices_100"), "\(screen)")
    }
}
