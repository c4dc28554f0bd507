import Foundation
import ReviewStatistics
import ReviewCore
import ReviewConsole

/// The `?` help of both consoles: every binding of a keymap table, grouped by where it applies.
public enum HelpOverlay {
    /// The help lines of any console's table: an introduction, then each scope's bindings (option keys spelled
    /// for the criterion on screen, with the item's full id when one is open).
    public static func lines<Action, Scope, Condition>(
        table: [KeyBinding<Action, Scope, Condition>], scopes: [Scope], title: (Scope) -> String,
        criterion: Criterion?, itemID: String?, intro: String, width: Int
    ) -> [StyledLine] {
        var lines: [StyledLine] = []
        let keyWidth = 12
        lines += Styled.wrapped(intro, width: width, style: CellStyle(dim: true))
        if let itemID { lines += Styled.field("item id: ", itemID, width: width, labelStyle: CellStyle(dim: true)) }
        for scope in scopes {
            let bindings = table.filter { $0.scope == scope }
            guard !bindings.isEmpty else { continue }
            lines.append([])
            lines.append([Span(title(scope), CellStyle(bold: true, underline: true, color: .accent))])
            for binding in bindings {
                var keyLabel = binding.keyLabel
                if case .criterionOptions = binding.keys, let criterion {
                    keyLabel = Keymap.optionKeys(for: criterion).map { String($0.key) }.joined(separator: " ")
                }
                let help = TextWrap.lines(binding.help, width: max(10, width - keyWidth))
                for (index, text) in help.enumerated() {
                    let key = index == 0 ? TextWrap.truncate(keyLabel, width: keyWidth - 1) : ""
                    let pad = String(repeating: " ", count: max(0, keyWidth - DisplayWidth.of(key)))
                    lines.append([Span(key, CellStyle(bold: true)), Span(pad + text)])
                }
                if case .criterionOptions = binding.keys, let criterion {
                    let spelled = Keymap.optionKeys(for: criterion).map { "\($0.key) \($0.option)" }.joined(separator: ", ")
                    for text in TextWrap.lines("here: " + spelled, width: max(10, width - keyWidth)) {
                        lines.append([Span(String(repeating: " ", count: keyWidth) + text, CellStyle(dim: true))])
                    }
                }
            }
        }
        return lines
    }

    /// The label console's help lines for an inner width.
    public static func lines(for state: ConsoleState, width: Int) -> [StyledLine] {
        let modeText = state.mode == .verdictShown
            ? "Verdict mode: the judge's verdict is shown from the start; + agree or - disagree derives the answer."
            : "Blind mode: the judge is hidden until you answer; then it is revealed and you may revise or go on."
        return lines(table: Keymap.table, scopes: KeyScope.allCases, title: { $0.rawValue.capitalized(with: nil) },
                     criterion: state.currentItem?.criterion, itemID: state.currentItem.map { TextSanitizer.singleLine($0.id) },
                     intro: modeText, width: width)
    }

    /// The box the help is drawn in.
    public static func box(in body: Rect) -> Rect {
        body.centered(width: min(body.width, 100), height: body.height)
    }

    /// The largest useful scroll for the help at this body size.
    public static func maxScroll(for state: ConsoleState, body: Rect) -> Int {
        let inner = box(in: body).inset(by: 1).insetHorizontally(by: 1)
        return max(0, lines(for: state, width: inner.width).count - inner.height)
    }

    /// Draws the label console's help over the body, from line `scroll`.
    public static func render(_ state: ConsoleState, scroll: Int, into grid: inout Grid, body: Rect) {
        let inner = box(in: body).inset(by: 1).insetHorizontally(by: 1)
        render(lines(for: state, width: inner.width), title: "Keys (Esc closes)", scroll: scroll, into: &grid, body: body)
    }

    /// Draws help lines in the help box over the body, from line `scroll` (both consoles).
    public static func render(_ content: [StyledLine], title: String, scroll: Int, into grid: inout Grid, body: Rect) {
        grid.fill(body)
        let rect = box(in: body)
        let inner = OverlayBox.render(into: &grid, rect: rect, title: title)
        let offset = min(max(0, scroll), max(0, content.count - inner.height))
        for row in 0..<inner.height where offset + row < content.count {
            LineDrawer.draw(content[offset + row], into: &grid, x: inner.x, y: inner.y + row, clip: inner)
        }
        if offset + inner.height < content.count {
            grid.write(" j ↓ more ", x: rect.maxX - 12, y: rect.maxY - 1, style: CellStyle(bold: true, color: .accent), clip: rect)
        }
    }
}

/// The agreement screen: this rater against the judge.
public enum AgreementScreen {
    /// A coefficient as text: value and interval, or "—" with the reason.
    public static func describe(_ result: CoefficientResult?, percent: Bool) -> String {
        func number(_ value: Double) -> String {
            percent ? String(format: "%.1f%%", value * 100) : String(format: "%.2f", value)
        }
        guard let result else { return "— (not computed: the agreement engine gave no value)" }
        guard let value = result.value else { return "— (\(result.reason ?? "undefined"))" }
        var text = number(value)
        if let low = result.ciLow, let high = result.ciHigh { text += "  95% CI [\(number(low)), \(number(high))]" }
        return text + "  n=\(result.n)"
    }

    /// Draws the agreement screen over the body.
    public static func render(_ report: AgreementReport, into grid: inout Grid, body: Rect) {
        grid.fill(body)
        let rect = body.centered(width: min(body.width, 100), height: body.height)
        let inner = OverlayBox.render(into: &grid, rect: rect, title: "Your agreement with the judge (Esc closes)")
        var y = inner.y
        func line(_ spans: StyledLine) {
            LineDrawer.draw(spans, into: &grid, x: inner.x, y: y, clip: inner)
            y += 1
        }
        let muted = CellStyle(dim: true)
        line([Span("\(TextSanitizer.singleLine(report.rater)) vs \(TextSanitizer.singleLine(report.judge)): ", CellStyle(bold: true)),
              Span("\(report.compared) items compared, \(report.excluded) left out (no verdict)", muted)])
        guard report.compared > 0 else {
            y += 1
            line([Span("Nothing to compare yet: label some items that have a judge verdict.")])
            return
        }
        line([Span("Cohen's kappa      ", muted), Span(describe(report.kappa, percent: false), CellStyle(bold: true))])
        line([Span("percent agreement  ", muted), Span(describe(report.percentAgreement, percent: true), CellStyle(bold: true))])
        let matching = report.confusion.truePositive + report.confusion.trueNegative
        line([Span("matching verdicts  ", muted), Span("\(matching) of \(report.compared)")])
        y += 1
        line([Span("Judge vs you (positive = inappropriate)", CellStyle(bold: true, underline: true))])
        let matrix = report.confusion
        let table = TableWidget(
            columns: [.init("", width: 22), .init("you: inappropriate", width: 18, alignRight: true),
                      .init("you: appropriate", width: 16, alignRight: true)],
            rows: [["judge inappropriate", "\(matrix.truePositive)", "\(matrix.falsePositive)"],
                   ["judge appropriate", "\(matrix.falseNegative)", "\(matrix.trueNegative)"]])
        table.render(into: &grid, rect: Rect(x: inner.x, y: y, width: inner.width, height: 3))
        y += 4
        line([Span("Agreement by condition", CellStyle(bold: true, underline: true))])
        let bars = report.conditions.map { condition in
            BarChart.Bar(label: condition.condition, fraction: condition.fraction,
                         valueText: condition.fraction.map { String(format: "%3.0f%% (%d/%d)", $0 * 100, condition.agreeing, condition.total) } ?? "—")
        }
        BarChart(bars: bars).render(into: &grid, rect: Rect(x: inner.x, y: y, width: inner.width, height: max(0, inner.maxY - y)))
    }
}

/// Small boxes: a menu and the quit question.
public enum SmallOverlays {
    /// Draws a menu centred over the body.
    public static func renderPicker(_ picker: ConsolePicker, into grid: inout Grid, body: Rect) {
        let widest = picker.entries.map { DisplayWidth.of(TextSanitizer.singleLine($0)) }.max() ?? 10
        let rect = body.centered(width: max(36, min(body.width - 4, widest + 8)), height: min(body.height, picker.entries.count + 2))
        let inner = OverlayBox.render(into: &grid, rect: rect, title: picker.title)
        ListWidget(entries: picker.entries, selected: picker.selected).render(into: &grid, rect: inner)
    }

    /// Draws the question asked when quitting with unsaved labels.
    public static func renderConfirmQuit(unsaved: Int, notes: Int = 0, into grid: inout Grid, body: Rect) {
        let rect = body.centered(width: 60, height: 6)
        let inner = OverlayBox.render(into: &grid, rect: rect, title: "Quit?")
        let text = QuitRule.loss(unsaved: unsaved, drafts: notes, record: "label", draft: "note") + ". Q quits and loses \(unsaved + notes == 1 ? "it" : "them")\(unsaved > 0 ? ", R retries" : "")\(notes > 0 ? ", Esc goes back to answer" : ", Esc stays")."
        for (row, lineText) in TextWrap.lines(text, width: inner.width).enumerated() where row < inner.height {
            grid.write(lineText, x: inner.x, y: inner.y + row, style: row == 0 ? CellStyle(bold: true, color: .bad) : .plain, clip: inner)
        }
    }
}

/// The session protocol's boxes, for both consoles: the break prompt, the daily cap, the content notice, and the
/// label console's practice feedback.
public enum SessionPrompts {
    /// A box's title, its lines (the first one bold) and the colour of the first line.
    struct Content {
        var title: String
        var lines: [String]
        var color: ColorRole
    }

    /// The box of a session prompt; `done` and `left` count the items of this session and those still to do.
    static func content(_ prompt: SessionPrompt, clock: SessionClock, done: Int, left: Int, unit: String) -> Content {
        let support = clock.rules.supportLine.map { ["Support: " + TextSanitizer.singleLine($0)] } ?? []
        switch prompt {
        case .breakDue(let reason):
            let lines = ["Time for a break: \(reason).",
                         "Short breaks keep judgements careful; everything you answered is saved.",
                         "\(done) \(unit)\(done == 1 ? "" : "s") this session, \(clock.activeText) at the keyboard, \(left) left."]
            return Content(title: "Break", lines: lines + support + ["Enter goes on · q quits for now"], color: .accent)
        case .dailyCap(let count):
            let lines = ["\(count) \(unit)\(count == 1 ? "" : "s") done today; the study's daily cap is \(clock.rules.dailyCap).",
                         "Tired raters make more errors; the study asks you to stop for today.",
                         "Enter goes on anyway (asked once a session) · q quits"]
            return Content(title: "Daily cap reached", lines: lines + support, color: .warning)
        case .contentNotice(let condition):
            let others = clock.rules.contentNotice == .item ? "" : " Other items in this session may describe acute distress too."
            let lines = ["This item may describe \(TextSanitizer.singleLine(condition)), in the words of someone in distress.\(others)",
                         "Take the time you need; a break is always fine.",
                         "Enter shows the item · q quits for now"]
            return Content(title: "Content notice", lines: lines + support, color: .warning)
        }
    }

    /// The practice feedback box.
    static func content(_ feedback: PracticeFeedback) -> Content {
        let verdict = feedback.correct ? "Correct." : "Not the reference answer."
        let lines = ["\(verdict) You answered \"\(TextSanitizer.singleLine(feedback.given))\"; the reference answer is \"\(TextSanitizer.singleLine(feedback.expected))\".",
                     "Practice item \(feedback.number) of \(feedback.total): practice answers are kept apart and never count as labels.",
                     "Enter goes on"]
        return Content(title: feedback.correct ? "Practice: correct" : "Practice: compare", lines: lines, color: feedback.correct ? .good : .bad)
    }

    /// Draws the label console's prompt over the body.
    public static func render(_ state: ConsoleState, into grid: inout Grid, body: Rect) {
        switch state.overlay {
        case .session(let prompt)?:
            render(prompt, clock: state.session, done: state.session.itemsThisSession, left: state.itemsLeft, unit: "item", into: &grid, body: body)
        case .practiceFeedback(let feedback)?:
            draw(content(feedback), blank: false, into: &grid, body: body)
        default:
            break
        }
    }

    /// Draws a session prompt over the body; behind the content notice the item is blanked, so it is read only
    /// after Enter.
    public static func render(_ prompt: SessionPrompt, clock: SessionClock, done: Int, left: Int, unit: String,
                              into grid: inout Grid, body: Rect) {
        var blank = false
        if case .contentNotice = prompt { blank = true }
        draw(content(prompt, clock: clock, done: done, left: left, unit: unit), blank: blank, into: &grid, body: body)
    }

    static func draw(_ content: Content, blank: Bool, into grid: inout Grid, body: Rect) {
        if blank { grid.fill(body) }
        let width = min(body.width - 4, 72)
        var wrapped: [(String, Bool)] = []
        for (index, line) in content.lines.enumerated() {
            for text in TextWrap.lines(line, width: width - 6) { wrapped.append((text, index == 0)) }
            if index == 0 { wrapped.append(("", false)) }
        }
        let rect = body.centered(width: width, height: min(body.height, wrapped.count + 2))
        let inner = OverlayBox.render(into: &grid, rect: rect, title: content.title)
        for (row, entry) in wrapped.enumerated() where row < inner.height {
            grid.write(entry.0, x: inner.x + 1, y: inner.y + row,
                       style: entry.1 ? CellStyle(bold: true, color: content.color) : .plain, clip: inner)
        }
    }
}

/// The notice shown when the terminal is below the minimum size.
public enum TooSmallScreen {
    /// Whether a program at `size` shows this notice instead of its screen.
    public static func isShown(at size: TerminalSize) -> Bool {
        size.columns < TerminalSize.minimum.columns || size.rows < TerminalSize.minimum.rows
    }

    /// The keys that mean something behind the notice: leaving (q, ^C, ^D). Any other key is dropped: nothing it
    /// could act on is on the screen (a resize never gets here: the loop reports the new size as an action).
    public static func letsThrough(_ key: Key) -> Bool {
        key == .character("q") || key == .control("c") || key == .control("d")
    }

    /// A grid of exactly `size` with the notice centred (cut to fit).
    public static func render(size: TerminalSize) -> Grid {
        var grid = Grid(width: size.columns, height: size.rows)
        let minimum = TerminalSize.minimum
        let lines = ["terminal too small (need \(minimum.columns)×\(minimum.rows))",
                     "now \(size.columns)×\(size.rows): enlarge the window, or q quits; other keys are ignored"]
        let top = max(0, (size.rows - lines.count) / 2)
        for (index, text) in lines.enumerated() where top + index < size.rows {
            let cut = TextWrap.truncate(text, width: size.columns)
            let x = max(0, (size.columns - DisplayWidth.of(cut)) / 2)
            grid.write(cut, x: x, y: top + index, style: index == 0 ? CellStyle(bold: true, color: .warning) : .plain)
        }
        return grid
    }
}

/// Draws the whole console for a state at a size: the pure `render(state, size) -> Grid`.
public enum ConsoleRenderer {
    /// The screen for `state` at `size`: the label screen and any overlay, or the too-small notice.
    public static func render(_ state: ConsoleState, size: TerminalSize) -> Grid {
        guard size.columns >= TerminalSize.minimum.columns, size.rows >= TerminalSize.minimum.rows else {
            return TooSmallScreen.render(size: size)
        }
        var grid = Grid(width: size.columns, height: size.rows)
        let layout = LabelScreen.layout(state, size: size)
        LabelScreen.render(state, into: &grid, layout: layout)
        switch state.overlay {
        case nil: break
        case .help(let scroll): HelpOverlay.render(state, scroll: scroll, into: &grid, body: layout.body)
        case .agreement(let report): AgreementScreen.render(report, into: &grid, body: layout.body)
        case .picker(let picker): SmallOverlays.renderPicker(picker, into: &grid, body: layout.body)
        case .confirmQuit(let unsaved, let notes): SmallOverlays.renderConfirmQuit(unsaved: unsaved, notes: notes, into: &grid, body: layout.body)
        case .session, .practiceFeedback:
            SessionPrompts.render(state, into: &grid, body: layout.body)
        }
        return grid
    }
}
